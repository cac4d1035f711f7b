package dynamo

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"pause"
	"pause/storetest"
)

// startLocalOnDisk starts a DynamoDB Local of the test's own that keeps its data in dir, on
// the port (0: a free one), and returns its endpoint, its port and a function that kills it
// (SIGKILL) and returns once it has exited.
func startLocalOnDisk(t *testing.T, dir string, port int) (string, int, func()) {
	t.Helper()
	endpoint, port, _, kill := runLocal(t, dir, port)
	return endpoint, port, func() { _ = kill() }
}

// TestFeedSurvivesStop stops (SIGKILL) a DynamoDB Local that keeps its data on disk in the
// middle of a stream of writes from several writers, starts it again on the same data, and
// checks what it kept: no event without its write, no write without its event.
func TestFeedSurvivesStop(t *testing.T) {
	testEndpoint(t) // the same rule as every test here: skip without DynamoDB Local, fail in CI
	dir := t.TempDir()
	endpoint, port, kill := startLocalOnDisk(t, dir, 0)
	opts := func(o *dynamodb.Options) {
		o.RetryMaxAttempts = 2
		o.HTTPClient = awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = 500 * time.Millisecond }).
			WithTimeout(2 * time.Second)
	}
	ctx := context.Background()
	name := randomName("pause-feed-")
	if err := CreateTable(ctx, newTestClient(endpoint), name); err != nil { // slower on disk: the default timeouts
		t.Fatal(err)
	}
	cms, admin := newCMS(New(Config{Client: newTestClient(endpoint, opts), Table: name}))

	var (
		mu    sync.Mutex
		acked = map[string]int{}
		n     int
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := range 3 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tool, err := cms.Tools.Create(admin, pause.ToolInput{Name: ptr(fmt.Sprintf("Tool %d-%d", w, i)),
					WebsiteURL: ptr("https://example.com"), Category: ptr("Chat"), Pricing: ptr(pause.PricingFree)})
				for j := 0; err == nil && j < 2; j++ {
					mu.Lock()
					acked[tool.ID], n = tool.Version, n+1
					mu.Unlock()
					tool, err = cms.Tools.Update(admin, tool.ID, tool.Version, pause.ToolInput{Tagline: ptr(fmt.Sprint("Edit ", j))})
				}
				if err == nil {
					mu.Lock()
					acked[tool.ID], n = tool.Version, n+1
					mu.Unlock()
				}
			}
		})
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		done := n
		mu.Unlock()
		if done >= 30 {
			break
		}
	}
	kill()
	close(stop)
	wg.Wait()
	mu.Lock()
	if n < 30 {
		t.Fatalf("only %d writes before the stop", n)
	}
	mu.Unlock()

	endpoint, _, _ = startLocalOnDisk(t, dir, port)
	s := New(Config{Client: newTestClient(endpoint), Table: name})
	// DynamoDB Local does not promise that what it acknowledged survives SIGKILL (its
	// SQLite file may lose the last transactions), so the acknowledged writes are counted,
	// not required: what is required is that each transaction is kept whole or not at all.
	if err := storetest.CheckFeed(ctx, s.Stores(), nil); err != nil {
		t.Fatal(err)
	}
	if err := storetest.CheckFeed(ctx, s.Stores(), acked); err != nil {
		t.Logf("the emulator lost acknowledged writes (each whole, with its event): %v", err)
	}
	g, err := s.Stores().Events.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped after %d acknowledged writes; the table holds %d events, each with its write", n, g)
}

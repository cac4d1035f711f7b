package dynamo

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"pause"
)

// DynamoDB Local runs transactions one at a time, so it never cancels one with
// TransactionConflict, which the real service does when two transactions touch one item (a
// shared counter, most often). These tests play the service's answers from a fake HTTP
// client, to check the retry of transient cancellations and the mapping of reasons to errors.
// They need no server.

// scripted answers each request with the next of its responses, and records the targets.
type scripted struct {
	mu        sync.Mutex
	responses []string // JSON bodies; those with "__type" are errors (status 400)
	targets   []string
}

func (s *scripted) Do(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.targets = append(s.targets, r.Header.Get("X-Amz-Target"))
	body := `{}`
	if len(s.responses) > 0 {
		body, s.responses = s.responses[0], s.responses[1:]
	}
	status := http.StatusOK
	if strings.Contains(body, "__type") {
		status = http.StatusBadRequest
	}
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Request: r,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:   io.NopCloser(strings.NewReader(body)),
	}, nil
}

func scriptedStore(responses ...string) (*Store, *scripted) {
	h := &scripted{responses: responses}
	client := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://fake.invalid"), HTTPClient: h, DisableValidateResponseChecksum: true,
	})
	return New(Config{Client: client, Table: "t"}), h
}

func cancelledBody(reasons string) string {
	return `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
		`"Message":"Transaction cancelled, please refer cancellation reasons for specific reasons",` +
		`"CancellationReasons":[` + reasons + `]}`
}

var newTool = &pause.Tool{Meta: pause.Meta{ID: "t1", Slug: "tool", Status: pause.StatusDraft, Version: 1},
	Name: "Tool", Category: "Chat", Pricing: pause.PricingFree}

// The actions of creating newTool: item, marker, then counters.
const conflictOnCounter = `{"Code":"None"},{"Code":"None"},{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}`

func TestTransientCancellationIsRetried(t *testing.T) {
	s, h := scriptedStore(cancelledBody(conflictOnCounter), cancelledBody(conflictOnCounter), `{}`)
	ctx, meter := WithMeter(context.Background())
	if err := s.Stores().Tools.Create(ctx, newTool); err != nil {
		t.Fatal(err)
	}
	if u := meter.Usage(); u.Operations["TransactWriteItems"] != 3 {
		t.Fatalf("want 3 attempts of the transaction: %v (%v)", u, h.targets)
	}
}

func TestTransientCancellationGivesUp(t *testing.T) {
	var responses []string
	for range maxTransactAttempts {
		responses = append(responses, cancelledBody(conflictOnCounter))
	}
	s, _ := scriptedStore(responses...)
	start := time.Now()
	err := s.Stores().Tools.Create(context.Background(), newTool)
	wantCode(t, err, pause.EUNAVAILABLE, "")
	if !strings.Contains(err.Error(), "TransactionConflict") {
		t.Fatalf("the log should see the reason: %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("giving up took %v", time.Since(start))
	}
}

func TestCancellationReasons(t *testing.T) {
	stored := `"Item":{"id":{"S":"t1"},"version":{"N":"3"}}`
	for _, c := range []struct {
		name, reasons, code, field, message string
	}{
		{"slug taken", `{"Code":"None"},{"Code":"ConditionalCheckFailed","Item":{"id":{"S":"other"}}},{"Code":"None"}`,
			pause.ECONFLICT, "slug", "Another tool has the slug tool."},
		{"id taken", `{"Code":"ConditionalCheckFailed",` + stored + `},{"Code":"None"},{"Code":"None"}`,
			pause.ECONFLICT, "", "Another tool has the id t1."},
		{"id and slug taken: the id wins", `{"Code":"ConditionalCheckFailed",` + stored + `},{"Code":"ConditionalCheckFailed"},{"Code":"None"}`,
			pause.ECONFLICT, "", "Another tool has the id t1."},
		{"a failed condition beats a transient reason", `{"Code":"None"},{"Code":"ConditionalCheckFailed"},{"Code":"TransactionConflict"}`,
			pause.ECONFLICT, "slug", ""},
		{"validation is internal", `{"Code":"ValidationError","Message":"Item size has exceeded the maximum allowed size"},{"Code":"None"}`,
			pause.EINTERNAL, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := scriptedStore(cancelledBody(c.reasons))
			err := s.Stores().Tools.Create(context.Background(), newTool)
			wantCode(t, err, c.code, c.field)
			if c.message != "" && pause.ErrorMessage(err) != c.message {
				t.Fatalf("message %q, want %q", pause.ErrorMessage(err), c.message)
			}
		})
	}

	// An update: the stored item is read first (BatchGetItem), then written at its version.
	storedItem := `{"Responses":{"t":[{"PK":{"S":"TOOL#t1"},"SK":{"S":"ITEM"},"id":{"S":"t1"},"slug":{"S":"tool"},` +
		`"status":{"S":"DRAFT"},"version":{"N":"1"},"name":{"S":"Tool"},"category":{"S":"Chat"},"pricing":{"S":"FREE"},` +
		`"createdAt":{"S":"2026-01-01T00:00:00Z"},"updatedAt":{"S":"2026-01-01T00:00:00Z"},"featured":{"BOOL":false}}]}}`
	next := *newTool
	next.Version, next.Name = 2, "Renamed"
	for _, c := range []struct {
		name, reasons, code, message string
	}{
		{"changed meanwhile", `{"Code":"ConditionalCheckFailed",` + stored + `}`, pause.ECONFLICT,
			"This tool (t1) changed since version 1 (it is at version 3): reload it and apply your change again."},
		{"deleted meanwhile", `{"Code":"ConditionalCheckFailed"}`, pause.ENOTFOUND, "No tool has id t1."},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := scriptedStore(storedItem, cancelledBody(c.reasons))
			err := s.Stores().Tools.Update(context.Background(), &next)
			wantCode(t, err, c.code, "")
			if pause.ErrorMessage(err) != c.message {
				t.Fatalf("message %q, want %q", pause.ErrorMessage(err), c.message)
			}
		})
	}
}

// TestEveryOrderHasAnIndex: each order the domain lists a type in is served by a list index
// of the table definition, and the item of the type carries that index's sort key.
func TestEveryOrderHasAnIndex(t *testing.T) {
	def := TableDefinition("t")
	for _, orders := range [][]pause.Order{pause.ArticleOrders, pause.BenefitOrders, pause.ToolOrders} {
		for _, o := range orders {
			idx, ok := indexOf(o)
			if !ok {
				t.Fatalf("no index for the order %s", o)
			}
			found := false
			for _, g := range def.GlobalSecondaryIndexes {
				found = found || aws.ToString(g.IndexName) == idx.name
			}
			if !found {
				t.Fatalf("the table definition lacks the index %s of the order %s", idx.name, o)
			}
		}
	}
	s := New(Config{Table: "t"})
	av, err := s.tools.toAV(newTool)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range pause.ToolOrders {
		idx, _ := indexOf(o)
		if _, ok := av[idx.sortBy]; !ok {
			t.Fatalf("a tool lacks the sort key %s of the order %s", idx.sortBy, o)
		}
	}
	if _, ok := av[attrByPublishedAt]; ok {
		t.Fatal("a tool should not be in the index of an order it does not have")
	}
}

package dynamo

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"pause"
)

// TestSlugMemo: a warm store reads an item by slug in one request, and follows the slug when
// it moves to another item or goes away.
func TestSlugMemo(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	a := must[*pause.Tool](t)(cms.Tools.Create(ctx, pause.ToolInput{Name: ptr("Slack"), WebsiteURL: ptr("https://slack.com"),
		Category: ptr("Chat"), Pricing: ptr(pause.PricingFree)}))
	bySlug := func(slug string) (*pause.Tool, Usage, error) {
		mctx, m := WithMeter(ctx)
		tool, err := cms.Tools.GetBySlug(mctx, slug)
		return tool, m.Usage(), err
	}
	if _, u, err := bySlug("slack"); err != nil || u.Requests != 2 {
		t.Fatalf("cold: %v, %v; want the marker and the item", err, u)
	}
	if got, u, err := bySlug("slack"); err != nil || got.ID != a.ID || u.Requests != 1 {
		t.Fatalf("warm: %v, %v; want the item in one request", err, u)
	}
	// The slug moves to another item: the remembered item no longer has it.
	must[*pause.Tool](t)(cms.Tools.Update(ctx, a.ID, a.Version, pause.ToolInput{Slug: ptr("slack-old")}))
	if _, _, err := bySlug("slack"); pause.ErrorCode(err) != pause.ENOTFOUND {
		t.Fatalf("after the rename: %v, want NOT_FOUND", err)
	}
	b := must[*pause.Tool](t)(cms.Tools.Create(ctx, pause.ToolInput{Name: ptr("Slack"), WebsiteURL: ptr("https://slack.com"),
		Category: ptr("Chat"), Pricing: ptr(pause.PricingFree)}))
	if got, _, err := bySlug("slack"); err != nil || got.ID != b.ID {
		t.Fatalf("after another item took the slug: %v, %v; want %s", got, err, b.ID)
	}
	if got, u, err := bySlug("slack"); err != nil || got.ID != b.ID || u.Requests != 1 {
		t.Fatalf("warm again: %v, %v, %v", got, u, err)
	}
	// The item goes.
	if err := cms.Tools.Delete(ctx, b.ID, b.Version); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bySlug("slack"); pause.ErrorCode(err) != pause.ENOTFOUND {
		t.Fatalf("after the delete: %v, want NOT_FOUND", err)
	}
}

// TestUpdateWithoutReread: an update through the CMS costs the CMS's read and the transaction,
// and the transaction still refuses a stale version and a deleted item.
func TestUpdateWithoutReread(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	a := must[*pause.Article](t)(cms.Articles.Create(ctx, pause.ArticleInput{Title: ptr("Async"), Body: ptr("Body."), Author: &pause.Author{Name: "Ann"}}))
	mctx, m := WithMeter(ctx)
	a = must[*pause.Article](t)(cms.Articles.Update(mctx, a.ID, a.Version, pause.ArticleInput{Body: ptr("New body."), Tags: []string{"x"}}))
	if u := m.Usage(); u.Requests != 2 || u.Operations["Query"] != 1 || u.Operations["TransactWriteItems"] != 1 {
		t.Fatalf("update: %v, want the read and the transaction", u)
	}
	got := must[*pause.Article](t)(cms.Articles.Get(ctx, a.ID))
	if got.Body != "New body." || got.Version != a.Version {
		t.Fatalf("after the update: %q at %d", got.Body, got.Version)
	}
	if n := must[int](t)(cms.Articles.Count(ctx, pause.ArticleFilter{Tag: "x"})); n != 1 {
		t.Fatalf("tag counter: %d", n)
	}

	// What the CMS read is stale: the store's write finds out.
	stale := got.Clone()
	stale.Version++
	stale.Change = &pause.Revision{Number: stale.Version, Action: "update", Fields: []string{}, Item: stale.Clone(), Before: got.Clone()}
	must[*pause.Article](t)(cms.Articles.Update(ctx, a.ID, a.Version, pause.ArticleInput{Title: ptr("Changed meanwhile")}))
	wantCode(t, s.articles.Update(ctx, stale), pause.ECONFLICT, "")
	// Deleted meanwhile.
	cur := must[*pause.Article](t)(cms.Articles.Get(ctx, a.ID))
	gone := cur.Clone()
	gone.Version++
	gone.Change = &pause.Revision{Number: gone.Version, Action: "update", Fields: []string{}, Item: gone.Clone(), Before: cur.Clone()}
	if err := cms.Articles.Delete(ctx, cur.ID, cur.Version); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.articles.Update(ctx, gone), pause.ENOTFOUND, "")
	// An update without Before reads the stored item.
	gone.Change = nil
	wantCode(t, s.articles.Update(ctx, gone), pause.ENOTFOUND, "")
}

// TestConsistency: reads are strongly consistent unless the context allows otherwise, and
// the CMS allows it for anonymous viewers only.
func TestConsistency(t *testing.T) {
	s, _, name := openTestTable(t)
	var mu sync.Mutex
	var seen []bool // ConsistentRead of each table read (index reads have none)
	record := func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("record", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				var c *bool
				switch p := in.Parameters.(type) {
				case *dynamodb.GetItemInput:
					c = p.ConsistentRead
				case *dynamodb.QueryInput:
					if p.IndexName == nil {
						c = p.ConsistentRead
					}
				case *dynamodb.BatchGetItemInput:
					for _, ka := range p.RequestItems {
						c = ka.ConsistentRead
					}
				}
				if c != nil {
					mu.Lock()
					seen = append(seen, *c)
					mu.Unlock()
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	}
	recorded := New(Config{Client: newTestClient(testEndpoint(t), record), Table: name})
	admin, _ := newCMS(s)
	_, ctx := newCMS(s)
	tool := must[*pause.Tool](t)(admin.Tools.Create(ctx, pause.ToolInput{Name: ptr("Loom"), WebsiteURL: ptr("https://loom.com"),
		Category: ptr("Video"), Pricing: ptr(pause.PricingPaid)}))
	must[*pause.Tool](t)(admin.Tools.Publish(ctx, tool.ID, tool.Version))
	a := must[*pause.Article](t)(admin.Articles.Create(ctx, pause.ArticleInput{Title: ptr("Read"), Body: ptr("Body."), Author: &pause.Author{Name: "Ann"}}))
	must[*pause.Article](t)(admin.Articles.Publish(ctx, a.ID, a.Version))

	cms, _ := newCMS(recorded)
	reads := func(ctx context.Context) {
		t.Helper()
		must[*pause.Article](t)(cms.Articles.Get(ctx, a.ID))
		must[*pause.Article](t)(cms.Articles.GetBySlug(ctx, "read"))
		must[*pause.Tool](t)(cms.Tools.GetBySlug(ctx, "loom"))
		must[[]*pause.Tool](t)(cms.Tools.GetMany(ctx, []string{tool.ID}))
		must[int](t)(cms.Tools.Count(ctx, pause.ToolFilter{}))
		must[[]pause.CategoryCount](t)(cms.ToolCategories(ctx))
	}
	take := func() []bool {
		mu.Lock()
		defer mu.Unlock()
		out := seen
		seen = nil
		return out
	}
	for _, c := range []struct {
		who    string
		ctx    context.Context
		strong bool
	}{
		{"anonymous", context.Background(), false},
		{"viewer", pause.NewContext(context.Background(), &pause.Viewer{Subject: "v", Role: pause.RoleViewer}), true},
		{"editor", pause.NewContext(context.Background(), &pause.Viewer{Subject: "e", Role: pause.RoleEditor}), true},
	} {
		reads(c.ctx)
		got := take()
		if len(got) < 6 {
			t.Fatalf("%s: %d table reads recorded", c.who, len(got))
		}
		for i, strong := range got {
			if strong != c.strong {
				t.Errorf("%s: read %d has ConsistentRead %v, want %v", c.who, i, strong, c.strong)
			}
		}
	}
	// A write's own reads are strongly consistent, whoever asks.
	editor := pause.NewContext(pause.WithEventualConsistency(context.Background()), &pause.Viewer{Subject: "e", Role: pause.RoleEditor})
	cur := must[*pause.Tool](t)(cms.Tools.Get(editor, tool.ID))
	take()
	must[*pause.Tool](t)(cms.Tools.Update(editor, cur.ID, cur.Version, pause.ToolInput{Tagline: ptr("New")}))
	for i, strong := range take() {
		if !strong {
			t.Errorf("update: read %d is eventually consistent", i)
		}
	}
}

// BenchmarkCalls measures this process's CPU per DynamoDB call (cpu-ns/op: the SDK's
// serializing, signing, middleware and decoding, and the store's own work; DynamoDB Local's
// CPU is another process's) for the calls that public pages make: an item by id, a page of 20
// summaries, a count.
//
//	tools/dynamodb-local/with-dynamodb.sh go test -run '^$' -bench Calls -benchmem ./dynamo/
func BenchmarkCalls(b *testing.B) {
	s, _, _ := openTestTable(b)
	cms, ctx := newCMS(s)
	var id string
	for i := range 25 {
		tool := must[*pause.Tool](b)(cms.Tools.Create(ctx, pause.ToolInput{Name: ptr(fmt.Sprintf("Tool %d", i)), WebsiteURL: ptr("https://example.com"),
			Tagline: ptr("A tool for the benchmark"), Category: ptr("Chat"), Pricing: ptr(pause.PricingFree), Tags: []string{"a", "b"}}))
		must[*pause.Tool](b)(cms.Tools.Publish(ctx, tool.ID, tool.Version))
		id = tool.ID
	}
	visitor := context.Background()
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := cms.Tools.Get(visitor, id); return err }},
		{"List20", func() error {
			_, err := s.tools.List(pause.WithEventualConsistency(visitor), pause.Query[pause.ToolFilter]{First: 20, Order: pause.OrderName,
				Filter: pause.ToolFilter{Scope: pause.Scope{Status: ptr(pause.StatusPublished)}}})
			return err
		}},
		{"CountCounter", func() error {
			_, err := s.tools.countStatuses(visitor, pause.ToolFilter{Scope: pause.Scope{Status: ptr(pause.StatusPublished)}})
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuNow()
			for b.Loop() {
				if err := c.call(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuNow returns the CPU time (user and system) this process has used.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/bench"
	"pause/bolt"
	"pause/content"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
	"pause/ids"
	"pause/markdown"
	"pause/server"
)

// The round-trip tests count the store calls that one GraphQL query makes, through the whole
// HTTP handler (dataloaders included), on both stores: the count must be the same whatever the
// page size. On DynamoDB they also count the requests and read units with dynamo's Meter.

// calls counts store calls by "Kind.Method".
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[name]++
}

// take returns the counts so far and starts again from zero.
func (c *calls) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

// counted is a store that counts its calls.
type counted[T pause.Item[T], F pause.Filter[T]] struct {
	pause.Store[T, F]
	kind  string
	calls *calls
}

func (s counted[T, F]) Get(ctx context.Context, id string) (T, error) {
	s.calls.add(s.kind + ".Get")
	return s.Store.Get(ctx, id)
}

func (s counted[T, F]) GetBySlug(ctx context.Context, slug string) (T, error) {
	s.calls.add(s.kind + ".GetBySlug")
	return s.Store.GetBySlug(ctx, slug)
}

func (s counted[T, F]) GetMany(ctx context.Context, ids []string) ([]T, error) {
	s.calls.add(s.kind + ".GetMany")
	return s.Store.GetMany(ctx, ids)
}

func (s counted[T, F]) List(ctx context.Context, q pause.Query[F]) (*pause.Page[T], error) {
	s.calls.add(s.kind + ".List")
	return s.Store.List(ctx, q)
}

func (s counted[T, F]) Count(ctx context.Context, f F) (int, error) {
	s.calls.add(s.kind + ".Count")
	return s.Store.Count(ctx, f)
}

type countedTools struct {
	counted[*pause.Tool, pause.ToolFilter]
	tools pause.ToolStore
}

func (s countedTools) Categories(ctx context.Context, at time.Time) ([]pause.CategoryCount, error) {
	s.calls.add("Tools.Categories")
	return s.tools.Categories(ctx, at)
}

type countedKeys struct {
	pause.KeyStore
	calls *calls
}

func (s countedKeys) KeyByHash(ctx context.Context, hash string) (*pause.APIKey, error) {
	s.calls.add("Keys.KeyByHash")
	return s.KeyStore.KeyByHash(ctx, hash)
}

func (s countedKeys) Keys(ctx context.Context) ([]*pause.APIKey, error) {
	s.calls.add("Keys.Keys")
	return s.KeyStore.Keys(ctx)
}

// countingRenderer counts the Markdown it renders: reads must render none.
type countingRenderer struct {
	pause.Renderer
	calls *calls
}

func (r countingRenderer) Render(md string) (string, error) {
	r.calls.add("Markdown.Render")
	return r.Renderer.Render(md)
}

// counting wraps the stores that the measured queries read so that their reads are counted in
// c; the others (types the queries do not name, the audit log, accounts) are passed through.
func counting(s pause.Stores, c *calls) pause.Stores {
	s.Articles = counted[*pause.Article, pause.ArticleFilter]{s.Articles, "Articles", c}
	s.Benefits = counted[*pause.Benefit, pause.BenefitFilter]{s.Benefits, "Benefits", c}
	s.Tools = countedTools{counted[*pause.Tool, pause.ToolFilter]{s.Tools, "Tools", c}, s.Tools}
	s.Keys = countedKeys{s.Keys, c}
	return s
}

// roundTripItems is how many published articles, benefits and tools the round-trip tests'
// store holds: enough for pages of 100.
const roundTripItems = 110

// relatedPool is how many tools the extra articles name as related: fewer than a batch, so
// that a page of articles needs one batch of tools whatever its size.
const relatedPool = 20

// fill imports the sample content and adds published articles (each with three related
// tools), benefits and tools until each kind has roundTripItems.
func fill(t testing.TB, cms *pause.CMS) {
	t.Helper()
	admin := pause.NewContext(context.Background(), &pause.Viewer{Subject: "bench", Role: pause.RoleAdmin})
	if _, err := content.Import(admin, cms, content.Sample); err != nil {
		t.Fatal(err)
	}
	count := func(n int, err error) int {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	published := pause.StatusPublished
	var pool []string
	for i, in := range bench.ExtraTools(roundTripItems - count(cms.Tools.Count(admin, pause.ToolFilter{Scope: pause.Scope{Status: &published}}))) {
		tool := &pause.Tool{Meta: pause.Meta{Status: published}}
		tool.Name, tool.Tagline, tool.Description = *in.Name, *in.Tagline, *in.Description
		tool.WebsiteURL, tool.Category, tool.Pricing = *in.WebsiteURL, *in.Category, *in.Pricing
		tool.Platforms, tool.Tags = in.Platforms, in.Tags
		tool.Slug = pause.Slugify(tool.Name)
		tool.ID = ids.New()
		if _, err := cms.Tools.Import(admin, tool); err != nil {
			t.Fatalf("import tool %d: %v", i, err)
		}
		if len(pool) < relatedPool {
			pool = append(pool, tool.ID)
		}
	}
	for i := range roundTripItems - count(cms.Articles.Count(admin, pause.ArticleFilter{Scope: pause.Scope{Status: &published}})) {
		a := &pause.Article{Meta: pause.Meta{ID: ids.New(), Slug: fmt.Sprintf("round-trip-%03d", i), Status: published},
			Title: fmt.Sprintf("Round trip %d", i), Excerpt: "A few words.", Body: "Some *text*.",
			Author: pause.Author{Name: "Ann"}, Tags: []string{"async"},
			RelatedToolIDs: []string{pool[i%len(pool)], pool[(i+1)%len(pool)], pool[(i+7)%len(pool)]}}
		if _, err := cms.Articles.Import(admin, a); err != nil {
			t.Fatalf("import article %d: %v", i, err)
		}
	}
	for i := range roundTripItems - count(cms.Benefits.Count(admin, pause.BenefitFilter{Scope: pause.Scope{Status: &published}})) {
		b := &pause.Benefit{Meta: pause.Meta{ID: ids.New(), Slug: fmt.Sprintf("round-trip-%03d", i), Status: published},
			Title: fmt.Sprintf("Round trip %d", i), Summary: "Why it *helps*.", Points: []string{"one"}, Position: 1000 + i}
		if _, err := cms.Benefits.Import(admin, b); err != nil {
			t.Fatalf("import benefit %d: %v", i, err)
		}
	}
}

// roundTripQuery is one query of the round-trip tests, at each page size.
type roundTripQuery struct {
	name  string
	query func(first int) string
	// want is the store calls it makes, at every page size.
	want map[string]int
}

var roundTripQueries = []roundTripQuery{
	{
		// The seed page: bench's query, with the benefits' page size given.
		name: "seed page",
		query: func(first int) string {
			return strings.Replace(bench.Queries[0].Text, "benefits {", fmt.Sprintf("benefits(first: %d) {", first), 1)
		},
		// tools(first: 0) { totalCount } reads the count only.
		want: map[string]int{"Articles.GetBySlug": 1, "Benefits.List": 1, "Tools.Count": 1},
	},
	{
		// A list of articles with their related tools: one read of the articles, one of every
		// related tool of the page together (the dataloader's batch). Few fields, so that a
		// page of 100 stays under the default complexity limit.
		name: "articles with related tools",
		query: func(first int) string {
			return fmt.Sprintf(`{ articles(first: %d) { nodes { slug title relatedTools { slug name } } pageInfo { hasNextPage endCursor } } }`, first)
		},
		want: map[string]int{"Articles.List": 1, "Tools.GetMany": 1},
	},
	{
		name: "tools",
		query: func(first int) string {
			return strings.Replace(bench.Queries[3].Text, "first: 100", fmt.Sprintf("first: %d", first), 1)
		},
		want: map[string]int{"Tools.List": 1, "Tools.Count": 1},
	},
}

// roundTripSizes are the page sizes every query is asked at.
var roundTripSizes = []int{10, 100}

// testRoundTrips runs every round-trip query at every page size and checks the store calls
// (and that no Markdown is rendered: it is rendered when content is written);
// meter, if not nil, returns a context that counts the backend's own requests and a function
// that reports them.
func testRoundTrips(t *testing.T, stores pause.Stores, meter func(context.Context) (context.Context, func() string)) {
	c := &calls{n: map[string]int{}}
	cms := pause.NewCMS(pause.Config{Stores: counting(stores, c), Markdown: countingRenderer{markdown.New(), c}, NewID: ids.New})
	fill(t, cms)
	tokens, err := auth.NewTokens([]byte("bench-secret-bench-secret-bench-secret"))
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Config{CMS: cms, Auth: tokens, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	for _, q := range roundTripQueries {
		// Once first, so that every size is measured warm (a slug's item remembered).
		postContext(context.Background(), h, body(bench.Query{Text: q.query(roundTripSizes[0])}))
		for _, size := range roundTripSizes {
			ctx := context.Background()
			report := func() string { return "" }
			if meter != nil {
				ctx, report = meter(ctx)
			}
			c.take()
			rec := postContext(ctx, h, body(bench.Query{Text: q.query(size)}))
			got := c.take()
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
				t.Fatalf("%s, page of %d: %d %s", q.name, size, rec.Code, rec.Body)
			}
			if n := countNodes(t, rec.Body.Bytes()); n != size {
				t.Fatalf("%s, page of %d: %d items in the answer", q.name, size, n)
			}
			t.Logf("%s, page of %3d: %d store calls %v %s", q.name, size, total(got), got, report())
			if !maps.Equal(got, q.want) {
				t.Errorf("%s, page of %d: store calls %v, want %v", q.name, size, got, q.want)
			}
		}
	}
}

func total(calls map[string]int) int {
	n := 0
	for _, v := range calls {
		n += v
	}
	return n
}

// countNodes returns the length of the longest nodes list in a GraphQL answer.
func countNodes(t *testing.T, answer []byte) int {
	t.Helper()
	var resp struct {
		Data map[string]struct {
			Nodes []json.RawMessage
		}
	}
	if err := json.Unmarshal(answer, &resp); err != nil {
		t.Fatalf("%v: %s", err, answer)
	}
	n := 0
	for _, field := range resp.Data {
		n = max(n, len(field.Nodes))
	}
	return n
}

// TestRoundTripsBolt: on the embedded store, each query makes the same store calls at every
// page size.
func TestRoundTripsBolt(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	testRoundTrips(t, db.Stores(), nil)
}

// TestRoundTripsDynamoDB: on DynamoDB Local, each query makes the same store calls, and the
// same number of DynamoDB requests, at every page size. It needs tools/dynamodb-local/
// with-dynamodb.sh (PAUSE_TEST_DYNAMODB_ENDPOINT): without it, it skips, except in CI.
func TestRoundTripsDynamoDB(t *testing.T) {
	client, name := dynamotest.Table(t, "pause-bench-")
	var requests []int // per query and size, in order
	testRoundTrips(t, dynamo.New(dynamo.Config{Client: client, Table: name}).Stores(), func(ctx context.Context) (context.Context, func() string) {
		ctx, m := dynamo.WithMeter(ctx)
		return ctx, func() string {
			u := m.Usage()
			requests = append(requests, u.Requests)
			return "; DynamoDB: " + u.String()
		}
	})
	for i := 0; i < len(requests); i += len(roundTripSizes) {
		if sizes := requests[i : i+len(roundTripSizes)]; slices.Min(sizes) != slices.Max(sizes) {
			t.Errorf("%s: DynamoDB requests %v at page sizes %v", roundTripQueries[i/len(roundTripSizes)].name, sizes, roundTripSizes)
		}
	}
}

package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/bench"
	"pause/bench/delayproxy"
	"pause/content"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
	"pause/ids"
	"pause/markdown"
	"pause/server"
)

// The wave test sends the queries of issue 18's table through the whole production handler
// to Pause on DynamoDB Local behind the delay proxy (bench/delayproxy), and counts how many
// DynamoDB round trips each waited for one after the other (delayproxy.Waves), from the
// proxy's timestamps: a change that makes independent reads wait for each other fails it,
// whatever the machine's speed. It asserts no duration.

// waveDelay is the proxy's delay per round trip in the test: long beside the time it takes to
// send requests in parallel (so that parallel requests always overlap, even under -race on a
// busy machine), short enough for a quick test.
const waveDelay = 25 * time.Millisecond

// waveQuery is one query of the wave test and its targets.
type waveQuery struct {
	name string
	// editor sends it with an editor's token; body returns the request body (the mutation
	// needs the tool's current version).
	editor bool
	body   func(t testing.TB, w *waveRig) []byte
	// cold and warm are the most sequential round trips allowed on a fresh store (an instance's
	// first request) and on the same store again.
	cold, warm int
	// maxReadUnits, if not 0, are the most read units allowed warm, by AWS's rules
	// (dynamo.Usage.BilledReadUnits).
	maxReadUnits float64
}

func queryBody(text string) []byte {
	b, _ := json.Marshal(map[string]any{"query": text})
	return b
}

var waveQueries = []waveQuery{
	{name: "seed page", body: func(testing.TB, *waveRig) []byte { return queryBody(bench.Queries[0].Text) }, cold: 2, warm: 1, maxReadUnits: 3},
	// Cold, a filtered list grows its reads until the page is full; warm, the filter's share
	// of the partition sizes the first read.
	{name: "20 tools of a category, with their count", body: func(testing.TB, *waveRig) []byte { return queryBody(bench.Queries[2].Text) }, cold: 2, warm: 1},
	{name: "an article by slug", body: func(testing.TB, *waveRig) []byte {
		return queryBody(`{ article(slug: "` + bench.SeedSlug + `") { title excerpt bodyHtml author { name } } }`)
	}, cold: 2, warm: 1},
	// Cold, the related tools are read after the article that names them.
	{name: "an article by slug with its related tools", body: func(testing.TB, *waveRig) []byte { return queryBody(bench.Queries[1].Text) }, cold: 3, warm: 1},
	{name: "toolCategories", body: func(testing.TB, *waveRig) []byte { return queryBody(`{ toolCategories { name count } }`) }, cold: 1, warm: 1},
	{name: "an editor's updateTool", editor: true, body: func(t testing.TB, w *waveRig) []byte {
		w.version++
		b, _ := json.Marshal(map[string]any{
			"query":     `mutation($id: ID!, $v: Int!, $t: String!) { updateTool(id: $id, version: $v, input: {tagline: $t}) { id version tagline draft { tagline } } }`,
			"variables": map[string]any{"id": w.toolID, "v": w.version - 1, "t": fmt.Sprintf("Tagline %d", w.version)},
		})
		return b
	}, cold: 2, warm: 2},
}

// waveRig is Pause on a DynamoDB Local table, reached through the delay proxy.
type waveRig struct {
	proxy    *delayproxy.Proxy
	endpoint string // the proxy's, or DynamoDB Local's
	table    string
	tokens   *auth.Tokens
	cms      *pause.CMS
	h        http.Handler
	admin    context.Context
	editor   string // an editor's token
	toolID   string // a published tool that the mutation edits
	// version is the tool's version after the last mutation the rig sent.
	version int
}

// newWaveRig fills a new table (directly, not through the proxy) and returns a Pause whose
// store reaches it through a proxy that adds delay per round trip, or directly if delay is
// negative.
func newWaveRig(t testing.TB, delay time.Duration) *waveRig {
	client, name := dynamotest.Table(t, "pause-waves-")
	fillBench(t, pause.NewCMS(pause.Config{Stores: dynamo.New(dynamo.Config{Client: client, Table: name}).Stores(), Markdown: markdown.New(), NewID: ids.New}))
	w := &waveRig{}
	endpoint := dynamotest.Endpoint(t)
	if delay >= 0 {
		p, err := delayproxy.Start(endpoint, delay)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Close() })
		w.proxy, endpoint = p, p.URL()
	}
	w.endpoint, w.table = endpoint, name
	var err error
	if w.tokens, err = auth.NewTokens([]byte("bench-secret-bench-secret-bench-secret")); err != nil {
		t.Fatal(err)
	}
	if w.editor, err = w.tokens.Issue("wave-editor", pause.RoleEditor, time.Hour); err != nil {
		t.Fatal(err)
	}
	w.restart()
	w.admin = pause.NewContext(context.Background(), &pause.Viewer{Subject: "bench", Role: pause.RoleAdmin})
	tools, err := w.cms.Tools.List(w.admin, pause.Query[pause.ToolFilter]{First: 1})
	if err != nil || len(tools.Items) == 0 {
		t.Fatalf("no tool to edit: %v", err)
	}
	w.toolID, w.version = tools.Items[0].ID, tools.Items[0].Version
	return w
}

// fillBench imports what the other benchmarks serve: the sample content, and published tools
// until there are bench.ListSize.
func fillBench(t testing.TB, cms *pause.CMS) {
	t.Helper()
	admin := pause.NewContext(context.Background(), &pause.Viewer{Subject: "bench", Role: pause.RoleAdmin})
	if _, err := content.Import(admin, cms, content.Sample); err != nil {
		t.Fatal(err)
	}
	published := pause.StatusPublished
	n, err := cms.Tools.Count(admin, pause.ToolFilter{Scope: pause.Scope{Status: &published}})
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range bench.ExtraTools(bench.ListSize - n) {
		tool := &pause.Tool{Meta: pause.Meta{Status: published, ID: ids.New()}}
		in.Apply(tool)
		tool.Slug = pause.Slugify(tool.Name)
		if _, err := cms.Tools.Import(admin, tool); err != nil {
			t.Fatalf("import tool %d: %v", i, err)
		}
	}
}

// restart gives the rig a new instance of Pause on the same table: a new store, CMS and
// handler, which remember nothing, as a Lambda instance's first request finds them.
func (w *waveRig) restart() {
	w.cms = pause.NewCMS(pause.Config{Stores: dynamo.New(dynamo.Config{Client: dynamotest.Client(w.endpoint), Table: w.table}).Stores(),
		Markdown: markdown.New(), NewID: ids.New})
	w.h = server.New(server.Config{CMS: w.cms, Auth: w.tokens, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
}

// waveResult is what one request cost on DynamoDB.
type waveResult struct {
	waves    int
	requests []delayproxy.Request
	usage    dynamo.Usage
}

func (r waveResult) String() string {
	return fmt.Sprintf("%d sequential round trips, %d requests %v, %g RCU reported (%g by AWS's rules), %g WCU",
		r.waves, len(r.requests), delayproxy.Operations(r.requests), r.usage.ReadUnits, r.usage.BilledReadUnits, r.usage.WriteUnits)
}

// send sends the request body through the handler and returns what it cost.
func (w *waveRig) send(t testing.TB, body []byte, editor bool) waveResult {
	t.Helper()
	ctx, m := dynamo.WithMeter(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if editor {
		req.Header.Set("Authorization", "Bearer "+w.editor)
	}
	if w.proxy != nil {
		w.proxy.Take()
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	r := waveResult{usage: m.Usage()}
	if w.proxy != nil {
		r.requests = w.proxy.Take()
		r.waves = delayproxy.Waves(r.requests)
	}
	return r
}

// TestDynamoDBRoundTrips: on DynamoDB Local behind the delay proxy, each query of the table
// waits for at most its target of sequential round trips, on a new instance (cold) and again
// (warm). It needs tools/dynamodb-local/with-dynamodb.sh (PAUSE_TEST_DYNAMODB_ENDPOINT):
// without it, it skips, except in CI.
func TestDynamoDBRoundTrips(t *testing.T) {
	w := newWaveRig(t, waveDelay)
	for _, q := range waveQueries {
		w.restart()
		cold := w.send(t, q.body(t, w), q.editor)
		warm := w.send(t, q.body(t, w), q.editor)
		t.Logf("%s: cold: %v; warm: %v", q.name, cold, warm)
		if cold.waves > q.cold {
			t.Errorf("%s, cold: %d sequential round trips, want at most %d: %v", q.name, cold.waves, q.cold, cold.requests)
		}
		if warm.waves > q.warm {
			t.Errorf("%s, warm: %d sequential round trips, want at most %d: %v", q.name, warm.waves, q.warm, warm.requests)
		}
		if q.maxReadUnits > 0 && warm.usage.BilledReadUnits > q.maxReadUnits {
			t.Errorf("%s, warm: %g read units by AWS's rules, want at most %g", q.name, warm.usage.BilledReadUnits, q.maxReadUnits)
		}
	}
}

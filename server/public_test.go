package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/bolt"
	"pause/ids"
	"pause/markdown"
	"pause/server"
)

// countedTools counts the reads of a tool store.
type countedTools struct {
	pause.ToolStore
	reads *atomic.Int64
}

func (c countedTools) List(ctx context.Context, q pause.Query[pause.ToolFilter]) (*pause.Page[*pause.Tool], error) {
	c.reads.Add(1)
	return c.ToolStore.List(ctx, q)
}

func (c countedTools) Count(ctx context.Context, f pause.ToolFilter) (int, error) {
	c.reads.Add(1)
	return c.ToolStore.Count(ctx, f)
}

type publicFixture struct {
	srv    *httptest.Server
	cms    *pause.CMS
	reads  *atomic.Int64
	editor string
	logs   *syncWriter
}

// newPublicFixture serves Pause over a bolt store whose tool reads are counted, with the
// public response cache on, as `pause serve` has it.
func newPublicFixture(t *testing.T) *publicFixture { return newPublicFixtureAt(t, nil) }

// newPublicFixtureAt is newPublicFixture with the CMS's clock (nil: time.Now).
func newPublicFixtureAt(t *testing.T, now func() time.Time) *publicFixture {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stores := db.Stores()
	reads := &atomic.Int64{}
	stores.Tools = countedTools{stores.Tools, reads}
	cms := pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New, Changes: &pause.Changes{}, Now: now})
	tokens, err := auth.NewTokens([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	editor, _ := tokens.Issue("ed", pause.RoleEditor, time.Hour)
	logs := &syncWriter{w: &bytes.Buffer{}}
	srv := httptest.NewServer(server.New(server.Config{
		CMS: cms, Auth: tokens, Logger: slog.New(slog.NewJSONHandler(logs, nil)),
		PublicVersion: cms.PublicVersion(),
	}))
	t.Cleanup(srv.Close)
	return &publicFixture{srv: srv, cms: cms, reads: reads, editor: editor, logs: logs}
}

// send posts the GraphQL request and returns the status and body.
func (f *publicFixture) send(t testing.TB, token, query string, vars map[string]any) (int, string) {
	t.Helper()
	request := map[string]any{"query": query, "variables": vars}
	if m := operationRE.FindStringSubmatch(query); m != nil {
		request["operationName"] = m[1]
	}
	body, _ := json.Marshal(request)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// createTool creates and publishes a tool through the API, as an editor.
func (f *publicFixture) createTool(t testing.TB, name string) {
	t.Helper()
	id, version := f.createDraft(t, name)
	_, out := f.send(t, f.editor, `mutation($id: ID!, $v: Int!) { publishTool(id: $id, version: $v) { status } }`,
		map[string]any{"id": id, "v": version})
	if !strings.Contains(out, `"PUBLISHED"`) {
		t.Fatalf("publishTool: %s", out)
	}
}

// createDraft creates a draft tool through the API, as an editor, and returns its id and
// version.
func (f *publicFixture) createDraft(t testing.TB, name string) (string, int) {
	t.Helper()
	_, out := f.send(t, f.editor, `mutation($in: CreateToolInput!) { createTool(input: $in) { id version } }`, map[string]any{"in": map[string]any{
		"name": name, "websiteUrl": "https://example.com", "category": "Chat", "pricing": "FREE"}})
	var created struct {
		Data struct {
			CreateTool struct {
				ID      string
				Version int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Data.CreateTool.ID == "" {
		t.Fatalf("createTool: %s", out)
	}
	return created.Data.CreateTool.ID, created.Data.CreateTool.Version
}

var operationRE = regexp.MustCompile(`^(?:query|mutation) (\w+)`)

const countQuery = `query ToolCount { tools(first: 1) { totalCount nodes { name } } }`

// An anonymous query asked again is answered from the cache, without store reads, until a
// write: then the next answer has the change.
func TestPublicCacheServesUntilAWrite(t *testing.T) {
	f := newPublicFixture(t)
	f.createTool(t, "Alpha")

	status, first := f.send(t, "", countQuery, nil)
	if status != 200 || !strings.Contains(first, `"totalCount":1`) {
		t.Fatalf("first answer: %d %s", status, first)
	}
	reads := f.reads.Load()
	for range 3 {
		if _, again := f.send(t, "", countQuery, nil); again != first {
			t.Fatalf("the same query answered differently with nothing written:\n%s\n%s", first, again)
		}
	}
	if n := f.reads.Load() - reads; n != 0 {
		t.Fatalf("the repeated query read the store %d times", n)
	}
	if got := strings.Count(f.logs.String(), `"operation":"ToolCount"`); got != 4 {
		t.Fatalf("%d request log lines name the operation, want 4:\n%s", got, f.logs.String())
	}

	f.createTool(t, "Beta")
	_, after := f.send(t, "", countQuery, nil)
	if !strings.Contains(after, `"totalCount":2`) {
		t.Fatalf("after a write, the answer is stale: %s", after)
	}
	if f.reads.Load() == reads {
		t.Fatal("the answer after a write did not read the store")
	}
}

// Requests with credentials always reach the store; answers with errors are never kept; the
// answer's form (Accept) is part of what is kept.
func TestPublicCachePassesBy(t *testing.T) {
	f := newPublicFixture(t)
	f.createTool(t, "Alpha")
	f.send(t, "", countQuery, nil)

	reads := f.reads.Load()
	for range 2 {
		if _, out := f.send(t, f.editor, countQuery, nil); !strings.Contains(out, `"totalCount":1`) {
			t.Fatalf("editor: %s", out)
		}
	}
	if n := f.reads.Load() - reads; n != 4 {
		t.Fatalf("two editor requests read the store %d times, want 4 (list and count each)", n)
	}

	withError := `{ tools(first: 1, after: "forged") { totalCount } }`
	for i := range 2 {
		reads = f.reads.Load()
		if _, out := f.send(t, "", withError, nil); !strings.Contains(out, "BAD_USER_INPUT") {
			t.Fatalf("forged cursor: %s", out)
		}
		if f.reads.Load() == reads {
			t.Fatalf("answer %d with errors did not reach the store: it was kept", i+1)
		}
	}

	get := func(accept string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/graphql?query="+strings.ReplaceAll(countQuery, " ", "%20"), nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	r1, _ := get("application/json")
	r2, _ := get("application/graphql-response+json")
	r3, _ := get("application/json")
	if r1.Header.Get("Content-Type") == r2.Header.Get("Content-Type") {
		t.Fatalf("the Accept header did not choose the form: %q and %q", r1.Header.Get("Content-Type"), r2.Header.Get("Content-Type"))
	}
	if r1.Header.Get("Content-Type") != r3.Header.Get("Content-Type") || r1.Header.Get("ETag") != r3.Header.Get("ETag") || r3.Header.Get("ETag") == "" {
		t.Fatalf("a kept GET answer lost its headers: %v / %v", r1.Header, r3.Header)
	}
}

// Readers racing with writers: once the last write has returned, every anonymous answer has
// it. (Run with -race.)
func TestPublicCacheRace(t *testing.T) {
	f := newPublicFixture(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	defer func() { close(stop); wg.Wait() }()
	body := strings.NewReplacer("\n", " ").Replace(fmt.Sprintf(`{"query":%q}`, countQuery))
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Post(f.srv.URL+"/graphql", "application/json", strings.NewReader(body))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		})
	}
	const tools = 5
	for i := range tools {
		f.createTool(t, fmt.Sprintf("Tool %d", i))
		if _, out := f.send(t, "", countQuery, nil); !strings.Contains(out, fmt.Sprintf(`"totalCount":%d`, i+1)) {
			t.Fatalf("after %d tools: %s", i+1, out)
		}
	}
}

// testClock is a clock that a test sets.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// A scheduled publish and unpublish reach kept answers exactly at their times, with nothing
// written then.
func TestPublicCacheScheduled(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := &testClock{t: start}
	f := newPublicFixtureAt(t, clock.Now)
	publishAt, unpublishAt := start.Add(time.Hour), start.Add(2*time.Hour)

	id, version := f.createDraft(t, "Later")
	_, out := f.send(t, f.editor, `mutation($id: ID!, $v: Int!, $at: Time) { publishTool(id: $id, version: $v, at: $at) { version } }`,
		map[string]any{"id": id, "v": version, "at": publishAt.Format(time.RFC3339Nano)})
	var scheduled struct {
		Data struct{ PublishTool struct{ Version int } }
	}
	if err := json.Unmarshal([]byte(out), &scheduled); err != nil || scheduled.Data.PublishTool.Version == 0 {
		t.Fatalf("publishTool(at): %s", out)
	}

	count := func(want int) {
		t.Helper()
		if _, out := f.send(t, "", countQuery, nil); !strings.Contains(out, fmt.Sprintf(`"totalCount":%d`, want)) {
			t.Fatalf("at %s: %s, want totalCount %d", clock.Now().Format(time.RFC3339Nano), out, want)
		}
	}
	count(0)
	count(0) // kept
	clock.Set(publishAt.Add(-time.Microsecond))
	count(0)
	clock.Set(publishAt)
	count(1)
	count(1)

	// The unpublish is scheduled now (a write); the kept answer then goes at its time.
	_, out = f.send(t, f.editor, `mutation($id: ID!, $v: Int!, $at: Time) { unpublishTool(id: $id, version: $v, at: $at) { version } }`,
		map[string]any{"id": id, "v": scheduled.Data.PublishTool.Version, "at": unpublishAt.Format(time.RFC3339Nano)})
	if !strings.Contains(out, `"version"`) {
		t.Fatalf("unpublishTool(at): %s", out)
	}
	count(1)
	reads := f.reads.Load()
	count(1)
	if f.reads.Load() != reads {
		t.Fatal("a repeated query read the store while nothing changed")
	}
	clock.Set(unpublishAt.Add(-time.Microsecond))
	count(1)
	clock.Set(unpublishAt)
	count(0)
}

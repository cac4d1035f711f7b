package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/bench"
	"pause/bolt"
	"pause/content"
	"pause/ids"
	"pause/markdown"
	"pause/server"
)

// newHandler returns the real HTTP handler in production mode (request log included, written
// to io.Discard) over a bolt store in a temporary directory that holds the sample content and
// enough extra tools for lists of bench.ListSize.
func newHandler(tb testing.TB) http.Handler { return newHandlerWith(tb, false) }

// newHandlerWith is newHandler, with the public response cache on if cached (as `pause serve`
// has it on the embedded store).
func newHandlerWith(tb testing.TB, cached bool) http.Handler {
	tb.Helper()
	db, err := bolt.Open(filepath.Join(tb.TempDir(), "pause.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	admin := pause.NewContext(context.Background(), &pause.Viewer{Subject: "bench", Role: pause.RoleAdmin})
	if _, err := content.Import(admin, cms, content.Sample); err != nil {
		tb.Fatal(err)
	}
	n, err := cms.Tools.Count(context.Background(), pause.ToolFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, in := range bench.ExtraTools(bench.ListSize - n) {
		t, err := cms.Tools.Create(admin, in)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := cms.Tools.Publish(admin, t.ID, t.Version); err != nil {
			tb.Fatal(err)
		}
	}
	tokens, err := auth.NewTokens([]byte("bench-secret-bench-secret-bench-secret"))
	if err != nil {
		tb.Fatal(err)
	}
	// The store's change feed gives every CMS a PublicVersion: the cache is on only if asked.
	var version func(context.Context) (string, error)
	if cached {
		version = cms.PublicVersion()
	}
	return server.New(server.Config{CMS: cms, Auth: tokens, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		PublicVersion: version})
}

func body(q bench.Query) []byte {
	b, _ := json.Marshal(map[string]string{"query": q.Text})
	return b
}

// post sends the query as a browser would (POST, JSON) and returns the response.
func post(h http.Handler, body []byte) *httptest.ResponseRecorder {
	return postContext(context.Background(), h, body)
}

// postContext is post with the request's context.
func postContext(ctx context.Context, h http.Handler, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestQueries: every benchmarked query answers 200 with data and no errors, and the lists are
// as long as the benchmarks say.
func TestQueries(t *testing.T) {
	h := newHandler(t)
	for _, q := range bench.Queries {
		rec := post(h, body(q))
		var resp struct {
			Data   map[string]json.RawMessage
			Errors []any
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != http.StatusOK || len(resp.Errors) > 0 || resp.Data == nil {
			t.Fatalf("%s: %d %s", q.Name, rec.Code, rec.Body)
		}
		var tools struct {
			TotalCount int
			Nodes      []any
		}
		switch q.Name {
		case "list100":
			_ = json.Unmarshal(resp.Data["tools"], &tools)
			if tools.TotalCount != bench.ListSize || len(tools.Nodes) != bench.ListSize {
				t.Fatalf("list100: %d of %d tools", len(tools.Nodes), tools.TotalCount)
			}
		case "category":
			_ = json.Unmarshal(resp.Data["tools"], &tools)
			if len(tools.Nodes) == 0 {
				t.Fatalf("category: no tools: %s", rec.Body)
			}
		}
	}
}

// BenchmarkQuery serves each benchmarked query through the whole handler, one at a time,
// without the public response cache: the cost of executing the query.
func BenchmarkQuery(b *testing.B) { benchmarkQuery(b, newHandler(b)) }

// BenchmarkQueryCached is BenchmarkQuery with the public response cache on, as `pause serve`
// runs on the embedded store: what an anonymous page view costs while the content is
// unchanged.
func BenchmarkQueryCached(b *testing.B) { benchmarkQuery(b, newHandlerWith(b, true)) }

func benchmarkQuery(b *testing.B, h http.Handler) {
	for _, q := range bench.Queries {
		data := body(q)
		b.Run(q.Name, func(b *testing.B) {
			if rec := post(h, data); rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				post(h, data)
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkQueryParallel is BenchmarkQuery with GOMAXPROCS goroutines sending at once, as a
// loaded server sees it.
func BenchmarkQueryParallel(b *testing.B) {
	h := newHandler(b)
	for _, q := range bench.Queries {
		data := body(q)
		b.Run(q.Name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post(h, data)
				}
			})
			reportCPU(b, cpu)
		})
	}
}

// cpuTime returns the CPU time (user and system) the process has used. On a shared machine it
// is steadier than wall time, which counts the time other programs had the CPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start, garbage collection included, as
// cpu-ns/op.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/bolt"
	"pause/graph"
	"pause/ids"
	"pause/markdown"
	"pause/server"
	"pause/server/graphiql"
)

type fixture struct {
	srv    *httptest.Server
	db     *bolt.DB // nil on other stores
	cms    *pause.CMS
	tokens *auth.Tokens
	logs   *syncWriter
}

func newFixture(t *testing.T, dev bool, origins ...string) *fixture {
	t.Helper()
	return newFixtureWith(t, func(c *server.Config) {
		c.Development, c.CORSOrigins, c.MaxBodyBytes = dev, origins, 4096
	})
}

// newFixtureWith serves Pause over a fresh bolt store, with the configuration that configure
// leaves (production, default limits, unless it changes them).
func newFixtureWith(t *testing.T, configure func(*server.Config)) *fixture {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newFixtureOn(t, db.Stores(), db, configure)
}

func newFixtureOn(t *testing.T, stores pause.Stores, db *bolt.DB, configure func(*server.Config)) *fixture {
	t.Helper()
	tokens, err := auth.NewTokens([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncWriter{w: &bytes.Buffer{}}
	cms := pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New})
	cfg := server.Config{
		CMS: cms, Auth: tokens,
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
		GraphiQL: graphiql.Handler(), // served only in development, or with Introspection
	}
	if configure != nil {
		configure(&cfg)
	}
	srv := httptest.NewServer(server.New(cfg))
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, db: db, cms: cms, tokens: tokens, logs: logs}
}

// syncWriter is a log that the server's goroutines may write while a test reads it.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

func (f *fixture) post(t *testing.T, body string, header map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

// raw sends a request as bytes on a new connection, for requests that Go's client would not
// send as they are.
func (f *fixture) raw(t *testing.T, request string) (*http.Response, map[string]any) {
	t.Helper()
	conn, err := net.Dial("tcp", f.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func firstCode(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	ext, _ := e["extensions"].(map[string]any)
	c, _ := ext["code"].(string)
	return c
}

func TestHealthz(t *testing.T) {
	f := newFixture(t, false)
	resp, err := http.Get(f.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"ok"`) {
		t.Fatalf("healthz = %d %s", resp.StatusCode, b)
	}
}

func TestGraphiQLOnlyInDevelopment(t *testing.T) {
	for _, dev := range []bool{true, false} {
		f := newFixture(t, dev)
		resp, err := http.Get(f.srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := resp.StatusCode == 200 && strings.Contains(strings.ToLower(string(b)), "graphiql")
		if got != dev {
			t.Errorf("development=%v: GET / = %d, GraphiQL served: %v", dev, resp.StatusCode, got)
		}
		_, out := f.post(t, `{"query":"{ __schema { queryType { name } } }"}`, nil)
		if introspected := out["data"] != nil && firstCode(out) == ""; introspected != dev {
			t.Errorf("development=%v: introspection answered: %v (%v)", dev, introspected, out)
		}
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t, false, "https://app.example")
	for _, tc := range []struct {
		origin string
		want   string
	}{{"https://app.example", "https://app.example"}, {"https://evil.example", ""}} {
		req, _ := http.NewRequest(http.MethodOptions, f.srv.URL+"/graphql", nil)
		req.Header.Set("Origin", tc.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
			t.Errorf("preflight from %s: Allow-Origin %q, want %q", tc.origin, got, tc.want)
		}
		if tc.want != "" && !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Errorf("preflight does not allow Authorization")
		}
		resp, _ = f.post(t, `{"query":"{ viewer { role } }"}`, map[string]string{"Origin": tc.origin})
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
			t.Errorf("POST from %s: Allow-Origin %q, want %q", tc.origin, got, tc.want)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, false)
	big := `{"query":"{ viewer { role } }","variables":{"x":"` + strings.Repeat("a", 5000) + `"}}`
	resp, out := f.post(t, big, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || firstCode(out) != graph.CodePayloadTooLarge {
		t.Fatalf("oversized body: %d %v, want 413 PAYLOAD_TOO_LARGE", resp.StatusCode, out)
	}
	// A chunked body has no Content-Length: it is refused once it has read past the limit.
	var chunks strings.Builder
	for rest := big; rest != ""; {
		n := min(len(rest), 1000)
		fmt.Fprintf(&chunks, "%x\r\n%s\r\n", n, rest[:n])
		rest = rest[n:]
	}
	chunks.WriteString("0\r\n\r\n")
	resp, chunked := f.raw(t, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"+chunks.String())
	if resp.StatusCode != http.StatusRequestEntityTooLarge || firstCode(chunked) != graph.CodePayloadTooLarge {
		t.Fatalf("oversized chunked body: %d %v, want 413 PAYLOAD_TOO_LARGE", resp.StatusCode, chunked)
	}
	// Just under the limit is fine.
	resp, out = f.post(t, `{"query":"{ viewer { role } }","variables":{"x":"`+strings.Repeat("a", 4000)+`"}}`, nil)
	if resp.StatusCode != http.StatusOK || firstCode(out) != "" {
		t.Fatalf("body under the limit: %d %v", resp.StatusCode, out)
	}
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t, false)
	good, _ := f.tokens.Issue("alice", pause.RoleAdmin, time.Hour)
	_, out := f.post(t, `{"query":"{ viewer { role subject authenticated } }"}`, map[string]string{"Authorization": "Bearer " + good})
	v := out["data"].(map[string]any)["viewer"].(map[string]any)
	if v["role"] != "ADMIN" || v["subject"] != "alice" || v["authenticated"] != true {
		t.Fatalf("viewer = %v", v)
	}
	for _, h := range []string{"Bearer nope", "Basic YWxpY2U6c2VjcmV0", "Bearer "} {
		resp, out := f.post(t, `{"query":"{ viewer { role } }"}`, map[string]string{"Authorization": h})
		if resp.StatusCode != http.StatusUnauthorized || firstCode(out) != pause.EUNAUTHENTICATED || out["data"] != nil {
			t.Errorf("Authorization %q: %d %v, want 401 UNAUTHENTICATED without data", h, resp.StatusCode, out)
		}
	}
}

// An internal failure shows the user a code and a request id, never the cause; the log line has
// both.
func TestInternalErrorsAreMasked(t *testing.T) {
	f := newFixture(t, false)
	f.db.Close() // every store call now fails inside bbolt
	resp, out := f.post(t, `{"query":"{ tools { totalCount } }"}`, nil)
	if firstCode(out) != pause.EINTERNAL {
		t.Fatalf("closed store: %v, want INTERNAL", out)
	}
	e := out["errors"].([]any)[0].(map[string]any)
	id, _ := e["extensions"].(map[string]any)["requestId"].(string)
	if id == "" || id != resp.Header.Get("X-Request-Id") {
		t.Errorf("requestId %q, header %q", id, resp.Header.Get("X-Request-Id"))
	}
	if msg := e["message"].(string); strings.Contains(strings.ToLower(msg), "bolt") || strings.Contains(msg, "database") {
		t.Errorf("message leaks the cause: %q", msg)
	}
	if !strings.Contains(f.logs.String(), id) || !strings.Contains(f.logs.String(), "bolt") {
		t.Errorf("log lacks the request id or the cause:\n%s", f.logs.String())
	}
}

func TestRequestLog(t *testing.T) {
	f := newFixture(t, false)
	resp, _ := f.post(t, `{"query":"query Home { viewer { role } }","operationName":"Home"}`, nil)
	id := resp.Header.Get("X-Request-Id")
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(f.logs.String()), "\n") {
		if strings.Contains(l, id) {
			_ = json.Unmarshal([]byte(l), &line)
		}
	}
	if line == nil || line["operation"] != "Home" || line["method"] != "POST" || line["status"] != float64(200) || line["duration_ms"] == nil {
		t.Fatalf("request log line = %v\nall logs:\n%s", line, f.logs.String())
	}
}

func TestBadRequests(t *testing.T) {
	f := newFixture(t, false)
	for name, body := range map[string]string{
		"invalid json":  `{"query":`,
		"unknown field": `{"query":"{ nope }"}`,
		"syntax error":  `{"query":"{ viewer { role "}`,
		"bad enum":      `{"query":"{ tools(filter: {pricing: CHEAP}) { totalCount } }"}`,
		"first too big": `{"query":"{ tools(first: 1000) { totalCount } }"}`,
		"forged cursor": `{"query":"{ tools(after: \"bm9wZQ\") { totalCount } }"}`,
		"both id, slug": `{"query":"{ tool(id: \"x\", slug: \"y\") { id } }"}`,
	} {
		resp, out := f.post(t, body, nil)
		if resp.StatusCode >= 500 || len(out["errors"].([]any)) == 0 {
			t.Errorf("%s: %d %v", name, resp.StatusCode, out)
		}
		code := firstCode(out)
		if code == "" || code == pause.EINTERNAL {
			t.Errorf("%s: code %q, want a user error code (%v)", name, code, out)
		}
	}
}

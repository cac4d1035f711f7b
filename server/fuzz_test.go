package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/bolt"
	"pause/content"
	"pause/ids"
	"pause/markdown"
	"pause/server"
)

var fuzzMethods = []string{http.MethodPost, http.MethodGet, http.MethodHead, http.MethodPut, http.MethodOptions, http.MethodDelete, "PATCH", "BREW"}

// FuzzHandler sends arbitrary requests to the production handler, over a store with the
// sample content: a method, the URL's query string, Content-Type, Accept, Authorization,
// Origin and a body. Whatever they are, the answer is no 5xx and no panic; on /graphql it is
// JSON (or nothing, for 304, 204 and HEAD), a 4xx has no data entry, and it carries nosniff.
// The seeds are in testdata/fuzz/FuzzHandler.
func FuzzHandler(f *testing.F) {
	f.Add(uint8(0), "", "application/json", "", "", "", []byte(`{"query":"{ viewer { role } }"}`))
	f.Add(uint8(1), "query=%7B%20tools%20%7B%20totalCount%20%7D%20%7D", "", "application/graphql-response+json", "", "", []byte(nil))

	db, err := bolt.Open(filepath.Join(f.TempDir(), "pause.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	if _, err := content.Import(admin(), cms, content.Sample); err != nil {
		f.Fatal(err)
	}
	tokens, err := auth.NewTokens([]byte(strings.Repeat("s", 32)))
	if err != nil {
		f.Fatal(err)
	}
	logs := &syncWriter{w: &bytes.Buffer{}}
	h := server.New(server.Config{
		CMS: cms, Auth: tokens, CORSOrigins: []string{"https://app.example"},
		MaxBodyBytes: 64 << 10, RequestTimeout: 5 * time.Second,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelError})),
	})

	f.Fuzz(func(t *testing.T, method uint8, rawQuery, contentType, accept, authorization, origin string, body []byte) {
		req := &http.Request{
			Method:     fuzzMethods[int(method)%len(fuzzMethods)],
			URL:        &url.URL{Path: "/graphql", RawQuery: rawQuery},
			Proto:      "HTTP/1.1",
			ProtoMajor: 1, ProtoMinor: 1,
			Header:        http.Header{},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
			Host:          "pause.test",
			RemoteAddr:    "192.0.2.1:1234",
		}
		req = req.WithContext(t.Context())
		for k, v := range map[string]string{"Content-Type": contentType, "Accept": accept, "Authorization": authorization, "Origin": origin} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s ?%s (Content-Type %q, Accept %q, Authorization %q): %d %s", req.Method, rawQuery, contentType, accept, authorization, resp.StatusCode, out)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("no nosniff: %v", resp.Header)
		}
		if len(out) == 0 {
			if resp.StatusCode != http.StatusNotModified && resp.StatusCode != http.StatusNoContent && req.Method != http.MethodHead {
				t.Fatalf("%s: %d with an empty body", req.Method, resp.StatusCode)
			}
			return
		}
		var reply map[string]any
		if err := json.Unmarshal(out, &reply); err != nil {
			var batch []any
			if json.Unmarshal(out, &batch) != nil {
				t.Fatalf("%d: not JSON: %q", resp.StatusCode, out)
			}
			return
		}
		if _, hasData := reply["data"]; hasData && resp.StatusCode >= 400 {
			t.Fatalf("%d with a data entry: %s", resp.StatusCode, out)
		}
		if strings.Contains(logs.String(), "panic") {
			t.Fatalf("a panic was logged:\n%s", logs.String())
		}
	})
}

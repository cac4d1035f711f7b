package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"pause/internal/browsertest"
)

// TestCORSHeadersInABrowser: a frontend on another origin calls `pause serve` from chromium
// with the headers that Apollo Client adds (client awareness), with a header that
// PAUSE_CORS_HEADERS allows, and with one that nothing allows. The browser itself runs the
// preflights and decides: only the last request is refused.
func TestCORSHeadersInABrowser(t *testing.T) {
	frontend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="en"><head><link rel="icon" href="data:,"><title>frontend</title></head><body></body></html>`)
	}))
	defer frontend.Close()
	in := start(t, map[string]string{
		"PAUSE_ADDR": freeAddr(t), "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"), "PAUSE_ENV": "development",
		"PAUSE_CORS_ORIGINS": frontend.URL, "PAUSE_CORS_HEADERS": "X-Tenant, x-build-id",
	})
	defer in.stop()
	ctx := browsertest.Browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(frontend.URL+"/")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		headers string // a JSON object
		want    string
	}{
		{"Apollo Client's client awareness", `{"apollographql-client-name": "web", "apollographql-client-version": "1.2.3", "apollographql-library-name": "@apollo/client", "apollographql-library-version": "4.3.8"}`, "200"},
		{"Apollo's CSRF headers", `{"apollo-require-preflight": "true", "x-apollo-operation-name": "Viewer"}`, "200"},
		{"trace context", `{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}`, "200"},
		{"headers of PAUSE_CORS_HEADERS", `{"X-Tenant": "acme", "X-Build-Id": "42"}`, "200"},
		{"a header nothing allows", `{"x-not-allowed": "1"}`, "refused"},
	} {
		script := fmt.Sprintf(`fetch(%q, {method: "POST", headers: Object.assign({"content-type": "application/json"}, %s),
			body: JSON.stringify({query: "{ viewer { role } }"})}).then(r => String(r.status), () => "refused")`, in.url+"/graphql", tc.headers)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if strings.TrimSpace(got) != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

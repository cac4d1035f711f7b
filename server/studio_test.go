package server_test

import (
	"net/http"
	"strings"
	"testing"

	"pause/studio"
)

// TestStudioRoutes: the server serves the studio under /studio/ in production, with the
// studio's own CSP instead of the API's, and the headers every response carries.
func TestStudioRoutes(t *testing.T) {
	f := newFixtureWith(t, nil) // production
	for _, path := range []string{"/studio/", "/studio/articles/01ABC"} {
		r := f.do(t, request{method: http.MethodGet, path: path, header: map[string]string{"Accept-Encoding": "gzip"}})
		h := r.header
		if r.status != 200 || h.Get("Content-Security-Policy") != studio.CSP || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Strict-Transport-Security") == "" ||
			!strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Cache-Control") != studio.CacheIndex {
			t.Errorf("GET %s: %d %v", path, r.status, h)
		}
	}
	r := f.do(t, request{method: http.MethodGet, path: "/studio"})
	if r.status != 200 || !strings.Contains(string(r.body), "Pause Studio") { // the client follows the redirect
		t.Errorf("GET /studio: %d %s", r.status, r.body)
	}
	if r := f.do(t, request{method: http.MethodGet, path: "/studiox"}); r.status != 404 {
		t.Errorf("GET /studiox: %d", r.status)
	}
}

package core

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// authHandler returns the sign-in function's handler over a bolt file of its own, in
// production with an origin secret.
func authHandler(t *testing.T) http.Handler {
	t.Helper()
	vars := map[string]string{
		"PAUSE_ENV": "production", "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"),
		"PAUSE_JWT_SECRET": strings.Repeat("s", 32), "PAUSE_PUBLIC_URL": "https://cms.example.com",
		"PAUSE_ORIGIN_SECRET": "edge-secret",
	}
	cfg := FromEnv(func(k string) string { return vars[k] })
	stores, closeStores, err := cfg.OpenStores(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeStores() })
	h, err := cfg.AuthHandler(stores, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestAuthHandler: the sign-in function's handler serves /auth/ behind the edge (the origin
// secret, request ids, security headers, a body limit of AuthMaxBody) and nothing else, and
// answers every refusal in /auth/'s own JSON.
func TestAuthHandler(t *testing.T) {
	h := authHandler(t)
	do := func(method, path, body string, secret bool) (*httptest.ResponseRecorder, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret {
			req.Header.Set("X-Pause-Origin-Secret", "edge-secret")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out struct{ Error struct{ Code string } }
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %d, not /auth/'s JSON: %s", method, path, rec.Code, rec.Body)
		}
		return rec, out.Error.Code
	}
	for _, c := range []struct {
		name, method, path, body string
		secret                   bool
		status                   int
		code                     string
	}{
		{"around the CDN", "POST", "/auth/login", `{}`, false, 403, "FORBIDDEN"},
		{"unknown user", "POST", "/auth/login", `{"email":"nobody@example.com","password":"long enough password"}`, true, 401, "UNAUTHENTICATED"},
		{"no session", "POST", "/auth/token", ``, true, 403, "FORBIDDEN"},
		{"too large", "POST", "/auth/login", `{"email":"` + strings.Repeat("a", AuthMaxBody) + `"}`, true, 413, "PAYLOAD_TOO_LARGE"},
		{"the API's", "POST", "/graphql", `{"query":"{ articles { totalCount } }"}`, true, 404, "NOT_FOUND"},
		{"the studio", "GET", "/studio/", ``, true, 404, "NOT_FOUND"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, code := do(c.method, c.path, c.body, c.secret)
			if rec.Code != c.status || code != c.code {
				t.Errorf("%d %s, want %d %s: %s", rec.Code, code, c.status, c.code, rec.Body)
			}
			for _, hdr := range []string{"X-Request-Id", "Strict-Transport-Security", "Content-Security-Policy"} {
				if rec.Header().Get(hdr) == "" {
					t.Errorf("no %s", hdr)
				}
			}
		})
	}
}

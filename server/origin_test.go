package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"pause/server"
)

// TestOriginSecret: with origin secrets set (a CDN in front), only requests that carry one of
// them in X-Pause-Origin-Secret are served; the others, GraphQL, health and preflight alike,
// get 403 FORBIDDEN, and the refusal is logged.
func TestOriginSecret(t *testing.T) {
	f := newFixtureWith(t, func(c *server.Config) {
		c.OriginSecrets = []string{"current-secret-0123456789", "previous-secret-0123456789"}
		c.CORSOrigins = []string{"https://app.example.com"}
	})
	query := `{"query":"{ articles(first: 1) { totalCount } }"}`
	for _, c := range []struct {
		name, method, path, secret string
		want                       int
	}{
		{"no header", "POST", "/graphql", "", http.StatusForbidden},
		{"wrong secret", "POST", "/graphql", "current-secret-012345678", http.StatusForbidden},
		{"health without", "GET", "/healthz", "", http.StatusForbidden},
		{"preflight without", "OPTIONS", "/graphql", "", http.StatusForbidden},
		{"current", "POST", "/graphql", "current-secret-0123456789", http.StatusOK},
		{"previous", "POST", "/graphql", "previous-secret-0123456789", http.StatusOK},
		{"health", "GET", "/healthz", "current-secret-0123456789", http.StatusOK},
		{"preflight", "OPTIONS", "/graphql", "current-secret-0123456789", http.StatusNoContent},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.method == "POST" {
				body = strings.NewReader(query)
			}
			req, err := http.NewRequest(c.method, f.srv.URL+c.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", "https://app.example.com")
			req.Header.Set("Access-Control-Request-Method", "POST")
			if c.secret != "" {
				req.Header.Set(server.OriginHeader, c.secret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.want)
			}
			if c.want != http.StatusForbidden {
				return
			}
			var out struct {
				Errors []struct {
					Message    string
					Extensions struct{ Code string }
				}
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if len(out.Errors) != 1 || out.Errors[0].Extensions.Code != "FORBIDDEN" || strings.Contains(out.Errors[0].Message, "secret") {
				t.Errorf("errors %+v: want one FORBIDDEN that does not mention the secret", out.Errors)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("the refusal lacks the security headers")
			}
		})
	}
	if logs := f.logs.String(); !strings.Contains(logs, `"status":403`) || strings.Contains(logs, "secret-0123456789") {
		t.Errorf("the log does not record the refusals, or records a secret:\n%s", logs)
	}
}

package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/graph"
	"pause/server"
)

// The preflight allows the defaults (what Apollo Client and urql send) and the configured
// headers, each once.
func TestCORSAllowedHeaders(t *testing.T) {
	preflight := func(t *testing.T, f *fixture) []string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodOptions, f.srv.URL+"/graphql", nil)
		req.Header.Set("Origin", "https://app.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "apollographql-client-name,content-type,x-tenant")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("preflight: %d", resp.StatusCode)
		}
		var names []string
		for _, h := range strings.Split(resp.Header.Get("Access-Control-Allow-Headers"), ",") {
			names = append(names, strings.ToLower(strings.TrimSpace(h)))
		}
		return names
	}
	has := func(names []string, h string) int {
		n := 0
		for _, name := range names {
			if name == strings.ToLower(h) {
				n++
			}
		}
		return n
	}

	defaults := preflight(t, newFixture(t, false, "https://app.example"))
	for _, h := range []string{"Authorization", "Content-Type", "Accept", "apollographql-client-name",
		"apollographql-client-version", "apollographql-library-name", "apollographql-library-version",
		"apollo-require-preflight", "x-apollo-operation-name", "Idempotency-Key", "traceparent"} {
		if has(defaults, h) != 1 {
			t.Errorf("the default preflight allows %s %d times, want once: %q", h, has(defaults, h), defaults)
		}
	}
	if has(defaults, "X-Tenant") != 0 {
		t.Errorf("X-Tenant allowed without being configured: %q", defaults)
	}

	extended := preflight(t, newFixtureWith(t, func(c *server.Config) {
		c.CORSOrigins = []string{"https://app.example"}
		c.CORSHeaders = []string{"X-Tenant", " x-build-id ", "authorization", ""}
	}))
	for _, h := range append(server.DefaultCORSHeaders, "X-Tenant", "X-Build-Id") {
		if has(extended, h) != 1 {
			t.Errorf("the extended preflight allows %s %d times, want once: %q", h, has(extended, h), extended)
		}
	}
	if len(extended) != len(server.DefaultCORSHeaders)+2 {
		t.Errorf("extended preflight allows %q", extended)
	}
}

// More than one Authorization header, or several credentials in one, is a 400 with a JSON
// error: never the first one's (or the last one's) caller, never anonymous.
func TestOneAuthorization(t *testing.T) {
	f := newFixture(t, false)
	editor, _ := f.tokens.Issue("ed", pause.RoleEditor, time.Hour)
	admin, _ := f.tokens.Issue("root", pause.RoleAdmin, time.Hour)
	send := func(t *testing.T, method string, auth ...string) (*http.Response, []byte) {
		t.Helper()
		var body io.Reader
		path := "/graphql"
		if method == http.MethodPost {
			body = strings.NewReader(`{"query":"{ viewer { role subject } }"}`)
		} else {
			path = get(`{ viewer { role subject } }`)
		}
		req, _ := http.NewRequest(method, f.srv.URL+path, body)
		req.Header.Set("Content-Type", "application/json")
		req.Header["Authorization"] = auth // several header lines, as sent
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	for _, tc := range []struct {
		name string
		auth []string
		msg  string
	}{
		{"two tokens", []string{"Bearer " + editor, "Bearer " + admin}, "2 Authorization headers"},
		{"the same token twice", []string{"Bearer " + editor, "Bearer " + editor}, "2 Authorization headers"},
		{"an empty header, then a token", []string{"", "Bearer " + admin}, "2 Authorization headers"},
		{"a token, then garbage", []string{"Bearer " + editor, "Basic eDp5"}, "2 Authorization headers"},
		{"three headers", []string{"Bearer a", "Bearer b", "Bearer c"}, "3 Authorization headers"},
		{"two tokens joined by a proxy", []string{"Bearer " + editor + ", Bearer " + admin}, "several credentials in one Authorization header"},
	} {
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			t.Run(tc.name+" "+method, func(t *testing.T) {
				resp, body := send(t, method, tc.auth...)
				r := reply{status: resp.StatusCode, header: resp.Header, body: body}
				_ = json.Unmarshal(body, &r.json)
				if r.status != http.StatusBadRequest || r.code() != graph.CodeBadRequest || r.hasData() {
					t.Fatalf("%d %s, want 400 %s without data", r.status, body, graph.CodeBadRequest)
				}
				if !strings.Contains(string(body), tc.msg) || strings.Contains(string(body), editor) {
					t.Errorf("message %s, want one that says %q and repeats no credential", body, tc.msg)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/") || !strings.Contains(ct, "json") {
					t.Errorf("Content-Type %q", ct)
				}
			})
		}
	}
	// One header is as before.
	resp, body := send(t, http.MethodPost, "Bearer "+editor)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"EDITOR"`) {
		t.Errorf("one Authorization header: %d %s", resp.StatusCode, body)
	}
	resp, body = send(t, http.MethodPost)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ANONYMOUS"`) {
		t.Errorf("no Authorization header: %d %s", resp.StatusCode, body)
	}
}

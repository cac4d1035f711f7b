//go:build linux

package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/studio"
)

const (
	e2eSecret      = "e2e-jwt-secret-0123456789abcdef-0123456789"
	e2eSecretParam = "/pause/e2e/jwt-secret"
	allowedOrigin  = "https://app.example.com"
)

// functionEnv is the function's configuration as the template sets it (PAUSE_ENV left unset:
// production is the Lambda's default), with the JWT secret in a (fake) SSM parameter.
func functionEnv(store map[string]string, ssm *fakeSSM, event string) map[string]string {
	env := merge(awsEnv(), store, map[string]string{
		"PAUSE_JWT_SECRET_PARAM": e2eSecretParam,
		"AWS_ENDPOINT_URL_SSM":   ssm.URL,
		"PAUSE_CORS_ORIGINS":     allowedOrigin + ",https://admin.example.com",
		"PAUSE_LOG_LEVEL":        "info",
	})
	if event != "" {
		env["PAUSE_LAMBDA_EVENT"] = event
	}
	return env
}

type gqlResponse struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func decodeGQL(t *testing.T, res response) gqlResponse {
	t.Helper()
	var g gqlResponse
	if err := json.Unmarshal(res.body, &g); err != nil {
		t.Fatalf("the body is not a GraphQL response (%v): %s", err, res.body)
	}
	return g
}

func gqlBody(t *testing.T, query string, vars map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantStatus(t *testing.T, res response, want int) {
	t.Helper()
	if res.status != want {
		t.Fatalf("status %d, want %d; body: %s", res.status, want, res.body)
	}
}

func wantJSON(t *testing.T, res response) {
	t.Helper()
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") &&
		!strings.HasPrefix(ct, "application/graphql-response+json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
}

func wantCORS(t *testing.T, res response, origin string) {
	t.Helper()
	if got := res.header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Errorf("Access-Control-Allow-Origin %q, want %q", got, origin)
	}
}

func wantCode(t *testing.T, g gqlResponse, code string) {
	t.Helper()
	if len(g.Errors) == 0 {
		t.Fatalf("no errors, want %s: data %s", code, g.Data)
	}
	if got, _ := g.Errors[0].Extensions["code"].(string); got != code {
		t.Errorf("error code %q (%q), want %s", got, g.Errors[0].Message, code)
	}
}

// TestEmulator runs the function under the Lambda runtime interface emulator with HTTP API
// (payload 2.0, the default) and REST API (v1) events, against a store seeded with the sample
// content, and checks what a client sees: status, headers and body.
func TestEmulator(t *testing.T) {
	bootstrap := hostBootstrap(t)
	store := testStore(t)
	tokens, err := auth.NewTokens([]byte(e2eSecret))
	if err != nil {
		t.Fatal(err)
	}
	editor, err := tokens.Issue("alice", pause.RoleEditor, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// One version after the other, on the same store: the emulator takes one invoke at a time,
	// and the bolt file one process at a time.
	for _, version := range []string{"v2", "v1"} {
		t.Run(version, func(t *testing.T) {
			ssm := newFakeSSM(t, e2eSecretParam, e2eSecret)
			event := version
			if version == "v2" {
				event = "" // the default
			}
			fn := startEmulator(t, bootstrap, functionEnv(store, ssm, event))
			do := func(r request) response {
				r.version = version
				return fn.do(t, r)
			}
			post := func(body string, header map[string]string) response {
				h := map[string]string{"Content-Type": "application/json", "Origin": allowedOrigin}
				for k, v := range header {
					h[k] = v
				}
				return do(request{method: "POST", path: "/graphql", header: h, body: body})
			}
			bearer := map[string]string{"Authorization": "Bearer " + editor}
			title := "Lambda Notes " + version

			t.Run("health", func(t *testing.T) {
				res := do(request{method: "GET", path: "/healthz"})
				wantStatus(t, res, http.StatusOK)
				wantJSON(t, res)
				if got := strings.TrimSpace(string(res.body)); got != `{"status":"ok"}` {
					t.Errorf("body %s", got)
				}
			})

			t.Run("public query", func(t *testing.T) {
				res := post(gqlBody(t, `query Page($slug: String!) {
					article(slug: $slug) { title author { name } }
					benefits(first: 2) { nodes { title } }
					tools(first: 0) { totalCount }
					viewer { role }
				}`, map[string]any{"slug": "what-is-asynchronous-communication-really"}), nil)
				wantStatus(t, res, http.StatusOK)
				wantJSON(t, res)
				wantCORS(t, res, allowedOrigin)
				if res.header.Get("X-Request-Id") == "" {
					t.Error("no X-Request-Id")
				}
				if got := res.header.Get("Access-Control-Expose-Headers"); !strings.Contains(got, "X-Request-Id") {
					t.Errorf("Access-Control-Expose-Headers %q", got)
				}
				g := decodeGQL(t, res)
				if len(g.Errors) > 0 {
					t.Fatalf("errors: %s", res.body)
				}
				var data struct {
					Article struct {
						Title  string
						Author struct{ Name string }
					}
					Benefits struct{ Nodes []struct{ Title string } }
					Tools    struct{ TotalCount int }
					Viewer   struct{ Role string }
				}
				remarshal(t, g.Data, &data)
				if data.Article.Title != "What is Asynchronous Communication, Really?" || data.Article.Author.Name != "Arjun Rajkumar" {
					t.Errorf("article %+v", data.Article)
				}
				if len(data.Benefits.Nodes) != 2 || data.Tools.TotalCount == 0 || data.Viewer.Role != "ANONYMOUS" {
					t.Errorf("benefits %+v, tools %+v, viewer %+v", data.Benefits, data.Tools, data.Viewer)
				}
			})

			t.Run("foreign origin gets no CORS", func(t *testing.T) {
				res := post(`{"query":"{ viewer { role } }"}`, map[string]string{"Origin": "https://evil.example.net"})
				wantStatus(t, res, http.StatusOK)
				wantCORS(t, res, "")
			})

			t.Run("preflight", func(t *testing.T) {
				res := do(request{method: "OPTIONS", path: "/graphql", header: map[string]string{
					"Origin": allowedOrigin, "Access-Control-Request-Method": "POST",
					"Access-Control-Request-Headers": "authorization, content-type",
				}})
				wantStatus(t, res, http.StatusNoContent)
				wantCORS(t, res, allowedOrigin)
				if got := res.header.Get("Access-Control-Allow-Headers"); !strings.Contains(got, "Authorization") {
					t.Errorf("Access-Control-Allow-Headers %q", got)
				}
			})

			t.Run("editor mutation", func(t *testing.T) {
				res := post(gqlBody(t, `mutation($in: CreateArticleInput!) { createArticle(input: $in) { id slug version status title } }`,
					map[string]any{"in": map[string]any{"title": title, "body": "Runs *cold*, then warm.", "author": map[string]any{"name": "Alice"}}}),
					bearer)
				wantStatus(t, res, http.StatusOK)
				wantJSON(t, res)
				wantCORS(t, res, allowedOrigin)
				g := decodeGQL(t, res)
				if len(g.Errors) > 0 {
					t.Fatalf("errors: %s", res.body)
				}
				var data struct {
					CreateArticle struct {
						ID, Slug, Status, Title string
						Version                 int
					}
				}
				remarshal(t, g.Data, &data)
				a := data.CreateArticle
				if a.ID == "" || a.Title != title || a.Version != 1 || a.Status != "DRAFT" || a.Slug != "lambda-notes-"+version {
					t.Errorf("created %+v", a)
				}
				// The draft is there for the editor, and hidden from everyone else.
				res = post(gqlBody(t, `query($s: String!) { article(slug: $s) { title } }`, map[string]any{"s": a.Slug}), bearer)
				if !strings.Contains(string(res.body), title) {
					t.Errorf("the editor does not see the draft: %s", res.body)
				}
				res = post(gqlBody(t, `query($s: String!) { article(slug: $s) { title } }`, map[string]any{"s": a.Slug}), nil)
				if g := decodeGQL(t, res); string(g.Data["article"]) != "null" {
					t.Errorf("an anonymous caller sees the draft: %s", res.body)
				}
			})

			t.Run("anonymous mutation", func(t *testing.T) {
				res := post(gqlBody(t, `mutation { createArticle(input: {title: "Nope", body: "x", author: {name: "Eve"}}) { id } }`, nil), nil)
				wantStatus(t, res, http.StatusOK)
				wantJSON(t, res)
				wantCORS(t, res, allowedOrigin)
				g := decodeGQL(t, res)
				wantCode(t, g, "UNAUTHENTICATED")
				if d, ok := g.Data["createArticle"]; ok && string(d) != "null" {
					t.Errorf("data %s", d)
				}
				assertNoArticle(t, post, bearer, "nope")
			})

			t.Run("bad token", func(t *testing.T) {
				res := post(`{"query":"{ viewer { role } }"}`, map[string]string{"Authorization": "Bearer not-a-token"})
				wantStatus(t, res, http.StatusUnauthorized)
				wantJSON(t, res)
				wantCode(t, decodeGQL(t, res), "UNAUTHENTICATED")
				if res.header.Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate")
				}
			})

			t.Run("malformed body", func(t *testing.T) {
				res := post(`{"query": "{ viewer { role } `, nil)
				if res.status < 400 || res.status >= 500 {
					t.Fatalf("status %d, want 4xx; body %s", res.status, res.body)
				}
				wantJSON(t, res)
				wantCORS(t, res, allowedOrigin)
				if g := decodeGQL(t, res); len(g.Errors) == 0 || g.Errors[0].Message == "" {
					t.Errorf("no error message: %s", res.body)
				}
			})

			t.Run("binary body", func(t *testing.T) {
				// API Gateway base64-encodes bodies it takes for binary; the adapter decodes them.
				res := do(request{method: "POST", path: "/graphql", binary: true, body: `{"query":"{ viewer { role } }"}`,
					header: map[string]string{"Content-Type": "application/json"}})
				wantStatus(t, res, http.StatusOK)
				if !strings.Contains(string(res.body), "ANONYMOUS") {
					t.Errorf("body %s", res.body)
				}
			})

			t.Run("GET query", func(t *testing.T) {
				res := do(request{method: "GET", path: "/graphql", query: "query=" + url.QueryEscape("{ tools(first: 1) { totalCount } }"),
					header: map[string]string{"Origin": allowedOrigin}})
				wantStatus(t, res, http.StatusOK)
				wantJSON(t, res)
				wantCORS(t, res, allowedOrigin)
				if g := decodeGQL(t, res); len(g.Errors) > 0 || !strings.Contains(string(g.Data["tools"]), "totalCount") {
					t.Errorf("body %s", res.body)
				}
			})

			t.Run("GET mutation is refused", func(t *testing.T) {
				q := `mutation { createArticle(input: {title: "Sneaky Get", body: "x", author: {name: "Eve"}}) { id } }`
				res := do(request{method: "GET", path: "/graphql", query: "query=" + url.QueryEscape(q),
					header: map[string]string{"Origin": allowedOrigin, "Authorization": "Bearer " + editor}})
				if res.status < 400 || res.status >= 500 {
					t.Fatalf("status %d, want 4xx; body %s", res.status, res.body)
				}
				wantJSON(t, res)
				if g := decodeGQL(t, res); len(g.Errors) == 0 {
					t.Errorf("no error: %s", res.body)
				}
				assertNoArticle(t, post, bearer, "sneaky-get")
			})

			t.Run("introspection is off in production", func(t *testing.T) {
				res := post(`{"query":"{ __schema { queryType { name } } }"}`, nil)
				if g := decodeGQL(t, res); len(g.Errors) == 0 {
					t.Errorf("introspection answered: %s", res.body)
				}
			})

			// The studio: the same embedded files as pause serve, gzipped bytes through API
			// Gateway (base64 in the event), plain for a client without gzip.
			t.Run("studio", func(t *testing.T) {
				res := do(request{method: "GET", path: "/studio/tools/x", header: map[string]string{"Accept-Encoding": "gzip"}})
				wantStatus(t, res, http.StatusOK)
				if res.header.Get("Content-Encoding") != "gzip" || res.header.Get("Cache-Control") != studio.CacheIndex ||
					res.header.Get("Content-Security-Policy") != studio.CSP {
					t.Fatalf("GET /studio/tools/x: %v", res.header)
				}
				zr, err := gzip.NewReader(bytes.NewReader(res.body))
				if err != nil {
					t.Fatalf("not gzip: %v", err)
				}
				page, _ := io.ReadAll(zr)
				if !bytes.Equal(page, studio.Index()) {
					t.Fatalf("index.html: %s", page)
				}
				for name := range studio.Assets() {
					if name == "index.html" {
						continue
					}
					res := do(request{method: "GET", path: "/studio/" + name})
					wantStatus(t, res, http.StatusOK)
					if res.header.Get("Content-Encoding") != "" || res.header.Get("Cache-Control") != studio.CacheImmutable || len(res.body) <= studio.Assets()[name] {
						t.Errorf("GET /studio/%s without gzip: %v, %d bytes", name, res.header, len(res.body))
					}
				}
			})

			if n := ssm.Reads(); n != 1 {
				t.Errorf("the secret was read %d times from SSM, want once (at init)", n)
			}
			if ms := fn.initDuration(t); ms <= 0 {
				t.Errorf("init duration %v", ms)
			} else {
				t.Logf("cold start (%s events): Init Duration %.2f ms", version, ms)
			}
		})
	}
}

// assertNoArticle fails if an article with the slug exists, drafts included.
func assertNoArticle(t *testing.T, post func(string, map[string]string) response, bearer map[string]string, slug string) {
	t.Helper()
	res := post(gqlBody(t, `query($s: String!) { article(slug: $s) { id } }`, map[string]any{"s": slug}), bearer)
	g := decodeGQL(t, res)
	if len(g.Errors) > 0 || string(g.Data["article"]) != "null" {
		t.Errorf("an article %s exists (or the check failed): %s", slug, res.body)
	}
}

func remarshal(t *testing.T, data map[string]json.RawMessage, v any) {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

package server_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/bolt"
	"pause/server"
)

// introspectionQuery is the shape of the query GraphiQL sends to learn the schema.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

func TestIntrospection(t *testing.T) {
	for _, tc := range []struct {
		name      string
		configure func(*server.Config)
		open      bool
	}{
		{"development", func(c *server.Config) { c.Development = true }, true},
		{"production", nil, false},
		{"production, enabled explicitly", func(c *server.Config) { c.Introspection = true }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixtureWith(t, tc.configure)
			for _, q := range []string{
				introspectionQuery,
				`{ __schema { types { name } } }`,
				`{ __type(name: "Query") { fields { name } } }`,
				`{ viewer { role } ...Q } fragment Q on Query { __type(name: "Tool") { name } }`,
			} {
				r := f.do(t, request{body: fmt.Sprintf(`{"query":%q}`, q), header: map[string]string{"Accept": acceptGraphQL}})
				if tc.open {
					if r.status != 200 || r.json["errors"] != nil || !r.hasData() {
						t.Errorf("introspection refused: %d %.300s", r.status, r.body)
					}
					continue
				}
				if r.status != 400 || r.code() != "GRAPHQL_VALIDATION_FAILED" || r.hasData() || !strings.Contains(string(r.body), "Introspection is disabled") {
					t.Errorf("introspection answered: %d %.300s", r.status, r.body)
				}
			}
			// __typename is not introspection: clients add it everywhere.
			r := f.do(t, request{body: `{"query":"{ __typename viewer { __typename role } }"}`})
			if r.json["errors"] != nil {
				t.Errorf("__typename refused: %s", r.body)
			}
			// GraphiQL comes with introspection, and only with it.
			page := f.do(t, request{method: http.MethodGet, path: "/"})
			if served := page.status == 200 && strings.Contains(string(page.body), "graphiql"); served != tc.open {
				t.Errorf("GraphiQL served: %v, want %v (%d)", served, tc.open, page.status)
			}
		})
	}
}

// Suggestions name fields, arguments, types and values that the caller did not know of: in
// production there are none.
func TestNoSuggestionsInProduction(t *testing.T) {
	queries := []string{
		`{ tool(slug: "x") { nam } }`,
		`{ tools(frist: 1) { totalCount } }`,
		`{ tools(filter: {pricing: FRE}) { totalCount } }`,
		`{ tools(filter: {categry: "x"}) { totalCount } }`,
		`query($f: ToolFiltr) { tools(filter: $f) { totalCount } }`,
		`{ viewer }`,
		`{ toolz { totalCount } }`,
	}
	for _, dev := range []bool{true, false} {
		f := newFixture(t, dev)
		suggested := 0
		for _, q := range queries {
			r := f.do(t, request{body: fmt.Sprintf(`{"query":%q}`, q)})
			if r.code() != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("development=%v, %s: %s", dev, q, r.body)
			}
			if strings.Contains(string(r.body), "Did you mean") {
				suggested++
				if !dev {
					t.Errorf("production suggests: %s", r.body)
				}
			}
		}
		if dev && suggested == 0 {
			t.Errorf("development makes no suggestions at all")
		}
	}
}

// panickyTools is a tool store whose Categories panics.
type panickyTools struct{ pause.ToolStore }

func (panickyTools) Categories(context.Context, time.Time) ([]pause.CategoryCount, error) {
	panic("secret detail of the panic")
}

// A panic in a resolver is an INTERNAL error with the request id; the panic's words and stack
// reach the log only.
func TestPanicsAreMasked(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stores := db.Stores()
	stores.Tools = panickyTools{stores.Tools}
	f := newFixtureOn(t, stores, db, nil)
	r := f.do(t, request{body: `{"query":"{ viewer { role } toolCategories { name } }"}`})
	if r.status != 200 || r.code() != pause.EINTERNAL {
		t.Fatalf("panic: %d %s", r.status, r.body)
	}
	id := r.header.Get("X-Request-Id")
	if strings.Contains(string(r.body), "secret") || !strings.Contains(string(r.body), id) {
		t.Errorf("body %s: leaks the panic or lacks the request id %s", r.body, id)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "secret detail") || !strings.Contains(logs, id) {
		t.Errorf("the log lacks the panic or the request id:\n%s", logs)
	}
}

// Every response carries the security headers, whatever answers it; none names the server.
func TestSecurityHeaders(t *testing.T) {
	f := newFixtureWith(t, func(c *server.Config) { c.MaxBodyBytes = 100; c.CORSOrigins = []string{"https://app.example"} })
	for _, rq := range []request{
		{body: `{"query":"{ viewer { role } }"}`},
		{method: http.MethodGet, path: get("{ viewer { role } }")},
		{body: `{"query":"{"}`},
		{body: `{"query":"` + strings.Repeat("x", 200) + `"}`},
		{body: `{"query":"{ viewer { role } }"}`, header: map[string]string{"Authorization": "Bearer forged"}},
		{method: http.MethodGet, path: "/healthz"},
		{method: http.MethodGet, path: "/"},
		{method: http.MethodGet, path: "/nope"},
		{method: http.MethodDelete},
		{method: http.MethodOptions, header: map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}},
	} {
		r := f.do(t, rq)
		name := rq.method + " " + rq.path
		h := r.header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s (%d): headers %v", name, r.status, h)
		}
		if csp := h.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s (%d): CSP %q", name, r.status, csp)
		}
		if h.Get("Server") != "" || h.Get("X-Powered-By") != "" {
			t.Errorf("%s: names the server: %q %q", name, h.Get("Server"), h.Get("X-Powered-By"))
		}
		if r.status >= 500 {
			t.Errorf("%s: %d", name, r.status)
		}
	}
}

// GraphiQL gets a policy of its own: its inline script by hash, its CDN, no eval, and
// requests to this origin only.
func TestGraphiQLPolicy(t *testing.T) {
	f := newFixture(t, true)
	r := f.do(t, request{method: http.MethodGet, path: "/"})
	csp := r.header.Get("Content-Security-Policy")
	if r.status != 200 || r.header.Get("Strict-Transport-Security") != "" {
		t.Fatalf("GraphiQL: %d %v", r.status, r.header)
	}
	// The page is self-contained (package graphiql): no inline script, nothing from a CDN.
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).Match(r.body) {
		t.Errorf("GraphiQL has an inline script:\n%s", r.body)
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("GraphiQL policy lacks %q: %s", want, csp)
		}
	}
	for _, nope := range []string{"unsafe-eval", "unsafe-inline", "https:", "http:", "*"} {
		if strings.Contains(csp, nope) {
			t.Errorf("GraphiQL policy has %q: %s", nope, csp)
		}
	}
	// The API keeps its own policy in development too.
	api := f.do(t, request{body: `{"query":"{ viewer { role } }"}`})
	if api.header.Get("Content-Security-Policy") == csp {
		t.Errorf("the API has GraphiQL's policy")
	}
}

package server_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/bolt"
	"pause/graph"
	"pause/server"
)

// deepQuery is valid and nests depth levels: the schema's longest path is 5 deep
// (articles.edges.node.relatedTools.name), so deeper ones go through fragments... of which
// GraphQL has none that recurse. A test of the limit itself sets it lower.
const depth5 = `{ articles { edges { node { relatedTools { name } } } } }`

func TestLimits(t *testing.T) {
	f := newFixtureWith(t, func(c *server.Config) {
		c.Limits = graph.Limits{MaxDepth: 4, MaxComplexity: 221, MaxAliases: 3, MaxRootFields: 4, MaxDirectives: 5, MaxTokens: 200}
	})
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{ viewer { ")
		for i := range n {
			fmt.Fprintf(&b, "a%d: role ", i)
		}
		return b.String() + "} }"
	}
	directives := func(n int) string {
		return "{ viewer { " + strings.Repeat("role @include(if: true) ", n) + "} }"
	}
	for _, tc := range []struct {
		name, query string
		code        string // "" for success
	}{
		{"depth at the limit", `{ articles(first: 1) { nodes { relatedTools { name } } } }`, ""},
		{"depth over the limit", depth5, graph.CodeDepthLimit},
		{"complexity at the limit", `{ articles(first: 10) { nodes { relatedTools { id } } } }`, ""},
		{"complexity over the limit", `{ articles(first: 11) { nodes { relatedTools { id } } } }`, graph.CodeComplexityLimit},
		{"complexity counts first from variables", `query($n: Int) { articles(first: $n) { nodes { relatedTools { id } } } }`, ""},
		{"aliases at the limit", aliases(3), ""},
		{"aliases over the limit", aliases(4), graph.CodeAliasLimit},
		{"root fields at the limit", `{ __typename __typename __typename __typename }`, ""},
		{"root fields over the limit", `{ __typename __typename __typename __typename __typename }`, graph.CodeRootFieldLimit},
		{"root fields through fragments", `{ ...Q ... on Query { viewer { role } __typename } } fragment Q on Query { tools { totalCount } toolCategories { name } __typename }`, graph.CodeRootFieldLimit},
		{"directives at the limit", directives(5), ""},
		{"directives over the limit", directives(6), graph.CodeDirectiveLimit},
		{"tokens over the limit", "{ viewer { " + strings.Repeat("role ", 200) + "} }", graph.CodeTokenLimit},
		{"first over 100 is the CMS's", `{ tools(first: 101) { totalCount } }`, pause.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := `{}`
			if strings.Contains(tc.query, "$n") {
				vars = `{"n": 10}`
			}
			r := f.do(t, request{body: fmt.Sprintf(`{"query":%q,"variables":%s}`, tc.query, vars), header: map[string]string{"Accept": acceptGraphQL}})
			if r.code() != tc.code {
				t.Fatalf("code %q, want %q: %d %s", r.code(), tc.code, r.status, r.body)
			}
			wantStatus := 200
			if tc.code != "" && tc.code != pause.EINVALID {
				wantStatus = 400 // a request error: nothing ran
				if r.hasData() {
					t.Errorf("a refused request has data: %s", r.body)
				}
			}
			if r.status != wantStatus {
				t.Errorf("status %d, want %d: %s", r.status, wantStatus, r.body)
			}
		})
	}
}

func TestDefaultLimits(t *testing.T) {
	f := newFixtureWith(t, nil)
	for _, tc := range []struct {
		name, query, code string
	}{
		// The frontend's pages fit.
		{"home page", `{ article(slug: "x") { title body bodyHtml author { name avatarUrl } relatedTools { name slug tagline logoUrl websiteUrl } } benefits { nodes { title summaryHtml points icon } } tools(first: 0) { totalCount } toolCategories { name count } }`, ""},
		{"a full page of tools", `{ tools(first: 100) { edges { cursor node { id slug name tagline description descriptionHtml websiteUrl logoUrl category pricing platforms tags featured status publishedAt createdAt updatedAt version } } pageInfo { hasNextPage endCursor } totalCount } }`, ""},
		{"the deepest path", depth5, ""},
		// A page of 100 articles with 20 related tools each is too much at once.
		{"100 articles with their tools", `{ articles(first: 100) { nodes { title relatedTools { id name slug } } } }`, graph.CodeComplexityLimit},
		{"21 aliases", "{ viewer { " + strings.Repeat("r: role ", 0) + aliasList(21) + " } }", graph.CodeAliasLimit},
	} {
		r := f.do(t, request{body: fmt.Sprintf(`{"query":%q}`, tc.query)})
		if r.code() != tc.code {
			t.Errorf("%s: code %q, want %q: %s", tc.name, r.code(), tc.code, r.body)
		}
	}
}

func aliasList(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a%d: role ", i)
	}
	return b.String()
}

// A fragment spread twice at every level of thirty would be expanded 2^30 times by a naive
// walk; the limits measure each fragment once and refuse it at once.
func TestFragmentBomb(t *testing.T) {
	f := newFixtureWith(t, nil)
	const levels = 30
	var b strings.Builder
	b.WriteString("query { tools { nodes { ...F0a ...F0b } } }\n")
	for i := range levels {
		for _, side := range []string{"a", "b"} {
			if i == levels-1 {
				fmt.Fprintf(&b, "fragment F%d%s on Tool { id name }\n", i, side)
			} else {
				fmt.Fprintf(&b, "fragment F%d%s on Tool { ...F%da ...F%db }\n", i, side, i+1, i+1)
			}
		}
	}
	start := time.Now()
	r := f.do(t, request{body: fmt.Sprintf(`{"query":%q}`, b.String())})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the fragment bomb took %v", took)
	}
	if r.status != 200 || r.code() != graph.CodeComplexityLimit {
		t.Errorf("fragment bomb: %d %s", r.status, r.body)
	}
}

// slowTools is a tool store whose lists take delay, or until the context ends.
type slowTools struct {
	pause.ToolStore
	delay time.Duration
}

func (s slowTools) List(ctx context.Context, q pause.Query[pause.ToolFilter]) (*pause.Page[*pause.Tool], error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return nil, fmt.Errorf("slow store: %w", ctx.Err())
	}
	return s.ToolStore.List(ctx, q)
}

// A request that runs out of time gets TIMEOUT errors, not INTERNAL, and no 5xx.
func TestRequestTimeout(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stores := db.Stores()
	stores.Tools = slowTools{ToolStore: stores.Tools, delay: 5 * time.Second}
	f := newFixtureOn(t, stores, db, func(c *server.Config) { c.RequestTimeout = 100 * time.Millisecond })
	start := time.Now()
	r := f.do(t, request{body: `{"query":"{ viewer { role } tools { nodes { name } } }"}`})
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the request took %v with a timeout of 100ms", took)
	}
	if r.status != 200 || r.code() != graph.CodeTimeout {
		t.Fatalf("timed out request: %d %s, want 200 TIMEOUT", r.status, r.body)
	}
	if strings.Contains(string(r.body), "slow store") || strings.Contains(string(r.body), "deadline") {
		t.Errorf("the cause leaks: %s", r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("a timed out answer is cacheable: %q", r.header.Get("Cache-Control"))
	}
}

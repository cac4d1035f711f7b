package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"pause"
	"pause/bench"
	"pause/bolt"
	"pause/content"
	"pause/graph/internal/fastgen"
	"pause/ids"
	"pause/markdown"
)

// fastCorpus are the queries the differential test runs beside the benchmarks' (bench.Queries):
// the shapes clients send, and the variations that exercise the plan's edges (aliases,
// fragments, @skip/@include, __typename, variables, nulls, errors). Each runs as an anonymous
// caller, a viewer and an editor, with its variables.
var fastCorpus = []struct {
	query string
	vars  map[string]any
}{
	{`{ __typename tools(first: 3) { __typename totalCount nodes { __typename id name } } }`, nil},
	{`{ a: tool(slug: "asana") { n: name name t: tagline } b: tool(slug: "basecamp") { name } }`, nil},
	{`{ tool(slug: "no-such-tool") { name } }`, nil},
	{`{ tool(slug: "asana") { name publishedAt createdAt updatedAt status version audit { createdBy } draft { name } schedule { at } } }`, nil},
	{`{ tool(id: "nope", slug: "asana") { name } }`, nil},
	{`{ tool { name } }`, nil},
	{`query ($s: String!) { tool(slug: $s) { id slug name tagline description descriptionHtml websiteUrl logoUrl category pricing platforms tags featured } }`, map[string]any{"s": "asana"}},
	{`query ($s: String) { tool(slug: $s) { name } }`, map[string]any{"s": nil}},
	{`query ($f: Int, $c: String) { tools(first: $f, filter: { category: $c }) { totalCount nodes { name category } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, map[string]any{"f": 5, "c": "Team chat"}},
	{`query ($f: Int) { tools(first: $f) { nodes { name } } }`, map[string]any{"f": -1}},
	{`query ($f: Int) { tools(first: $f) { nodes { name } } }`, map[string]any{"f": 100000}},
	{`{ tools(first: 4, orderBy: UPDATED_AT) { edges { cursor node { name updatedAt } } } }`, nil},
	{`{ tools(last: 3) { nodes { name } pageInfo { hasPreviousPage startCursor } } }`, nil},
	{`{ tools(first: 2, last: 3) { nodes { name } } }`, nil},
	{`{ tools(first: 3, after: "not-a-cursor") { nodes { name } } }`, nil},
	{`{ tools(first: 5, filter: { pricing: FREE, featured: false }) { totalCount nodes { name pricing featured } } }`, nil},
	{`query ($p: Pricing) { tools(first: 5, filter: { pricing: $p }) { totalCount nodes { name pricing } } }`, map[string]any{"p": "PAID"}},
	{`query ($filter: ToolFilter) { tools(first: 5, filter: $filter) { totalCount nodes { name tags } } }`, map[string]any{"filter": map[string]any{"tag": "tasks"}}},
	{`{ tools(first: 5, filter: { status: DRAFT }) { totalCount nodes { name status } } }`, nil},
	{`{ tools(first: 0) { totalCount } }`, nil},
	{`{ tools(first: 0) { totalCount pageInfo { hasNextPage } } }`, nil},
	{`query ($skip: Boolean!, $inc: Boolean!) { tools(first: 2) { totalCount @skip(if: $skip) nodes { name @include(if: $inc) slug } } }`, map[string]any{"skip": true, "inc": false}},
	{`query ($skip: Boolean!, $inc: Boolean!) { tools(first: 2) { totalCount @skip(if: $skip) nodes { name @include(if: $inc) slug } } }`, map[string]any{"skip": false, "inc": true}},
	{`{ tools(first: 2) { nodes { ...T ... on Tool { tagline } ... @include(if: false) { logoUrl } } } } fragment T on Tool { id name ... on Node { id } }`, nil},
	{`query A { tools(first: 1) { nodes { name } } } query B { toolCategories { name count } }`, nil},
	{`{ toolCategories { name count } viewer { subject role authenticated } }`, nil},
	{`{ article(slug: "` + bench.SeedSlug + `") { id title coverImage { url alt width height } author { name avatarUrl } relatedTools { name pricing } draft { title } audit { updatedBy } } }`, nil},
	{`{ articles(first: 3) { totalCount nodes { title tags readingTimeMinutes publishedAt relatedTools { name } } } }`, nil},
	{`{ articles(first: 3, orderBy: TITLE) { edges { cursor node { slug excerpt } } pageInfo { endCursor } } }`, nil},
	{`{ benefits { totalCount nodes { id slug title summary summaryHtml points icon position status } } }`, nil},
	{`{ benefit(slug: "deep-work-becomes-possible-again") { title points } }`, nil},
	{`{ node(id: "x") { id } nodes(ids: []) { id } }`, nil},
	{`{ contentTypes { name } }`, nil},
	{`{ __schema { queryType { name } } }`, nil},
	{`{ __type(name: "Tool") { name } }`, nil},
	{`{ tools(first: 1) { nodes { __typename ... on Node { id } } } }`, nil},
	{`{ articleRevisions(id: "x") { nodes { number } } }`, nil},
	{`{ renderMarkdown(markdown: "# hi") }`, nil},
	{`{ t1: tools(first: 1) { nodes { name } } t2: tools(first: 2, after: null) { nodes { name } } c: toolCategories { name } }`, nil},
}

// newFastAPI returns a CMS with the sample content, a published tool with a pending draft, a
// draft tool, and two handlers over it: with the fast path, and gqlgen alone.
func newFastAPI(t *testing.T) (fast, slow http.Handler) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	admin := pause.NewContext(context.Background(), &pause.Viewer{Subject: "admin", Role: pause.RoleAdmin})
	if _, err := content.Import(admin, cms, content.Sample); err != nil {
		t.Fatal(err)
	}
	for _, in := range bench.ExtraTools(4) {
		tool, err := cms.Tools.Create(admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if in.Featured != nil && *in.Featured {
			continue // stays a draft
		}
		if tool, err = cms.Tools.Publish(admin, tool.ID, tool.Version); err != nil {
			t.Fatal(err)
		}
		tagline, description := "Edited \"quoted\" \\ and ünïcödé </script>", "A\ttab,\r\na line\n\n- \"list\""
		if _, err := cms.Tools.Update(admin, tool.ID, tool.Version, pause.ToolInput{Tagline: &tagline, Description: &description}); err != nil {
			t.Fatal(err)
		}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	return newHandler(Options{CMS: cms, Logger: quiet}, true), newHandler(Options{CMS: cms, Logger: quiet}, false)
}

// sameAnswer reports whether two answers are the same: byte for byte, but for the order of
// errors, which gqlgen itself does not keep (root fields run concurrently, each adds its own).
func sameAnswer(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	type answer struct {
		Data       json.RawMessage
		Errors     []json.RawMessage
		Extensions json.RawMessage
	}
	var x, y answer
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil || len(x.Errors) != len(y.Errors) ||
		!bytes.Equal(x.Data, y.Data) || !bytes.Equal(x.Extensions, y.Extensions) {
		return false
	}
	errs := func(l []json.RawMessage) []string {
		out := make([]string, len(l))
		for i, e := range l {
			out[i] = string(e)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(errs(x.Errors), errs(y.Errors))
}

// TestFastReadsDifferential: every query of the corpus and of the benchmarks answers byte for
// byte as gqlgen alone answers it (data, errors, extensions), for every role, twice (the second
// time from the cached plan).
func TestFastReadsDifferential(t *testing.T) {
	fast, slow := newFastAPI(t)
	type q struct {
		query string
		vars  map[string]any
	}
	var all []q
	for _, b := range bench.Queries {
		all = append(all, q{b.Text, nil})
	}
	for _, c := range fastCorpus {
		all = append(all, q{c.query, c.vars})
	}
	served := fastStats.served.Load()
	for _, c := range all {
		for _, role := range []pause.Role{pause.RoleAnonymous, pause.RoleViewer, pause.RoleEditor} {
			want := PostAs(slow, role, c.query, c.vars)
			for range 2 {
				if got := PostAs(fast, role, c.query, c.vars); !sameAnswer(got, want) {
					t.Errorf("%s as %s, %v:\nfast:   %s\ngqlgen: %s", c.query, role, c.vars, got, want)
				}
			}
		}
	}
	if fastStats.served.Load() == served {
		t.Fatal("the fast path answered nothing")
	}
}

// TestFastReadsServeBenchmarks: the benchmarked queries are answered by the fast path, not by
// its fallback, so that the benchmarks measure it.
func TestFastReadsServeBenchmarks(t *testing.T) {
	fast, _ := newFastAPI(t)
	for _, b := range bench.Queries {
		served, retried, unsupported := fastStats.served.Load(), fastStats.retried.Load(), fastStats.unsupported.Load()
		PostAs(fast, pause.RoleAnonymous, b.Text, nil)
		if fastStats.served.Load() != served+1 || fastStats.retried.Load() != retried || fastStats.unsupported.Load() != unsupported {
			t.Errorf("%s: not answered by the fast path", b.Name)
		}
	}
}

// TestFastReadsDeadline: a request whose time is up gets gqlgen's TIMEOUT through the root field
// interceptor, whichever path runs it.
func TestFastReadsDeadline(t *testing.T) {
	fast, slow := newFastAPI(t)
	q := `{ tools(first: 2) { nodes { name } } }`
	body, _ := json.Marshal(map[string]any{"query": q})
	run := func(h http.Handler) []byte {
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Body.Bytes()
	}
	got, want := run(fast), run(slow)
	if !bytes.Equal(got, want) || !strings.Contains(string(got), CodeTimeout) {
		t.Fatalf("fast: %s\ngqlgen: %s", got, want)
	}
}

// TestAppendQuoted: strings are escaped exactly as gqlgen escapes them.
func TestAppendQuoted(t *testing.T) {
	var cases []string
	for b := range 256 {
		cases = append(cases, string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"z")
	}
	cases = append(cases, "", "plain", `"quoted" \ back`, "tab\tcr\rnl\n", "ünïcödé ✓ 🙂", "\xff\xfe invalid", "\u2028\u2029", "</script>&<>")
	for _, s := range cases {
		var want bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		if got := appendQuoted(nil, s); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%q: %s, gqlgen %s", s, got, want.Bytes())
		}
	}
}

// TestFastBindingsUpToDate: fastbind_gen.go is what fastgen makes of generated.go: run
// `go generate ./...` after changing the schema.
func TestFastBindingsUpToDate(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	want, err := fastgen.Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("fastbind_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("fastbind_gen.go is out of date: run go generate ./...")
	}
}

// TestFastBindings: every field of every object type the fast path can reach from Query binds
// to a resolver, method or field whose Go types agree with the schema's, so that no field
// falls back to gqlgen for want of a binding.
func TestFastBindings(t *testing.T) {
	resolvers := &Resolver{}
	c := &compiler{schema: NewExecutableSchema(Config{Resolvers: resolvers}).Schema(), bindings: fastBindings(resolvers)}
	type object struct {
		def *ast.Definition
		gt  reflect.Type
	}
	var queue []object
	seen := map[string]bool{}
	reach := func(t *ast.Type, gt reflect.Type) {
		for gt.Kind() == reflect.Pointer || gt.Kind() == reflect.Slice {
			gt = gt.Elem()
		}
		def := c.schema.Types[t.Name()]
		if def == nil || def.Kind != ast.Object || gt.Kind() != reflect.Struct || seen[def.Name] {
			return
		}
		seen[def.Name] = true
		queue = append(queue, object{def, gt})
	}
	for _, fd := range c.schema.Query.Fields {
		if b, ok := c.bindings["Query."+fd.Name]; ok {
			reach(fd.Type, reflect.TypeOf(b.fn).Out(0))
		}
	}
	checked := 0
	for len(queue) > 0 {
		o := queue[0]
		queue = queue[1:]
		for _, fd := range o.def.Fields {
			if strings.HasPrefix(fd.Name, "__") {
				continue
			}
			b, err := c.bind(o.def, o.gt, fd)
			if err != nil {
				t.Errorf("%s.%s: %v", o.def.Name, fd.Name, err)
				continue
			}
			checked++
			reach(fd.Type, b.out)
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d bindings", checked)
	}
	t.Logf("%d bindings of %d object types", checked, len(seen))
}

// TestFastReadsTestCorpus: the query documents written in graph's and server's tests (string
// literals that start with `{` or `query`) answer through the fast path as through gqlgen alone,
// for every role. Most name items that the store here does not have: their nulls and errors
// must match too.
func TestFastReadsTestCorpus(t *testing.T) {
	files, _ := filepath.Glob("*_test.go")
	more, _ := filepath.Glob("../server/*_test.go")
	literal := regexp.MustCompile("`(\\s*(?:query\\b|\\{)[^`]*)`")
	seen := map[string]bool{}
	var queries []string
	for _, name := range append(files, more...) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			q := m[1]
			if seen[q] || strings.Contains(q, "%") || strings.Contains(q, "mutation") || strings.Contains(q, "subscription") {
				continue
			}
			seen[q] = true
			queries = append(queries, q)
		}
	}
	if len(queries) < 20 {
		t.Fatalf("found %d queries in the tests", len(queries))
	}
	fast, slow := newFastAPI(t)
	served := fastStats.served.Load()
	for _, q := range queries {
		for _, role := range []pause.Role{pause.RoleAnonymous, pause.RoleEditor} {
			want := PostAs(slow, role, q, nil)
			if got := PostAs(fast, role, q, nil); !sameAnswer(got, want) {
				t.Errorf("%s as %s:\nfast:   %s\ngqlgen: %s", q, role, got, want)
			}
		}
	}
	t.Logf("%d queries from the tests, %d answers from the fast path", len(queries), fastStats.served.Load()-served)
}

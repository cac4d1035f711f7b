package graph_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"pause"
	"pause/bolt"
	"pause/graph"
	"pause/ids"
	"pause/markdown"
)

// recordingTools counts the tools store's reads.
type recordingTools struct {
	pause.ToolStore
	mu    sync.Mutex
	calls map[string]int
	many  [][]string // the ids of each GetMany
}

func (s *recordingTools) add(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[name]++
}

func (s *recordingTools) take() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls
	s.calls, s.many = map[string]int{}, nil
	return c
}

func (s *recordingTools) List(ctx context.Context, q pause.Query[pause.ToolFilter]) (*pause.Page[*pause.Tool], error) {
	s.add("List")
	return s.ToolStore.List(ctx, q)
}

func (s *recordingTools) Count(ctx context.Context, f pause.ToolFilter) (int, error) {
	s.add("Count")
	return s.ToolStore.Count(ctx, f)
}

func (s *recordingTools) GetMany(ctx context.Context, ids []string) ([]*pause.Tool, error) {
	s.add("GetMany")
	s.mu.Lock()
	s.many = append(s.many, ids)
	s.mu.Unlock()
	return s.ToolStore.GetMany(ctx, ids)
}

type listRig struct {
	cms    *pause.CMS
	tools  *recordingTools
	h      http.Handler
	editor context.Context
}

func newListRig(t *testing.T) *listRig {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	stores := db.Stores()
	r := &listRig{tools: &recordingTools{ToolStore: stores.Tools, calls: map[string]int{}}}
	stores.Tools = r.tools
	r.cms = pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New})
	r.h = graph.NewHandler(graph.Options{CMS: r.cms})
	r.editor = pause.NewContext(context.Background(), &pause.Viewer{Subject: "e", Role: pause.RoleEditor})
	return r
}

func (r *listRig) tool(t *testing.T, name string, publish bool) *pause.Tool {
	t.Helper()
	url, cat, pricing := "https://example.com/"+name, "Chat", pause.PricingFree
	tool, err := r.cms.Tools.Create(r.editor, pause.ToolInput{Name: &name, WebsiteURL: &url, Category: &cat, Pricing: &pricing})
	if err != nil {
		t.Fatal(err)
	}
	if publish {
		if tool, err = r.cms.Tools.Publish(r.editor, tool.ID, tool.Version); err != nil {
			t.Fatal(err)
		}
	}
	return tool
}

func (r *listRig) do(t *testing.T, q string) string {
	t.Helper()
	return string(graph.PostAs(r.h, pause.RoleAnonymous, q, nil))
}

// TestConnectionReads: a connection reads its list and its count at once, reads no list for
// first: 0 unless pageInfo asks about it, and keeps the list's answers and errors.
func TestConnectionReads(t *testing.T) {
	r := newListRig(t)
	r.tool(t, "One", true)
	r.tool(t, "Two", true)
	r.tool(t, "Hidden", false)
	r.tools.take()
	for _, c := range []struct {
		query, want string
		calls       map[string]int
	}{
		{`{ tools(first: 0) { totalCount } }`, `{"data":{"tools":{"totalCount":2}}}`, map[string]int{"Count": 1}},
		{`{ tools(first: 0) { totalCount nodes { name } } }`, `{"data":{"tools":{"totalCount":2,"nodes":[]}}}`, map[string]int{"Count": 1}},
		{`{ tools(first: 0) { totalCount pageInfo { hasNextPage } } }`, `{"data":{"tools":{"totalCount":2,"pageInfo":{"hasNextPage":true}}}}`, map[string]int{"Count": 1, "List": 1}},
		{`{ tools(first: 1) { totalCount nodes { name } } }`, `{"data":{"tools":{"totalCount":2,"nodes":[{"name":"One"}]}}}`, map[string]int{"Count": 1, "List": 1}},
		{`{ tools(first: 1) { nodes { name } } }`, `{"data":{"tools":{"nodes":[{"name":"One"}]}}}`, map[string]int{"List": 1}},
	} {
		got := r.do(t, c.query)
		calls := r.tools.take()
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.query, got, c.want)
		}
		if len(calls) != len(c.calls) || calls["List"] != c.calls["List"] || calls["Count"] != c.calls["Count"] {
			t.Errorf("%s: store calls %v, want %v", c.query, calls, c.calls)
		}
	}
	// What the list would refuse, the count refuses too.
	if got := r.do(t, `{ tools(first: 0, filter: {status: DRAFT}) { totalCount } }`); !strings.Contains(got, `"FORBIDDEN"`) {
		t.Errorf("an anonymous count of drafts: %s", got)
	}
	if got := r.do(t, `{ tools(first: 0, after: "nonsense") { totalCount } }`); !strings.Contains(got, `"BAD_USER_INPUT"`) {
		t.Errorf("first: 0 with a bad cursor: %s", got)
	}
}

// TestRelatedToolsHint: the second read of an article reads its related tools at the same
// time as the article, from what the first read named; a tool the article no longer names is
// not shown, a tool it names since is read after it, and a tool hidden from the viewer stays
// hidden.
func TestRelatedToolsHint(t *testing.T) {
	r := newListRig(t)
	one, two, three := r.tool(t, "One", true), r.tool(t, "Two", true), r.tool(t, "Three", true)
	hidden := r.tool(t, "Hidden", false)
	title, author := "Page", pause.Author{Name: "Ann"}
	a, err := r.cms.Articles.Create(r.editor, pause.ArticleInput{Title: &title, Author: &author, RelatedToolIDs: []string{one.ID, two.ID, hidden.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = r.cms.Articles.Publish(r.editor, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	q := `{ article(slug: "page") { relatedTools { name } } }`
	want := `{"data":{"article":{"relatedTools":[{"name":"One"},{"name":"Two"}]}}}`
	r.tools.take()
	for i := range 2 {
		if got := r.do(t, q); got != want {
			t.Fatalf("read %d: %s, want %s", i+1, got, want)
		}
		if calls := r.tools.take(); calls["GetMany"] != 1 {
			t.Fatalf("read %d: tool reads %v, want one GetMany", i+1, calls)
		}
	}
	// The article changes its relations: the hint reads what it named, the rest follows.
	if a, err = r.cms.Articles.Unpublish(r.editor, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	if a, err = r.cms.Articles.Update(r.editor, a.ID, a.Version, pause.ArticleInput{RelatedToolIDs: []string{three.ID, one.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err = r.cms.Articles.Publish(r.editor, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	r.tools.take()
	want = `{"data":{"article":{"relatedTools":[{"name":"Three"},{"name":"One"}]}}}`
	if got := r.do(t, q); got != want {
		t.Fatalf("after the change: %s, want %s", got, want)
	}
	if calls := r.tools.take(); calls["GetMany"] != 2 {
		t.Fatalf("after the change: tool reads %v, want the hint's and the new tool's", calls)
	}
	if got := r.do(t, q); got != want {
		t.Fatalf("again: %s, want %s", got, want)
	}
	if calls := r.tools.take(); calls["GetMany"] != 1 {
		t.Fatalf("again: tool reads %v, want one GetMany", calls)
	}
}

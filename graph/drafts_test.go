package graph_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"pause"
	"pause/bolt"
	"pause/graph"
	"pause/ids"
	"pause/markdown"
)

// TestDraftField: the draft of a published article reaches viewers through the draft field,
// and never anonymous callers, by id or in a list.
func TestDraftField(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	h := graph.NewHandler(graph.Options{CMS: cms})
	editor := pause.NewContext(context.Background(), &pause.Viewer{Subject: "e", Role: pause.RoleEditor})
	title, author := "Live", pause.Author{Name: "Ann"}
	a, err := cms.Articles.Create(editor, pause.ArticleInput{Title: &title, Author: &author})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = cms.Articles.Publish(editor, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	edited := "Edited"
	if _, err = cms.Articles.Update(editor, a.ID, a.Version, pause.ArticleInput{Title: &edited}); err != nil {
		t.Fatal(err)
	}

	do := func(role pause.Role, q string) string { return string(graph.PostAs(h, role, q, nil)) }
	q := `{ article(id: "` + a.ID + `") { title draft { title } } articles { nodes { title draft { title } } } }`
	want := map[pause.Role]string{
		pause.RoleAnonymous: `{"data":{"article":{"title":"Live","draft":null},"articles":{"nodes":[{"title":"Live","draft":null}]}}}`,
		pause.RoleViewer:    `{"data":{"article":{"title":"Live","draft":{"title":"Edited"}},"articles":{"nodes":[{"title":"Live","draft":{"title":"Edited"}}]}}}`,
	}
	for role, w := range want {
		if got := do(role, q); got != w {
			t.Errorf("as %s:\n got %s\nwant %s", role, got, w)
		}
	}

	// Every write kept a revision, with the item as it left it.
	q = `{ articleRevisions(id: "` + a.ID + `", first: 2) { nodes { number action fields item { ... on ArticleSnapshot { title draft { title } } } } pageInfo { hasNextPage endCursor } } }`
	w := `{"data":{"articleRevisions":{"nodes":[` +
		`{"number":3,"action":"update","fields":["draft"],"item":{"title":"Live","draft":{"title":"Edited"}}},` +
		`{"number":2,"action":"publish","fields":["publishedAt","publishedBy","status"],"item":{"title":"Live","draft":null}}],` +
		`"pageInfo":{"hasNextPage":true,"endCursor":"2"}}}}`
	if got := do(pause.RoleViewer, q); got != w {
		t.Errorf("revisions:\n got %s\nwant %s", got, w)
	}

	// A scheduled unpublishing is for viewers to see, not the public.
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if _, err := cms.Articles.UnpublishAt(editor, a.ID, 3, &at); err != nil {
		t.Fatal(err)
	}
	q = `{ article(id: "` + a.ID + `") { status schedule { at status by } } }`
	for role, w := range map[pause.Role]string{
		pause.RoleAnonymous: `{"data":{"article":{"status":"PUBLISHED","schedule":null}}}`,
		pause.RoleViewer:    `{"data":{"article":{"status":"PUBLISHED","schedule":{"at":"` + at.Format(time.RFC3339) + `","status":"DRAFT","by":"e"}}}}`,
	} {
		if got := do(role, q); got != w {
			t.Errorf("schedule as %s:\n got %s\nwant %s", role, got, w)
		}
	}
}

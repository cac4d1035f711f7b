package storetest

import (
	"fmt"
	"slices"
	"time"

	"pause"
	"pause/ids"
	"pause/markdown"
)

// testRevisions: every write keeps a revision — who, when, what, which fields — newest first,
// page by page; a restore brings an old content back as a new version (as the draft of a
// published item, in place otherwise); deleting the item deletes its revisions.
func testRevisions[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	titleField := "title"
	if k.name == "tool" {
		titleField = "name"
	}
	x := k.mustCreate(e, "First", "first")
	id := x.Metadata().ID
	e.clock.Advance(time.Minute)
	x, err := k.rename(withSubject(e.editor, "bob"), id, 1, "Second")
	e.must(err, "rename")
	k.mustPublish(e, x)
	_, err = k.rename(e.editor, id, 3, "Third")
	e.must(err, "rename the published item")

	_, err = k.revisions(e.anon, id, 10, "")
	e.wantCode(err, pause.EUNAUTHENTICATED, "", "anonymous revisions")
	page, err := k.revisions(e.viewer, id, 10, "")
	e.must(err, "viewer's revisions")
	type row struct {
		n            int
		action, by   string
		fields       []string
		title, draft string
	}
	var got []row
	for _, r := range page.Revisions {
		item := r.Item.(T)
		d := ""
		if dr := pause.DraftOf(item); !isNil(dr) {
			d = k.title(dr)
		}
		got = append(got, row{r.Number, r.Action, r.By, r.Fields, k.title(item), d})
	}
	want := []row{
		{4, "update", "alice", []string{"draft"}, "Second", "Third"},
		{3, "publish", "alice", []string{"publishedAt", "publishedBy", "status"}, "Second", ""},
		{2, "update", "bob", []string{titleField}, "Second", ""},
		{1, "create", "alice", []string{}, "First", ""},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || page.HasNextPage {
		e.Fatalf("revisions:\n got %v (more: %v)\nwant %v", got, page.HasNextPage, want)
	}
	e.wantTime(page.Revisions[3].At, Start, "revision 1 at")
	e.wantTime(page.Revisions[2].At, Start.Add(time.Minute), "revision 2 at")

	// Page by page.
	p1, err := k.revisions(e.editor, id, 2, "")
	e.must(err, "first page")
	p2, err := k.revisions(e.editor, id, 2, p1.EndCursor())
	e.must(err, "second page")
	if n := numbers(p1); !slices.Equal(n, []int{4, 3}) || !p1.HasNextPage {
		e.Fatalf("first page %v (more: %v)", n, p1.HasNextPage)
	}
	if n := numbers(p2); !slices.Equal(n, []int{2, 1}) || p2.HasNextPage {
		e.Fatalf("second page %v (more: %v)", n, p2.HasNextPage)
	}
	_, err = k.revisions(e.editor, id, 2, "not a cursor")
	e.wantCode(err, pause.EINVALID, "after", "a forged cursor")
	_, err = k.revisions(e.editor, "no-such-id", 2, "")
	e.wantCode(err, pause.ENOTFOUND, "", "revisions of nothing")

	// Restore, onto a published item: the draft.
	_, err = k.restore(e.viewer, id, 1, 4)
	e.wantCode(err, pause.EFORBIDDEN, "", "viewer restores")
	_, err = k.restore(e.editor, id, 1, 3)
	e.wantCode(err, pause.ECONFLICT, "", "restore at a stale version")
	_, err = k.restore(e.editor, id, 99, 4)
	e.wantCode(err, pause.ENOTFOUND, "", "restore of no revision")
	x, err = k.restore(e.editor, id, 1, 4)
	e.must(err, "restore revision 1")
	if d := pause.DraftOf(x); k.title(x) != "Second" || isNil(d) || k.title(d) != "First" || x.Metadata().Version != 5 {
		e.Fatalf("after restoring onto a published item: title %q, draft %v, version %d", k.title(x), !isNil(d), x.Metadata().Version)
	}
	same(e, k.stored(e, id), x, "stored after restore")
	pub, err := k.get(e.anon, id)
	e.must(err, "anonymous get")
	if k.title(pub) != "Second" {
		e.Fatalf("a restore reached the public: %q", k.title(pub))
	}
	page, err = k.revisions(e.editor, id, 1, "")
	e.must(err, "newest revision")
	if r := page.Revisions[0]; r.Number != 5 || r.Action != "restore" || !slices.Equal(r.Fields, []string{"draft." + titleField}) {
		e.Fatalf("restore's revision: %d %s %v", r.Number, r.Action, r.Fields)
	}
	x = k.mustPublish(e, x)
	if k.title(x) != "First" {
		e.Fatalf("published restore: %q", k.title(x))
	}

	// Restore onto an unpublished item: in place; a revision with a draft brings the draft.
	x, err = k.unpublish(e.editor, id, x.Metadata().Version)
	e.must(err, "unpublish")
	x, err = k.restore(e.editor, id, 4, x.Metadata().Version)
	e.must(err, "restore revision 4")
	if pause.HasDraft(x) || k.title(x) != "Third" || x.Metadata().Status != pause.StatusDraft {
		e.Fatalf("after restoring onto a draft: title %q, draft %v", k.title(x), pause.HasDraft(x))
	}
	same(e, k.stored(e, id), x, "stored after the second restore")

	e.must(k.del(e.admin, id, x.Metadata().Version), "delete")
	revs, _, err := k.store.Revisions(e.anon, id, 10, 0)
	e.must(err, "store: revisions of a deleted item")
	if len(revs) != 0 {
		e.Fatalf("a deleted item keeps %d revisions", len(revs))
	}
}

func numbers(p *pause.RevisionPage) []int {
	var out []int
	for _, r := range p.Revisions {
		out = append(out, r.Number)
	}
	return out
}

// testRevisionsPruned: only the configured number of revisions is kept; older ones go in the
// write that makes a new one.
func testRevisionsPruned(e *env) {
	cms := pause.NewCMS(pause.Config{Stores: e.stores, Markdown: markdown.New(), NewID: ids.New, Now: e.clock.Now, KeepRevisions: 3})
	a, err := cms.Articles.Create(e.editor, articleInput("Pruned"))
	e.must(err, "create")
	for i := range 5 {
		a, err = cms.Articles.Update(e.editor, a.ID, a.Version, pause.ArticleInput{Excerpt: ptr(fmt.Sprint(i))})
		e.must(err, "update")
	}
	page, err := cms.Articles.Revisions(e.editor, a.ID, 10, "")
	e.must(err, "revisions")
	if n := numbers(page); !slices.Equal(n, []int{6, 5, 4}) {
		e.Fatalf("kept revisions %v, want [6 5 4]", n)
	}
	_, err = cms.Articles.Restore(e.editor, a.ID, 3, a.Version)
	e.wantCode(err, pause.ENOTFOUND, "", "restore a pruned revision")
	a, err = cms.Articles.Restore(e.editor, a.ID, 4, a.Version)
	e.must(err, "restore revision 4")
	if a.Excerpt != "2" {
		e.Fatalf("restored excerpt %q, want %q", a.Excerpt, "2")
	}
}

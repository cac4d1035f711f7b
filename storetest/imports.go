package storetest

import (
	"context"
	"reflect"
	"time"

	"pause"
)

// testRelatedUnknown: an article may only name tools that exist.
func testRelatedUnknown(e *env) {
	k := articleKind(e)
	known := e.mustCreateTool("Known")
	for _, related := range [][]string{{"no-such-tool"}, {known.ID, "no-such-tool"}} {
		in := articleInput("Related")
		in.RelatedToolIDs = related
		_, err := e.cms.Articles.Create(e.editor, in)
		e.wantCode(err, pause.EINVALID, "relatedToolIds", "create with an unknown related tool")
	}
	k.wantStoreCount(e, 0, "after creates with unknown related tools")

	a := k.mustCreate(e, "Existing", "")
	_, err := e.cms.Articles.Update(e.editor, a.ID, a.Version, pause.ArticleInput{RelatedToolIDs: []string{"no-such-tool"}})
	e.wantCode(err, pause.EINVALID, "relatedToolIds", "update with an unknown related tool")
	same(e, k.stored(e, a.ID), a, "article after a refused update")
}

// testRelatedKnown: related tools keep their order, once each, and the public sees the
// published ones.
func testRelatedKnown(e *env) {
	tk := toolKind(e)
	draft := e.mustCreateTool("Draft Tool")
	pub := tk.mustPublish(e, e.mustCreateTool("Published Tool"))
	in := articleInput("Related")
	in.RelatedToolIDs = []string{pub.ID, draft.ID, pub.ID}
	a, err := e.cms.Articles.Create(e.editor, in)
	e.must(err, "create with related tools")
	a = articleKind(e).mustPublish(e, a)

	got, err := e.cms.Articles.Get(e.anon, a.ID)
	e.must(err, "anonymous get")
	if !reflect.DeepEqual(got.RelatedToolIDs, []string{pub.ID, draft.ID}) {
		e.Fatalf("RelatedToolIDs = %v, want [%s %s]", got.RelatedToolIDs, pub.ID, draft.ID)
	}
	tools, err := e.cms.Tools.GetMany(e.anon, got.RelatedToolIDs)
	e.must(err, "anonymous related tools")
	wantIDs(e, tools, seq(pub), "anonymous related tools")
	tools, err = e.cms.Tools.GetMany(e.editor, got.RelatedToolIDs)
	e.must(err, "editor's related tools")
	wantIDs(e, tools, seq(pub, draft), "editor's related tools")

	e.must(e.cms.Tools.Delete(e.admin, pub.ID, pub.Version), "delete a related tool")
	tools, err = e.cms.Tools.GetMany(e.editor, got.RelatedToolIDs)
	e.must(err, "related tools after a delete")
	wantIDs(e, tools, seq(draft), "related tools after a delete")

	// The article still names the deleted tool, and can still be edited and published.
	a, err = e.cms.Articles.Update(e.editor, a.ID, a.Version, pause.ArticleInput{Excerpt: ptr("Fixed a typo.")})
	e.must(err, "edit an article whose related tool was deleted")
	_, err = e.cms.Articles.Unpublish(e.editor, a.ID, a.Version)
	e.must(err, "unpublish an article whose related tool was deleted")
}

// testImport: an import creates, changes nothing when repeated, and replaces when changed,
// keeping the id and counting versions.
func testImport[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	created := time.Date(2024, 5, 1, 12, 0, 0, 123456000, time.UTC)
	published := created.Add(time.Hour)
	updated := created.Add(48 * time.Hour)
	full := func(title string) T {
		item := k.sample(title, "imported")
		m := item.Metadata()
		m.Status, m.CreatedAt, m.UpdatedAt, m.PublishedAt = pause.StatusPublished, created, updated, ptr(published)
		return item
	}

	changed, err := k.importItem(e.admin, full("Imported"))
	e.must(err, "import")
	if !changed {
		e.Fatal("first import: changed = false")
	}
	first, err := k.store.GetBySlug(context.Background(), "imported")
	e.must(err, "get the imported item")
	m := first.Metadata()
	if m.ID == "" || m.Version != 1 || m.Status != pause.StatusPublished || k.title(first) != "Imported" {
		e.Fatalf("imported: id %q, version %d, status %s, title %q", m.ID, m.Version, m.Status, k.title(first))
	}
	e.wantTime(m.CreatedAt, created, "imported CreatedAt")
	e.wantTime(m.UpdatedAt, updated, "imported UpdatedAt")
	if m.PublishedAt == nil {
		e.Fatal("imported PublishedAt is nil")
	}
	e.wantTime(*m.PublishedAt, published, "imported PublishedAt")
	got, err := k.getBySlug(e.anon, "imported")
	e.must(err, "anonymous get of the imported item")
	same(e, got, first, "imported item")

	e.clock.Advance(time.Hour)
	changed, err = k.importItem(e.admin, full("Imported"))
	e.must(err, "import again")
	if changed {
		e.Fatal("the same import again: changed = true, want false")
	}
	if again := k.stored(e, m.ID); !reflect.DeepEqual(again, first) {
		same(e, again, first, "item after the same import")
		e.Fatalf("item after the same import changed: %#v", again)
	}

	changed, err = k.importItem(e.admin, full("Imported, Revised"))
	e.must(err, "import a change")
	if !changed {
		e.Fatal("a changed import: changed = false")
	}
	revised := k.stored(e, m.ID)
	if v := revised.Metadata().Version; v != 2 || k.title(revised) != "Imported, Revised" {
		e.Fatalf("after a changed import: version %d, title %q; want 2, the new title", v, k.title(revised))
	}
	k.wantStoreCount(e, 1, "after three imports of one slug")

	// An import with no status or times is a draft stamped with the clock; repeating it
	// changes nothing either.
	now := e.clock.Now()
	changed, err = k.importItem(e.admin, k.sample("Fresh", ""))
	e.must(err, "import a bare item")
	fresh, err := k.store.GetBySlug(context.Background(), "fresh")
	e.must(err, "get the bare import")
	fm := fresh.Metadata()
	if !changed || fm.Status != pause.StatusDraft || fm.Version != 1 || fm.PublishedAt != nil {
		e.Fatalf("bare import: changed %v, status %s, version %d, publishedAt %v", changed, fm.Status, fm.Version, fm.PublishedAt)
	}
	e.wantTime(fm.CreatedAt, now, "bare import CreatedAt")
	e.wantTime(fm.UpdatedAt, now, "bare import UpdatedAt")
	e.clock.Advance(time.Hour)
	changed, err = k.importItem(e.admin, k.sample("Fresh", ""))
	e.must(err, "import the bare item again")
	if changed {
		e.Fatal("the same bare import again: changed = true, want false")
	}
	same(e, k.stored(e, fm.ID), fresh, "bare item after the same import")

	// A changed import that carries no times is stamped with the clock.
	now = e.clock.Now()
	revisedFresh := k.sample("Fresh, Revised", "fresh")
	changed, err = k.importItem(e.admin, revisedFresh)
	e.must(err, "import a change to the bare item")
	got = k.stored(e, fm.ID)
	if gm := got.Metadata(); !changed || gm.Version != 2 || k.title(got) != "Fresh, Revised" {
		e.Fatalf("changed bare import: changed %v, version %d, title %q", changed, gm.Version, k.title(got))
	}
	e.wantTime(got.Metadata().UpdatedAt, now, "UpdatedAt after a changed bare import")
	e.wantTime(got.Metadata().CreatedAt, fm.CreatedAt, "CreatedAt after a changed bare import")

	// A published import with no publication time is published now, once.
	now = e.clock.Advance(time.Hour)
	pubNow := func() T {
		item := k.sample("Published Now", "published-now")
		item.Metadata().Status = pause.StatusPublished
		return item
	}
	_, err = k.importItem(e.admin, pubNow())
	e.must(err, "import a published item without a publication time")
	pn, err := k.store.GetBySlug(context.Background(), "published-now")
	e.must(err, "get it")
	if pn.Metadata().PublishedAt == nil {
		e.Fatal("published import: PublishedAt is nil")
	}
	e.wantTime(*pn.Metadata().PublishedAt, now, "published import: PublishedAt")
	e.clock.Advance(time.Hour)
	changed, err = k.importItem(e.admin, pubNow())
	e.must(err, "import it again")
	if changed {
		e.Fatal("the same published import again: changed = true, want false")
	}
	same(e, k.stored(e, pn.Metadata().ID), pn, "published item after the same import")

	bad := k.sample("", "bad-import")
	_, err = k.importItem(e.admin, bad)
	e.wantCode(err, pause.EINVALID, "", "import without a title")
	k.wantStoreCount(e, 3, "after an invalid import")
}

// testImportPermissions: only admins import.
func testImportPermissions[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	for _, who := range []struct {
		name string
		ctx  context.Context
		code string
	}{
		{"editor", e.editor, pause.EFORBIDDEN},
		{"viewer", e.viewer, pause.EFORBIDDEN},
		{"anonymous", e.anon, pause.EUNAUTHENTICATED},
	} {
		_, err := k.importItem(who.ctx, k.sample("Imported", "imported"))
		e.wantCode(err, who.code, "", who.name+" imports")
	}
	k.wantStoreCount(e, 0, "after refused imports")
}

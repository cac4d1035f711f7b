package storetest

import (
	"context"
	"fmt"
	"time"

	"pause"
)

// testWorkingDraft: an edit of a published item is kept as its draft. The public sees the
// published item only, by id, by slug, in lists and in counts; the draft's slug is neither
// findable nor claimed, and the published slug stays taken, until the draft is published.
// Editors and viewers read the draft on the item. Publishing promotes the draft; discarding
// drops it; both are versioned writes.
func testWorkingDraft[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	p := k.mustPublish(e, k.mustCreate(e, "Live", "live"))
	k.mustCreate(e, "Other", "other")
	pm := p.Metadata()
	e.clock.Advance(time.Minute)
	edited := e.clock.Now()

	// A draft slug that another item has is refused at once.
	_, err := k.reslug(e.editor, pm.ID, pm.Version, "other")
	e.wantCode(err, pause.ECONFLICT, "slug", "draft slug of another item")

	d, err := k.rename(e.editor, pm.ID, pm.Version, "Renamed")
	e.must(err, "rename the published item")
	d, err = k.reslug(e.editor, pm.ID, d.Metadata().Version, "renamed")
	e.must(err, "reslug the published item")
	dm := d.Metadata()
	if dm.Version != pm.Version+2 || k.title(d) != "Live" || dm.Slug != "live" || !dm.UpdatedAt.Equal(pm.UpdatedAt) {
		e.Fatalf("after two draft edits: version %d (want %d), title %q, slug %q, updated %v: the published fields changed",
			dm.Version, pm.Version+2, k.title(d), dm.Slug, dm.UpdatedAt)
	}
	draft := pause.DraftOf(d)
	if isNil(draft) {
		e.Fatalf("the edited published %s has no draft", k.name)
	}
	if x := draft.Metadata(); k.title(draft) != "Renamed" || x.Slug != "renamed" || x.Version != dm.Version ||
		x.Status != pause.StatusPublished || x.UpdatedBy != "alice" || x.ID != pm.ID {
		e.Fatalf("draft: title %q, slug %q, version %d, status %s, updated by %q", k.title(draft), x.Slug, x.Version, x.Status, x.UpdatedBy)
	}
	e.wantTime(draft.Metadata().UpdatedAt, edited, "the draft's updatedAt")
	same(e, k.stored(e, pm.ID), d, "the stored item with its draft")

	// What the public sees has not changed, anywhere.
	public := func(want T, slug, gone string, what string) {
		e.Helper()
		got, err := k.get(e.anon, pm.ID)
		e.must(err, what+": anonymous get")
		if pause.HasDraft(got) {
			e.Fatalf("%s: anonymous get carries the draft", what)
		}
		wantPublic(e, got, want, what+": anonymous get")
		got, err = k.getBySlug(e.anon, slug)
		e.must(err, what+": anonymous get by slug "+slug)
		wantPublic(e, got, want, what+": anonymous get by slug")
		_, err = k.getBySlug(e.anon, gone)
		e.wantCode(err, pause.ENOTFOUND, "", what+": anonymous get by slug "+gone)
		var all F
		for _, o := range k.orders {
			items := k.all(e, e.anon, all, o)
			wantIDs(e, items, []string{pm.ID}, what+": anonymous list by "+string(o))
			if pause.HasDraft(items[0]) {
				e.Fatalf("%s: an anonymous list carries the draft", what)
			}
			wantPublic(e, items[0], want, what+": anonymous list by "+string(o))
		}
		wantCount(e, k, e.anon, all, 1, what+": anonymous count")
	}
	public(p, "live", "renamed", "draft pending")

	// The published slug stays taken; the draft's is not claimed.
	_, err = k.create(e.editor, "Thief", "live")
	e.wantCode(err, pause.ECONFLICT, "slug", "create with the published slug of an item with a draft")

	// Viewers read the draft on the item, by id, by slug and in lists.
	for name, ctx := range map[string]context.Context{"viewer": e.viewer, "editor": e.editor} {
		got, err := k.get(ctx, pm.ID)
		e.must(err, name+" gets the item")
		same(e, got, d, name+" gets the item with its draft")
		got, err = k.getBySlug(ctx, "live")
		e.must(err, name+" gets by the published slug")
		same(e, got, d, name+" gets by slug")
		var all F
		for _, o := range k.orders {
			items := k.all(e, ctx, all, o)
			for _, it := range items {
				if it.Metadata().ID == pm.ID && (!pause.HasDraft(it) || k.title(pause.DraftOf(it)) != "Renamed") {
					e.Fatalf("%s's list by %s: the item has no draft, or the wrong one", name, o)
				}
			}
		}
	}

	// A stale version is refused, for edits, publishing and discarding.
	_, err = k.rename(e.editor, pm.ID, pm.Version, "Stale")
	e.wantCode(err, pause.ECONFLICT, "", "edit at a stale version")
	_, err = k.publish(e.editor, pm.ID, pm.Version)
	e.wantCode(err, pause.ECONFLICT, "", "publish at a stale version")
	_, err = k.discard(e.editor, pm.ID, pm.Version)
	e.wantCode(err, pause.ECONFLICT, "", "discard at a stale version")
	_, err = k.discard(e.anon, pm.ID, dm.Version)
	e.wantCode(err, pause.EUNAUTHENTICATED, "", "anonymous discard")
	_, err = k.discard(e.viewer, pm.ID, dm.Version)
	e.wantCode(err, pause.EFORBIDDEN, "", "viewer's discard")

	// Discarding drops the draft and changes nothing public.
	x, err := k.discard(e.editor, pm.ID, dm.Version)
	e.must(err, "discard")
	if pause.HasDraft(x) || x.Metadata().Version != dm.Version+1 || k.title(x) != "Live" {
		e.Fatalf("after discard: draft %v, version %d, title %q", pause.HasDraft(x), x.Metadata().Version, k.title(x))
	}
	same(e, k.stored(e, pm.ID), x, "stored after discard")
	public(p, "live", "renamed", "draft discarded")

	// Publishing promotes the draft: new title and slug, old slug free.
	x, err = k.reslug(e.editor, pm.ID, x.Metadata().Version, "renamed")
	e.must(err, "reslug again")
	x, err = k.rename(e.editor, pm.ID, x.Metadata().Version, "Renamed")
	e.must(err, "rename again")
	e.clock.Advance(time.Minute)
	x, err = k.publish(e.editor, pm.ID, x.Metadata().Version)
	e.must(err, "publish the draft")
	xm := x.Metadata()
	if pause.HasDraft(x) || k.title(x) != "Renamed" || xm.Slug != "renamed" || xm.Status != pause.StatusPublished {
		e.Fatalf("after publishing the draft: draft %v, title %q, slug %q, status %s", pause.HasDraft(x), k.title(x), xm.Slug, xm.Status)
	}
	e.wantTime(*xm.PublishedAt, *pm.PublishedAt, "publishedAt stays the first publication")
	e.wantTime(xm.UpdatedAt, e.clock.Now(), "updatedAt is the publication of the draft")
	same(e, k.stored(e, pm.ID), x, "stored after publishing the draft")
	public(x, "renamed", "live", "draft published")
	k.mustCreate(e, "Thief", "live") // the old slug is free again

	// A draft of a published item is what unpublishing keeps.
	y, err := k.rename(e.editor, pm.ID, xm.Version, "Pending")
	e.must(err, "edit before unpublishing")
	y, err = k.unpublish(e.editor, pm.ID, y.Metadata().Version)
	e.must(err, "unpublish")
	if pause.HasDraft(y) || k.title(y) != "Pending" || y.Metadata().Status != pause.StatusDraft {
		e.Fatalf("after unpublishing: draft %v, title %q, status %s", pause.HasDraft(y), k.title(y), y.Metadata().Status)
	}
	// Items that are not published change in place.
	y, err = k.rename(e.editor, pm.ID, y.Metadata().Version, "In place")
	e.must(err, "edit a draft item")
	if pause.HasDraft(y) || k.title(y) != "In place" {
		e.Fatalf("editing an unpublished item made a draft")
	}
}

// wantPublic fails the test unless got shows what want shows: the same content at any
// version (draft edits add versions, and change nothing else).
func wantPublic[T pause.Item[T]](e *env, got, want T, what string) {
	e.Helper()
	g, w := pause.Clone(got), pause.Clone(want)
	var none T
	pause.SetDraft(g, none)
	pause.SetDraft(w, none)
	g.Metadata().Version, w.Metadata().Version = 0, 0
	// Lists may show summaries, without what only the item's page shows: a Markdown body and
	// its HTML (see pause.Store's List).
	for _, f := range g.Type().Fields {
		if f.Kind != pause.KindMarkdown {
			continue
		}
		body, _ := pause.FieldValue(g, f.Name)
		html, _ := pause.FieldValue(g, f.Name+"Html")
		if body.String() == "" && html.String() == "" {
			wb, _ := pause.FieldValue(w, f.Name)
			wh, _ := pause.FieldValue(w, f.Name+"Html")
			wb.SetString("")
			wh.SetString("")
		}
	}
	same(e, g, w, what)
}

// testArticleDraftBody: an article draft's body and its HTML are kept, apart from the
// published body, and read by Get and GetMany.
func testArticleDraftBody(e *env) {
	k := articleKind(e)
	a := k.mustPublish(e, k.mustCreate(e, "Bodies", ""))
	d, err := e.cms.Articles.Update(e.editor, a.ID, a.Version, pause.ArticleInput{Body: ptr("# New\n\nA *new* body.")})
	e.must(err, "edit the body")
	if d.Body != a.Body || d.Draft == nil || d.Draft.Body != "# New\n\nA *new* body." || d.Draft.BodyHTML == "" {
		e.Fatalf("after editing the body: body %q, draft %+v", d.Body, d.Draft)
	}
	same(e, k.stored(e, a.ID), d, "stored")
	many, err := e.stores.Articles.GetMany(context.Background(), []string{a.ID})
	e.must(err, "GetMany")
	same(e, many[0], d, "GetMany")
	got, err := e.cms.Articles.Get(e.anon, a.ID)
	e.must(err, "anonymous get")
	if got.Body != a.Body || got.BodyHTML != a.BodyHTML || got.Draft != nil {
		e.Fatalf("anonymous get shows the draft body: %q", got.Body)
	}
	p, err := e.cms.Articles.Publish(e.editor, a.ID, d.Version)
	e.must(err, "publish")
	if p.Body != "# New\n\nA *new* body." || p.BodyHTML != d.Draft.BodyHTML {
		e.Fatalf("published body %q", p.Body)
	}
	same(e, k.stored(e, a.ID), p, "stored after publishing")
	// Deleting an article with a draft removes everything.
	d, err = e.cms.Articles.Update(e.editor, a.ID, p.Version, pause.ArticleInput{Body: ptr("Another.")})
	e.must(err, "edit again")
	e.must(e.cms.Articles.Delete(e.admin, a.ID, d.Version), "delete")
	_, err = e.stores.Articles.Get(context.Background(), a.ID)
	e.wantCode(err, pause.ENOTFOUND, "", "get after delete")
}

// testDraftCounts: draft edits of published tools change no public count or category, and
// publishing them does, exactly.
func testDraftCounts(e *env) {
	k := toolKind(e)
	t, err := e.cms.Tools.Create(e.editor, toolInput("Moved", "Chat", pause.PricingFree))
	e.must(err, "create")
	t = k.mustPublish(e, t)
	t, err = e.cms.Tools.Update(e.editor, t.ID, t.Version, pause.ToolInput{Category: ptr("Video"), Tags: []string{"new"}})
	e.must(err, "move the draft")
	e.wantCategories(e.anon, []pause.CategoryCount{{Name: "Chat", Count: 1}}, "a draft moved to Video")
	for _, f := range []pause.ToolFilter{{Category: "Video"}, {Tag: "new"}} {
		wantCount(e, k, e.anon, f, 0, fmt.Sprintf("anonymous count of %+v", f))
		wantCount(e, k, e.editor, f, 0, fmt.Sprintf("editor's count of %+v", f))
	}
	wantCount(e, k, e.anon, pause.ToolFilter{Category: "Chat"}, 1, "anonymous count of Chat")
	k.mustPublish(e, t)
	e.wantCategories(e.anon, []pause.CategoryCount{{Name: "Video", Count: 1}}, "the draft published")
	wantCount(e, k, e.anon, pause.ToolFilter{Tag: "new"}, 1, "anonymous count of the new tag")
	wantCount(e, k, e.anon, pause.ToolFilter{Category: "Chat"}, 0, "anonymous count of Chat")
}

package storetest

import (
	"context"
	"fmt"
	"slices"

	"pause"
)

// testDrafts: only published items are public. Anonymous viewers cannot get, list or count
// drafts, archived or unpublished items, nor ask for them; viewers, editors and admins can.
func testDrafts[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	d := k.mustCreate(e, "Draft", "draft")
	p := k.mustPublish(e, k.mustCreate(e, "Published", "published"))
	a := k.mustPublish(e, k.mustCreate(e, "Archived", "archived"))
	a, err := k.archive(e.editor, a.Metadata().ID, a.Metadata().Version)
	e.must(err, "archive")
	u := k.mustPublish(e, k.mustCreate(e, "Unpublished", "unpublished"))
	u, err = k.unpublish(e.editor, u.Metadata().ID, u.Metadata().Version)
	e.must(err, "unpublish")

	for _, hidden := range []T{d, a, u} {
		m := hidden.Metadata()
		_, err := k.get(e.anon, m.ID)
		e.wantCode(err, pause.ENOTFOUND, "", fmt.Sprintf("anonymous get of %s %s", m.Status, m.Slug))
		_, err = k.getBySlug(e.anon, m.Slug)
		e.wantCode(err, pause.ENOTFOUND, "", fmt.Sprintf("anonymous get by slug of %s %s", m.Status, m.Slug))
	}
	got, err := k.get(e.anon, p.Metadata().ID)
	e.must(err, "anonymous get of a published item")
	same(e, got, p, "anonymous get of a published item")

	draft, published, archived := pause.StatusDraft, pause.StatusPublished, pause.StatusArchived
	var all F
	for _, o := range k.orders {
		wantIDs(e, k.all(e, e.anon, all, o), idsOf([]T{p}), "anonymous list by "+string(o))
		wantIDs(e, k.all(e, e.anon, k.withStatus(&published), o), idsOf([]T{p}), "anonymous list of PUBLISHED by "+string(o))
	}
	wantCount(e, k, e.anon, all, 1, "anonymous count")
	wantCount(e, k, e.anon, k.withStatus(&published), 1, "anonymous count of PUBLISHED")
	for _, s := range []*pause.Status{&draft, &archived} {
		_, err := k.list(e.anon, pause.Query[F]{Filter: k.withStatus(s), First: 10})
		e.wantCode(err, pause.EFORBIDDEN, "", "anonymous list of "+string(*s))
		_, err = k.count(e.anon, k.withStatus(s))
		e.wantCode(err, pause.EFORBIDDEN, "", "anonymous count of "+string(*s))
	}

	for name, ctx := range map[string]context.Context{"viewer": e.viewer, "editor": e.editor, "admin": e.admin} {
		for _, item := range []T{d, a, u, p} {
			m := item.Metadata()
			got, err := k.get(ctx, m.ID)
			e.must(err, name+" gets "+m.Slug)
			same(e, got, item, name+" gets "+m.Slug)
			_, err = k.getBySlug(ctx, m.Slug)
			e.must(err, name+" gets by slug "+m.Slug)
		}
		for _, o := range k.orders {
			wantSet(e, k.all(e, ctx, all, o), []T{d, p, a, u}, name+"'s list by "+string(o))
			wantSet(e, k.all(e, ctx, k.withStatus(&draft), o), []T{d, u}, name+"'s list of drafts by "+string(o))
			wantSet(e, k.all(e, ctx, k.withStatus(&archived), o), []T{a}, name+"'s list of archived by "+string(o))
		}
		wantCount(e, k, ctx, all, 4, name+"'s count")
		wantCount(e, k, ctx, k.withStatus(&draft), 2, name+"'s count of drafts")
		wantCount(e, k, ctx, k.withStatus(&published), 1, name+"'s count of published")
		wantCount(e, k, ctx, k.withStatus(&archived), 1, name+"'s count of archived")
	}
}

// wantSet fails the test unless got holds exactly the items of want, in any order.
func wantSet[T pause.Item[T]](e *env, got, want []T, what string) {
	e.Helper()
	g, w := idsOf(got), idsOf(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		e.Fatalf("%s: got ids %v, want %v", what, names(e, g), names(e, w))
	}
}

// testDraftCategories: categories count published tools only, for every viewer.
func testDraftCategories(e *env) {
	k := toolKind(e)
	create := func(name, category string) *pause.Tool {
		e.Helper()
		t, err := e.cms.Tools.Create(e.editor, toolInput(name, category, pause.PricingFree))
		e.must(err, "create tool "+name)
		return t
	}
	create("Draft Chat", "Chat")
	k.mustPublish(e, create("Published Video", "Video"))
	create("Draft Video", "Video")
	archived := k.mustPublish(e, create("Archived Docs", "Docs"))
	_, err := e.cms.Tools.Archive(e.editor, archived.ID, archived.Version)
	e.must(err, "archive")
	unpublished := k.mustPublish(e, create("Unpublished Audio", "Audio"))
	_, err = e.cms.Tools.Unpublish(e.editor, unpublished.ID, unpublished.Version)
	e.must(err, "unpublish")

	for name, ctx := range map[string]context.Context{"anonymous": e.anon, "editor": e.editor} {
		e.wantCategories(ctx, []pause.CategoryCount{{Name: "Video", Count: 1}}, name+"'s categories")
	}
}

// wantCategories fails the test unless ToolCategories returns exactly want.
func (e *env) wantCategories(ctx context.Context, want []pause.CategoryCount, what string) {
	e.Helper()
	got, err := e.cms.ToolCategories(ctx)
	e.must(err, "ToolCategories")
	if len(got) != len(want) || (len(want) > 0 && !slices.Equal(got, want)) {
		e.Fatalf("%s = %+v, want %+v", what, got, want)
	}
}

// testToolsByIDs: related tools keep the order asked for and hide drafts from the public.
func testToolsByIDs(e *env) {
	k := toolKind(e)
	d := e.mustCreateTool("Draft")
	p := k.mustPublish(e, e.mustCreateTool("Published"))
	q := k.mustPublish(e, e.mustCreateTool("Also Published"))
	ask := []string{q.ID, d.ID, p.ID, "missing", q.ID}

	got, err := e.cms.Tools.GetMany(e.anon, ask)
	e.must(err, "anonymous ToolsByIDs")
	wantIDs(e, got, []string{q.ID, p.ID}, "anonymous ToolsByIDs")
	for name, ctx := range map[string]context.Context{"viewer": e.viewer, "editor": e.editor} {
		got, err := e.cms.Tools.GetMany(ctx, ask)
		e.must(err, name+"'s ToolsByIDs")
		wantIDs(e, got, []string{q.ID, d.ID, p.ID}, name+"'s ToolsByIDs")
	}
}

// testPermissions: anonymous callers and viewers write nothing.
func testPermissions[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	draft := k.mustCreate(e, "Mine", "mine")
	pub := k.mustPublish(e, k.mustCreate(e, "Public", "public"))
	d, p := draft.Metadata(), pub.Metadata()

	for _, who := range []struct {
		name string
		ctx  context.Context
		code string
	}{
		{"anonymous", e.anon, pause.EUNAUTHENTICATED},
		{"viewer", e.viewer, pause.EFORBIDDEN},
		{"subject without a role", pause.NewContext(context.Background(), &pause.Viewer{Subject: "x"}), pause.EUNAUTHENTICATED},
	} {
		_, err := k.create(who.ctx, "Nope", "")
		e.wantCode(err, who.code, "", who.name+" creates")
		_, err = k.create(who.ctx, "Nope", "nope")
		e.wantCode(err, who.code, "", who.name+" creates with a slug")
		_, err = k.rename(who.ctx, d.ID, d.Version, "Nope")
		e.wantCode(err, who.code, "", who.name+" updates")
		_, err = k.reslug(who.ctx, d.ID, d.Version, "nope")
		e.wantCode(err, who.code, "", who.name+" changes a slug")
		_, err = k.publish(who.ctx, d.ID, d.Version)
		e.wantCode(err, who.code, "", who.name+" publishes")
		_, err = k.unpublish(who.ctx, p.ID, p.Version)
		e.wantCode(err, who.code, "", who.name+" unpublishes")
		_, err = k.archive(who.ctx, p.ID, p.Version)
		e.wantCode(err, who.code, "", who.name+" archives")
		e.wantCode(k.del(who.ctx, d.ID, d.Version), who.code, "", who.name+" deletes")
		_, err = k.importItem(who.ctx, k.sample("Imported", "imported"))
		e.wantCode(err, who.code, "", who.name+" imports")
		_, err = k.importItem(who.ctx, k.sample("Mine", "mine"))
		e.wantCode(err, who.code, "", who.name+" imports over an item")
	}
	k.wantStoreCount(e, 2, "after refused writes")
	same(e, k.stored(e, d.ID), draft, "draft after refused writes")
	same(e, k.stored(e, p.ID), pub, "published item after refused writes")
	_, err := k.getBySlug(e.editor, "nope")
	e.wantCode(err, pause.ENOTFOUND, "", "slug of a refused write")
}

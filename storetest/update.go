package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"pause"
	"pause/markdown"
)

// testArticlePatch: an update changes the fields it names and nothing else.
func testArticlePatch(e *env) {
	k := articleKind(e)
	in := articleInput("Patch Me")
	in.Excerpt = ptr("old excerpt")
	in.Tags = []string{"a", "b"}
	in.CoverImage = &pause.Image{URL: "https://example.com/c.png", Alt: "c"}
	a, err := e.cms.Articles.Create(e.editor, in)
	e.must(err, "create")

	now := e.clock.Advance(time.Hour)
	got, err := e.cms.Articles.Update(e.editor, a.ID, 1, pause.ArticleInput{Excerpt: ptr("new excerpt")})
	e.must(err, "update excerpt")
	want := *a
	want.Excerpt, want.Version, want.UpdatedAt = "new excerpt", 2, now
	same(e, got, &want, "article after patching the excerpt")
	same(e, k.stored(e, a.ID), &want, "stored article after patching the excerpt")

	now = e.clock.Advance(time.Minute)
	body := strings.Repeat("many words ", 150)
	got, err = e.cms.Articles.Update(e.editor, a.ID, 2, pause.ArticleInput{Body: &body})
	e.must(err, "update body")
	html, err := markdown.New().Render(body)
	e.must(err, "render")
	want.Body, want.BodyHTML, want.ReadingTimeMinutes = body, html, 2
	want.Version, want.UpdatedAt = 3, now
	same(e, got, &want, "article after patching the body")
	same(e, k.stored(e, a.ID), &want, "stored article after patching the body")

	// An image without a URL removes the cover; an empty tag list removes the tags.
	got, err = e.cms.Articles.Update(e.editor, a.ID, 3, pause.ArticleInput{CoverImage: &pause.Image{}, Tags: []string{}})
	e.must(err, "remove cover and tags")
	stored := k.stored(e, a.ID)
	for _, x := range []*pause.Article{got, stored} {
		if x.CoverImage != nil || len(x.Tags) != 0 || x.Version != 4 {
			e.Fatalf("after removing cover and tags: CoverImage %v, Tags %q, Version %d", x.CoverImage, x.Tags, x.Version)
		}
	}
	e.wantTime(stored.CreatedAt, a.CreatedAt, "CreatedAt after updates")
}

// testToolPatch: a tool patch changes the fields it names and nothing else.
func testToolPatch(e *env) {
	k := toolKind(e)
	in := toolInput("Patch Me", "Chat", pause.PricingFree)
	in.Tags = []string{"x"}
	in.Featured = ptr(true)
	tool, err := e.cms.Tools.Create(e.editor, in)
	e.must(err, "create")
	now := e.clock.Advance(time.Hour)
	got, err := e.cms.Tools.Update(e.editor, tool.ID, 1, pause.ToolInput{Pricing: ptr(pause.PricingPaid)})
	e.must(err, "update pricing")
	want := *tool
	want.Pricing, want.Version, want.UpdatedAt = pause.PricingPaid, 2, now
	same(e, got, &want, "tool after patching pricing")
	same(e, k.stored(e, tool.ID), &want, "stored tool after patching pricing")

	got, err = e.cms.Tools.Update(e.editor, tool.ID, 2, pause.ToolInput{Featured: ptr(false)})
	e.must(err, "update featured")
	want.Featured, want.Version = false, 3
	same(e, got, &want, "tool after unfeaturing")
	same(e, k.stored(e, tool.ID), &want, "stored tool after unfeaturing")
}

// testUpdate: versions grow by one, timestamps follow the clock, a stale version changes
// nothing.
func testUpdate[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	item := k.mustCreate(e, "Before", "")
	id, created := item.Metadata().ID, item.Metadata().CreatedAt

	now := e.clock.Advance(time.Hour)
	up, err := k.rename(e.editor, id, 1, "After")
	e.must(err, "rename")
	m := up.Metadata()
	if m.Version != 2 || k.title(up) != "After" || m.Slug != "before" {
		e.Fatalf("after rename: Version %d, title %q, slug %q; want 2, After, before (the slug stays)", m.Version, k.title(up), m.Slug)
	}
	e.wantTime(m.UpdatedAt, now, "UpdatedAt")
	e.wantTime(m.CreatedAt, created, "CreatedAt")
	same(e, k.stored(e, id), up, "stored item after rename")

	before := k.stored(e, id)
	e.clock.Advance(time.Minute)
	for _, v := range []int{1, 3, 0} {
		_, err = k.rename(e.editor, id, v, "Stale")
		e.wantCode(err, pause.ECONFLICT, "", "rename with a wrong version")
		_, err = k.publish(e.editor, id, v)
		e.wantCode(err, pause.ECONFLICT, "", "publish with a wrong version")
	}
	if after := k.stored(e, id); !reflect.DeepEqual(after, before) {
		same(e, after, before, "item after stale writes")
		e.Fatalf("item after stale writes: not the same as before (%#v, was %#v)", after, before)
	}

	_, err = k.rename(e.editor, "no-such-id", 1, "Nobody")
	e.wantCode(err, pause.ENOTFOUND, "", "rename an unknown id")
	_, err = k.publish(e.editor, "no-such-id", 1)
	e.wantCode(err, pause.ENOTFOUND, "", "publish an unknown id")

	now = e.clock.Advance(time.Hour)
	up, err = k.rename(e.editor, id, 2, "Again")
	e.must(err, "rename again")
	if up.Metadata().Version != 3 {
		e.Fatalf("Version = %d, want 3", up.Metadata().Version)
	}
	e.wantTime(k.stored(e, id).Metadata().UpdatedAt, now, "stored UpdatedAt")
	k.wantStoreCount(e, 1, "after updates")
}

// testUpdateSlug: a slug change frees the old slug and claims the new one, unless it is taken.
func testUpdateSlug[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	a := k.mustCreate(e, "A", "first")
	b := k.mustCreate(e, "B", "taken")
	aID, bID := a.Metadata().ID, b.Metadata().ID

	a, err := k.reslug(e.editor, aID, 1, "second")
	e.must(err, "change slug")
	if a.Metadata().Slug != "second" {
		e.Fatalf("Slug = %q, want second", a.Metadata().Slug)
	}
	got, err := k.getBySlug(e.editor, "second")
	e.must(err, "get by new slug")
	if got.Metadata().ID != aID {
		e.Fatalf("slug second names %s, want %s", got.Metadata().ID, aID)
	}
	_, err = k.getBySlug(e.editor, "first")
	e.wantCode(err, pause.ENOTFOUND, "", "get by the old slug")
	c := k.mustCreate(e, "C", "first") // the old slug is free again
	if c.Metadata().Slug != "first" {
		e.Fatalf("Slug = %q, want first", c.Metadata().Slug)
	}

	for _, taken := range []string{"second", "first"} {
		_, err = k.reslug(e.editor, bID, 1, taken)
		e.wantCode(err, pause.ECONFLICT, "slug", "change slug to a taken one")
		same(e, k.stored(e, bID), b, "item after a failed slug change")
	}
	got, err = k.getBySlug(e.editor, "second")
	e.must(err, "get by slug after a failed change")
	if got.Metadata().ID != aID {
		e.Fatalf("slug second names %s after a failed change, want %s", got.Metadata().ID, aID)
	}
	got, err = k.getBySlug(e.editor, "taken")
	e.must(err, "get by slug after a failed change")
	if got.Metadata().ID != bID {
		e.Fatalf("slug taken names %s after a failed change, want %s", got.Metadata().ID, bID)
	}

	// Swapping through a free slug works.
	_, err = k.reslug(e.editor, aID, 2, "third")
	e.must(err, "change slug to third")
	_, err = k.reslug(e.editor, bID, 1, "second")
	e.must(err, "take the freed slug")
	for slug, id := range map[string]string{"first": c.Metadata().ID, "second": bID, "third": aID} {
		got, err := k.getBySlug(e.editor, slug)
		e.must(err, "get by slug "+slug)
		if got.Metadata().ID != id {
			e.Fatalf("slug %s names %s, want %s", slug, got.Metadata().ID, id)
		}
	}
	_, err = k.getBySlug(e.editor, "taken")
	e.wantCode(err, pause.ENOTFOUND, "", "get by a freed slug")
}

// testStoreUpdate: Store.Update checks every item's version, all or none.
func testStoreUpdate[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	ctx := context.Background()
	a := k.mustCreate(e, "A", "")
	b := k.mustCreate(e, "B", "")
	aID, bID := a.Metadata().ID, b.Metadata().ID
	unchanged := func(what string) {
		e.Helper()
		same(e, k.stored(e, aID), a, what+": A")
		same(e, k.stored(e, bID), b, what+": B")
	}

	x := k.stored(e, aID)
	k.setTitle(x, "X")
	for _, v := range []int{1, 3, 0} {
		x.Metadata().Version = v
		e.wantCode(k.store.Update(ctx, x), pause.ECONFLICT, "", fmt.Sprintf("Update to version %d", v))
	}
	unchanged("after updates with wrong versions")

	good := k.stored(e, aID)
	k.setTitle(good, "Good")
	good.Metadata().Version = 2
	stale := k.stored(e, bID)
	k.setTitle(stale, "Stale")
	e.wantCode(k.store.Update(ctx, good, stale), pause.ECONFLICT, "", "Update of a good and a stale item")
	unchanged("after an Update with one stale item")

	missing := k.stored(e, bID)
	missing.Metadata().ID, missing.Metadata().Slug, missing.Metadata().Version = "no-such-id", "no-such-slug", 2
	e.wantCode(k.store.Update(ctx, good, missing), pause.ENOTFOUND, "", "Update of a good and a missing item")
	unchanged("after an Update with one missing item")
	_, err := k.store.GetBySlug(ctx, "no-such-slug")
	e.wantCode(err, pause.ENOTFOUND, "", "slug of an item that was not updated")

	clash := k.stored(e, bID)
	clash.Metadata().Slug, clash.Metadata().Version = a.Metadata().Slug, 2
	e.wantCode(k.store.Update(ctx, clash), pause.ECONFLICT, "slug", "Update to a taken slug")
	unchanged("after an Update to a taken slug")

	stale.Metadata().Version = 2
	e.must(k.store.Update(ctx, good, stale), "Update of two good items")
	same(e, k.stored(e, aID), good, "A after Update")
	same(e, k.stored(e, bID), stale, "B after Update")

	// A store must not hand out what it keeps: changing a returned item changes nothing.
	got := k.stored(e, aID)
	k.setTitle(got, "Scribbled")
	got.Metadata().Version = 99
	same(e, k.stored(e, aID), good, "A after scribbling on a returned copy")
}

// testStoreCreateDelete: Create refuses a taken id; Delete checks the version.
func testStoreCreateDelete[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	ctx := context.Background()
	a := k.mustCreate(e, "A", "")
	id := a.Metadata().ID

	dup := k.stored(e, id)
	dup.Metadata().Slug = "other-slug"
	k.setTitle(dup, "Dup")
	e.wantCode(k.store.Create(ctx, dup), pause.ECONFLICT, "", "Create with a taken id")
	k.wantStoreCount(e, 1, "after Create with a taken id")
	same(e, k.stored(e, id), a, "item after Create with its id")
	_, err := k.store.GetBySlug(ctx, "other-slug")
	e.wantCode(err, pause.ENOTFOUND, "", "slug of a refused Create")

	e.wantCode(k.store.Delete(ctx, id, 2, nil), pause.ECONFLICT, "", "Delete with a wrong version")
	e.wantCode(k.store.Delete(ctx, id, 0, nil), pause.ECONFLICT, "", "Delete with a wrong version")
	e.wantCode(k.store.Delete(ctx, "no-such-id", 1, nil), pause.ENOTFOUND, "", "Delete an unknown id")
	same(e, k.stored(e, id), a, "item after failed Deletes")

	e.must(k.store.Delete(ctx, id, 1, nil), "Delete")
	_, err = k.store.Get(ctx, id)
	e.wantCode(err, pause.ENOTFOUND, "", "Get after Delete")
	_, err = k.store.GetBySlug(ctx, a.Metadata().Slug)
	e.wantCode(err, pause.ENOTFOUND, "", "GetBySlug after Delete")
	e.wantCode(k.store.Delete(ctx, id, 1, nil), pause.ENOTFOUND, "", "Delete twice")
	k.wantStoreCount(e, 0, "after Delete")
	e.wantCode(k.store.Update(ctx, a), pause.ENOTFOUND, "", "Update after Delete")

	// The id may be used again once it is gone (imports keep ids).
	a.Metadata().Version = 1
	e.must(k.store.Create(ctx, a), "Create again after Delete")
	same(e, k.stored(e, id), a, "item created again")
}

// testGetMany: GetMany keeps the order of ids, leaves out unknown ids and repeats nothing;
// it returns drafts too (the CMS filters).
func testGetMany[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	ctx := context.Background()
	a := k.mustCreate(e, "A", "")
	b := k.mustPublish(e, k.mustCreate(e, "B", ""))
	c := k.mustCreate(e, "C", "")
	ids := func(items ...T) []string { return idsOf(items) }

	got, err := k.store.GetMany(ctx, append(ids(c), "missing", a.Metadata().ID, c.Metadata().ID, b.Metadata().ID, a.Metadata().ID))
	e.must(err, "GetMany")
	wantIDs(e, got, ids(c, a, b), "GetMany(c, missing, a, c, b, a)")
	for i, want := range []T{c, a, b} {
		same(e, got[i], want, "GetMany item")
	}

	for _, in := range [][]string{nil, {}, {"missing"}, {"missing", "also-missing"}} {
		got, err = k.store.GetMany(ctx, in)
		e.must(err, "GetMany of no known id")
		if len(got) != 0 {
			e.Fatalf("GetMany(%q) returned %d items, want none", in, len(got))
		}
	}

	e.must(k.del(e.admin, a.Metadata().ID, a.Metadata().Version), "delete a")
	got, err = k.store.GetMany(ctx, ids(a, b, c))
	e.must(err, "GetMany after delete")
	wantIDs(e, got, ids(b, c), "GetMany after deleting a")
}

// testStoreCursors: a cursor only works with the order that made it.
func testStoreCursors[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	ctx := context.Background()
	var items []T
	for _, title := range []string{"A", "B", "C", "D", "E"} {
		items = append(items, k.mustCreate(e, title, ""))
		e.clock.Advance(time.Second)
	}
	allOrders := []pause.Order{pause.OrderPublishedAt, pause.OrderUpdatedAt, pause.OrderTitle, pause.OrderName, pause.OrderPosition}
	var all F
	for _, o := range k.orders {
		p, err := k.store.List(ctx, pause.Query[F]{Filter: all, Order: o, First: 2})
		e.must(err, "store List by "+string(o))
		if len(p.Items) != 2 || len(p.Cursors) != 2 || !p.HasNextPage {
			e.Fatalf("store List by %s, first 2 of 5: %d items, %d cursors, HasNextPage %v", o, len(p.Items), len(p.Cursors), p.HasNextPage)
		}
		for _, o2 := range k.orders {
			if o2 == o {
				continue
			}
			_, err := k.store.List(ctx, pause.Query[F]{Filter: all, Order: o2, First: 2, After: p.EndCursor()})
			e.wantCode(err, pause.EINVALID, "after", "store List by "+string(o2)+" after a cursor of "+string(o))
			_, err = k.list(e.editor, pause.Query[F]{Order: o2, First: 2, After: p.EndCursor()})
			e.wantCode(err, pause.EINVALID, "after", "List by "+string(o2)+" after a cursor of "+string(o))
		}
		for _, o2 := range allOrders {
			if o2 == o {
				continue
			}
			forged := pause.EncodeCursor(o2, pause.SortKey(items[2], o2))
			_, err := k.store.List(ctx, pause.Query[F]{Filter: all, Order: o, First: 2, After: forged})
			e.wantCode(err, pause.EINVALID, "after", "store List by "+string(o)+" after a cursor made for "+string(o2))
		}

		p, err = k.store.List(ctx, pause.Query[F]{Filter: all, Order: o, First: 0})
		e.must(err, "store List first 0")
		if len(p.Items) != 0 || len(p.Cursors) != 0 {
			e.Fatalf("store List by %s first 0: %d items, %d cursors", o, len(p.Items), len(p.Cursors))
		}
	}
}

// testStatus: publishing stamps PublishedAt once; unpublishing and archiving hide the item.
func testStatus[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	item := k.mustCreate(e, "Life", "")
	id, slug := item.Metadata().ID, item.Metadata().Slug
	step := func(what string, do func(context.Context, string, int) (T, error), version int, status pause.Status, now time.Time, public bool) T {
		e.Helper()
		got, err := do(e.editor, id, version)
		e.must(err, what)
		m := got.Metadata()
		if m.Status != status || m.Version != version+1 {
			e.Fatalf("%s: Status %s, Version %d; want %s, %d", what, m.Status, m.Version, status, version+1)
		}
		e.wantTime(m.UpdatedAt, now, what+": UpdatedAt")
		same(e, k.stored(e, id), got, what+": stored item")
		_, err = k.get(e.anon, id)
		_, err2 := k.getBySlug(e.anon, slug)
		if public {
			e.must(err, what+": anonymous get")
			e.must(err2, what+": anonymous get by slug")
		} else {
			e.wantCode(err, pause.ENOTFOUND, "", what+": anonymous get")
			e.wantCode(err2, pause.ENOTFOUND, "", what+": anonymous get by slug")
		}
		return got
	}

	t1 := e.clock.Advance(time.Hour)
	got := step("publish", k.publish, 1, pause.StatusPublished, t1, true)
	if got.Metadata().PublishedAt == nil {
		e.Fatal("publish: PublishedAt is nil")
	}
	e.wantTime(*got.Metadata().PublishedAt, t1, "PublishedAt")

	checks := []struct {
		what   string
		do     func(context.Context, string, int) (T, error)
		status pause.Status
		public bool
	}{
		{"unpublish", k.unpublish, pause.StatusDraft, false},
		{"republish", k.publish, pause.StatusPublished, true},
		{"archive", k.archive, pause.StatusArchived, false},
		{"publish an archived item", k.publish, pause.StatusPublished, true},
		{"publish a published item", k.publish, pause.StatusPublished, true},
	}
	for i, c := range checks {
		now := e.clock.Advance(time.Hour)
		got := step(c.what, c.do, i+2, c.status, now, c.public)
		if p := got.Metadata().PublishedAt; p == nil {
			e.Fatalf("%s: PublishedAt is nil, want the first publication's", c.what)
		} else {
			e.wantTime(*p, t1, c.what+": PublishedAt (the first publication's)")
		}
	}
}

// testDelete: deleting checks the version, hides the item everywhere and frees its slug.
func testDelete[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	a := k.mustPublish(e, k.mustCreate(e, "Gone", "gone"))
	b := k.mustCreate(e, "Stays", "")
	id := a.Metadata().ID

	e.wantCode(k.del(e.anon, id, a.Metadata().Version), pause.EUNAUTHENTICATED, "", "anonymous delete")
	e.wantCode(k.del(e.viewer, id, a.Metadata().Version), pause.EFORBIDDEN, "", "delete by a viewer")
	e.wantCode(k.del(e.editor, id, a.Metadata().Version), pause.EFORBIDDEN, "", "delete by an editor (admins delete)")
	e.wantCode(k.del(e.admin, id, 1), pause.ECONFLICT, "", "delete with a stale version")
	same(e, k.stored(e, id), a, "item after failed deletes")

	e.must(k.del(e.admin, id, a.Metadata().Version), "delete")
	for _, ctx := range []context.Context{e.editor, e.anon} {
		_, err := k.get(ctx, id)
		e.wantCode(err, pause.ENOTFOUND, "", "get after delete")
		_, err = k.getBySlug(ctx, "gone")
		e.wantCode(err, pause.ENOTFOUND, "", "get by slug after delete")
	}
	e.wantCode(k.del(e.admin, id, a.Metadata().Version), pause.ENOTFOUND, "", "delete twice")
	_, err := k.rename(e.editor, id, a.Metadata().Version, "Zombie")
	e.wantCode(err, pause.ENOTFOUND, "", "update after delete")

	var all F
	for _, o := range k.orders {
		wantIDs(e, k.all(e, e.editor, all, o), idsOf([]T{b}), "editor's list by "+string(o)+" after delete")
		wantIDs(e, k.all(e, e.anon, all, o), nil, "anonymous list by "+string(o)+" after delete")
	}
	wantCount(e, k, e.editor, all, 1, "editor's count after delete")
	wantCount(e, k, e.anon, all, 0, "anonymous count after delete")

	c := k.mustCreate(e, "New", "gone")
	got, err := k.getBySlug(e.editor, "gone")
	e.must(err, "get the slug's new owner")
	if got.Metadata().ID != c.Metadata().ID || k.title(got) != "New" {
		e.Fatalf("slug gone names %s %q, want the new item", got.Metadata().ID, k.title(got))
	}
	e.must(k.del(e.admin, c.Metadata().ID, 1), "delete the new item")
	if s := k.mustCreate(e, "Gone", "").Metadata().Slug; s != "gone" {
		e.Fatalf("generated slug after its owner was deleted = %q, want gone", s)
	}
}

// wantCount fails the test unless the CMS counts n items that match f for the viewer in ctx.
func wantCount[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F], ctx context.Context, f F, n int, what string) {
	e.Helper()
	got, err := k.count(ctx, f)
	e.must(err, what)
	if got != n {
		e.Fatalf("%s = %d, want %d", what, got, n)
	}
}

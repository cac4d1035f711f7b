package storetest

import (
	"context"
	"time"

	"pause"
)

// testSchedule: a scheduled publish makes the item public at its time exactly, and a scheduled
// unpublish takes it back at its time exactly, with nothing running at that time: by id, by
// slug, in lists (page by page, in every order) and in counts, an instant before (t-1ns) is
// still before, and t is after. Viewers list what is scheduled.
func testSchedule[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	p := k.mustPublish(e, k.mustCreate(e, "Already", "already"))
	x := k.mustCreate(e, "Soon", "soon")
	xm := x.Metadata()
	at := e.clock.Now().Add(time.Hour)
	yes, no := true, false
	published, draft := pause.StatusPublished, pause.StatusDraft

	_, err := k.publishAt(e.viewer, xm.ID, xm.Version, &at)
	e.wantCode(err, pause.EFORBIDDEN, "", "viewer schedules")
	_, err = k.publishAt(e.editor, xm.ID, xm.Version-1, &at)
	e.wantCode(err, pause.ECONFLICT, "", "schedule at a stale version")
	_, err = k.unpublishAt(e.editor, xm.ID, xm.Version, &at)
	e.wantCode(err, pause.EINVALID, "at", "schedule the unpublishing of a draft")
	pm := p.Metadata()
	_, err = k.publishAt(e.editor, pm.ID, pm.Version, &at)
	e.wantCode(err, pause.EINVALID, "at", "schedule the publishing of a published item")

	x, err = k.publishAt(e.editor, xm.ID, xm.Version, &at)
	e.must(err, "schedule")
	xm = x.Metadata()
	if xm.Status != pause.StatusDraft || xm.ScheduledAt == nil || !xm.ScheduledAt.Equal(at) ||
		xm.ScheduledStatus != pause.StatusPublished || xm.ScheduledBy != "alice" || xm.Version != 2 {
		e.Fatalf("scheduled: status %s, at %v, to %s, by %q, version %d", xm.Status, xm.ScheduledAt, xm.ScheduledStatus, xm.ScheduledBy, xm.Version)
	}
	same(e, k.stored(e, xm.ID), x, "stored schedule")

	// public checks what the public sees: want are the items it lists, in any order.
	public := func(want []T, what string) {
		e.Helper()
		ids := map[string]bool{}
		for _, it := range want {
			ids[it.Metadata().ID] = true
		}
		_, err := k.get(e.anon, xm.ID)
		_, err2 := k.getBySlug(e.anon, "soon")
		if ids[xm.ID] {
			e.must(err, what+": anonymous get")
			e.must(err2, what+": anonymous get by slug")
		} else {
			e.wantCode(err, pause.ENOTFOUND, "", what+": anonymous get")
			e.wantCode(err2, pause.ENOTFOUND, "", what+": anonymous get by slug")
		}
		var all F
		for _, o := range k.orders {
			wantSet(e, k.all(e, e.anon, all, o), want, what+": anonymous list by "+string(o))
			wantSet(e, pageByPage(e, k, e.anon, all, o), want, what+": anonymous list, one by one, by "+string(o))
			wantSet(e, k.all(e, e.editor, k.withStatus(&published), o), want, what+": editor's list of PUBLISHED by "+string(o))
		}
		wantCount(e, k, e.anon, all, len(want), what+": anonymous count")
		wantCount(e, k, e.editor, k.withStatus(&published), len(want), what+": editor's count of PUBLISHED")
		wantCount(e, k, e.editor, k.withStatus(&draft), 2-len(want), what+": editor's count of DRAFT")
		wantCount(e, k, e.editor, all, 2, what+": editor's count")
	}
	scheduled := func(want []T, what string) {
		e.Helper()
		for _, o := range k.orders {
			wantSet(e, k.all(e, e.viewer, k.withScheduled(&yes), o), want, what+": viewer's list of scheduled by "+string(o))
		}
		wantCount(e, k, e.viewer, k.withScheduled(&yes), len(want), what+": viewer's count of scheduled")
		wantCount(e, k, e.viewer, k.withScheduled(&no), 2-len(want), what+": viewer's count of not scheduled")
	}
	_, err = k.list(e.anon, pause.Query[F]{Filter: k.withScheduled(&yes), First: 10})
	e.wantCode(err, pause.EFORBIDDEN, "", "anonymous list of scheduled")

	public([]T{p}, "scheduled")
	scheduled([]T{x}, "scheduled")
	e.clock.Advance(at.Sub(e.clock.Now()) - time.Nanosecond)
	public([]T{p}, "1ns before")
	scheduled([]T{x}, "1ns before")
	e.clock.Advance(time.Nanosecond)
	public([]T{p, x}, "at the time")
	scheduled(nil, "at the time")

	got, err := k.get(e.anon, xm.ID)
	e.must(err, "anonymous get at the time")
	gm := got.Metadata()
	if gm.Status != pause.StatusPublished || gm.PublishedAt == nil || !gm.PublishedAt.Equal(at) ||
		gm.PublishedBy != "alice" || gm.ScheduledAt != nil {
		e.Fatalf("published by schedule: status %s, publishedAt %v, by %q, scheduledAt %v", gm.Status, gm.PublishedAt, gm.PublishedBy, gm.ScheduledAt)
	}

	// The next write makes the change part of the stored item; nothing public changes.
	e.clock.Advance(time.Minute)
	x, err = k.rename(e.editor, xm.ID, xm.Version, "Soon, edited")
	e.must(err, "edit after the time")
	if s := k.stored(e, xm.ID).Metadata(); s.Status != pause.StatusPublished || s.ScheduledAt != nil || !s.PublishedAt.Equal(at) {
		e.Fatalf("stored after the next write: status %s, scheduledAt %v, publishedAt %v", s.Status, s.ScheduledAt, s.PublishedAt)
	}
	if !pause.HasDraft(x) {
		e.Fatalf("the edit of an item published by schedule is not a draft")
	}
	public([]T{p, x}, "after the next write")
	scheduled(nil, "after the next write")

	// A scheduled unpublish, at its time exactly.
	until := e.clock.Now().Add(24 * time.Hour)
	x, err = k.unpublishAt(e.editor, xm.ID, x.Metadata().Version, &until)
	e.must(err, "schedule unpublishing")
	public([]T{p, x}, "unpublishing scheduled")
	scheduled([]T{x}, "unpublishing scheduled")
	e.clock.Advance(until.Sub(e.clock.Now()) - time.Nanosecond)
	public([]T{p, x}, "1ns before unpublishing")
	e.clock.Advance(time.Nanosecond)
	public([]T{p}, "unpublished at the time")
	scheduled(nil, "unpublished at the time")
	// The pending draft became the content when the item was next written.
	y, err := k.get(e.editor, xm.ID)
	e.must(err, "editor's get after unpublishing")
	if y.Metadata().Status != pause.StatusDraft || !pause.HasDraft(y) {
		e.Fatalf("after the scheduled unpublishing: status %s, draft %v", y.Metadata().Status, pause.HasDraft(y))
	}
	y, err = k.rename(e.editor, xm.ID, y.Metadata().Version, "Soon, again")
	e.must(err, "edit after unpublishing")
	if pause.HasDraft(y) || k.title(y) != "Soon, again" || y.Metadata().Status != pause.StatusDraft {
		e.Fatalf("edit after a scheduled unpublishing: draft %v, title %q", pause.HasDraft(y), k.title(y))
	}

	// Publishing now cancels a scheduled publish.
	later := e.clock.Now().Add(time.Hour)
	y, err = k.publishAt(e.editor, xm.ID, y.Metadata().Version, &later)
	e.must(err, "schedule again")
	y, err = k.publishAt(e.editor, xm.ID, y.Metadata().Version, nil)
	e.must(err, "publish now")
	if m := y.Metadata(); m.Status != pause.StatusPublished || m.ScheduledAt != nil {
		e.Fatalf("publish now: status %s, scheduled %v", m.Status, m.ScheduledAt)
	}
	public([]T{p, y}, "published now")
	scheduled(nil, "published now")
}

// pageByPage lists every item through the CMS one per page, following cursors.
func pageByPage[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F], ctx context.Context, f F, o pause.Order) []T {
	e.Helper()
	return k.pages(e, ctx, f, o, 1, 20)
}

// testScheduleCategories: tool categories change at a scheduled time exactly, and agree with
// the counts.
func testScheduleCategories(e *env) {
	k := toolKind(e)
	in := toolInput("Timed", "Chat", pause.PricingFree)
	in.Tags = []string{"async"}
	t, err := e.cms.Tools.Create(e.editor, in)
	e.must(err, "create")
	at := e.clock.Now().Add(time.Hour)
	t, err = e.cms.Tools.PublishAt(e.editor, t.ID, t.Version, &at)
	e.must(err, "schedule")
	chat := []pause.CategoryCount{{Name: "Chat", Count: 1}}
	check := func(want []pause.CategoryCount, what string) {
		e.Helper()
		e.wantCategories(e.anon, want, what)
		wantCount(e, k, e.anon, pause.ToolFilter{Category: "Chat"}, len(want), what+": count of Chat")
		wantCount(e, k, e.anon, pause.ToolFilter{Category: "Chat", Tag: "async", Pricing: ptr(pause.PricingFree)}, len(want), what+": count of Chat, async, free")
	}
	check(nil, "scheduled")
	e.clock.Advance(time.Hour - time.Nanosecond)
	check(nil, "1ns before")
	e.clock.Advance(time.Nanosecond)
	check(chat, "at the time")
	until := at.Add(time.Hour)
	_, err = e.cms.Tools.UnpublishAt(e.editor, t.ID, t.Version, &until)
	e.must(err, "schedule unpublishing")
	check(chat, "unpublishing scheduled")
	e.clock.Advance(time.Hour - time.Nanosecond)
	check(chat, "1ns before unpublishing")
	e.clock.Advance(time.Nanosecond)
	check(nil, "unpublished")
}

package storetest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"pause"
)

// The change feed (pause.EventStore): every committed write records its event in the same
// atomic write, each one generation after the last; failed writes record nothing; scheduled
// changes become exactly one event, whoever settles them.

func eventCases() []testCase {
	return []testCase{
		{"EveryWrite", testEventsEveryWrite},
		{"FailedWrites", testEventsFailedWrites},
		{"Reorder", testEventsReorder},
		{"ScheduledBySettle", testEventsScheduledBySettle},
		{"ScheduledByWrite", testEventsScheduledByWrite},
		{"PagesAndPrune", testEventsPagesAndPrune},
		{"ConcurrentWrites", testEventsConcurrent},
	}
}

// eventRow is an event without its generation and id, for comparison.
type eventRow struct {
	typ, itemType, id, slug string
	version                 int
	actor                   string
	at                      time.Time
}

func (r eventRow) String() string {
	return fmt.Sprintf("%s %s/%s slug=%s v%d by %s at %s", r.typ, r.itemType, r.id, r.slug, r.version, r.actor, r.at.Format(time.RFC3339Nano))
}

// events reads every event after the generation, checks that their generations follow it with
// no gap and that their ids derive from them, and returns them.
func (e *env) events(after uint64) []*pause.Event {
	e.Helper()
	got, err := e.stores.Events.Events(context.Background(), after, 1000)
	e.must(err, "read events")
	for i, ev := range got {
		if want := after + uint64(i) + 1; ev.Generation != want || ev.ID != pause.EventID(want) {
			e.Fatalf("event %d after %d: generation %d id %s, want %d", i, after, ev.Generation, ev.ID, want)
		}
	}
	return got
}

func (e *env) generation() uint64 {
	e.Helper()
	g, err := e.stores.Events.Generation(context.Background())
	e.must(err, "read the generation")
	return g
}

// wantEvents checks the events after the generation, and that the generation is the last one's.
func (e *env) wantEvents(after uint64, want []eventRow, what string) []*pause.Event {
	e.Helper()
	got := e.events(after)
	rows := make([]eventRow, len(got))
	for i, ev := range got {
		rows[i] = eventRow{ev.Type, ev.ItemType, ev.ItemID, ev.Slug, ev.Version, ev.Actor, ev.At.UTC()}
	}
	if !slices.Equal(rows, want) {
		e.Fatalf("%s: events\n  %v\nwant\n  %v", what, rows, want)
	}
	if g := e.generation(); g != after+uint64(len(want)) {
		e.Fatalf("%s: generation %d, want %d", what, g, after+uint64(len(want)))
	}
	return got
}

// testEventsEveryWrite: each write through the CMS records one event, with the item's type,
// id, public slug and version, the actor and the time, and a type that says what the public
// may see differently.
func testEventsEveryWrite(e *env) {
	if g := e.generation(); g != 0 {
		e.Fatalf("a new store is at generation %d, want 0", g)
	}
	e.wantEvents(0, nil, "no writes")
	bob := withSubject(e.editor, "bob")
	t0 := e.clock.Now()
	a, err := e.cms.Articles.Create(e.editor, articleInput("Feed"))
	e.must(err, "create")
	t1 := e.clock.Advance(time.Second)
	a, err = e.cms.Articles.Update(bob, a.ID, a.Version, pause.ArticleInput{Excerpt: ptr("Edited.")})
	e.must(err, "update")
	t2 := e.clock.Advance(time.Second)
	a, err = e.cms.Articles.Publish(e.editor, a.ID, a.Version)
	e.must(err, "publish")
	t3 := e.clock.Advance(time.Second)
	// An edit of a published item goes to its draft, under another slug.
	a, err = e.cms.Articles.Update(bob, a.ID, a.Version, pause.ArticleInput{Slug: ptr("feed-2")})
	e.must(err, "update published")
	t4 := e.clock.Advance(time.Second)
	a, err = e.cms.Articles.Publish(e.editor, a.ID, a.Version)
	e.must(err, "publish the draft")
	t5 := e.clock.Advance(time.Second)
	a, err = e.cms.Articles.Unpublish(e.editor, a.ID, a.Version)
	e.must(err, "unpublish")
	t6 := e.clock.Advance(time.Second)
	a, err = e.cms.Articles.Archive(e.editor, a.ID, a.Version)
	e.must(err, "archive")
	t7 := e.clock.Advance(time.Second)
	tool, err := e.cms.Tools.Create(e.editor, toolInput("Hammer", "Chat", pause.PricingFree))
	e.must(err, "create tool")
	t8 := e.clock.Advance(time.Second)
	e.must(e.cms.Articles.Delete(e.admin, a.ID, a.Version), "delete")
	t9 := e.clock.Advance(time.Second)
	at := t9.Add(time.Hour)
	tool, err = e.cms.Tools.PublishAt(e.editor, tool.ID, tool.Version, &at)
	e.must(err, "schedule tool")

	e.wantEvents(0, []eventRow{
		{"article.created", "article", a.ID, "feed", 1, "alice", t0},
		{"article.updated", "article", a.ID, "feed", 2, "bob", t1},
		{"article.published", "article", a.ID, "feed", 3, "alice", t2},
		{"article.updated", "article", a.ID, "feed", 4, "bob", t3},
		{"article.published", "article", a.ID, "feed-2", 5, "alice", t4},
		{"article.unpublished", "article", a.ID, "feed-2", 6, "alice", t5},
		{"article.archived", "article", a.ID, "feed-2", 7, "alice", t6},
		{"tool.created", "tool", tool.ID, "hammer", 1, "alice", t7},
		{"article.deleted", "article", a.ID, "feed-2", 7, "root", t8},
		{"tool.scheduled", "tool", tool.ID, "hammer", 2, "alice", t9},
	}, "every write")
}

// testEventsFailedWrites: a write that fails (a stale version, a taken slug or id, a missing
// item) records no event and leaves the generation where it was.
func testEventsFailedWrites(e *env) {
	a, err := e.cms.Articles.Create(e.editor, articleInput("Taken"))
	e.must(err, "create")
	g := e.generation()
	_, err = e.cms.Articles.Update(e.editor, a.ID, a.Version+1, pause.ArticleInput{Excerpt: ptr("x")})
	e.wantCode(err, pause.ECONFLICT, "", "stale update")
	_, err = e.cms.Articles.Create(e.editor, pause.ArticleInput{Title: ptr("Other"), Slug: ptr("taken"), Author: &pause.Author{Name: "A"}})
	e.wantCode(err, pause.ECONFLICT, "slug", "create with a taken slug")
	e.wantCode(e.cms.Articles.Delete(e.admin, a.ID, a.Version+3), pause.ECONFLICT, "", "stale delete")
	e.wantCode(e.cms.Articles.Delete(e.admin, "nope", 1), pause.ENOTFOUND, "", "delete of nothing")
	// Straight to the store: a duplicate id, and an update of an item that does not exist.
	dup := a.Clone()
	dup.Slug = "elsewhere"
	e.wantCode(e.stores.Articles.Create(context.Background(), dup), pause.ECONFLICT, "", "create a taken id")
	ghost := a.Clone()
	ghost.ID, ghost.Version = "ghost", 2
	e.wantCode(e.stores.Articles.Update(context.Background(), ghost), pause.ENOTFOUND, "", "update of nothing")
	e.wantEvents(g, nil, "failed writes")
}

// testEventsReorder: a reorder records one benefit.reordered per benefit it moved (new
// benefits are all at position 0, so the first one named stays), with consecutive
// generations, in the order of the ids.
func testEventsReorder(e *env) {
	bs := createBenefits(e, "One", "Two", "Three")
	g := e.generation()
	at := e.clock.Now()
	_, err := e.cms.ReorderBenefits(e.editor, []string{bs[2].ID, bs[1].ID, bs[0].ID})
	e.must(err, "reorder")
	e.wantEvents(g, []eventRow{
		{"benefit.reordered", "benefit", bs[1].ID, "two", 2, "alice", at},
		{"benefit.reordered", "benefit", bs[0].ID, "one", 2, "alice", at},
	}, "reorder")
}

// testEventsScheduledBySettle: a scheduled publication becomes exactly one article.published
// when SettleDue runs after its time, not before; a scheduled unpublication one
// article.unpublished; the items leave the schedule.
func testEventsScheduledBySettle(e *env) {
	a, err := e.cms.Articles.Create(e.editor, articleInput("Later"))
	e.must(err, "create")
	p, err := e.cms.Articles.Create(e.editor, articleInput("Going"))
	e.must(err, "create")
	p, err = e.cms.Articles.Publish(e.editor, p.ID, p.Version)
	e.must(err, "publish")
	at := e.clock.Now().Add(time.Hour)
	a, err = e.cms.Articles.PublishAt(withSubject(e.editor, "sched"), a.ID, a.Version, &at)
	e.must(err, "schedule publish")
	p, err = e.cms.Articles.UnpublishAt(withSubject(e.editor, "sched"), p.ID, p.Version, ptr(at.Add(time.Minute)))
	e.must(err, "schedule unpublish")
	g := e.generation()

	e.clock.Advance(time.Hour - time.Nanosecond)
	n, err := e.cms.SettleDue(e.admin)
	e.must(err, "settle before the time")
	if n != 0 {
		e.Fatalf("settled %d before the time", n)
	}
	e.wantEvents(g, nil, "before the time")

	e.clock.Advance(time.Nanosecond + 30*time.Second)
	now := e.clock.Now()
	n, err = e.cms.SettleDue(context.Background())
	e.must(err, "settle")
	if n != 1 {
		e.Fatalf("settled %d, want 1", n)
	}
	e.clock.Advance(time.Minute)
	n, err = e.cms.SettleDue(context.Background())
	e.must(err, "settle again")
	if n != 1 {
		e.Fatalf("settled %d, want 1 (the unpublication)", n)
	}
	n, err = e.cms.SettleDue(context.Background())
	e.must(err, "settle once more")
	if n != 0 {
		e.Fatalf("settled %d again", n)
	}
	e.wantEvents(g, []eventRow{
		{"article.published", "article", a.ID, "later", 3, "sched", now},
		{"article.unpublished", "article", p.ID, "going", 4, "sched", now.Add(time.Minute)},
	}, "settled")
	got, err := e.stores.Articles.Get(context.Background(), a.ID)
	e.must(err, "get settled")
	if got.Status != pause.StatusPublished || got.ScheduledAt != nil || got.PublishedAt == nil || !got.PublishedAt.Equal(at) || got.PublishedBy != "sched" {
		e.Fatalf("settled item: status %s scheduled %v published %v by %q", got.Status, got.ScheduledAt, got.PublishedAt, got.PublishedBy)
	}
	yes := true
	left, err := e.cms.Articles.Count(e.editor, pause.ArticleFilter{Scope: pause.Scope{Scheduled: &yes}})
	e.must(err, "count scheduled")
	if left != 0 {
		e.Fatalf("%d articles still scheduled", left)
	}
}

// testEventsScheduledByWrite: an editor's write after the time settles the change itself and
// records article.published once; SettleDue then has nothing to do.
func testEventsScheduledByWrite(e *env) {
	a, err := e.cms.Articles.Create(e.editor, articleInput("Edited late"))
	e.must(err, "create")
	at := e.clock.Now().Add(time.Hour)
	a, err = e.cms.Articles.PublishAt(e.editor, a.ID, a.Version, &at)
	e.must(err, "schedule")
	g := e.generation()
	now := e.clock.Advance(2 * time.Hour)
	a, err = e.cms.Articles.Update(withSubject(e.editor, "bob"), a.ID, a.Version, pause.ArticleInput{Excerpt: ptr("Late.")})
	e.must(err, "update after the time")
	n, err := e.cms.SettleDue(context.Background())
	e.must(err, "settle")
	if n != 0 {
		e.Fatalf("settled %d after a write settled it", n)
	}
	e.wantEvents(g, []eventRow{{"article.published", "article", a.ID, "edited-late", 3, "bob", now}}, "settled by a write")
}

// testEventsPagesAndPrune: Events pages by generation; PruneEvents drops the old ones and
// keeps the generation.
func testEventsPagesAndPrune(e *env) {
	var made []string
	for i := range 5 {
		t, err := e.cms.Tools.Create(e.editor, toolInput(fmt.Sprintf("Tool %d", i), "Chat", pause.PricingFree))
		e.must(err, "create")
		made = append(made, t.ID)
		e.clock.Advance(time.Hour)
	}
	ctx := context.Background()
	for _, c := range []struct {
		after uint64
		limit int
		want  []string
	}{{0, 2, made[:2]}, {2, 2, made[2:4]}, {4, 10, made[4:]}, {5, 10, nil}, {0, 0, nil}} {
		got, err := e.stores.Events.Events(ctx, c.after, c.limit)
		e.must(err, "events")
		var ids []string
		for _, ev := range got {
			ids = append(ids, ev.ItemID)
		}
		if !slices.Equal(ids, c.want) {
			e.Fatalf("events after %d, %d: %v, want %v", c.after, c.limit, ids, c.want)
		}
	}
	e.must(e.stores.Events.PruneEvents(ctx, Start.Add(2*time.Hour)), "prune")
	got, err := e.stores.Events.Events(ctx, 0, 10)
	e.must(err, "events after prune")
	if len(got) != 3 || got[0].Generation != 3 {
		e.Fatalf("after prune: %d events, first %v", len(got), got)
	}
	if g := e.generation(); g != 5 {
		e.Fatalf("generation after prune: %d, want 5", g)
	}
}

// testEventsConcurrent: writers racing on different items each get one event, the generations
// have no gap and no repeat, and every committed write is in the feed.
func testEventsConcurrent(e *env) {
	errs := race(func(i int) error {
		_, err := e.cms.Tools.Create(e.editor, toolInput(fmt.Sprintf("Racer %d", i), "Chat", pause.PricingFree))
		return err
	})
	for i, err := range errs {
		e.must(err, fmt.Sprintf("writer %d", i))
	}
	got := e.events(0)
	if len(got) != writers {
		e.Fatalf("%d events for %d writes", len(got), writers)
	}
	seen := map[string]bool{}
	for _, ev := range got {
		if ev.Type != "tool.created" || seen[ev.ItemID] {
			e.Fatalf("event %v: a repeat or not a creation", ev)
		}
		seen[ev.ItemID] = true
		if _, err := e.stores.Tools.Get(context.Background(), ev.ItemID); err != nil {
			e.Fatalf("event %d names %s: %v", ev.Generation, ev.ItemID, err)
		}
	}
	if g := e.generation(); g != writers {
		e.Fatalf("generation %d, want %d", g, writers)
	}
}

// CheckFeed checks, after a crash, that the stores' change feed and their items agree: the
// generations run from 1 to the generation with no gap, every event names an item that
// exists at its version or later, and every item's versions each have exactly one event. It
// fits stores whose items were created and updated but never deleted, and whose events were
// not pruned. acknowledged are the versions of items that writers were told were written: they
// must be there too.
func CheckFeed(ctx context.Context, s pause.Stores, acknowledged map[string]int) error {
	gen, err := s.Events.Generation(ctx)
	if err != nil {
		return err
	}
	events, err := s.Events.Events(ctx, 0, 1<<20)
	if err != nil {
		return err
	}
	if uint64(len(events)) != gen {
		return fmt.Errorf("generation %d, but %d events", gen, len(events))
	}
	versions := map[string]map[int]int{} // id → version → events
	for i, ev := range events {
		if ev.Generation != uint64(i)+1 {
			return fmt.Errorf("event %d has generation %d", i, ev.Generation)
		}
		if versions[ev.ItemID] == nil {
			versions[ev.ItemID] = map[int]int{}
		}
		versions[ev.ItemID][ev.Version]++
	}
	stored := map[string]int{}
	if err := collect(ctx, s.Articles, stored); err != nil {
		return err
	}
	if err := collect(ctx, s.Benefits, stored); err != nil {
		return err
	}
	if err := collect[*pause.Tool, pause.ToolFilter](ctx, s.Tools, stored); err != nil {
		return err
	}
	for id, vs := range versions {
		v, ok := stored[id]
		if !ok {
			return fmt.Errorf("an event names %s, which was never written", id)
		}
		for ev := range vs {
			if ev > v {
				return fmt.Errorf("an event names version %d of %s, which is at version %d: a write that did not commit", ev, id, v)
			}
		}
	}
	for id, v := range stored {
		for n := 1; n <= v; n++ {
			if c := versions[id][n]; c != 1 {
				return fmt.Errorf("version %d of %s has %d events, want 1", n, id, c)
			}
		}
	}
	for id, v := range acknowledged {
		if stored[id] < v {
			return fmt.Errorf("version %d of %s was acknowledged, but the store has version %d", v, id, stored[id])
		}
	}
	return nil
}

// collect adds the id and version of every item of the store to out.
func collect[T pause.Item[T], F pause.Filter[T]](ctx context.Context, s pause.Store[T, F], out map[string]int) error {
	var zero T
	q := pause.Query[F]{Order: zero.Type().Orders[0], First: pause.MaxFirst}
	for {
		page, err := s.List(ctx, q)
		if err != nil {
			return err
		}
		for _, item := range page.Items {
			m := item.Metadata()
			out[m.ID] = m.Version
		}
		if !page.HasNextPage {
			return nil
		}
		q.After = page.EndCursor()
	}
}

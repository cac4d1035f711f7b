package storetest

import (
	"time"

	"pause"
)

// testCancelSchedule: cancelling a scheduled publish leaves the item a draft, nothing happens
// at the time, and it leaves the list of scheduled items; cancelling a scheduled unpublish
// leaves the item public past its time. Stale versions conflict, viewers may not, and an item
// with nothing pending (or whose time has come) is refused.
func testCancelSchedule(e *env) {
	articles := e.cms.Articles
	yes := true
	mk := func(title string) *pause.Article {
		a, err := articles.Create(e.editor, pause.ArticleInput{Title: &title, Author: &pause.Author{Name: "Ada"}})
		e.must(err, "create")
		return a
	}
	at := e.clock.Now().Add(time.Hour)
	a := mk("Scheduled then not")
	a, err := articles.PublishAt(e.editor, a.ID, a.Version, &at)
	e.must(err, "schedule a publish")
	_, err = articles.CancelSchedule(e.viewer, a.ID, a.Version)
	e.wantCode(err, pause.EFORBIDDEN, "", "viewer cancels")
	_, err = articles.CancelSchedule(e.editor, a.ID, a.Version-1)
	e.wantCode(err, pause.ECONFLICT, "", "cancel at a stale version")
	a, err = articles.CancelSchedule(e.editor, a.ID, a.Version)
	e.must(err, "cancel")
	if a.ScheduledAt != nil || a.ScheduledStatus != "" || a.Status != pause.StatusDraft || a.Version != 3 {
		e.Fatalf("cancelled: %+v", a.Meta)
	}
	page, err := articles.List(e.viewer, pause.Query[pause.ArticleFilter]{Filter: pause.ArticleFilter{Scope: pause.Scope{Scheduled: &yes}}, First: 10})
	e.must(err, "list scheduled")
	if len(page.Items) != 0 {
		e.Fatalf("still listed as scheduled: %d items", len(page.Items))
	}
	_, err = articles.CancelSchedule(e.editor, a.ID, a.Version)
	e.wantCode(err, pause.EINVALID, "", "cancel with nothing pending")

	b := mk("Public, stays public")
	b, err = articles.Publish(e.editor, b.ID, b.Version)
	e.must(err, "publish")
	b, err = articles.UnpublishAt(e.editor, b.ID, b.Version, &at)
	e.must(err, "schedule an unpublish")
	b, err = articles.CancelSchedule(e.editor, b.ID, b.Version)
	e.must(err, "cancel the unpublish")

	e.clock.Advance(2 * time.Hour)
	got, err := articles.Get(e.anon, b.ID)
	e.must(err, "the public reads the item after the time")
	if got.Status != pause.StatusPublished {
		e.Fatalf("status after the time: %s", got.Status)
	}
	_, err = articles.Get(e.anon, a.ID)
	e.wantCode(err, pause.ENOTFOUND, "", "the public reads the cancelled publish")
	revs, err := articles.Revisions(e.viewer, b.ID, 1, "")
	e.must(err, "revisions")
	if len(revs.Revisions) != 1 || revs.Revisions[0].Action != "cancelSchedule" {
		e.Fatalf("newest revision: %+v", revs.Revisions)
	}

	// A change whose time has come has happened: there is nothing left to cancel.
	c := mk("Too late")
	past := e.clock.Now().Add(time.Minute)
	c, err = articles.PublishAt(e.editor, c.ID, c.Version, &past)
	e.must(err, "schedule")
	e.clock.Advance(2 * time.Minute)
	_, err = articles.CancelSchedule(e.editor, c.ID, c.Version)
	e.wantCode(err, pause.EINVALID, "", "cancel after the time")
}

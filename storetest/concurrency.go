package storetest

import (
	"fmt"
	"slices"
	"sync"

	"pause"
)

const writers = 20

// race runs f(0) … f(writers-1) at once and returns their errors.
func race(f func(i int) error) []error {
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWins fails the test unless exactly one error is nil and the others have one of the codes.
// It returns the index of the winner.
func (e *env) oneWins(errs []error, what string, codes ...string) int {
	e.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			e.Fatalf("%s: writers %d and %d both succeeded", what, winner, i)
		case err == nil:
			winner = i
		case !slices.Contains(codes, pause.ErrorCode(err)):
			e.Fatalf("%s: writer %d: %v, want one of %v", what, i, err, codes)
		}
	}
	if winner < 0 {
		e.Fatalf("%s: no writer succeeded: %v", what, errs[0])
	}
	return winner
}

// testConcurrentUpdate: of many writers of the same version, exactly one wins.
func testConcurrentUpdate(e *env) {
	k := articleKind(e)
	a := k.mustCreate(e, "Contended", "")
	errs := race(func(i int) error {
		_, err := e.cms.Articles.Update(e.editor, a.ID, 1, pause.ArticleInput{Excerpt: ptr(fmt.Sprintf("writer %d", i))})
		return err
	})
	w := e.oneWins(errs, "20 updates of version 1", pause.ECONFLICT)
	got := k.stored(e, a.ID)
	if got.Version != 2 || got.Excerpt != fmt.Sprintf("writer %d", w) {
		e.Fatalf("after the race: version %d, excerpt %q; want 2, writer %d", got.Version, got.Excerpt, w)
	}
}

// testConcurrentCreateSlug: of many creates with one explicit slug, exactly one wins.
func testConcurrentCreateSlug(e *env) {
	k := articleKind(e)
	ids := make([]string, writers)
	errs := race(func(i int) error {
		in := articleInput(fmt.Sprintf("Writer %d", i))
		in.Slug = ptr("same")
		a, err := e.cms.Articles.Create(e.editor, in)
		if err == nil {
			ids[i] = a.ID
		} else if pause.ErrorField(err) != "slug" {
			return fmt.Errorf("not a slug conflict: %w", err)
		}
		return err
	})
	w := e.oneWins(errs, "20 creates with slug same", pause.ECONFLICT)
	k.wantStoreCount(e, 1, "after the race")
	got, err := e.cms.Articles.GetBySlug(e.editor, "same")
	e.must(err, "get by slug")
	if got.ID != ids[w] || got.Title != fmt.Sprintf("Writer %d", w) {
		e.Fatalf("slug same names %s %q, want the winner, writer %d", got.ID, got.Title, w)
	}
}

// testConcurrentCreateTitle: many creates with one title all succeed, with distinct slugs.
func testConcurrentCreateTitle(e *env) {
	k := articleKind(e)
	made := make([]*pause.Article, writers)
	errs := race(func(i int) error {
		var err error
		made[i], err = e.cms.Articles.Create(e.editor, articleInput("Same Title"))
		return err
	})
	for i, err := range errs {
		e.must(err, fmt.Sprintf("create %d", i))
	}
	var slugs, want []string
	for i, a := range made {
		slugs = append(slugs, a.Slug)
		want = append(want, "same-title")
		if i > 0 {
			want[i] = fmt.Sprintf("same-title-%d", i+1)
		}
		got, err := e.cms.Articles.GetBySlug(e.editor, a.Slug)
		e.must(err, "get by slug "+a.Slug)
		if got.ID != a.ID {
			e.Fatalf("slug %s names %s, want %s", a.Slug, got.ID, a.ID)
		}
	}
	slices.Sort(slugs)
	slices.Sort(want)
	if !slices.Equal(slugs, want) {
		e.Fatalf("slugs = %v, want %v", slugs, want)
	}
	k.wantStoreCount(e, writers, "after the race")
}

// testConcurrentDelete: of many deletes of the same version, exactly one wins.
func testConcurrentDelete(e *env) {
	k := articleKind(e)
	a := k.mustCreate(e, "Doomed", "")
	keep := k.mustCreate(e, "Kept", "")
	errs := race(func(int) error { return e.cms.Articles.Delete(e.admin, a.ID, 1) })
	e.oneWins(errs, "20 deletes of version 1", pause.ENOTFOUND, pause.ECONFLICT)
	k.wantStoreCount(e, 1, "after the race")
	same(e, k.stored(e, keep.ID), keep, "the other article")
}

// testConcurrentCategories: concurrent writes of different tools all succeed, and category
// counts add up.
func testConcurrentCategories(e *env) {
	tools := make([]*pause.Tool, writers)
	for i := range tools {
		tools[i] = e.mustCreateTool(fmt.Sprintf("Tool %d", i))
	}
	errs := race(func(i int) error {
		var err error
		tools[i], err = e.cms.Tools.Publish(e.editor, tools[i].ID, tools[i].Version)
		return err
	})
	for i, err := range errs {
		e.must(err, fmt.Sprintf("publish tool %d", i))
	}
	e.wantCategories(e.anon, []pause.CategoryCount{{Name: "Chat", Count: writers}}, "after publishing 20 tools at once")

	errs = race(func(i int) error {
		t := tools[i]
		if i%2 == 0 {
			_, err := e.cms.Tools.Unpublish(e.editor, t.ID, t.Version)
			return err
		}
		t, err := e.cms.Tools.Update(e.editor, t.ID, t.Version, pause.ToolInput{Category: ptr("Video")})
		if err != nil {
			return err
		}
		_, err = e.cms.Tools.Publish(e.editor, t.ID, t.Version)
		return err
	})
	for i, err := range errs {
		e.must(err, fmt.Sprintf("write tool %d", i))
	}
	e.wantCategories(e.anon, []pause.CategoryCount{{Name: "Video", Count: writers / 2}}, "after unpublishing 10 and moving 10")
	published := pause.StatusPublished
	wantCount(e, toolKind(e), e.editor, pause.ToolFilter{Scope: pause.Scope{Status: &published}, Category: "Video"}, writers/2, "published Video tools")
}

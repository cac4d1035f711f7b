package dynamo

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"pause"
)

const racers = 20

// race runs f(0) … f(racers-1) at once and returns their errors.
func race(f func(i int) error) []error {
	errs := make([]error, racers)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range racers {
		done.Go(func() {
			start.Wait()
			errs[i] = f(i)
		})
	}
	start.Done()
	done.Wait()
	return errs
}

// codes counts the errors by code ("" for success).
func codes(errs []error) map[string]int {
	out := map[string]int{}
	for _, err := range errs {
		out[pause.ErrorCode(err)]++
	}
	return out
}

// TestRaceUpdateSameVersion: 20 editors update one article from the same version; exactly one
// wins, the others get CONFLICT, and the article is at version 2 with the winner's title.
func TestRaceUpdateSameVersion(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	a := must[*pause.Article](t)(cms.Articles.Create(ctx, pause.ArticleInput{Title: ptr("Contended"), Author: &pause.Author{Name: "Ann"}}))
	titles := make([]string, racers)
	errs := race(func(i int) error {
		titles[i] = fmt.Sprintf("Title %d", i)
		_, err := cms.Articles.Update(ctx, a.ID, a.Version, pause.ArticleInput{Title: &titles[i], Tags: []string{fmt.Sprintf("t%d", i)}})
		return err
	})
	if c := codes(errs); c[""] != 1 || c[pause.ECONFLICT] != racers-1 {
		t.Fatalf("outcomes %v, want 1 success and %d CONFLICT", c, racers-1)
	}
	got := must[*pause.Article](t)(cms.Articles.Get(ctx, a.ID))
	winner := -1
	for i, err := range errs {
		if err == nil {
			winner = i
		}
	}
	if got.Version != 2 || got.Title != titles[winner] {
		t.Fatalf("article at version %d titled %q, want 2 and %q", got.Version, got.Title, titles[winner])
	}
	// Counters follow the winner only: one draft, one with the winner's tag, none with another.
	for i := range racers {
		want := 0
		if i == winner {
			want = 1
		}
		n := must[int](t)(cms.Articles.Count(ctx, pause.ArticleFilter{Tag: fmt.Sprintf("t%d", i)}))
		if n != want {
			t.Fatalf("count of tag t%d: %d, want %d", i, n, want)
		}
	}
}

// TestRaceCreateSameSlug: 20 editors create an article with one slug; exactly one exists
// afterwards, the others get CONFLICT on the field slug, and the counts say one.
func TestRaceCreateSameSlug(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	errs := race(func(i int) error {
		_, err := cms.Articles.Create(ctx, pause.ArticleInput{
			Slug: ptr("the-slug"), Title: ptr(fmt.Sprintf("Article %d", i)), Author: &pause.Author{Name: "Ann"},
		})
		return err
	})
	if c := codes(errs); c[""] != 1 || c[pause.ECONFLICT] != racers-1 {
		t.Fatalf("outcomes %v, want 1 success and %d CONFLICT", c, racers-1)
	}
	for _, err := range errs {
		if err != nil && pause.ErrorField(err) != "slug" {
			t.Fatalf("conflict %v should name the field slug", err)
		}
	}
	if n := must[int](t)(cms.Articles.Count(ctx, pause.ArticleFilter{})); n != 1 {
		t.Fatalf("count %d, want 1", n)
	}
	page := must[*pause.Page[*pause.Article]](t)(cms.Articles.List(ctx, pause.Query[pause.ArticleFilter]{First: 50}))
	if len(page.Items) != 1 || page.Items[0].Slug != "the-slug" {
		t.Fatalf("list: %d articles", len(page.Items))
	}
	if a := must[*pause.Article](t)(cms.Articles.GetBySlug(ctx, "the-slug")); a.ID != page.Items[0].ID {
		t.Fatal("the slug names another article than the one that exists")
	}
}

// TestRaceCounters: 20 editors each create a tool and take it through publish, unpublish,
// archive or delete at once, all on the same counters; afterwards every count and the
// categories agree exactly with the tools that exist.
func TestRaceCounters(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	categories := []string{"Chat", "Docs", "Video"}
	pricings := []pause.Pricing{pause.PricingFree, pause.PricingPaid, pause.PricingOpenSource}
	final := make([]*pause.Tool, racers)
	ctx, meter := WithMeter(ctx)
	defer func() { t.Logf("cost of the race: %v", meter.Usage()) }()
	errs := race(func(i int) error {
		tool, err := cms.Tools.Create(ctx, pause.ToolInput{
			Name: ptr(fmt.Sprintf("Tool %d", i)), WebsiteURL: ptr("https://example.com"),
			Category: &categories[i%3], Pricing: &pricings[i%len(pricings)],
			Tags: []string{"async", fmt.Sprintf("group-%d", i%4)}, Featured: ptr(i%5 == 0),
		})
		if err != nil {
			return err
		}
		if tool, err = cms.Tools.Publish(ctx, tool.ID, tool.Version); err != nil {
			return err
		}
		switch i % 4 {
		case 1:
			tool, err = cms.Tools.Unpublish(ctx, tool.ID, tool.Version)
		case 2:
			err = cms.Tools.Delete(ctx, tool.ID, tool.Version)
			tool = nil
		case 3:
			// Move it to another category, then archive it.
			if tool, err = cms.Tools.Update(ctx, tool.ID, tool.Version, pause.ToolInput{Category: &categories[(i+1)%3]}); err == nil {
				tool, err = cms.Tools.Archive(ctx, tool.ID, tool.Version)
			}
		}
		final[i] = tool
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("editor %d: %v", i, err)
		}
	}
	var tools []*pause.Tool
	for _, tool := range final {
		if tool != nil {
			tools = append(tools, tool)
		}
	}
	checkToolCounts(t, cms, ctx, tools, categories, []string{"async", "group-0", "group-1", "group-2", "group-3"})
}

// checkToolCounts compares CountTools for every filter the counters cover (and a pair that
// they do not), and ToolCategories, with counts made from the tools.
func checkToolCounts(t *testing.T, cms *pause.CMS, ctx context.Context, tools []*pause.Tool, categories, tags []string) {
	t.Helper()
	for _, f := range toolFilters(categories, tags) {
		want := 0
		for _, tool := range tools {
			if f.Match(tool) {
				want++
			}
		}
		if got := must[int](t)(cms.Tools.Count(ctx, f)); got != want {
			t.Fatalf("count of %s: %d, want %d", describe(f), got, want)
		}
	}
	byName := map[string]int{}
	for _, tool := range tools {
		if tool.Status == pause.StatusPublished {
			byName[tool.Category]++
		}
	}
	got := must[[]pause.CategoryCount](t)(cms.ToolCategories(ctx))
	if len(got) != len(byName) {
		t.Fatalf("categories %v, want %v", got, byName)
	}
	for _, c := range got {
		if byName[c.Name] != c.Count {
			t.Fatalf("categories %v, want %v", got, byName)
		}
	}
}

package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pause"
)

const (
	population = 250
	pageSize   = 7
)

var (
	pagingCategories = []string{"Chat", "Docs", "Video", "Rare"}
	pagingTags       = []string{"async", "rare", "t0", "t3"}
)

// parallel runs f(0) … f(n-1) on a few workers, and fails the test on the first error.
func parallel(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	next := make(chan int)
	for range 6 {
		wg.Go(func() {
			for i := range next {
				errs[i] = f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
	}
}

// statusOf spreads the population over the statuses: half published, a quarter each draft
// and archived.
func statusOf(i int) pause.Status {
	return []pause.Status{pause.StatusPublished, pause.StatusDraft, pause.StatusPublished, pause.StatusArchived}[i%4]
}

// times gives the population ties: several items share each timestamp.
func times(i int) (created, updated time.Time, published *time.Time) {
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	created = base.Add(time.Duration(i/3) * time.Hour)
	updated = created.Add(time.Duration(i*37%40) * time.Minute)
	if i%5 != 1 { // some items were never published, whatever their status
		p := base.Add(time.Duration(i*53%60) * time.Minute)
		published = &p
	}
	return created, updated, published
}

var names = []string{"Alpha", "alpha", "Beta", "BETA", "gamma", "Delta", "epsilon", "Zeta", "Ärger"}

func populateTools(t *testing.T, cms *pause.CMS, ctx context.Context) []*pause.Tool {
	tools := make([]*pause.Tool, population)
	parallel(t, population, func(i int) error {
		created, updated, published := times(i)
		tool := &pause.Tool{
			Meta: pause.Meta{Slug: fmt.Sprintf("tool-%03d", i), Status: statusOf(i), CreatedAt: created,
				UpdatedAt: updated, PublishedAt: published},
			Name: names[i%len(names)], WebsiteURL: "https://example.com",
			Category: pagingCategories[i%3], Pricing: []pause.Pricing{pause.PricingFree, pause.PricingPaid, pause.PricingFreemium, pause.PricingOpenSource}[i%4],
			Featured: i%6 == 0, Tags: []string{fmt.Sprintf("t%d", i%7)},
		}
		if i%2 == 0 {
			tool.Tags = append(tool.Tags, "async")
		}
		if i%37 == 0 {
			tool.Category = "Rare"
			tool.Tags = append(tool.Tags, "rare")
		}
		tools[i] = tool
		_, err := cms.Tools.Import(ctx, tool)
		return err
	})
	return tools
}

func populateArticles(t *testing.T, cms *pause.CMS, ctx context.Context) []*pause.Article {
	articles := make([]*pause.Article, population)
	authors := []string{"Ann", "Bob", "Cy"}
	parallel(t, population, func(i int) error {
		created, updated, published := times(i)
		a := &pause.Article{
			Meta: pause.Meta{Slug: fmt.Sprintf("article-%03d", i), Status: statusOf(i), CreatedAt: created,
				UpdatedAt: updated, PublishedAt: published},
			Title: names[i%len(names)], Body: fmt.Sprintf("Body %d.", i),
			Author: pause.Author{Name: authors[i%3]}, Tags: []string{fmt.Sprintf("t%d", i%7)},
		}
		if i%2 == 0 {
			a.Tags = append(a.Tags, "async")
		}
		if i%37 == 0 {
			a.Tags = append(a.Tags, "rare")
		}
		articles[i] = a
		_, err := cms.Articles.Import(ctx, a)
		return err
	})
	return articles
}

var allStatuses = []*pause.Status{nil, ptr(pause.StatusDraft), ptr(pause.StatusPublished), ptr(pause.StatusArchived)}

// toolFilters are every status with no facet, each facet alone, and pairs of facets.
func toolFilters(categories, tags []string) []pause.ToolFilter {
	var facets []pause.ToolFilter
	facets = append(facets, pause.ToolFilter{})
	for _, c := range categories {
		facets = append(facets, pause.ToolFilter{Category: c})
	}
	for _, tag := range tags {
		facets = append(facets, pause.ToolFilter{Tag: tag})
	}
	for _, p := range []pause.Pricing{pause.PricingFree, pause.PricingOpenSource} {
		facets = append(facets, pause.ToolFilter{Pricing: &p})
	}
	facets = append(facets, pause.ToolFilter{Featured: ptr(true)}, pause.ToolFilter{Featured: ptr(false)},
		pause.ToolFilter{Category: categories[0], Tag: tags[0]},
		pause.ToolFilter{Pricing: ptr(pause.PricingFree), Featured: ptr(true)})
	var out []pause.ToolFilter
	for _, st := range allStatuses {
		for _, f := range facets {
			f.Status = st
			out = append(out, f)
		}
	}
	return out
}

func articleFilters() []pause.ArticleFilter {
	facets := []pause.ArticleFilter{{}, {Tag: "async"}, {Tag: "rare"}, {Tag: "t3"}, {Author: "Ann"}, {Tag: "async", Author: "Bob"}}
	var out []pause.ArticleFilter
	for _, st := range allStatuses {
		for _, f := range facets {
			f.Status = st
			out = append(out, f)
		}
	}
	return out
}

// describe spells a filter for messages.
func describe(f any) string {
	s := fmt.Sprintf("%+v", f)
	if st, ok := f.(interface{ StatusIs() *pause.Status }); ok && st.StatusIs() != nil {
		s += " status " + string(*st.StatusIs())
	}
	return s
}

// expected returns the ids of the items that match f, in the order of o, as the contract
// defines it.
func expected[T pause.Item[T], F pause.Filter[T]](items []T, f F, o pause.Order) []string {
	var match []T
	for _, it := range items {
		if f.Match(it) {
			match = append(match, it)
		}
	}
	slices.SortFunc(match, func(a, b T) int {
		c := strings.Compare(pause.SortKey(a, o), pause.SortKey(b, o))
		if o.Descending() {
			return -c
		}
		return c
	})
	ids := make([]string, len(match))
	for i, it := range match {
		ids[i] = it.Metadata().ID
	}
	return ids
}

// walkAll pages through a list with pages of pageSize and checks that nothing is lost or
// repeated, and that no page is short while more items match.
func walkAll[T pause.Item[T]](t *testing.T, list func(after string) (*pause.Page[T], error), want []string, what string) {
	t.Helper()
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > population {
			t.Fatalf("%s: more pages than items", what)
		}
		page, err := list(after)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(page.Items) != len(page.Cursors) {
			t.Fatalf("%s: %d items and %d cursors", what, len(page.Items), len(page.Cursors))
		}
		for _, it := range page.Items {
			got = append(got, it.Metadata().ID)
		}
		more := len(got) < len(want)
		if page.HasNextPage != more {
			t.Fatalf("%s: page %d says HasNextPage %v after %d of %d items", what, pages, page.HasNextPage, len(got), len(want))
		}
		if more && len(page.Items) != pageSize {
			t.Fatalf("%s: short page %d (%d items) while %d more match", what, pages, len(page.Items), len(want)-len(got))
		}
		if !more {
			break
		}
		after = page.EndCursor()
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: listed %d items, want %d in order\n got %v\nwant %v", what, len(got), len(want), got, want)
	}
}

// TestPagingTools: 250 tools, pages of 7, every filter and order, and every count.
func TestPagingTools(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	tools := populateTools(t, cms, ctx)
	checkToolCounts(t, cms, ctx, tools, pagingCategories, pagingTags)
	for _, f := range toolFilters(pagingCategories, pagingTags) {
		for _, o := range []pause.Order{pause.OrderName, pause.OrderUpdatedAt} {
			t.Run(fmt.Sprintf("%s/%s", describe(f), o), func(t *testing.T) {
				t.Parallel()
				walkAll(t, func(after string) (*pause.Page[*pause.Tool], error) {
					return cms.Tools.List(ctx, pause.Query[pause.ToolFilter]{Filter: f, Order: o, First: pageSize, After: after})
				}, expected(tools, f, o), describe(f))
			})
		}
	}
}

// TestPagingArticles: 250 articles, pages of 7, every filter and order; visitors see the
// published ones only.
func TestPagingArticles(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	articles := populateArticles(t, cms, ctx)
	for _, f := range articleFilters() {
		want := expected(articles, f, pause.OrderTitle)
		if got := must[int](t)(cms.Articles.Count(ctx, f)); got != len(want) {
			t.Fatalf("count of %s: %d, want %d", describe(f), got, len(want))
		}
		for _, o := range []pause.Order{pause.OrderPublishedAt, pause.OrderUpdatedAt, pause.OrderTitle} {
			t.Run(fmt.Sprintf("%s/%s", describe(f), o), func(t *testing.T) {
				t.Parallel()
				walkAll(t, func(after string) (*pause.Page[*pause.Article], error) {
					return cms.Articles.List(ctx, pause.Query[pause.ArticleFilter]{Filter: f, Order: o, First: pageSize, After: after})
				}, expected(articles, f, o), describe(f))
			})
		}
	}
	t.Run("Anonymous", func(t *testing.T) {
		t.Parallel()
		f := pause.ArticleFilter{Scope: pause.Scope{Status: ptr(pause.StatusPublished)}, Tag: "async"}
		walkAll(t, func(after string) (*pause.Page[*pause.Article], error) {
			return cms.Articles.List(anonymous(), pause.Query[pause.ArticleFilter]{Filter: pause.ArticleFilter{Tag: "async"}, First: pageSize, After: after})
		}, expected(articles, f, pause.OrderPublishedAt), "anonymous, tag async")
	})
}

package dynamo

import (
	"fmt"
	"testing"

	"pause"
)

// seedPageRequests is what the seed page's reads cost, whatever the page size: one Query for
// the published articles, one Query for the published benefits, one GetItem for the count of
// published tools, and for each of the three one Query of its type's scheduled partition
// (scheduled changes of status are read at the time of the request). doc.go states the same
// number.
const seedPageRequests = 6

// TestSeedPageCost reads the seed page (the article list, the benefits, the tools count) as a
// visitor with pages of 1 to 100 items, and checks with a Meter that it always costs the same
// number of DynamoDB requests; only the read units grow with the page.
func TestSeedPageCost(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	const published = 110
	parallel(t, published+20, func(i int) error {
		status := pause.StatusPublished
		if i >= published {
			status = pause.StatusDraft // drafts live in another partition: never read here
		}
		a := &pause.Article{Meta: pause.Meta{Slug: fmt.Sprintf("a-%d", i), Status: status},
			Title: fmt.Sprintf("Article %d", i), Excerpt: "An excerpt of a few words.",
			Body: "A body that list pages never read.", Author: pause.Author{Name: "Ann"}, Tags: []string{"async"}}
		if _, err := cms.Articles.Import(ctx, a); err != nil {
			return err
		}
		b := &pause.Benefit{Meta: pause.Meta{Slug: fmt.Sprintf("b-%d", i), Status: status},
			Title: fmt.Sprintf("Benefit %d", i), Summary: "Why it *helps*.", Points: []string{"one", "two"}, Position: i}
		if _, err := cms.Benefits.Import(ctx, b); err != nil {
			return err
		}
		tool := &pause.Tool{Meta: pause.Meta{Slug: fmt.Sprintf("t-%d", i), Status: status},
			Name: fmt.Sprintf("Tool %d", i), WebsiteURL: "https://example.com", Category: "Chat", Pricing: pause.PricingFree}
		_, err := cms.Tools.Import(ctx, tool)
		return err
	})
	visitor := anonymous()
	for _, size := range []int{1, 5, 20, 50, 100} {
		mctx, meter := WithMeter(visitor)
		articles := must[*pause.Page[*pause.Article]](t)(cms.Articles.List(mctx, pause.Query[pause.ArticleFilter]{First: size}))
		benefits := must[*pause.Page[*pause.Benefit]](t)(cms.Benefits.List(mctx, pause.Query[pause.BenefitFilter]{First: size}))
		tools := must[int](t)(cms.Tools.Count(mctx, pause.ToolFilter{}))
		if len(articles.Items) != size || len(benefits.Items) != size || tools != published {
			t.Fatalf("page of %d: %d articles, %d benefits, %d tools", size, len(articles.Items), len(benefits.Items), tools)
		}
		u := meter.Usage()
		t.Logf("page of %3d: %v", size, u)
		if u.Requests != seedPageRequests || u.Operations["Query"] != 5 || u.Operations["GetItem"] != 1 {
			t.Fatalf("page of %d cost %v, want %d requests (5 Query, 1 GetItem)", size, u, seedPageRequests)
		}
		if u.ReadUnits <= 0 {
			t.Fatalf("page of %d: no read units reported: %v", size, u)
		}
	}
	mctx, meter := WithMeter(visitor)
	must[[]pause.CategoryCount](t)(cms.ToolCategories(mctx))
	if u := meter.Usage(); u.Requests != 2 {
		t.Fatalf("tool categories cost %v, want 2 requests (the counters, the scheduled tools)", u)
	}
}

// TestMeter: the meter counts requests, attempts and capacity by operation, and calls without
// a meter are not counted anywhere.
func TestMeter(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	mctx, meter := WithMeter(ctx)
	a := must[*pause.Article](t)(cms.Articles.Create(mctx, pause.ArticleInput{Title: ptr("Metered"), Body: ptr("Text."), Author: &pause.Author{Name: "Ann"}}))
	u := meter.Usage()
	if u.Requests != 1 || u.Operations["TransactWriteItems"] != 1 || u.WriteUnits <= 0 || u.Attempts < 1 {
		t.Fatalf("create: %v", u)
	}
	meter.Reset()
	must[*pause.Article](t)(cms.Articles.Get(mctx, a.ID))
	if u := meter.Usage(); u.Requests != 1 || u.Operations["Query"] != 1 || u.ReadUnits <= 0 || u.WriteUnits != 0 {
		t.Fatalf("get: %v", u)
	}
	meter.Reset()
	must[*pause.Article](t)(cms.Articles.Get(ctx, a.ID)) // no meter in ctx
	if u := meter.Usage(); u.Requests != 0 {
		t.Fatalf("a call without the meter was counted: %v", u)
	}
	if MeterFrom(ctx) != nil || MeterFrom(mctx) != meter {
		t.Fatal("MeterFrom")
	}
}

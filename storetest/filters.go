package storetest

import (
	"context"
	"fmt"
	"time"

	"pause"
)

// filterCase is a filter and the items it must select, for editors and for the public.
type filterCase[T pause.Item[T], F pause.Filter[T]] struct {
	filter       F
	editor, anon []T
}

// wantFilters lists and counts every case for the editor and the public, in every order.
func wantFilters[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F], cases []filterCase[T, F]) {
	e.Helper()
	for _, c := range cases {
		for _, v := range []struct {
			name string
			ctx  context.Context
			want []T
		}{{"editor", e.editor, c.editor}, {"anonymous", e.anon, c.anon}} {
			what := fmt.Sprintf("%s, filter %+v", v.name, c.filter)
			for _, o := range k.orders {
				wantSet(e, k.all(e, v.ctx, c.filter, o), v.want, what+" by "+string(o))
			}
			wantCount(e, k, v.ctx, c.filter, len(v.want), "count: "+what)
		}
	}
}

func testArticleFilters(e *env) {
	k := articleKind(e)
	create := func(title, author string, tags []string, publish bool) *pause.Article {
		e.Helper()
		in := articleInput(title)
		in.Author, in.Tags = &pause.Author{Name: author}, tags
		a, err := e.cms.Articles.Create(e.editor, in)
		e.must(err, "create "+title)
		e.clock.Advance(time.Second)
		if publish {
			a = k.mustPublish(e, a)
		}
		return a
	}
	a1 := create("One", "Ada Lovelace", []string{"Async", "remote"}, true)
	a2 := create("Two", "Grace Hopper", []string{"async"}, true)
	a3 := create("Three", "Ada Lovelace", []string{"remote"}, false)
	a4 := create("Four", "Grace Hopper", nil, true)
	a5 := create("Five", "Ada Lovelace", []string{"async", "Remote"}, true)
	a5, err := e.cms.Articles.Archive(e.editor, a5.ID, a5.Version)
	e.must(err, "archive")
	type c = filterCase[*pause.Article, pause.ArticleFilter]
	type f = pause.ArticleFilter
	as := func(a ...*pause.Article) []*pause.Article { return a }

	wantFilters(e, k, []c{
		{f{}, as(a1, a2, a3, a4, a5), as(a1, a2, a4)},
		{f{Tag: "async"}, as(a1, a2, a5), as(a1, a2)},
		{f{Tag: " ASYNC "}, as(a1, a2, a5), as(a1, a2)}, // the CMS lower-cases and trims tags
		{f{Tag: "remote"}, as(a1, a3, a5), as(a1)},
		{f{Author: "Ada Lovelace"}, as(a1, a3, a5), as(a1)},
		{f{Author: "ada lovelace"}, nil, nil}, // authors match exactly
		{f{Author: "Grace Hopper", Tag: "async"}, as(a2), as(a2)},
		{f{Author: "Grace Hopper", Tag: "remote"}, nil, nil},
		{f{Tag: "nothing"}, nil, nil},
	})

	// Filters follow updates and deletes. An edit of a published article is a draft: lists
	// follow it once it is published.
	a2, err = e.cms.Articles.Update(e.editor, a2.ID, a2.Version, pause.ArticleInput{
		Tags: []string{"remote"}, Author: &pause.Author{Name: "Ada Lovelace"},
	})
	e.must(err, "update tags and author")
	wantFilters(e, k, []c{
		{f{Tag: "async"}, as(a1, a2, a5), as(a1, a2)},
		{f{Author: "Grace Hopper", Tag: "async"}, as(a2), as(a2)},
		{f{Tag: "remote"}, as(a1, a3, a5), as(a1)},
	})
	k.mustPublish(e, a2)
	e.must(e.cms.Articles.Delete(e.admin, a1.ID, a1.Version), "delete")
	wantFilters(e, k, []c{
		{f{Tag: "async"}, as(a5), nil},
		{f{Tag: "remote"}, as(a2, a3, a5), as(a2)},
		{f{Author: "Ada Lovelace"}, as(a2, a3, a5), as(a2)},
		{f{Author: "Grace Hopper"}, as(a4), as(a4)},
	})
}

func testToolFilters(e *env) {
	k := toolKind(e)
	create := func(name, category string, pricing pause.Pricing, featured bool, tags []string, publish bool) *pause.Tool {
		e.Helper()
		in := toolInput(name, category, pricing)
		in.Featured, in.Tags = &featured, tags
		t, err := e.cms.Tools.Create(e.editor, in)
		e.must(err, "create "+name)
		e.clock.Advance(time.Second)
		if publish {
			t = k.mustPublish(e, t)
		}
		return t
	}
	free, paid := pause.PricingFree, pause.PricingPaid
	yes, no := true, false
	t1 := create("One", "Chat", free, true, []string{"sync"}, true)
	t2 := create("Two", "Chat", paid, false, []string{"async"}, true)
	t3 := create("Three", "Video", free, false, []string{"Async"}, true)
	t4 := create("Four", "Video", pause.PricingFreemium, true, []string{"async"}, false)
	t5 := create("Five", "Docs", pause.PricingOpenSource, true, nil, true)
	type c = filterCase[*pause.Tool, pause.ToolFilter]
	type f = pause.ToolFilter
	ts := func(t ...*pause.Tool) []*pause.Tool { return t }

	wantFilters(e, k, []c{
		{f{}, ts(t1, t2, t3, t4, t5), ts(t1, t2, t3, t5)},
		{f{Category: "Chat"}, ts(t1, t2), ts(t1, t2)},
		{f{Category: "chat"}, nil, nil}, // categories match exactly
		{f{Category: "Video"}, ts(t3, t4), ts(t3)},
		{f{Pricing: &free}, ts(t1, t3), ts(t1, t3)},
		{f{Pricing: &paid}, ts(t2), ts(t2)},
		{f{Featured: &yes}, ts(t1, t4, t5), ts(t1, t5)},
		{f{Featured: &no}, ts(t2, t3), ts(t2, t3)},
		{f{Tag: "async"}, ts(t2, t3, t4), ts(t2, t3)},
		{f{Tag: "ASYNC"}, ts(t2, t3, t4), ts(t2, t3)},
		{f{Category: "Video", Tag: "async"}, ts(t3, t4), ts(t3)},
		{f{Category: "Video", Featured: &yes}, ts(t4), nil},
		{f{Category: "Chat", Pricing: &free, Featured: &yes, Tag: "sync"}, ts(t1), ts(t1)},
		{f{Category: "Chat", Pricing: &free, Featured: &no}, nil, nil},
		{f{Category: "Video", Pricing: &paid}, nil, nil},
	})

	// Filters follow updates, once published.
	t2, err := e.cms.Tools.Update(e.editor, t2.ID, t2.Version, pause.ToolInput{Category: ptr("Video")})
	e.must(err, "move t2 to Video")
	t3, err = e.cms.Tools.Update(e.editor, t3.ID, t3.Version, pause.ToolInput{Featured: &yes, Pricing: &paid})
	e.must(err, "feature t3")
	wantFilters(e, k, []c{
		{f{Category: "Chat"}, ts(t1, t2), ts(t1, t2)},
		{f{Featured: &yes}, ts(t1, t4, t5), ts(t1, t5)},
	})
	t2, t3 = k.mustPublish(e, t2), k.mustPublish(e, t3)
	wantFilters(e, k, []c{
		{f{Category: "Chat"}, ts(t1), ts(t1)},
		{f{Category: "Video"}, ts(t2, t3, t4), ts(t2, t3)},
		{f{Featured: &yes}, ts(t1, t3, t4, t5), ts(t1, t3, t5)},
		{f{Pricing: &free}, ts(t1), ts(t1)},
		{f{Pricing: &paid, Category: "Video"}, ts(t2, t3), ts(t2, t3)},
	})
}

// counts is what testArticleCounts checks after each step.
type counts struct{ editor, anon, editorTagged, anonTagged int }

func testArticleCounts(e *env) {
	k := articleKind(e)
	tagged := pause.ArticleFilter{Tag: "x"}
	check := func(step string, want counts) {
		e.Helper()
		var all pause.ArticleFilter
		wantCount(e, k, e.editor, all, want.editor, step+": editor's count")
		wantCount(e, k, e.anon, all, want.anon, step+": anonymous count")
		wantCount(e, k, e.editor, tagged, want.editorTagged, step+": editor's count of tag x")
		wantCount(e, k, e.anon, tagged, want.anonTagged, step+": anonymous count of tag x")
		k.wantStoreCount(e, want.editor, step)
	}
	check("empty", counts{})
	in := articleInput("A")
	in.Tags = []string{"X"}
	a, err := e.cms.Articles.Create(e.editor, in)
	e.must(err, "create a")
	check("create a", counts{1, 0, 1, 0})
	b := k.mustCreate(e, "B", "")
	check("create b", counts{2, 0, 1, 0})
	_, err = e.cms.Articles.Create(e.editor, pause.ArticleInput{Title: ptr("invalid")})
	e.wantCode(err, pause.EINVALID, "author.name", "create without an author")
	check("invalid create", counts{2, 0, 1, 0})
	a = k.mustPublish(e, a)
	check("publish a", counts{2, 1, 1, 1})
	b = k.mustPublish(e, b)
	check("publish b", counts{2, 2, 1, 1})
	a, err = e.cms.Articles.Unpublish(e.editor, a.ID, a.Version)
	e.must(err, "unpublish a")
	check("unpublish a", counts{2, 1, 1, 0})
	b, err = e.cms.Articles.Archive(e.editor, b.ID, b.Version)
	e.must(err, "archive b")
	check("archive b", counts{2, 0, 1, 0})
	b, err = e.cms.Articles.Update(e.editor, b.ID, b.Version, pause.ArticleInput{Tags: []string{"x"}})
	e.must(err, "tag b")
	check("tag b", counts{2, 0, 2, 0})
	e.must(e.cms.Articles.Delete(e.admin, a.ID, a.Version), "delete a")
	check("delete a", counts{1, 0, 1, 0})
	b = k.mustPublish(e, b)
	check("publish b again", counts{1, 1, 1, 1})
	b, err = e.cms.Articles.Update(e.editor, b.ID, b.Version, pause.ArticleInput{Tags: []string{}})
	e.must(err, "untag b")
	check("untag published b: a draft", counts{1, 1, 1, 1})
	k.mustPublish(e, b)
	check("untag b", counts{1, 1, 0, 0})
}

func testBenefitCounts(e *env) {
	k := benefitKind(e)
	var all pause.BenefitFilter
	check := func(step string, editor, anon int) {
		e.Helper()
		wantCount(e, k, e.editor, all, editor, step+": editor's count")
		wantCount(e, k, e.anon, all, anon, step+": anonymous count")
	}
	check("empty", 0, 0)
	a := k.mustCreate(e, "A", "")
	b := k.mustCreate(e, "B", "")
	check("create two", 2, 0)
	a = k.mustPublish(e, a)
	check("publish one", 2, 1)
	_, err := e.cms.Benefits.Archive(e.editor, a.ID, a.Version)
	e.must(err, "archive")
	check("archive it", 2, 0)
	b = k.mustPublish(e, b)
	check("publish the other", 2, 1)
	e.must(e.cms.Benefits.Delete(e.admin, b.ID, b.Version), "delete")
	check("delete it", 1, 0)
}

// testCategories: category counts follow every write, exactly.
func testCategories(e *env) {
	k := toolKind(e)
	cc := func(pairs ...any) []pause.CategoryCount {
		var out []pause.CategoryCount
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, pause.CategoryCount{Name: pairs[i].(string), Count: pairs[i+1].(int)})
		}
		return out
	}
	create := func(name, category string) *pause.Tool {
		e.Helper()
		t, err := e.cms.Tools.Create(e.editor, toolInput(name, category, pause.PricingFree))
		e.must(err, "create "+name)
		return t
	}
	e.wantCategories(e.anon, nil, "no tools")
	x := create("X", "Chat")
	e.wantCategories(e.anon, nil, "a draft in Chat")
	x = k.mustPublish(e, x)
	e.wantCategories(e.anon, cc("Chat", 1), "publish X in Chat")
	y := k.mustPublish(e, create("Y", "Chat"))
	z := k.mustPublish(e, create("Z", "Video"))
	w := k.mustPublish(e, create("W", "Async Docs"))
	e.wantCategories(e.anon, cc("Async Docs", 1, "Chat", 2, "Video", 1), "four published")
	e.wantCategories(e.editor, cc("Async Docs", 1, "Chat", 2, "Video", 1), "four published, for an editor")

	// Names sort as byte strings, and differ by case.
	lower := k.mustPublish(e, create("V", "audio"))
	e.wantCategories(e.anon, cc("Async Docs", 1, "Chat", 2, "Video", 1, "audio", 1), "a lower-case category")
	e.must(e.cms.Tools.Delete(e.admin, lower.ID, lower.Version), "delete V")

	x, err := e.cms.Tools.Unpublish(e.editor, x.ID, x.Version)
	e.must(err, "unpublish X")
	e.wantCategories(e.anon, cc("Async Docs", 1, "Chat", 1, "Video", 1), "unpublish X")
	x, err = e.cms.Tools.Update(e.editor, x.ID, x.Version, pause.ToolInput{Category: ptr("Video")})
	e.must(err, "move the draft X")
	e.wantCategories(e.anon, cc("Async Docs", 1, "Chat", 1, "Video", 1), "move a draft")

	y, err = e.cms.Tools.Update(e.editor, y.ID, y.Version, pause.ToolInput{Category: ptr("Video")})
	e.must(err, "move Y to Video")
	e.wantCategories(e.anon, cc("Async Docs", 1, "Chat", 1, "Video", 1), "move published Y to Video: a draft")
	y = k.mustPublish(e, y)
	e.wantCategories(e.anon, cc("Async Docs", 1, "Video", 2), "move published Y from Chat to Video")
	_, err = e.cms.Tools.Update(e.editor, y.ID, y.Version, pause.ToolInput{Tagline: ptr("unrelated")})
	e.must(err, "edit Y")
	e.wantCategories(e.anon, cc("Async Docs", 1, "Video", 2), "edit Y")

	e.must(e.cms.Tools.Delete(e.admin, z.ID, z.Version), "delete Z")
	e.wantCategories(e.anon, cc("Async Docs", 1, "Video", 1), "delete Z")
	_, err = e.cms.Tools.Archive(e.editor, w.ID, w.Version)
	e.must(err, "archive W")
	e.wantCategories(e.anon, cc("Video", 1), "archive W")
	e.must(e.cms.Tools.Delete(e.admin, x.ID, x.Version), "delete draft X")
	e.wantCategories(e.anon, cc("Video", 1), "delete draft X")
}

// testCategorySpelling: categories compare case- and width-insensitively (issue 12): a tool
// written with "docs" or "ｄｏｃｓ" where a published tool has "Docs" gets "Docs", and
// toolCategories shows one category. A category no published tool has keeps its own spelling.
func testCategorySpelling(e *env) {
	k := toolKind(e)
	create := func(name, category string) *pause.Tool {
		e.Helper()
		t, err := e.cms.Tools.Create(e.editor, toolInput(name, category, pause.PricingFree))
		e.must(err, "create "+name)
		return t
	}
	first := k.mustPublish(e, create("First", "Docs"))
	for _, c := range []string{"docs", "ＤＯＣＳ", " dOcS "} {
		if got := create("Other "+c, c); got.Category != "Docs" {
			e.Errorf("create with category %q: stored %q, want the published spelling %q", c, got.Category, "Docs")
		}
	}
	fresh := create("Fresh", "ｗｈｉｔｅboards")
	if fresh.Category != "whiteboards" {
		e.Errorf("a new category %q, want its width folded: %q", fresh.Category, "whiteboards")
	}
	fresh, err := e.cms.Tools.Update(e.editor, fresh.ID, fresh.Version, pause.ToolInput{Category: ptr("DOCS")})
	e.must(err, "move Fresh to DOCS")
	if fresh.Category != "Docs" {
		e.Errorf("update to %q: stored %q, want %q", "DOCS", fresh.Category, "Docs")
	}
	k.mustPublish(e, fresh)
	e.wantCategories(e.anon, []pause.CategoryCount{{Name: "Docs", Count: 2}}, "two published tools in docs, spelled three ways")
	// The published spelling itself is kept as it is, even when others differ by case.
	first, err = e.cms.Tools.Update(e.editor, first.ID, first.Version, pause.ToolInput{Tagline: ptr("unchanged category")})
	e.must(err, "edit First")
	if first.Category != "Docs" {
		e.Errorf("an unrelated edit changed the category to %q", first.Category)
	}
}

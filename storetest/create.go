package storetest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"pause"
)

// testCreate: a new item is a draft at version 1, stamped with the clock, and reads back the
// same by id and by slug.
func testCreate[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	now := e.clock.Advance(90 * time.Second)
	item := k.mustCreate(e, "What is Async, Really?", "")
	m := item.Metadata()
	if m.ID == "" {
		e.Fatal("created item has no id")
	}
	if m.Version != 1 {
		e.Errorf("Version = %d, want 1", m.Version)
	}
	if m.Status != pause.StatusDraft {
		e.Errorf("Status = %s, want DRAFT", m.Status)
	}
	if m.PublishedAt != nil {
		e.Errorf("PublishedAt = %v, want nil", *m.PublishedAt)
	}
	if m.Slug != "what-is-async-really" {
		e.Errorf("Slug = %q, want what-is-async-really", m.Slug)
	}
	e.wantTime(m.CreatedAt, now, "CreatedAt")
	e.wantTime(m.UpdatedAt, now, "UpdatedAt")

	got, err := k.get(e.editor, m.ID)
	e.must(err, "get by id")
	same(e, got, item, "get by id")
	got, err = k.getBySlug(e.editor, m.Slug)
	e.must(err, "get by slug")
	same(e, got, item, "get by slug")
	same(e, k.stored(e, m.ID), item, "store get")

	_, err = k.get(e.editor, "no-such-id")
	e.wantCode(err, pause.ENOTFOUND, "", "get unknown id")
	_, err = k.getBySlug(e.editor, "no-such-slug")
	e.wantCode(err, pause.ENOTFOUND, "", "get unknown slug")
	k.wantStoreCount(e, 1, "after one create")
}

// testSlugs: explicit slugs are kept and must be free; slugs made from titles get a number
// when taken.
func testSlugs[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	mine := k.mustCreate(e, "Title One", "my-own-slug")
	if s := mine.Metadata().Slug; s != "my-own-slug" {
		e.Fatalf("explicit slug: Slug = %q, want my-own-slug", s)
	}

	_, err := k.create(e.editor, "Something Else", "my-own-slug")
	e.wantCode(err, pause.ECONFLICT, "slug", "create with a taken explicit slug")
	k.wantStoreCount(e, 1, "after a create with a taken slug")
	got, err := k.getBySlug(e.editor, "my-own-slug")
	e.must(err, "get by slug")
	if got.Metadata().ID != mine.Metadata().ID || k.title(got) != "Title One" {
		e.Fatalf("slug my-own-slug names %s %q, want the first item", got.Metadata().ID, k.title(got))
	}

	for i, want := range []string{"title-one", "title-one-2", "title-one-3"} {
		item := k.mustCreate(e, "Title One", "")
		if s := item.Metadata().Slug; s != want {
			e.Fatalf("create %d of %q: Slug = %q, want %q", i+1, "Title One", s, want)
		}
		got, err := k.getBySlug(e.editor, want)
		e.must(err, "get by generated slug "+want)
		if got.Metadata().ID != item.Metadata().ID {
			e.Fatalf("slug %s names %s, want %s", want, got.Metadata().ID, item.Metadata().ID)
		}
	}

	// A generated slug also steps around an explicit one.
	k.mustCreate(e, "Other", "hello")
	if s := k.mustCreate(e, "Hello!", "").Metadata().Slug; s != "hello-2" {
		e.Fatalf("generated slug next to an explicit one: %q, want hello-2", s)
	}

	_, err = k.create(e.editor, "Bad", "Not A Slug")
	e.wantCode(err, pause.EINVALID, "slug", "create with a malformed slug")
	k.wantStoreCount(e, 6, "after all creates")
}

// testArticleDerived: the CMS renders and sanitizes the body, derives the reading time and
// normalizes tags; the store keeps all of it.
func testArticleDerived(e *env) {
	body := "Hello *world*.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))\n\n" +
		strings.Repeat("word ", 401)
	in := articleInput("Derived")
	in.Body = &body
	in.Tags = []string{"Async", " remote ", "async", "REMOTE", "Deep Work"}
	in.RelatedToolIDs = nil
	a, err := e.cms.Articles.Create(e.editor, in)
	e.must(err, "create")
	stored := articleKind(e).stored(e, a.ID)
	for _, got := range []*pause.Article{a, stored} {
		if !strings.Contains(got.BodyHTML, "<em>world</em>") {
			e.Errorf("BodyHTML = %.80q…, want it rendered", got.BodyHTML)
		}
		if strings.Contains(got.BodyHTML, "<script") || strings.Contains(got.BodyHTML, "javascript:") {
			e.Errorf("BodyHTML is not sanitized: %.200q", got.BodyHTML)
		}
		if got.Body != body {
			e.Errorf("Body changed: %.80q…", got.Body)
		}
		if got.ReadingTimeMinutes != 3 {
			e.Errorf("ReadingTimeMinutes = %d, want 3 (404 words)", got.ReadingTimeMinutes)
		}
		if want := []string{"async", "remote", "deep work"}; fmt.Sprint(got.Tags) != fmt.Sprint(want) {
			e.Errorf("Tags = %q, want %q", got.Tags, want)
		}
	}
	same(e, stored, a, "stored article")
}

// testToolDerived: a tool's description is rendered and sanitized, its tags normalized.
func testToolDerived(e *env) {
	in := toolInput("  Derived  ", " Chat ", pause.PricingFree)
	in.Description = ptr("A **bold** tool. <img src=x onerror=alert(1)>")
	in.Tags = []string{"Chat", "chat", " Video "}
	in.Platforms = []string{" Web ", "Web", "iOS"}
	tool, err := e.cms.Tools.Create(e.editor, in)
	e.must(err, "create")
	stored := toolKind(e).stored(e, tool.ID)
	for _, got := range []*pause.Tool{tool, stored} {
		if !strings.Contains(got.DescriptionHTML, "<strong>bold</strong>") || strings.Contains(got.DescriptionHTML, "onerror") {
			e.Errorf("DescriptionHTML = %q, want it rendered and sanitized", got.DescriptionHTML)
		}
		if fmt.Sprint(got.Tags) != "[chat video]" || fmt.Sprint(got.Platforms) != "[Web iOS]" {
			e.Errorf("Tags = %q, Platforms = %q, want [chat video] and [Web iOS]", got.Tags, got.Platforms)
		}
		if got.Name != "Derived" || got.Category != "Chat" || got.Slug != "derived" {
			e.Errorf("Name, Category, Slug = %q, %q, %q, want them trimmed", got.Name, got.Category, got.Slug)
		}
	}
	same(e, stored, tool, "stored tool")
}

// testBenefitDerived: a benefit's summary is rendered, its points trimmed.
func testBenefitDerived(e *env) {
	in := benefitInput("Derived")
	in.Summary = ptr("Less *noise*<script>x</script>")
	in.Points = []string{" one ", "two"}
	in.Position = ptr(7)
	b, err := e.cms.Benefits.Create(e.editor, in)
	e.must(err, "create")
	stored := benefitKind(e).stored(e, b.ID)
	for _, got := range []*pause.Benefit{b, stored} {
		if !strings.Contains(got.SummaryHTML, "<em>noise</em>") || strings.Contains(got.SummaryHTML, "<script") {
			e.Errorf("SummaryHTML = %q, want it rendered and sanitized", got.SummaryHTML)
		}
		if fmt.Sprint(got.Points) != "[one two]" || got.Position != 7 {
			e.Errorf("Points = %q, Position = %d", got.Points, got.Position)
		}
	}
	same(e, stored, b, "stored benefit")
}

// testArticleRoundTrip: every field of an article survives the store.
func testArticleRoundTrip(e *env) {
	t1 := e.mustCreateTool("Related One")
	t2 := e.mustCreateTool("Related Two")
	a, err := e.cms.Articles.Create(e.editor, pause.ArticleInput{
		Slug:           ptr("round-trip"),
		Title:          ptr("Round Trip — «ünïcödé» ✓"),
		Excerpt:        ptr("Every field, kept."),
		Body:           ptr("# Heading\n\nText with `code` and a [link](https://example.com).\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
		Author:         &pause.Author{Name: "Grace Hopper", AvatarURL: "https://example.com/grace.png"},
		Tags:           []string{"one", "two"},
		CoverImage:     &pause.Image{URL: "https://example.com/cover.jpg", Alt: "A cover"},
		RelatedToolIDs: []string{t2.ID, t1.ID},
	})
	e.must(err, "create")
	e.clock.Advance(time.Second)
	a, err = e.cms.Articles.Publish(e.editor, a.ID, a.Version)
	e.must(err, "publish")
	k := articleKind(e)
	same(e, k.stored(e, a.ID), a, "stored article")
	got, err := e.cms.Articles.GetBySlug(e.anon, "round-trip")
	e.must(err, "get by slug")
	same(e, got, a, "article by slug")
	if fmt.Sprint(got.RelatedToolIDs) != fmt.Sprint([]string{t2.ID, t1.ID}) {
		e.Fatalf("RelatedToolIDs = %v, want their order kept", got.RelatedToolIDs)
	}
}

// testToolRoundTrip: every field of a tool survives the store.
func testToolRoundTrip(e *env) {
	k := toolKind(e)
	in := toolInput("Round Trip", "Async Video", pause.PricingOpenSource)
	in.Tagline = ptr("Record, don't meet.")
	in.Description = ptr("A *tool*.")
	in.LogoURL = ptr("https://example.com/logo.svg")
	in.Platforms = []string{"Web", "Linux"}
	in.Tags = []string{"video"}
	in.Featured = ptr(true)
	tool, err := e.cms.Tools.Create(e.editor, in)
	e.must(err, "create")
	tool = k.mustPublish(e, tool)
	same(e, k.stored(e, tool.ID), tool, "stored tool")
	got, err := e.cms.Tools.GetBySlug(e.anon, "round-trip")
	e.must(err, "get by slug")
	same(e, got, tool, "tool by slug")
}

// testBenefitRoundTrip: every field of a benefit survives the store.
func testBenefitRoundTrip(e *env) {
	k := benefitKind(e)
	b, err := e.cms.Benefits.Create(e.editor, pause.BenefitInput{
		Title: ptr("Round Trip"), Summary: ptr("Kept."), Points: []string{"a", "b", "c"},
		Icon: ptr("moon"), Position: ptr(1_000_000),
	})
	e.must(err, "create")
	b = k.mustPublish(e, b)
	same(e, k.stored(e, b.ID), b, "stored benefit")
}

// mustCreateTool creates a draft tool in the category Chat.
func (e *env) mustCreateTool(name string) *pause.Tool {
	e.Helper()
	t, err := e.cms.Tools.Create(e.editor, toolInput(name, "Chat", pause.PricingFree))
	e.must(err, "create tool "+name)
	return t
}

// invalid asserts that create fails with EINVALID on the field and writes nothing.
func invalid[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F], field string, create func(ctx context.Context) (T, error)) {
	e.Helper()
	before := k.storeCount(e)
	_, err := create(e.editor)
	e.wantCode(err, pause.EINVALID, field, "invalid "+field)
	k.wantStoreCount(e, before, "after an invalid "+field)
}

func testArticleValidation(e *env) {
	k := articleKind(e)
	with := func(change func(in *pause.ArticleInput)) func(ctx context.Context) (*pause.Article, error) {
		return func(ctx context.Context) (*pause.Article, error) {
			in := articleInput("Valid Title")
			change(&in)
			return e.cms.Articles.Create(ctx, in)
		}
	}
	invalid(e, k, "title", with(func(in *pause.ArticleInput) { in.Title = ptr(strings.Repeat("a", 201)) }))
	// A blank title fails on the title, with or without a slug.
	invalid(e, k, "title", with(func(in *pause.ArticleInput) { in.Title = ptr("   ") }))
	invalid(e, k, "title", with(func(in *pause.ArticleInput) { in.Title, in.Slug = ptr("   "), ptr("blank") }))
	invalid(e, k, "author.name", with(func(in *pause.ArticleInput) { in.Author = nil }))
	invalid(e, k, "tags", with(func(in *pause.ArticleInput) { in.Tags = numbered("tag", 21) }))
	invalid(e, k, "body", with(func(in *pause.ArticleInput) { in.Body = ptr("nul \x00 byte") }))
	invalid(e, k, "coverImage.url", with(func(in *pause.ArticleInput) {
		in.CoverImage = &pause.Image{URL: "javascript:alert(1)"}
	}))
	k.wantStoreCount(e, 0, "after invalid creates")

	// The limits themselves are allowed.
	_, err := with(func(in *pause.ArticleInput) {
		in.Title = ptr(strings.Repeat("é", 200))
		in.Tags = numbered("tag", 20)
	})(e.editor)
	e.must(err, "create with a 200-character title and 20 tags")
	k.wantStoreCount(e, 1, "after a valid create")
}

func testToolValidation(e *env) {
	k := toolKind(e)
	with := func(change func(in *pause.ToolInput)) func(ctx context.Context) (*pause.Tool, error) {
		return func(ctx context.Context) (*pause.Tool, error) {
			in := toolInput("Valid", "Chat", pause.PricingFree)
			change(&in)
			return e.cms.Tools.Create(ctx, in)
		}
	}
	invalid(e, k, "websiteUrl", with(func(in *pause.ToolInput) { in.WebsiteURL = ptr("javascript:alert(1)") }))
	invalid(e, k, "websiteUrl", with(func(in *pause.ToolInput) { in.WebsiteURL = ptr("ftp://example.com") }))
	invalid(e, k, "websiteUrl", with(func(in *pause.ToolInput) { in.WebsiteURL = nil }))
	invalid(e, k, "name", with(func(in *pause.ToolInput) { in.Name, in.Slug = nil, ptr("nameless") }))
	invalid(e, k, "category", with(func(in *pause.ToolInput) { in.Category = nil }))
	invalid(e, k, "pricing", with(func(in *pause.ToolInput) { in.Pricing = ptr(pause.Pricing("CHEAP")) }))
	invalid(e, k, "tags", with(func(in *pause.ToolInput) { in.Tags = numbered("tag", 21) }))
	invalid(e, k, "logoUrl", with(func(in *pause.ToolInput) { in.LogoURL = ptr("/relative.png") }))
	k.wantStoreCount(e, 0, "after invalid creates")
}

func testBenefitValidation(e *env) {
	k := benefitKind(e)
	with := func(change func(in *pause.BenefitInput)) func(ctx context.Context) (*pause.Benefit, error) {
		return func(ctx context.Context) (*pause.Benefit, error) {
			in := benefitInput("Valid")
			change(&in)
			return e.cms.Benefits.Create(ctx, in)
		}
	}
	invalid(e, k, "title", with(func(in *pause.BenefitInput) { in.Title, in.Slug = nil, ptr("untitled") }))
	invalid(e, k, "position", with(func(in *pause.BenefitInput) { in.Position = ptr(-1) }))
	invalid(e, k, "points", with(func(in *pause.BenefitInput) { in.Points = numbered("point", 21) }))
	k.wantStoreCount(e, 0, "after invalid creates")
}

// testArticleUpdateValidation: an invalid patch changes nothing, even though the CMS applied it
// to the item the store returned (a store must not hand out the item it keeps).
func testArticleUpdateValidation(e *env) {
	k := articleKind(e)
	a := k.mustCreate(e, "Valid", "")
	e.clock.Advance(time.Second)
	_, err := e.cms.Articles.Update(e.editor, a.ID, a.Version, pause.ArticleInput{
		Excerpt: ptr("changed"), Title: ptr(strings.Repeat("x", 201)),
	})
	e.wantCode(err, pause.EINVALID, "title", "update with a too-long title")
	same(e, k.stored(e, a.ID), a, "article after an invalid update")
	_, err = e.cms.Articles.Update(e.editor, a.ID, a.Version, pause.ArticleInput{Tags: numbered("t", 21)})
	e.wantCode(err, pause.EINVALID, "tags", "update with 21 tags")
	same(e, k.stored(e, a.ID), a, "article after an invalid update")
}

// numbered returns n distinct strings.
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

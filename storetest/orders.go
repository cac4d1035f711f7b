package storetest

import (
	"context"
	"slices"
	"time"

	"pause"
)

// byID returns the ids of the items sorted ascending, or descending: how ties are broken.
func byID[T pause.Item[T]](desc bool, items ...T) []string {
	ids := idsOf(items)
	slices.Sort(ids)
	if desc {
		slices.Reverse(ids)
	}
	return ids
}

// seq joins ids and single items into one expected sequence of ids.
func seq(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch v := p.(type) {
		case []string:
			out = append(out, v...)
		case interface{ Metadata() *pause.Meta }:
			out = append(out, v.Metadata().ID)
		default:
			panic("seq: not an item or ids")
		}
	}
	return out
}

// wantOrder lists every item the viewer in ctx may see in the order, and compares ids.
func wantOrder[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F], ctx context.Context, o pause.Order, want []string, what string) {
	e.Helper()
	var all F
	wantIDs(e, k.all(e, ctx, all, o), want, what)
}

func testArticlePublishedAtOrder(e *env) {
	k := articleKind(e)
	o := pause.OrderPublishedAt
	a := k.mustCreate(e, "Alpha", "")
	b := k.mustCreate(e, "Beta", "")
	c := k.mustCreate(e, "Gamma", "")
	d := k.mustCreate(e, "Delta", "")
	f := k.mustCreate(e, "Epsilon", "")
	g := k.mustCreate(e, "Zeta", "")
	publish := func(x *pause.Article) *pause.Article { e.Helper(); return k.mustPublish(e, x) }

	wantOrder(e, k, e.editor, o, byID(true, a, b, c, d, f, g), "never published: by id, newest first")
	wantOrder(e, k, e.anon, o, nil, "anonymous, nothing published")

	e.clock.Advance(time.Hour)
	c = publish(c)
	e.clock.Advance(time.Hour)
	a = publish(a)
	d = publish(d) // same time as a: the greater id comes first
	e.clock.Advance(time.Hour)
	f = publish(f)
	e.clock.Advance(time.Hour)
	f, err := e.cms.Articles.Unpublish(e.editor, f.ID, f.Version) // keeps its PublishedAt
	e.must(err, "unpublish")

	wantOrder(e, k, e.editor, o, seq(f, byID(true, a, d), c, byID(true, b, g)), "editor, by publishedAt")
	wantOrder(e, k, e.anon, o, seq(byID(true, a, d), c), "anonymous, by publishedAt")

	// Editing does not move an article; republishing keeps the first publication date.
	e.clock.Advance(time.Hour)
	_, err = e.cms.Articles.Update(e.editor, c.ID, c.Version, pause.ArticleInput{Excerpt: ptr("edited")})
	e.must(err, "edit")
	f = publish(f)
	wantOrder(e, k, e.anon, o, seq(f, byID(true, a, d), c), "anonymous, after an edit and a republish")
}

func testArticleUpdatedAtOrder(e *env) {
	k := articleKind(e)
	o := pause.OrderUpdatedAt
	a := k.mustCreate(e, "Alpha", "")
	e.clock.Advance(time.Minute)
	b := k.mustCreate(e, "Beta", "")
	e.clock.Advance(time.Minute)
	c := k.mustCreate(e, "Gamma", "")
	wantOrder(e, k, e.editor, o, seq(c, b, a), "by updatedAt")

	e.clock.Advance(time.Minute)
	a, err := e.cms.Articles.Update(e.editor, a.ID, a.Version, pause.ArticleInput{Title: ptr("Alpha 2")})
	e.must(err, "rename")
	wantOrder(e, k, e.editor, o, seq(a, c, b), "after renaming the oldest")

	e.clock.Advance(time.Minute)
	b = k.mustPublish(e, b)
	c, err = e.cms.Articles.Update(e.editor, c.ID, c.Version, pause.ArticleInput{Excerpt: ptr("same time")})
	e.must(err, "edit")
	wantOrder(e, k, e.editor, o, seq(byID(true, b, c), a), "after two writes at the same time")
	wantOrder(e, k, e.anon, o, seq(b), "anonymous")
}

func testArticleTitleOrder(e *env) {
	k := articleKind(e)
	o := pause.OrderTitle
	banana := k.mustCreate(e, "banana", "")
	apple := k.mustCreate(e, "Apple", "")
	cherry := k.mustCreate(e, "cherry", "")
	apple2 := k.mustCreate(e, "apple", "")
	tips := k.mustCreate(e, "10 tips", "")
	zebra := k.mustCreate(e, "Zebra", "")
	aepfel := k.mustCreate(e, "Äpfel", "") // sorts by its lower-cased UTF-8 bytes: after z
	want := seq(tips, byID(false, apple, apple2), banana, cherry, zebra, aepfel)
	wantOrder(e, k, e.editor, o, want, "by title")

	_, err := e.cms.Articles.Update(e.editor, cherry.ID, cherry.Version, pause.ArticleInput{Title: ptr("Aardvark")})
	e.must(err, "rename")
	wantOrder(e, k, e.editor, o, seq(tips, cherry, byID(false, apple, apple2), banana, zebra, aepfel), "after a rename")

	k.mustPublish(e, zebra)
	k.mustPublish(e, apple2)
	k.mustPublish(e, tips)
	wantOrder(e, k, e.anon, o, seq(tips, apple2, zebra), "anonymous by title")
}

func testToolNameOrder(e *env) {
	k := toolKind(e)
	o := pause.OrderName
	slack := e.mustCreateTool("slack")
	loom := e.mustCreateTool("Loom")
	twist := e.mustCreateTool("Twist")
	loom2 := e.mustCreateTool("loom")
	basecamp := e.mustCreateTool("basecamp")
	notion := e.mustCreateTool("Notion")
	wantOrder(e, k, e.editor, o, seq(basecamp, byID(false, loom, loom2), notion, slack, twist), "by name")

	_, err := e.cms.Tools.Update(e.editor, twist.ID, twist.Version, pause.ToolInput{Name: ptr("Around")})
	e.must(err, "rename")
	k.mustPublish(e, slack)
	k.mustPublish(e, loom2)
	k.mustPublish(e, basecamp)
	wantOrder(e, k, e.editor, o, seq(twist, basecamp, byID(false, loom, loom2), notion, slack), "after a rename")
	wantOrder(e, k, e.anon, o, seq(basecamp, loom2, slack), "anonymous by name")
}

func testToolUpdatedAtOrder(e *env) {
	k := toolKind(e)
	o := pause.OrderUpdatedAt
	a := e.mustCreateTool("A")
	e.clock.Advance(time.Second)
	b := e.mustCreateTool("B")
	c := e.mustCreateTool("C") // same time as b
	e.clock.Advance(time.Second)
	d := e.mustCreateTool("D")
	wantOrder(e, k, e.editor, o, seq(d, byID(true, b, c), a), "by updatedAt")

	e.clock.Advance(time.Second)
	a = k.mustPublish(e, a)
	e.clock.Advance(time.Second)
	c = k.mustPublish(e, c)
	wantOrder(e, k, e.editor, o, seq(c, a, d, b), "after publishing a then c")
	wantOrder(e, k, e.anon, o, seq(c, a), "anonymous by updatedAt")
}

func testBenefitPositionOrder(e *env) {
	k := benefitKind(e)
	o := pause.OrderPosition
	create := func(title string, pos int) *pause.Benefit {
		e.Helper()
		in := benefitInput(title)
		in.Position = &pos
		b, err := e.cms.Benefits.Create(e.editor, in)
		e.must(err, "create "+title)
		return b
	}
	a := create("A", 3)
	b := create("B", 1)
	c := create("C", 2)
	d := create("D", 1)
	f := create("E", 0)
	big := create("F", 1_000_000)
	ten := create("G", 10) // 10 after 3: positions compare as numbers
	wantOrder(e, k, e.editor, o, seq(f, byID(false, b, d), c, a, ten, big), "by position")

	a, err := e.cms.Benefits.Update(e.editor, a.ID, a.Version, pause.BenefitInput{Position: ptr(0)})
	e.must(err, "move")
	wantOrder(e, k, e.editor, o, seq(byID(false, a, f), byID(false, b, d), c, ten, big), "after moving A to 0")
	k.mustPublish(e, c)
	k.mustPublish(e, big)
	k.mustPublish(e, a)
	wantOrder(e, k, e.anon, o, seq(a, c, big), "anonymous by position")
}

// testUnknownOrder: every type lists in its own orders only.
func testUnknownOrder(e *env) {
	_, err := e.cms.Articles.List(e.editor, pause.Query[pause.ArticleFilter]{Order: pause.OrderName, First: 1})
	e.wantCode(err, pause.EINVALID, "orderBy", "articles by NAME")
	_, err = e.cms.Tools.List(e.editor, pause.Query[pause.ToolFilter]{Order: pause.OrderTitle, First: 1})
	e.wantCode(err, pause.EINVALID, "orderBy", "tools by TITLE")
	_, err = e.cms.Benefits.List(e.editor, pause.Query[pause.BenefitFilter]{Order: pause.OrderUpdatedAt, First: 1})
	e.wantCode(err, pause.EINVALID, "orderBy", "benefits by UPDATED_AT")
	_, err = e.cms.Tools.List(e.anon, pause.Query[pause.ToolFilter]{Order: "BOGUS", First: 1})
	e.wantCode(err, pause.EINVALID, "orderBy", "tools by BOGUS")
}

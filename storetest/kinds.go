package storetest

import (
	"context"
	"fmt"
	"time"

	"pause"
)

// kind is what a test needs to drive one content type through the CMS, so that the tests that
// are the same for every type are written once.
type kind[T pause.Item[T], F pause.ScopedFilter[T, F]] struct {
	name   string
	store  pause.Store[T, F]
	orders []pause.Order

	// create makes a valid draft with the title (a tool's name) and the slug, or a slug made
	// from the title if slug is "".
	create    func(ctx context.Context, title, slug string) (T, error)
	get       func(ctx context.Context, id string) (T, error)
	getBySlug func(ctx context.Context, slug string) (T, error)
	list      func(ctx context.Context, q pause.Query[F]) (*pause.Page[T], error)
	count     func(ctx context.Context, f F) (int, error)
	rename    func(ctx context.Context, id string, version int, title string) (T, error)
	reslug    func(ctx context.Context, id string, version int, slug string) (T, error)
	publish   func(ctx context.Context, id string, version int) (T, error)
	unpublish func(ctx context.Context, id string, version int) (T, error)
	archive   func(ctx context.Context, id string, version int) (T, error)
	del       func(ctx context.Context, id string, version int) error
	// discard drops the pending edits of a published item.
	discard func(ctx context.Context, id string, version int) (T, error)
	// publishAt and unpublishAt publish and unpublish, at a time if it is later than now.
	publishAt   func(ctx context.Context, id string, version int, at *time.Time) (T, error)
	unpublishAt func(ctx context.Context, id string, version int, at *time.Time) (T, error)
	revisions   func(ctx context.Context, id string, first int, after string) (*pause.RevisionPage, error)
	restore     func(ctx context.Context, id string, revision, version int) (T, error)
	// withScheduled returns the filter that selects items with or without a pending schedule.
	withScheduled func(b *bool) F
	importItem    func(ctx context.Context, item T) (bool, error)

	// sample returns a complete item for import, with the title and slug.
	sample   func(title, slug string) T
	title    func(T) string
	setTitle func(T, string)
	// withStatus returns the filter that selects items with the status only.
	withStatus func(s *pause.Status) F
	// vary makes the i-th of many items differ from the others in what filters and orders
	// look at (tags, authors, categories, positions), with an update.
	vary func(ctx context.Context, item T, i int) (T, error)
	// filters are filters worth paginating, beyond the zero one.
	filters []F
}

// fixture is a content type as the suite drives it: its name, its label in test names, and the
// tests written once for every type, made for it (perType).
type fixture struct {
	name, label string
	cases       map[string]func(*env)
}

// fixturesFile is where tools/contentgen writes the fixtures of the registered content types
// (`go generate ./...`): fixtures, one per type, the hand-written xxxKind below if there is
// one, else declaredKind's (derived.go); and derivedFixtures, declaredKind's for every type.
const fixturesFile = "kinds.generated.go"

// fill completes the kind with what is the same for every type: the collection's methods, the
// store, and the type's name, orders and scoped filters.
func fill[T pause.Item[T], F pause.ScopedFilter[T, F], I pause.Input[T]](e *env, col *pause.Collection[T, F, I], store pause.Store[T, F], k *kind[T, F]) *kind[T, F] {
	k.name, k.orders, k.store = col.Type().Name, col.Type().Orders, store
	k.get, k.getBySlug, k.list, k.count = col.Get, col.GetBySlug, col.List, col.Count
	k.publish, k.unpublish, k.archive, k.discard = col.Publish, col.Unpublish, col.Archive, col.DiscardDraft
	k.publishAt, k.unpublishAt = col.PublishAt, col.UnpublishAt
	k.revisions, k.restore, k.del, k.importItem = col.Revisions, col.Restore, col.Delete, col.Import
	k.withScheduled = func(b *bool) F { var f F; return f.Scoped(pause.Scope{Scheduled: b}) }
	k.withStatus = func(s *pause.Status) F { var f F; return f.Scoped(pause.Scope{Status: s}) }
	return k
}

// The hand-written fixtures below (a func named after the type: articleKind, toolKind,
// benefitKind) are the values the existing cases and the type-specific ones (create.go,
// filters.go…) were written against; the generated fixtures list takes them over the derived
// one. A new type needs none: declaredKind derives its fixture (TestMemoryDerived runs the
// suite with the derived fixture of every type).

func articleKind(e *env) *kind[*pause.Article, pause.ArticleFilter] {
	c := e.cms
	return fill(e, c.Articles, e.stores.Articles, &kind[*pause.Article, pause.ArticleFilter]{
		create: func(ctx context.Context, title, slug string) (*pause.Article, error) {
			in := articleInput(title)
			if slug != "" {
				in.Slug = &slug
			}
			return c.Articles.Create(ctx, in)
		},
		rename: func(ctx context.Context, id string, version int, title string) (*pause.Article, error) {
			return c.Articles.Update(ctx, id, version, pause.ArticleInput{Title: &title})
		},
		reslug: func(ctx context.Context, id string, version int, slug string) (*pause.Article, error) {
			return c.Articles.Update(ctx, id, version, pause.ArticleInput{Slug: &slug})
		},
		sample: func(title, slug string) *pause.Article {
			return &pause.Article{
				Meta:    pause.Meta{Slug: slug},
				Title:   title,
				Excerpt: "An excerpt.",
				Body:    "# " + title + "\n\nWords *worth* reading.",
				Author:  pause.Author{Name: "Ada Lovelace", AvatarURL: "https://example.com/ada.png"},
				Tags:    []string{"async", "remote"},
			}
		},
		title:    func(a *pause.Article) string { return a.Title },
		setTitle: func(a *pause.Article, s string) { a.Title = s },
		vary: func(ctx context.Context, a *pause.Article, i int) (*pause.Article, error) {
			return c.Articles.Update(ctx, a.ID, a.Version, pause.ArticleInput{
				Tags:   varyTags(i),
				Author: &pause.Author{Name: authors[i%len(authors)]},
			})
		},
		filters: []pause.ArticleFilter{
			{Tag: "even"},
			{Author: "Grace Hopper"},
			{Tag: "three", Author: "Ada Lovelace"},
			{Tag: "nothing-has-this"},
		},
	})
}

func toolKind(e *env) *kind[*pause.Tool, pause.ToolFilter] {
	c := e.cms
	return fill(e, c.Tools, e.stores.Tools, &kind[*pause.Tool, pause.ToolFilter]{
		create: func(ctx context.Context, name, slug string) (*pause.Tool, error) {
			in := toolInput(name, "Chat", pause.PricingFree)
			if slug != "" {
				in.Slug = &slug
			}
			return c.Tools.Create(ctx, in)
		},
		rename: func(ctx context.Context, id string, version int, name string) (*pause.Tool, error) {
			return c.Tools.Update(ctx, id, version, pause.ToolInput{Name: &name})
		},
		reslug: func(ctx context.Context, id string, version int, slug string) (*pause.Tool, error) {
			return c.Tools.Update(ctx, id, version, pause.ToolInput{Slug: &slug})
		},
		sample: func(name, slug string) *pause.Tool {
			return &pause.Tool{
				Meta:        pause.Meta{Slug: slug},
				Name:        name,
				Tagline:     "Talk later.",
				Description: "A **tool** for " + name + ".",
				WebsiteURL:  "https://example.com/" + pause.Slugify(name),
				LogoURL:     "https://example.com/logo.png",
				Category:    "Chat",
				Pricing:     pause.PricingFreemium,
				Platforms:   []string{"Web", "macOS"},
				Tags:        []string{"chat"},
				Featured:    true,
			}
		},
		title:    func(t *pause.Tool) string { return t.Name },
		setTitle: func(t *pause.Tool, s string) { t.Name = s },
		vary: func(ctx context.Context, t *pause.Tool, i int) (*pause.Tool, error) {
			return c.Tools.Update(ctx, t.ID, t.Version, pause.ToolInput{
				Category: &categories[i%len(categories)],
				Pricing:  &pricings[i%len(pricings)],
				Featured: ptr(i%5 == 0),
				Tags:     varyTags(i),
			})
		},
		filters: []pause.ToolFilter{
			{Category: "Docs"},
			{Pricing: ptr(pause.PricingPaid)},
			{Featured: ptr(true)},
			{Featured: ptr(false), Tag: "even"},
			{Category: "Chat", Pricing: ptr(pause.PricingFree), Tag: "three"},
			{Category: "Nothing"},
		},
	})
}

func benefitKind(e *env) *kind[*pause.Benefit, pause.BenefitFilter] {
	c := e.cms
	return fill(e, c.Benefits, e.stores.Benefits, &kind[*pause.Benefit, pause.BenefitFilter]{
		create: func(ctx context.Context, title, slug string) (*pause.Benefit, error) {
			in := benefitInput(title)
			if slug != "" {
				in.Slug = &slug
			}
			return c.Benefits.Create(ctx, in)
		},
		rename: func(ctx context.Context, id string, version int, title string) (*pause.Benefit, error) {
			return c.Benefits.Update(ctx, id, version, pause.BenefitInput{Title: &title})
		},
		reslug: func(ctx context.Context, id string, version int, slug string) (*pause.Benefit, error) {
			return c.Benefits.Update(ctx, id, version, pause.BenefitInput{Slug: &slug})
		},
		sample: func(title, slug string) *pause.Benefit {
			return &pause.Benefit{
				Meta:     pause.Meta{Slug: slug},
				Title:    title,
				Summary:  "Less *interruption*.",
				Points:   []string{"Fewer meetings", "Deep work"},
				Icon:     "clock",
				Position: 3,
			}
		},
		title:    func(b *pause.Benefit) string { return b.Title },
		setTitle: func(b *pause.Benefit, s string) { b.Title = s },
		vary: func(ctx context.Context, b *pause.Benefit, i int) (*pause.Benefit, error) {
			return c.Benefits.Update(ctx, b.ID, b.Version, pause.BenefitInput{Position: ptr(i * 7 % 13)})
		},
	})
}

var (
	authors    = []string{"Ada Lovelace", "Grace Hopper", "Linus Torvalds"}
	categories = []string{"Chat", "Docs", "Video"}
	pricings   = []pause.Pricing{pause.PricingFree, pause.PricingFreemium, pause.PricingPaid, pause.PricingOpenSource}
)

// varyTags gives item i the tag "even" or "odd", and "three" if i is a multiple of 3, in
// mixed case (the CMS stores tags lower-case).
func varyTags(i int) []string {
	tags := []string{"Odd"}
	if i%2 == 0 {
		tags = []string{"EVEN"}
	}
	if i%3 == 0 {
		tags = append(tags, "Three")
	}
	return tags
}

// articleInput returns a valid article input: title and author, and a short body.
func articleInput(title string) pause.ArticleInput {
	return pause.ArticleInput{
		Title:  &title,
		Body:   ptr("Some *words*."),
		Author: &pause.Author{Name: "Ada Lovelace"},
	}
}

// toolInput returns a valid tool input: name, website, category and pricing.
func toolInput(name, category string, pricing pause.Pricing) pause.ToolInput {
	return pause.ToolInput{
		Name:       &name,
		WebsiteURL: ptr("https://example.com/" + pause.Slugify(name)),
		Category:   &category,
		Pricing:    &pricing,
	}
}

// benefitInput returns a valid benefit input: a title.
func benefitInput(title string) pause.BenefitInput {
	return pause.BenefitInput{Title: &title}
}

// mustCreate creates a draft through the CMS as the editor.
func (k *kind[T, F]) mustCreate(e *env, title, slug string) T {
	e.Helper()
	item, err := k.create(e.editor, title, slug)
	e.must(err, fmt.Sprintf("create %s %q", k.name, title))
	return item
}

// mustPublish publishes the item as the editor and returns it as published.
func (k *kind[T, F]) mustPublish(e *env, item T) T {
	e.Helper()
	m := item.Metadata()
	out, err := k.publish(e.editor, m.ID, m.Version)
	e.must(err, fmt.Sprintf("publish %s %s", k.name, m.ID))
	return out
}

// stored reads the item straight from the store.
func (k *kind[T, F]) stored(e *env, id string) T {
	e.Helper()
	item, err := k.store.Get(context.Background(), id)
	e.must(err, fmt.Sprintf("store: get %s %s", k.name, id))
	return item
}

// storeCount counts every item in the store, whatever its status.
func (k *kind[T, F]) storeCount(e *env) int {
	e.Helper()
	var all F
	n, err := k.store.Count(context.Background(), all)
	e.must(err, "store: count")
	return n
}

// wantStoreCount fails the test unless the store holds n items.
func (k *kind[T, F]) wantStoreCount(e *env, n int, what string) {
	e.Helper()
	if got := k.storeCount(e); got != n {
		e.Fatalf("%s: the store holds %d %ss, want %d", what, got, k.name, n)
	}
}

// all lists every item through the CMS, following cursors, pages of pause.MaxFirst.
func (k *kind[T, F]) all(e *env, ctx context.Context, f F, o pause.Order) []T {
	e.Helper()
	return k.pages(e, ctx, f, o, pause.MaxFirst, 100)
}

// pages lists every item through the CMS in pages of first, following cursors, and fails
// after maxPages pages.
func (k *kind[T, F]) pages(e *env, ctx context.Context, f F, o pause.Order, first, maxPages int) []T {
	e.Helper()
	var out []T
	q := pause.Query[F]{Filter: f, Order: o, First: first}
	for i := 0; ; i++ {
		if i > maxPages {
			e.Fatalf("list %ss by %s: more than %d pages", k.name, o, maxPages)
		}
		p, err := k.list(ctx, q)
		e.must(err, fmt.Sprintf("list %ss by %s", k.name, o))
		out = append(out, p.Items...)
		if !p.HasNextPage {
			return out
		}
		q.After = p.EndCursor()
	}
}

// isNil reports whether the item is the nil item of its type.
func isNil[T comparable](item T) bool {
	var none T
	return item == none
}

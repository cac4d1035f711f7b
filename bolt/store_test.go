package bolt_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"pause"
	"pause/bolt"
	"pause/ids"
	"pause/markdown"
)

// These tests are about what the conformance suite cannot see: the file, processes and
// goroutines. They build content through the CMS, as the server does.

// clock is a test clock that moves a second forward every time it is read.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func open(t *testing.T, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func newCMS(db *bolt.DB) *pause.CMS {
	c := &clock{t: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)}
	return pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New, Now: c.Now})
}

func admin() context.Context {
	return pause.NewContext(context.Background(), &pause.Viewer{Subject: "t", Role: pause.RoleAdmin})
}

func ptr[V any](v V) *V { return &v }

func must[V any](t *testing.T) func(V, error) V {
	return func(v V, err error) V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if pause.ErrorCode(err) != code || pause.ErrorField(err) != field {
		t.Fatalf("got error %v, want code %s field %q", err, code, field)
	}
}

func TestReopen(t *testing.T) {
	t.Parallel()
	ctx := admin()
	path := filepath.Join(t.TempDir(), "data", "pause.db") // the directory does not exist yet
	db, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cms := newCMS(db)
	tool := must[*pause.Tool](t)(cms.Tools.Create(ctx, pause.ToolInput{
		Name: ptr("Loom"), WebsiteURL: ptr("https://loom.com"), Category: ptr("Video"),
		Pricing: ptr(pause.PricingFreemium), Tags: []string{"Video", "async"}, Description: ptr("*Record* it."),
	}))
	tool = must[*pause.Tool](t)(cms.Tools.Publish(ctx, tool.ID, tool.Version))
	article := must[*pause.Article](t)(cms.Articles.Create(ctx, pause.ArticleInput{
		Title: ptr("Write it down"), Body: ptr("# Why\n\nBecause."), Author: &pause.Author{Name: "Ada"},
		Tags: []string{}, CoverImage: &pause.Image{URL: "https://img.example/a.png", Alt: "a desk"},
		RelatedToolIDs: []string{tool.ID},
	}))
	article = must[*pause.Article](t)(cms.Articles.Publish(ctx, article.ID, article.Version))
	benefit := must[*pause.Benefit](t)(cms.Benefits.Create(ctx, pause.BenefitInput{
		Title: ptr("Focus"), Summary: ptr("Fewer *interruptions*."), Points: []string{"one", "two"}, Position: ptr(3),
	}))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = open(t, path)
	stores := db.Stores()
	if got := must[*pause.Article](t)(stores.Articles.GetBySlug(ctx, "write-it-down")); !reflect.DeepEqual(got, article) {
		t.Errorf("article after reopening:\n got %+v\nwant %+v", got, article)
	}
	if got := must[*pause.Tool](t)(stores.Tools.Get(ctx, tool.ID)); !reflect.DeepEqual(got, tool) {
		t.Errorf("tool after reopening:\n got %+v\nwant %+v", got, tool)
	}
	if got := must[*pause.Benefit](t)(stores.Benefits.Get(ctx, benefit.ID)); !reflect.DeepEqual(got, benefit) {
		t.Errorf("benefit after reopening:\n got %+v\nwant %+v", got, benefit)
	}
	page := must[*pause.Page[*pause.Article]](t)(stores.Articles.List(ctx, pause.Query[pause.ArticleFilter]{Order: pause.OrderTitle, First: 10}))
	if len(page.Items) != 1 || page.Items[0].ID != article.ID || page.HasNextPage {
		t.Errorf("list after reopening: %+v", page)
	}
	cats := must[[]pause.CategoryCount](t)(stores.Tools.Categories(ctx, time.Now()))
	if want := []pause.CategoryCount{{Name: "Video", Count: 1}}; !reflect.DeepEqual(cats, want) {
		t.Errorf("categories after reopening: %v, want %v", cats, want)
	}
}

func TestSecondOpenFails(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pause.db")
	open(t, path)
	start := time.Now()
	db, err := bolt.Open(path)
	if err == nil {
		_ = db.Close()
		t.Fatal("a second Open of the same file succeeded")
	}
	if !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("second Open: %v, want it to say the file is in use", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v to fail", d)
	}
}

func TestConcurrentUpdatesOfOneVersion(t *testing.T) {
	t.Parallel()
	ctx := admin()
	cms := newCMS(open(t, filepath.Join(t.TempDir(), "pause.db")))
	a := must[*pause.Article](t)(cms.Articles.Create(ctx, pause.ArticleInput{Title: ptr("Race"), Author: &pause.Author{Name: "A"}}))

	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = cms.Articles.Update(ctx, a.ID, a.Version, pause.ArticleInput{Title: ptr(fmt.Sprintf("Race %d", i))})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch pause.ErrorCode(err) {
		case "":
			ok++
		case pause.ECONFLICT:
		default:
			t.Errorf("update: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d updates of version %d succeeded, want 1", ok, n, a.Version)
	}
	got := must[*pause.Article](t)(cms.Articles.Get(ctx, a.ID))
	if got.Version != 2 {
		t.Errorf("version %d after the race, want 2", got.Version)
	}
	// The index holds the one title that won, once.
	page := must[*pause.Page[*pause.Article]](t)(cms.Articles.List(ctx, pause.Query[pause.ArticleFilter]{Order: pause.OrderTitle, First: 100}))
	if len(page.Items) != 1 || page.Items[0].Title != got.Title {
		t.Errorf("listed %d articles after the race, want 1 titled %q", len(page.Items), got.Title)
	}
}

func TestConcurrentCreatesOfOneSlug(t *testing.T) {
	t.Parallel()
	ctx := admin()
	cms := newCMS(open(t, filepath.Join(t.TempDir(), "pause.db")))
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = cms.Tools.Create(ctx, pause.ToolInput{
				Slug: ptr("same"), Name: ptr(fmt.Sprintf("Tool %d", i)), WebsiteURL: ptr("https://example.com"),
				Category: ptr("Chat"), Pricing: ptr(pause.PricingFree),
			})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if pause.ErrorCode(err) != pause.ECONFLICT || pause.ErrorField(err) != "slug" {
			t.Errorf("create: %v, want a slug CONFLICT", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d creates of slug same succeeded, want 1", ok)
	}
	if count := must[int](t)(cms.Tools.Count(ctx, pause.ToolFilter{})); count != 1 {
		t.Errorf("%d tools exist, want 1", count)
	}
}

// fixture is 53 articles, 53 tools and 53 benefits with colliding titles, dates and positions,
// in every status.
type fixture struct {
	cms      *pause.CMS
	stores   pause.Stores
	articles []*pause.Article
	tools    []*pause.Tool
	benefits []*pause.Benefit
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := admin()
	db := open(t, filepath.Join(t.TempDir(), "pause.db"))
	f := &fixture{cms: newCMS(db), stores: db.Stores()}
	titles := []string{"Alpha", "beta", "Gamma", "alpha", "Delta", "BETA", "epsilon"}
	for i := range 53 {
		a := must[*pause.Article](t)(f.cms.Articles.Create(ctx, pause.ArticleInput{
			Title: ptr(titles[i%len(titles)]), Author: &pause.Author{Name: []string{"Ann", "Bob"}[i%2]},
			Tags: [][]string{{"async"}, {"remote", "async"}, nil}[i%3],
		}))
		switch i % 4 {
		case 0, 1:
			a = must[*pause.Article](t)(f.cms.Articles.Publish(ctx, a.ID, a.Version))
		case 2:
			a = must[*pause.Article](t)(f.cms.Articles.Archive(ctx, a.ID, a.Version))
		}
		if i%5 == 0 { // published then back to draft: a draft with a publication date
			a = must[*pause.Article](t)(f.cms.Articles.Unpublish(ctx, a.ID, a.Version))
		}
		f.articles = append(f.articles, a)

		tool := must[*pause.Tool](t)(f.cms.Tools.Create(ctx, pause.ToolInput{
			Name: ptr(titles[i%len(titles)]), WebsiteURL: ptr("https://example.com"),
			Category: ptr([]string{"Chat", "Video", "Docs"}[i%3]), Pricing: ptr(pause.PricingFree),
			Featured: ptr(i%4 == 0), Tags: []string{[]string{"a", "b"}[i%2]},
		}))
		if i%3 != 2 {
			tool = must[*pause.Tool](t)(f.cms.Tools.Publish(ctx, tool.ID, tool.Version))
		}
		f.tools = append(f.tools, tool)

		b := must[*pause.Benefit](t)(f.cms.Benefits.Create(ctx, pause.BenefitInput{
			Title: ptr(titles[i%len(titles)]), Position: ptr(i % 10),
		}))
		if i%2 == 0 {
			b = must[*pause.Benefit](t)(f.cms.Benefits.Publish(ctx, b.ID, b.Version))
		}
		f.benefits = append(f.benefits, b)
	}
	return f
}

// expect returns the ids of the items that match, in the order.
func expect[T pause.Item[T]](items []T, o pause.Order, match func(T) bool) []string {
	var keys []string
	byKey := map[string]string{}
	for _, item := range items {
		if match(item) {
			k := pause.SortKey(item, o)
			keys = append(keys, k)
			byKey[k] = item.Metadata().ID
		}
	}
	slices.Sort(keys)
	if o.Descending() {
		slices.Reverse(keys)
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = byKey[k]
	}
	return out
}

// pageThrough lists everything, size items at a time, checking every page's HasNextPage.
func pageThrough[T pause.Item[T], F pause.Filter[T]](t *testing.T, s pause.Store[T, F], q pause.Query[F], size int) []string {
	t.Helper()
	var got []string
	q.First = size
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		page := must[*pause.Page[T]](t)(s.List(context.Background(), q))
		if len(page.Items) != len(page.Cursors) {
			t.Fatalf("%d items and %d cursors", len(page.Items), len(page.Cursors))
		}
		for _, item := range page.Items {
			got = append(got, item.Metadata().ID)
		}
		if !page.HasNextPage {
			return got
		}
		if len(page.Items) != size {
			t.Fatalf("page of %d items, not %d, says it has a next page", len(page.Items), size)
		}
		q.After = page.EndCursor()
	}
}

func TestPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	published, draft := pause.StatusPublished, pause.StatusDraft
	for _, o := range []pause.Order{pause.OrderPublishedAt, pause.OrderUpdatedAt, pause.OrderTitle} {
		for _, filter := range []pause.ArticleFilter{{}, {Scope: pause.Scope{Status: &published}}, {Scope: pause.Scope{Status: &draft}, Tag: "async"}, {Author: "Bob", Tag: "remote"}, {Tag: "none"}} {
			want := expect(f.articles, o, filter.Match)
			for _, size := range []int{1, 7, 53, 100} {
				got := pageThrough(t, f.stores.Articles, pause.Query[pause.ArticleFilter]{Filter: filter, Order: o}, size)
				if !slices.Equal(got, want) {
					t.Errorf("articles by %s, filter %+v, pages of %d:\n got %v\nwant %v", o, filter, size, got, want)
				}
			}
		}
	}
	for _, o := range []pause.Order{pause.OrderName, pause.OrderUpdatedAt} {
		for _, filter := range []pause.ToolFilter{{}, {Scope: pause.Scope{Status: &published}, Category: "Video"}, {Featured: ptr(true)}, {Tag: "b", Pricing: ptr(pause.PricingFree)}} {
			want := expect(f.tools, o, filter.Match)
			if got := pageThrough(t, f.stores.Tools, pause.Query[pause.ToolFilter]{Filter: filter, Order: o}, 7); !slices.Equal(got, want) {
				t.Errorf("tools by %s, filter %+v:\n got %v\nwant %v", o, filter, got, want)
			}
		}
	}
	for _, filter := range []pause.BenefitFilter{{}, {Scope: pause.Scope{Status: &published}}} {
		want := expect(f.benefits, pause.OrderPosition, filter.Match)
		if got := pageThrough(t, f.stores.Benefits, pause.Query[pause.BenefitFilter]{Filter: filter, Order: pause.OrderPosition}, 7); !slices.Equal(got, want) {
			t.Errorf("benefits, filter %+v:\n got %v\nwant %v", filter, got, want)
		}
	}
}

func TestListEdges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := admin()
	articles := f.stores.Articles
	q := pause.Query[pause.ArticleFilter]{Order: pause.OrderUpdatedAt}
	all := expect(f.articles, q.Order, func(*pause.Article) bool { return true })

	// First 0: nothing, but there is more.
	page := must[*pause.Page[*pause.Article]](t)(articles.List(ctx, q))
	if len(page.Items) != 0 || !page.HasNextPage {
		t.Errorf("first 0: %d items, HasNextPage %v", len(page.Items), page.HasNextPage)
	}
	none := pause.Query[pause.ArticleFilter]{Order: q.Order, Filter: pause.ArticleFilter{Tag: "none"}}
	if page := must[*pause.Page[*pause.Article]](t)(articles.List(ctx, none)); page.HasNextPage {
		t.Error("first 0 with nothing matching says it has a next page")
	}

	// Any cursor of a page continues right after its item.
	q.First = 10
	page = must[*pause.Page[*pause.Article]](t)(articles.List(ctx, q))
	q.After = page.Cursors[3]
	page = must[*pause.Page[*pause.Article]](t)(articles.List(ctx, q))
	if page.Items[0].ID != all[4] {
		t.Errorf("after the 4th item came %s, want %s", page.Items[0].ID, all[4])
	}

	// A cursor outlives its item: deleting it does not lose the place.
	gone := page.Items[2]
	q.After = page.Cursors[2]
	must[struct{}](t)(struct{}{}, articles.Delete(ctx, gone.ID, gone.Version, nil))
	page = must[*pause.Page[*pause.Article]](t)(articles.List(ctx, q))
	if page.Items[0].ID != all[4+3] {
		t.Errorf("after a deleted item came %s, want %s", page.Items[0].ID, all[4+3])
	}

	// The last page says so.
	q.After, q.First = "", 100
	page = must[*pause.Page[*pause.Article]](t)(articles.List(ctx, q))
	if len(page.Items) != 52 || page.HasNextPage {
		t.Errorf("all at once: %d items, HasNextPage %v", len(page.Items), page.HasNextPage)
	}
	q.After = page.EndCursor()
	page = must[*pause.Page[*pause.Article]](t)(articles.List(ctx, q))
	if len(page.Items) != 0 || page.HasNextPage {
		t.Errorf("after the end: %d items, HasNextPage %v", len(page.Items), page.HasNextPage)
	}

	// An order the type does not have.
	_, err := f.stores.Benefits.List(ctx, pause.Query[pause.BenefitFilter]{Order: pause.OrderUpdatedAt, First: 5})
	wantCode(t, err, pause.EINVALID, "orderBy")
}

func TestForgedCursors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := admin()
	byTitle := must[*pause.Page[*pause.Article]](t)(f.stores.Articles.List(ctx, pause.Query[pause.ArticleFilter]{Order: pause.OrderTitle, First: 3}))
	for name, after := range map[string]string{
		"garbage":        "not a cursor!",
		"not JSON":       "bm90IEpTT04",
		"other order":    byTitle.EndCursor(),
		"no id":          pause.EncodeCursor(pause.OrderPublishedAt, "2024-03-01T09:00:00.000000000Z"),
		"empty id":       pause.EncodeCursor(pause.OrderPublishedAt, "2024-03-01T09:00:00.000000000Z\x00"),
		"too long":       strings.Repeat("A", 3000),
		"empty position": pause.EncodeCursor(pause.OrderPublishedAt, ""),
	} {
		_, err := f.stores.Articles.List(ctx, pause.Query[pause.ArticleFilter]{Order: pause.OrderPublishedAt, First: 3, After: after})
		if pause.ErrorCode(err) != pause.EINVALID || pause.ErrorField(err) != "after" {
			t.Errorf("%s: got %v, want BAD_USER_INPUT on after", name, err)
		}
	}
	// Through the CMS too: the code the client sees.
	_, err := f.cms.Tools.List(ctx, pause.Query[pause.ToolFilter]{Order: pause.OrderName, First: 3, After: byTitle.EndCursor()})
	wantCode(t, err, pause.EINVALID, "after")
}

func TestUpdateIsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := admin()
	benefits := f.stores.Benefits
	a := must[*pause.Benefit](t)(benefits.Get(ctx, f.benefits[0].ID))
	b := must[*pause.Benefit](t)(benefits.Get(ctx, f.benefits[1].ID))
	stale := *b
	a.Title, a.Version = "Changed", a.Version+1
	stale.Title = "Stale" // version not raised
	wantCode(t, benefits.Update(ctx, a, &stale), pause.ECONFLICT, "")
	if got := must[*pause.Benefit](t)(benefits.Get(ctx, a.ID)); !reflect.DeepEqual(got, f.benefits[0]) {
		t.Errorf("a failed update changed the first benefit: %+v", got)
	}

	// Items of one update may trade slugs.
	b.Version++
	a.Slug, b.Slug = b.Slug, a.Slug
	must[struct{}](t)(struct{}{}, benefits.Update(ctx, a, b))
	if got := must[*pause.Benefit](t)(benefits.GetBySlug(ctx, a.Slug)); got.ID != a.ID {
		t.Errorf("slug %s names %s after the trade, want %s", a.Slug, got.ID, a.ID)
	}
	if got := must[*pause.Benefit](t)(benefits.GetBySlug(ctx, b.Slug)); got.ID != b.ID {
		t.Errorf("slug %s names %s after the trade, want %s", b.Slug, got.ID, b.ID)
	}

	// A slug taken by an item outside the update.
	c := f.benefits[2]
	a.Slug, a.Version = c.Slug, a.Version+1
	wantCode(t, benefits.Update(ctx, a), pause.ECONFLICT, "slug")

	// Reordering through the CMS moves the position index with the items.
	ids := []string{f.benefits[5].ID, f.benefits[3].ID, f.benefits[4].ID}
	must[[]*pause.Benefit](t)(f.cms.ReorderBenefits(ctx, ids))
	for i, id := range ids {
		if b := must[*pause.Benefit](t)(benefits.Get(ctx, id)); b.Position != i {
			t.Errorf("benefit %s at position %d after reordering, want %d", id, b.Position, i)
		}
	}
	var all []string
	for _, b := range f.benefits {
		all = append(all, b.ID)
	}
	want := expect(must[[]*pause.Benefit](t)(benefits.GetMany(ctx, all)), pause.OrderPosition, func(*pause.Benefit) bool { return true })
	if got := pageThrough(t, benefits, pause.Query[pause.BenefitFilter]{Order: pause.OrderPosition}, 7); !slices.Equal(got, want) {
		t.Errorf("benefits after reordering:\n got %v\nwant %v", got, want)
	}
}

func TestReturnedItemsAreCopies(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := admin()
	tools := f.stores.Tools
	id := f.tools[0].ID
	many := must[[]*pause.Tool](t)(tools.GetMany(ctx, []string{id, "missing", f.tools[1].ID, id}))
	if len(many) != 2 || many[0].ID != id || many[1].ID != f.tools[1].ID {
		t.Fatalf("GetMany: %d tools", len(many))
	}
	many[0].Name, many[0].Tags[0] = "Mutated", "mutated"
	if got := must[*pause.Tool](t)(tools.Get(ctx, id)); !reflect.DeepEqual(got, f.tools[0]) {
		t.Errorf("changing a returned tool changed the stored one: %+v", got)
	}
}

func TestCategories(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	want := map[string]int{}
	for _, tool := range f.tools {
		if tool.Status == pause.StatusPublished {
			want[tool.Category]++
		}
	}
	got := must[[]pause.CategoryCount](t)(f.stores.Tools.Categories(admin(), time.Now()))
	if len(got) != len(want) || !slices.IsSortedFunc(got, func(a, b pause.CategoryCount) int { return strings.Compare(a.Name, b.Name) }) {
		t.Fatalf("categories %v, want %v sorted by name", got, want)
	}
	for _, c := range got {
		if c.Count != want[c.Name] {
			t.Errorf("category %s: %d tools, want %d", c.Name, c.Count, want[c.Name])
		}
	}
}

// An index that a file lacks, as one written by an older version would, is built on Open.
func TestOpenBuildsMissingIndex(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pause.db")
	ctx := admin()
	db, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cms := newCMS(db)
	for _, title := range []string{"b", "c", "a"} {
		must[*pause.Article](t)(cms.Articles.Create(ctx, pause.ArticleInput{Title: ptr(title), Author: &pause.Author{Name: "A"}}))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	raw, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("articles")).DeleteBucket([]byte("order:TITLE"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db = open(t, path)
	page := must[*pause.Page[*pause.Article]](t)(db.Stores().Articles.List(ctx, pause.Query[pause.ArticleFilter]{Order: pause.OrderTitle, First: 10}))
	var titles []string
	for _, a := range page.Items {
		titles = append(titles, a.Title)
	}
	if !slices.Equal(titles, []string{"a", "b", "c"}) {
		t.Errorf("titles %v after rebuilding the index, want [a b c]", titles)
	}
}

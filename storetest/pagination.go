package storetest

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"pause"
)

// population makes n items of the kind, in every state, with ties in every sort key: titles
// repeat in other cases, several items share publication and update times, some were
// published and taken back. It returns the items as last written.
func population[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F], n int) []T {
	e.Helper()
	titles := []string{"Alpha", "alpha", "Beta", "BETA", "gamma", "Delta", "epsilon", "Zeta", "Ärger"}
	items := make([]T, n)
	for i := range items {
		items[i] = k.mustCreate(e, titles[i%len(titles)], "")
		if i%4 == 0 {
			e.clock.Advance(time.Second)
		}
	}
	var err error
	for j := range items { // vary in another order than creation, three at a time
		i := j * 17 % n
		if j%3 == 0 {
			e.clock.Advance(time.Second)
		}
		items[i], err = k.vary(e.editor, items[i], i)
		e.must(err, "vary")
	}
	for i := range items {
		if i%3 == 0 {
			continue // never published
		}
		if i%2 == 0 {
			e.clock.Advance(time.Minute)
		}
		items[i] = k.mustPublish(e, items[i])
		m := items[i].Metadata()
		switch {
		case i%9 == 2:
			items[i], err = k.archive(e.editor, m.ID, m.Version)
			e.must(err, "archive")
		case i%3 == 2:
			items[i], err = k.unpublish(e.editor, m.ID, m.Version)
			e.must(err, "unpublish")
		}
	}
	return items
}

// expect returns the ids of the items that the viewer in ctx may see and that match f, in
// the order, as the contract defines it: by pause.SortKey.
func expect[T pause.Item[T], F pause.Filter[T]](ctx context.Context, items []T, f F, o pause.Order) []T {
	var out []T
	for _, it := range items {
		visible := it.Metadata().Status == pause.StatusPublished || pause.ViewerFrom(ctx).CanReadDrafts()
		if visible && f.Match(it) {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b T) int {
		c := strings.Compare(pause.SortKey(a, o), pause.SortKey(b, o))
		if o.Descending() {
			return -c
		}
		return c
	})
	return out
}

// walk lists pages of size through the CMS and checks each page's shape. It returns the items
// and their cursors.
func walk[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F], ctx context.Context, f F, o pause.Order, size, total int, what string) ([]T, []string) {
	e.Helper()
	var items []T
	var cursors []string
	q := pause.Query[F]{Filter: f, Order: o, First: size}
	for page := 1; ; page++ {
		if page > total/size+2 {
			e.Fatalf("%s: more pages than %d items can fill", what, total)
		}
		p, err := k.list(ctx, q)
		e.must(err, fmt.Sprintf("%s: page %d", what, page))
		if len(p.Cursors) != len(p.Items) {
			e.Fatalf("%s: page %d has %d items and %d cursors", what, page, len(p.Items), len(p.Cursors))
		}
		if want := min(size, total-len(items)); len(p.Items) != want {
			e.Fatalf("%s: page %d has %d items, want %d (%d of %d seen)", what, page, len(p.Items), want, len(items), total)
		}
		items = append(items, p.Items...)
		cursors = append(cursors, p.Cursors...)
		if more := len(items) < total; p.HasNextPage != more {
			e.Fatalf("%s: page %d: HasNextPage = %v with %d of %d items seen", what, page, p.HasNextPage, len(items), total)
		}
		if !p.HasNextPage {
			return items, cursors
		}
		if p.EndCursor() == "" {
			e.Fatalf("%s: page %d has an empty end cursor", what, page)
		}
		q.After = p.EndCursor()
	}
}

// wantSummaries fails the test unless every listed item carries its stored metadata and title
// (lists may leave out bodies, but not state).
func wantSummaries[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F], got []T, byID map[string]T, what string) {
	e.Helper()
	for _, g := range got {
		w := byID[g.Metadata().ID]
		if d := diff(reflect.ValueOf(g.Metadata()), reflect.ValueOf(w.Metadata()), "Meta"); d != "" || k.title(g) != k.title(w) {
			e.Fatalf("%s: listed %s %s differs from the stored one:%s (title %q, want %q)", what, k.name, w.Metadata().ID, d, k.title(g), k.title(w))
		}
	}
}

// testPagination: pages of 7 over 45 items, in every order, for every viewer and with filters:
// together the pages are the whole list in the contract's order, nothing lost or repeated,
// and every item's cursor resumes right after it.
func testPagination[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	const n, size = 45, 7
	items := population(e, k, n)
	byID := make(map[string]T, n)
	for _, it := range items {
		byID[it.Metadata().ID] = it
	}
	var all F
	viewers := []struct {
		name string
		ctx  context.Context
	}{{"editor", e.editor}, {"anonymous", e.anon}}
	for _, o := range k.orders {
		for _, v := range viewers {
			for fi, f := range append([]F{all}, k.filters...) {
				what := fmt.Sprintf("%s, %s by %s, filter %d %+v", k.name, v.name, o, fi, f)
				want := expect(v.ctx, items, f, o)
				got, cursors := walk(e, k, v.ctx, f, o, size, len(want), what)
				wantIDs(e, got, idsOf(want), what)
				wantSummaries(e, k, got, byID, what)
				wantCount(e, k, v.ctx, f, len(want), "count: "+what)
				if fi != 0 {
					continue
				}
				// Every cursor, not only the ends of pages, resumes after its item.
				for i, c := range cursors {
					p, err := k.list(v.ctx, pause.Query[F]{Filter: f, Order: o, First: 3, After: c})
					e.must(err, what)
					end := min(i+4, len(want))
					wantIDs(e, p.Items, idsOf(want[i+1:end]), fmt.Sprintf("%s: 3 after item %d", what, i))
					if p.HasNextPage != (end < len(want)) {
						e.Fatalf("%s: 3 after item %d: HasNextPage = %v", what, i, p.HasNextPage)
					}
				}
			}
		}
	}
}

// testPageLimits: first must be 0 to 100; 0 asks for no items.
func testPageLimits[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	var all F
	for _, o := range k.orders {
		p, err := k.list(e.editor, pause.Query[F]{Order: o, First: 10})
		e.must(err, "list an empty store")
		if len(p.Items) != 0 || p.HasNextPage || p.EndCursor() != "" {
			e.Fatalf("empty store by %s: %d items, HasNextPage %v, end cursor %q", o, len(p.Items), p.HasNextPage, p.EndCursor())
		}
	}
	for _, title := range []string{"A", "B", "C"} {
		k.mustPublish(e, k.mustCreate(e, title, ""))
	}
	for _, o := range k.orders {
		for _, ctx := range []context.Context{e.editor, e.anon} {
			p, err := k.list(ctx, pause.Query[F]{Order: o, First: 0})
			e.must(err, "first 0")
			if len(p.Items) != 0 || len(p.Cursors) != 0 {
				e.Fatalf("first 0 by %s: %d items, %d cursors; want none", o, len(p.Items), len(p.Cursors))
			}
			if !p.HasNextPage {
				e.Fatalf("first 0 by %s of 3 items: HasNextPage = false, but more match", o)
			}
			for _, first := range []int{-1, pause.MaxFirst + 1, 1 << 40} {
				_, err := k.list(ctx, pause.Query[F]{Order: o, First: first})
				e.wantCode(err, pause.EINVALID, "first", fmt.Sprintf("first %d", first))
			}
			for _, first := range []int{3, pause.MaxFirst} {
				p, err := k.list(ctx, pause.Query[F]{Filter: all, Order: o, First: first})
				e.must(err, fmt.Sprintf("first %d", first))
				if len(p.Items) != 3 || p.HasNextPage {
					e.Fatalf("first %d by %s of 3 items: %d items, HasNextPage %v", first, o, len(p.Items), p.HasNextPage)
				}
				// After the last item there is nothing.
				p, err = k.list(ctx, pause.Query[F]{Filter: all, Order: o, First: first, After: p.EndCursor()})
				e.must(err, "after the last item")
				if len(p.Items) != 0 || p.HasNextPage {
					e.Fatalf("after the last item by %s: %d items, HasNextPage %v", o, len(p.Items), p.HasNextPage)
				}
			}
		}
	}
}

// testForgedCursors: anything that is not a cursor of this list gets EINVALID (field after),
// through the CMS and from the store.
func testForgedCursors[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	var items []T
	for _, title := range []string{"A", "B", "C"} {
		items = append(items, k.mustPublish(e, k.mustCreate(e, title, "")))
	}
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, o := range k.orders {
		other := pause.OrderTitle
		if o == pause.OrderTitle {
			other = pause.OrderName
		}
		forged := map[string]string{
			"garbage":               "garbage",
			"not base64":            "!!!***",
			"base64 of text":        b64("hello"),
			"base64 of JSON":        b64(`{"x":1}`),
			"base64 of a JSON list": b64(`[1,2,3]`),
			"no key":                b64(`{"o":"` + string(o) + `"}`),
			"empty key":             pause.EncodeCursor(o, ""),
			"another order's":       pause.EncodeCursor(other, pause.SortKey(items[1], other)),
			"padded base64":         base64.URLEncoding.EncodeToString([]byte(`{"x":1}`)),
			"huge":                  strings.Repeat("A", 5000),
		}
		var all F
		for name, c := range forged {
			for _, ctx := range []context.Context{e.anon, e.editor} {
				_, err := k.list(ctx, pause.Query[F]{Order: o, First: 2, After: c})
				e.wantCode(err, pause.EINVALID, "after", fmt.Sprintf("list by %s after a forged cursor (%s)", o, name))
			}
			_, err := k.store.List(context.Background(), pause.Query[F]{Filter: all, Order: o, First: 2, After: c})
			e.wantCode(err, pause.EINVALID, "after", fmt.Sprintf("store List by %s after a forged cursor (%s)", o, name))
		}
	}
}

// testCursorOfDeleted: a cursor stays valid when its item is deleted; the list resumes where
// the item was.
func testCursorOfDeleted[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	var items []T
	for i, title := range []string{"Kilo", "alpha", "Echo", "golf", "Bravo", "delta", "Charlie", "foxtrot", "hotel", "India"} {
		items = append(items, k.mustCreate(e, title, ""))
		if i%2 == 0 {
			e.clock.Advance(time.Second)
		}
	}
	var all F
	for _, o := range k.orders {
		want := expect(e.editor, items, all, o)
		p, err := k.list(e.editor, pause.Query[F]{Order: o, First: 4})
		e.must(err, "first page")
		wantIDs(e, p.Items, idsOf(want[:4]), "first page by "+string(o))
		gone := p.Items[3].Metadata()
		e.must(k.del(e.admin, gone.ID, gone.Version), "delete the end of the page")
		p, err = k.list(e.editor, pause.Query[F]{Order: o, First: 10, After: p.EndCursor()})
		e.must(err, "list after the cursor of a deleted item")
		wantIDs(e, p.Items, idsOf(want[4:]), "after the cursor of a deleted item, by "+string(o))
		// Put it back for the next order.
		restored := want[3]
		restored.Metadata().Version = 1
		e.must(k.store.Create(context.Background(), restored), "restore")
	}
}

// testExactPages: when the last page is full, it says there is no next page.
func testExactPages(e *env) {
	k := articleKind(e)
	for i := range 14 {
		k.mustPublish(e, k.mustCreate(e, fmt.Sprintf("Article %02d", i), ""))
		e.clock.Advance(time.Second)
	}
	k.mustCreate(e, "A draft", "")
	var all pause.ArticleFilter
	for _, o := range k.orders {
		walk(e, k, e.anon, all, o, 7, 14, "14 published articles in pages of 7 by "+string(o))
		walk(e, k, e.editor, all, o, 5, 15, "15 articles in pages of 5 by "+string(o))
	}
}

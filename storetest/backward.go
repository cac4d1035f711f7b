package storetest

import (
	"context"
	"fmt"
	"slices"

	"pause"
)

// testBackward walks every list of the kind backward (last/before, pages of 3) and forward
// (first/after), as an editor and anonymously, and gets the same items in the same order:
// backward pages come in the order's direction, say whether more precede them, and their start
// cursors lead back to the beginning.
func testBackward[T pause.Item[T], F pause.ScopedFilter[T, F]](e *env, k *kind[T, F]) {
	population(e, k, 14)
	ids := func(items []T) []string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.Metadata().ID
		}
		return out
	}
	for _, o := range k.orders {
		for _, who := range []struct {
			name string
			ctx  context.Context
		}{{"editor", e.editor}, {"anonymous", e.anon}} {
			var zero F
			forward := ids(k.pages(e, who.ctx, zero, o, 3, 20))
			var backward []string
			q := pause.Query[F]{Order: o, First: 3, Backward: true}
			for i := 0; ; i++ {
				if i > 20 {
					e.Fatalf("%s, %s by %s backward: more than 20 pages", who.name, k.name, o)
				}
				p, err := k.list(who.ctx, q)
				e.must(err, fmt.Sprintf("list %ss by %s backward", k.name, o))
				if len(p.Items) != len(p.Cursors) || p.HasNextPage && i > 0 {
					e.Fatalf("%s by %s backward: %d items, %d cursors, hasNextPage %v", k.name, o, len(p.Items), len(p.Cursors), p.HasNextPage)
				}
				backward = append(ids(p.Items), backward...)
				if !p.HasPreviousPage {
					break
				}
				if len(p.Items) == 0 {
					e.Fatalf("%s by %s backward: an empty page says more precede it", k.name, o)
				}
				q.After = p.StartCursor()
			}
			if !slices.Equal(forward, backward) {
				e.Errorf("%s, %ss by %s:\nforward  %v\nbackward %v", who.name, k.name, o, forward, backward)
			}
		}
	}
}

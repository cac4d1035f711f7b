package storetest

import (
	"context"
	"reflect"
	"sync"
	"time"

	"pause"
	"pause/ids"
	"pause/markdown"
)

// createBenefits creates drafts with the titles, a second apart.
func createBenefits(e *env, titles ...string) []*pause.Benefit {
	e.Helper()
	k := benefitKind(e)
	out := make([]*pause.Benefit, len(titles))
	for i, title := range titles {
		out[i] = k.mustCreate(e, title, "")
		e.clock.Advance(time.Second)
	}
	return out
}

// storedBenefits reads the benefits straight from the store.
func storedBenefits(e *env, list []*pause.Benefit) []*pause.Benefit {
	e.Helper()
	k := benefitKind(e)
	out := make([]*pause.Benefit, len(list))
	for i, b := range list {
		out[i] = k.stored(e, b.ID)
	}
	return out
}

// wantUnchanged fails the test unless the store holds exactly the benefits of before.
func wantUnchanged(e *env, before []*pause.Benefit, what string) {
	e.Helper()
	if after := storedBenefits(e, before); !reflect.DeepEqual(after, before) {
		for i := range after {
			same(e, after[i], before[i], what)
		}
		e.Fatalf("%s: benefits changed", what)
	}
}

func testReorder(e *env) {
	k := benefitKind(e)
	bs := createBenefits(e, "A", "B", "C", "D") // all at position 0
	a, b, c, d := bs[0], bs[1], bs[2], bs[3]
	now := e.clock.Advance(time.Hour)
	out, err := e.cms.ReorderBenefits(e.editor, []string{c.ID, a.ID, d.ID, b.ID})
	e.must(err, "reorder")
	wantIDs(e, out, seq(c, a, d, b), "reordered benefits")
	for i, got := range out {
		if got.Position != i {
			e.Fatalf("benefit %s: Position %d, want %d", got.Title, got.Position, i)
		}
	}
	stored := storedBenefits(e, []*pause.Benefit{c, a, d, b})
	for i, got := range stored {
		if got.Position != i {
			e.Fatalf("stored benefit %s: Position %d, want %d", got.Title, got.Position, i)
		}
		same(e, got, out[i], "stored benefit "+got.Title)
	}
	// C was at 0 already: it was not written.
	same(e, stored[0], c, "benefit C, already in place")
	for _, got := range stored[1:] {
		if got.Version != 2 {
			e.Fatalf("benefit %s: Version %d, want 2", got.Title, got.Version)
		}
		e.wantTime(got.UpdatedAt, now, "benefit "+got.Title+" UpdatedAt")
	}
	wantOrder(e, k, e.editor, pause.OrderPosition, seq(c, a, d, b), "by position after reorder")

	k.mustPublish(e, stored[3]) // b
	k.mustPublish(e, stored[1]) // a
	wantOrder(e, k, e.anon, pause.OrderPosition, seq(a, b), "anonymous by position after reorder")

	// The same order again writes nothing.
	before := storedBenefits(e, bs)
	_, err = e.cms.ReorderBenefits(e.editor, []string{c.ID, a.ID, d.ID, b.ID})
	e.must(err, "reorder again")
	wantUnchanged(e, before, "after reordering into the same order")

	_, err = e.cms.ReorderBenefits(e.editor, []string{b.ID, d.ID, a.ID, c.ID})
	e.must(err, "reverse")
	wantOrder(e, k, e.editor, pause.OrderPosition, seq(b, d, a, c), "by position after reversing")
}

func testReorderPartial(e *env) {
	k := benefitKind(e)
	bs := createBenefits(e, "A", "B", "C", "D")
	a, b, c, d := bs[0], bs[1], bs[2], bs[3]
	_, err := e.cms.ReorderBenefits(e.editor, []string{a.ID, b.ID, c.ID, d.ID})
	e.must(err, "reorder all")
	_, err = e.cms.ReorderBenefits(e.editor, []string{d.ID, c.ID})
	e.must(err, "reorder two")
	// d and c take 0 and 1; a and b keep 0 and 1; ties go by id.
	wantOrder(e, k, e.editor, pause.OrderPosition, seq(byID(false, a, d), byID(false, b, c)), "after a partial reorder")
}

func testReorderUnknown(e *env) {
	bs := createBenefits(e, "A", "B", "C")
	before := storedBenefits(e, bs)
	_, err := e.cms.ReorderBenefits(e.editor, []string{bs[2].ID, "no-such-id", bs[0].ID})
	e.wantCode(err, pause.ENOTFOUND, "", "reorder with an unknown id")
	wantUnchanged(e, before, "after a reorder with an unknown id")
	e.must(e.cms.Benefits.Delete(e.admin, bs[1].ID, 1), "delete B")
	_, err = e.cms.ReorderBenefits(e.editor, []string{bs[2].ID, bs[1].ID, bs[0].ID})
	e.wantCode(err, pause.ENOTFOUND, "", "reorder with a deleted id")
	wantUnchanged(e, []*pause.Benefit{before[0], before[2]}, "after a reorder with a deleted id")
}

func testReorderDuplicates(e *env) {
	bs := createBenefits(e, "A", "B", "C")
	before := storedBenefits(e, bs)
	for _, ids := range [][]string{{bs[1].ID, bs[0].ID, bs[1].ID}, {}, nil} {
		_, err := e.cms.ReorderBenefits(e.editor, ids)
		e.wantCode(err, pause.EINVALID, "ids", "reorder with duplicates or no ids")
	}
	wantUnchanged(e, before, "after invalid reorders")
}

func testReorderAnonymous(e *env) {
	bs := createBenefits(e, "A", "B")
	before := storedBenefits(e, bs)
	_, err := e.cms.ReorderBenefits(e.anon, []string{bs[1].ID, bs[0].ID})
	e.wantCode(err, pause.EUNAUTHENTICATED, "", "anonymous reorder")
	_, err = e.cms.ReorderBenefits(e.viewer, []string{bs[1].ID, bs[0].ID})
	e.wantCode(err, pause.EFORBIDDEN, "", "reorder by a viewer")
	wantUnchanged(e, before, "after refused reorders")
}

// racingBenefits lets another write happen between a reorder's read and its write.
type racingBenefits struct {
	pause.BenefitStore
	once    sync.Once
	between func()
}

func (r *racingBenefits) GetMany(ctx context.Context, ids []string) ([]*pause.Benefit, error) {
	items, err := r.BenefitStore.GetMany(ctx, ids)
	r.once.Do(r.between)
	return items, err
}

// testReorderConflict: if a benefit changes between the reorder's read and its write, the
// store's Update refuses all of the write.
func testReorderConflict(e *env) {
	bs := createBenefits(e, "A", "B", "C")
	a, b, c := bs[0], bs[1], bs[2]
	racing := &racingBenefits{BenefitStore: e.stores.Benefits, between: func() {
		_, err := e.cms.Benefits.Update(e.editor, b.ID, b.Version, pause.BenefitInput{Icon: ptr("changed")})
		e.must(err, "the other write")
	}}
	stores := e.stores
	stores.Benefits = racing
	cms := pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New, Now: e.clock.Now})
	_, err := cms.ReorderBenefits(e.editor, []string{c.ID, b.ID, a.ID})
	e.wantCode(err, pause.ECONFLICT, "", "reorder while a benefit changes")
	want := storedBenefits(e, bs)
	if want[1].Icon != "changed" {
		e.Fatalf("the other write is lost: Icon %q", want[1].Icon)
	}
	wantUnchanged(e, []*pause.Benefit{a, c}, "the other benefits after a refused reorder")
}

package storetest

import (
	"pause"
)

// testReorderVersions: a reorder that gives the versions it saw is refused with ECONFLICT,
// and changes nothing, when a benefit moved (or changed) since; with the current versions it
// goes through. Versions that do not match the ids one for one are refused.
func testReorderVersions(e *env) {
	bs := createBenefits(e, "A", "B", "C")
	a, b, c := bs[0], bs[1], bs[2]
	seen := []int{a.Version, b.Version, c.Version}
	// Someone else reorders first.
	_, err := e.cms.ReorderBenefits(e.editor, []string{b.ID, a.ID, c.ID})
	e.must(err, "the other editor's reorder")
	before := storedBenefits(e, bs)
	_, err = e.cms.ReorderBenefitsAt(e.editor, []string{c.ID, a.ID, b.ID}, seen)
	e.wantCode(err, pause.ECONFLICT, "", "reorder with the versions seen before the other reorder")
	wantUnchanged(e, before, "after the refused reorder")
	_, err = e.cms.ReorderBenefitsAt(e.editor, []string{c.ID, a.ID}, []int{1})
	e.wantCode(err, pause.EINVALID, "versions", "fewer versions than ids")

	now := storedBenefits(e, bs)
	out, err := e.cms.ReorderBenefitsAt(e.editor, []string{c.ID, a.ID, b.ID}, []int{now[2].Version, now[0].Version, now[1].Version})
	e.must(err, "reorder with the current versions")
	if out[0].ID != c.ID || out[0].Position != 0 || out[2].ID != b.ID || out[2].Position != 2 {
		e.Fatalf("reordered: %s %d, %s %d", out[0].ID, out[0].Position, out[2].ID, out[2].Position)
	}
}

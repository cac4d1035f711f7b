// Package storetest is the conformance suite that every implementation of pause.Stores must
// pass. Run drives a store through pause.CMS, exactly as the API does, with an injected clock so
// that timestamps are asserted exactly, and calls a few store methods directly where the
// contract is the store's own (versions, GetMany, cursors).
//
// The suite's own tests run it against a reference store kept in memory, and against mutants
// of that store that each break one promise of the contract: the suite must pass the first and
// fail every mutant.
//
// The cases written once for every content type get a fixture per registered type (kind), which
// `go generate ./...` lists (kinds.generated.go): a hand-written one or one derived from the
// type's declaration (declaredKind). RunDerived runs the suite with the derived one for every
// type.
//
// It imports the root package, pause/markdown and pause/ids, and no store.
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"pause"
	"pause/ids"
	"pause/markdown"
)

// Run runs the suite. open must return a fresh, empty set of stores each time it is called; it
// is called once by every subtest, so that subtests are independent. open should register the
// stores' clean-up with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) pause.Stores) {
	run(t, open, fixtures)
}

// RunDerived runs the suite with the fixture derived from each type's declaration
// (declaredKind) for every registered type, those with a hand-written fixture too: it shows
// that a type registered without one is driven through the same cases. open is as for Run.
func RunDerived(t *testing.T, open func(t *testing.T) pause.Stores) {
	run(t, open, derivedFixtures)
}

// run runs the suite's cases, those written once for every content type made with the
// fixtures.
func run(t *testing.T, open func(t *testing.T) pause.Stores, fxs []fixture) {
	for _, g := range groups(fxs) {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					c.run(newEnv(t, open(t), fxs))
				})
			}
		})
	}
}

// group is a named set of cases.
type group struct {
	name  string
	cases []testCase
}

// testCase is one subtest: it gets its own fresh stores.
type testCase struct {
	name string
	run  func(e *env)
}

// groups are the suite's cases, those written once for every content type made with the
// fixtures.
func groups(fxs []fixture) []group {
	byKind := func(name, test string) []testCase { return kindCases(fxs, name, test) }
	return []group{
		{"Create", concat(
			byKind("Create", "Create"),
			byKind("Slugs", "Slugs"),
			[]testCase{
				{"ArticleDerivedFields", testArticleDerived},
				{"ToolDerivedFields", testToolDerived},
				{"BenefitDerivedFields", testBenefitDerived},
				{"ArticleRoundTrip", testArticleRoundTrip},
				{"ToolRoundTrip", testToolRoundTrip},
				{"BenefitRoundTrip", testBenefitRoundTrip},
			})},
		{"Validation", []testCase{
			{"Article", testArticleValidation},
			{"Tool", testToolValidation},
			{"Benefit", testBenefitValidation},
			{"ArticleUpdate", testArticleUpdateValidation},
		}},
		{"Update", concat(
			[]testCase{{"ArticlePatch", testArticlePatch}, {"ToolPatch", testToolPatch}},
			byKind("Update", "Update"),
			byKind("UpdateSlug", "UpdateSlug"),
		)},
		{"Store", concat(
			byKind("StoreUpdate", "StoreUpdate"),
			byKind("StoreCreateDelete", "StoreCreateDelete"),
			byKind("GetMany", "GetMany"),
			byKind("StoreCursors", "StoreCursors"),
		)},
		{"Status", byKind("", "Status")},
		{"Drafts", concat(
			byKind("Drafts", "Drafts"),
			[]testCase{
				{"ToolCategories", testDraftCategories},
				{"ToolsByIDs", testToolsByIDs},
			})},
		{"WorkingDrafts", concat(
			byKind("", "WorkingDraft"),
			[]testCase{
				{"ArticleBody", testArticleDraftBody},
				{"ToolCounts", testDraftCounts},
			})},
		{"Schedule", concat(
			byKind("", "Schedule"),
			[]testCase{{"ToolCategories", testScheduleCategories}, {"Cancel", testCancelSchedule}},
		)},
		{"Revisions", concat(
			byKind("", "Revisions"),
			[]testCase{{"Pruned", testRevisionsPruned}},
		)},
		{"Orders", []testCase{
			{"ArticlePublishedAt", testArticlePublishedAtOrder},
			{"ArticleUpdatedAt", testArticleUpdatedAtOrder},
			{"ArticleTitle", testArticleTitleOrder},
			{"ToolName", testToolNameOrder},
			{"ToolUpdatedAt", testToolUpdatedAtOrder},
			{"BenefitPosition", testBenefitPositionOrder},
			{"Unknown", testUnknownOrder},
		}},
		{"Pagination", concat(
			byKind("Pagination", "Pagination"),
			byKind("PageLimits", "PageLimits"),
			byKind("ForgedCursors", "ForgedCursors"),
			byKind("CursorOfDeleted", "CursorOfDeleted"),
			byKind("Backward", "Backward"),
			[]testCase{{"ExactMultipleOfPageSize", testExactPages}},
		)},
		{"Filters", []testCase{
			{"Articles", testArticleFilters},
			{"Tools", testToolFilters},
		}},
		{"Counts", []testCase{
			{"Articles", testArticleCounts},
			{"Benefits", testBenefitCounts},
			{"ToolCategories", testCategories},
			{"ToolCategorySpelling", testCategorySpelling},
		}},
		{"Delete", byKind("", "Delete")},
		{"Permissions", byKind("", "Permissions")},
		{"ReorderBenefits", []testCase{
			{"Positions", testReorder},
			{"Partial", testReorderPartial},
			{"Versions", testReorderVersions},
			{"UnknownID", testReorderUnknown},
			{"Duplicates", testReorderDuplicates},
			{"Anonymous", testReorderAnonymous},
			{"ChangedMeanwhile", testReorderConflict},
		}},
		{"RelatedTools", []testCase{
			{"Unknown", testRelatedUnknown},
			{"Known", testRelatedKnown},
		}},
		{"Import", concat(
			byKind("Import", "Import"),
			byKind("ImportPermissions", "ImportPermissions"),
		)},
		{"Access", []testCase{
			{"APIKeys", testAPIKeys},
			{"APIKeyPermissions", testAPIKeyPermissions},
			{"Audit", testAudit},
			{"AuditLog", testAuditLog},
			{"Idempotency", testIdempotency},
		}},
		{"Accounts", accountCases()},
		{"Events", eventCases()},
		{"Media", mediaCases()},
		{"Concurrency", []testCase{
			{"UpdateSameVersion", testConcurrentUpdate},
			{"CreateSameSlug", testConcurrentCreateSlug},
			{"CreateSameTitle", testConcurrentCreateTitle},
			{"DeleteSameVersion", testConcurrentDelete},
			{"PublishToolsOfCategory", testConcurrentCategories},
		}},
	}
}

func concat(lists ...[]testCase) []testCase {
	var out []testCase
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// kindCases makes one case per content type (per fixture) of the test written once for all of
// them that perType names test.
func kindCases(fxs []fixture, name, test string) []testCase {
	if name != "" {
		name += "/"
	}
	var out []testCase
	for _, fx := range fxs {
		run, ok := fx.cases[test]
		if !ok {
			panic("storetest: perType has no test " + test)
		}
		out = append(out, testCase{name + fx.label, run})
	}
	return out
}

// perType returns the tests written once for every content type, for the type whose kind mk
// makes, by name.
func perType[T pause.Item[T], F pause.ScopedFilter[T, F]](mk func(*env) *kind[T, F]) map[string]func(*env) {
	return map[string]func(*env){
		"Create":            func(e *env) { testCreate(e, mk(e)) },
		"Slugs":             func(e *env) { testSlugs(e, mk(e)) },
		"Update":            func(e *env) { testUpdate(e, mk(e)) },
		"UpdateSlug":        func(e *env) { testUpdateSlug(e, mk(e)) },
		"StoreUpdate":       func(e *env) { testStoreUpdate(e, mk(e)) },
		"StoreCreateDelete": func(e *env) { testStoreCreateDelete(e, mk(e)) },
		"GetMany":           func(e *env) { testGetMany(e, mk(e)) },
		"StoreCursors":      func(e *env) { testStoreCursors(e, mk(e)) },
		"Status":            func(e *env) { testStatus(e, mk(e)) },
		"Drafts":            func(e *env) { testDrafts(e, mk(e)) },
		"WorkingDraft":      func(e *env) { testWorkingDraft(e, mk(e)) },
		"Schedule":          func(e *env) { testSchedule(e, mk(e)) },
		"Revisions":         func(e *env) { testRevisions(e, mk(e)) },
		"Pagination":        func(e *env) { testPagination(e, mk(e)) },
		"PageLimits":        func(e *env) { testPageLimits(e, mk(e)) },
		"ForgedCursors":     func(e *env) { testForgedCursors(e, mk(e)) },
		"CursorOfDeleted":   func(e *env) { testCursorOfDeleted(e, mk(e)) },
		"Delete":            func(e *env) { testDelete(e, mk(e)) },
		"Backward":          func(e *env) { testBackward(e, mk(e)) },
		"Permissions":       func(e *env) { testPermissions(e, mk(e)) },
		"Import":            func(e *env) { testImport(e, mk(e)) },
		"ImportPermissions": func(e *env) { testImportPermissions(e, mk(e)) },
	}
}

// Clock is a manually advanced clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Start is the time a new Clock shows.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// NewClock returns a clock that shows Start.
func NewClock() *Clock { return &Clock{now: Start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// env is what every case works with: its stores, the CMS over them, the clock and one context
// per kind of viewer.
type env struct {
	*testing.T
	stores pause.Stores
	cms    *pause.CMS
	clock  *Clock

	anon   context.Context // no viewer at all
	viewer context.Context // RoleViewer: reads drafts, writes nothing
	editor context.Context
	admin  context.Context
}

func newEnv(t *testing.T, stores pause.Stores, fxs []fixture) *env {
	v := reflect.ValueOf(stores)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Interface && f.IsNil() {
			t.Fatalf("open returned incomplete stores: no Stores.%s", v.Type().Field(i).Name)
		}
	}
	clock := NewClock()
	ctx := context.Background()
	cms := pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New, DeriveID: ids.Derive, Now: clock.Now})
	for _, col := range cms.Collections() {
		if !slices.ContainsFunc(fxs, func(fx fixture) bool { return fx.name == col.Type().Name }) {
			t.Fatalf("storetest has no fixture for the content type %s: run `go generate ./...` (tools/contentgen writes storetest/%s from the registry)", col.Type().Name, fixturesFile)
		}
	}
	return &env{
		T:      t,
		stores: stores,
		cms:    cms,
		clock:  clock,
		anon:   ctx,
		viewer: pause.NewContext(ctx, &pause.Viewer{Subject: "victor", Role: pause.RoleViewer}),
		editor: pause.NewContext(ctx, &pause.Viewer{Subject: "alice", Role: pause.RoleEditor}),
		admin:  pause.NewContext(ctx, &pause.Viewer{Subject: "root", Role: pause.RoleAdmin}),
	}
}

// ptr returns a pointer to a copy of v.
func ptr[V any](v V) *V { return &v }

// wantCode fails the test unless err has the code (and, if field is not "", the field).
func (e *env) wantCode(err error, code, field, what string) {
	e.Helper()
	if got := pause.ErrorCode(err); got != code {
		e.Fatalf("%s: got error %v (code %q), want code %s", what, err, got, code)
	}
	if field != "" && pause.ErrorField(err) != field {
		e.Fatalf("%s: got error %v (field %q), want field %q", what, err, pause.ErrorField(err), field)
	}
}

// must fails the test if err is not nil.
func (e *env) must(err error, what string) {
	e.Helper()
	if err != nil {
		e.Fatalf("%s: %v", what, err)
	}
}

// wantTime fails the test unless got is the instant want.
func (e *env) wantTime(got, want time.Time, what string) {
	e.Helper()
	if !got.Equal(want) {
		e.Fatalf("%s = %s, want %s", what, got.UTC().Format(time.RFC3339Nano), want.UTC().Format(time.RFC3339Nano))
	}
}

// wantIDs fails the test unless the items have exactly the ids, in order.
func wantIDs[T pause.Item[T]](e *env, got []T, want []string, what string) {
	e.Helper()
	g := idsOf(got)
	if !reflect.DeepEqual(g, want) && !(len(g) == 0 && len(want) == 0) {
		e.Fatalf("%s: got ids\n  %v\nwant\n  %v", what, names(e, g), names(e, want))
	}
}

// names is for messages: ids with the item's title when the test knows it.
func names(e *env, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if n, ok := e.label(id); ok {
			out[i] = n
		}
	}
	return out
}

// label looks the id up in every store, for messages only.
func (e *env) label(id string) (string, bool) {
	ctx := context.Background()
	if a, err := e.stores.Articles.Get(ctx, id); err == nil {
		return fmt.Sprintf("%q", a.Title), true
	}
	if t, err := e.stores.Tools.Get(ctx, id); err == nil {
		return fmt.Sprintf("%q", t.Name), true
	}
	if b, err := e.stores.Benefits.Get(ctx, id); err == nil {
		return fmt.Sprintf("%q@%d", b.Title, b.Position), true
	}
	return "", false
}

func idsOf[T pause.Item[T]](items []T) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Metadata().ID
	}
	return out
}

// same fails the test unless got and want hold the same content. Times compare as instants and
// a nil list equals an empty one; everything else must be equal.
func same[T pause.Item[T]](e *env, got, want T, what string) {
	e.Helper()
	if d := diff(reflect.ValueOf(got), reflect.ValueOf(want), ""); d != "" {
		e.Fatalf("%s differs:%s", what, d)
	}
}

var timeType = reflect.TypeOf(time.Time{})

// diff describes how a and b differ, one line per field, or returns "".
func diff(a, b reflect.Value, path string) string {
	if a.Type() == timeType {
		if !a.Interface().(time.Time).Equal(b.Interface().(time.Time)) {
			return fmt.Sprintf("\n  %s: got %v, want %v", path, a.Interface(), b.Interface())
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("\n  %s: got %v, want %v", path, show(a), show(b))
			}
			return ""
		}
		return diff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		var out string
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			p := f.Name
			if path != "" && !f.Anonymous {
				p = path + "." + f.Name
			} else if f.Anonymous {
				p = path
			}
			out += diff(a.Field(i), b.Field(i), p)
		}
		return out
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("\n  %s: got %v, want %v", path, a.Interface(), b.Interface())
		}
		var out string
		for i := 0; i < a.Len(); i++ {
			out += diff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		return out
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Sprintf("\n  %s: got %#v, want %#v", path, a.Interface(), b.Interface())
		}
		return ""
	}
}

func show(v reflect.Value) any {
	if v.IsNil() {
		return "nil"
	}
	return v.Elem().Interface()
}

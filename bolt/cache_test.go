package bolt

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"pause"
)

// TestCloneSharesNothing fills every field of every content type, reached by reflection so
// that a field added later is filled too, and checks that clone returns an equal item that
// shares no slice backing array and no pointer with the original.
func TestCloneSharesNothing(t *testing.T) {
	for _, item := range []any{&pause.Article{}, &pause.Benefit{}, &pause.Tool{}} {
		t.Run(reflect.TypeOf(item).Elem().Name(), func(t *testing.T) {
			fill(t, reflect.ValueOf(item).Elem(), 0)
			var c any
			switch v := item.(type) {
			case *pause.Article:
				c = clone(v)
			case *pause.Benefit:
				c = clone(v)
			case *pause.Tool:
				c = clone(v)
			}
			if !reflect.DeepEqual(item, c) {
				t.Fatalf("clone differs:\n%+v\n%+v", item, c)
			}
			shared(t, "", reflect.ValueOf(item), reflect.ValueOf(c))
		})
	}
}

var timeType = reflect.TypeFor[time.Time]()

// unstored are the fields of content that no store keeps, so that no item read from a store
// (and so no cached item) has them: clone need not copy them.
var unstored = map[string]bool{
	"Change": true, // Meta.Change: the revision a write keeps, stored as a revision
}

// fill gives v a non-zero value, down to every field, element and pointee (a draft's draft
// is left nil: depth counts the pointers followed).
func fill(t *testing.T, v reflect.Value, depth int) {
	t.Helper()
	if v.Type() == timeType {
		v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		if depth >= 2 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), depth+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			fill(t, v.Index(i), depth)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && !unstored[f.Name] {
				fill(t, v.Field(i), depth)
			}
		}
	default:
		t.Fatalf("fill: a %s field: teach fill and clone about it", v.Kind())
	}
}

// shared fails if a and b (equal values) share a pointer or a slice's backing array.
func shared(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: the clone shares the pointer", path)
		}
		shared(t, path, a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			t.Errorf("%s: the clone shares the slice", path)
		}
		for i := range a.Len() {
			shared(t, path+"[]", a.Index(i), b.Index(i))
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				shared(t, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
			}
		}
	}
}

// TestCachedItemsAreCopies: changing what a read returned changes neither the store nor what
// the next read returns, and a write is seen at once by reads and counts.
func TestCachedItemsAreCopies(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tools := db.Stores().Tools
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tool := &pause.Tool{Meta: pause.Meta{ID: "01TOOL", Slug: "loom", Status: pause.StatusPublished, PublishedAt: &now,
		CreatedAt: now, UpdatedAt: now, Version: 1}, Name: "Loom", Category: "Video", Pricing: pause.PricingFreemium,
		Tags: []string{"video"}, Platforms: []string{"Web"}}
	if err := tools.Create(ctx, tool); err != nil {
		t.Fatal(err)
	}
	published := pause.StatusPublished
	count := func() int {
		t.Helper()
		n, err := tools.Count(ctx, pause.ToolFilter{Scope: pause.Scope{Status: &published}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("count %d, want 1", n)
	}

	got, err := tools.Get(ctx, tool.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.Name, got.Tags[0], *got.PublishedAt = "Changed", "changed", now.Add(time.Hour)
	page, err := tools.List(ctx, pause.Query[pause.ToolFilter]{Order: pause.OrderName, First: 10})
	if err != nil {
		t.Fatal(err)
	}
	page.Items[0].Platforms[0] = "changed"
	again, err := tools.Get(ctx, tool.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Name != "Loom" || again.Tags[0] != "video" || !again.PublishedAt.Equal(now) || again.Platforms[0] != "Web" {
		t.Fatalf("a change to a read item reached the store: %+v", again)
	}

	// A write is read back at once, and the kept count follows it.
	draft := *again
	draft.Status, draft.PublishedAt, draft.Name, draft.Version = pause.StatusDraft, nil, "Loom 2", 2
	if err := tools.Update(ctx, &draft); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("count after unpublishing %d, want 0", n)
	}
	if got, err := tools.Get(ctx, tool.ID); err != nil || got.Name != "Loom 2" || got.Version != 2 {
		t.Fatalf("after the update: %+v, %v", got, err)
	}
	if err := tools.Delete(ctx, tool.ID, 2, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := tools.Count(ctx, pause.ToolFilter{}); err != nil || n != 0 {
		t.Fatalf("count after delete %d, %v", n, err)
	}
}

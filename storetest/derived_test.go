package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pause"
)

// declaredType is a registered content type with its item (such as *pause.Article), input and
// filter types.
type declaredType struct {
	t                   *pause.ContentType
	item, input, filter reflect.Type
}

func registered() []declaredType {
	var out []declaredType
	for _, col := range pause.Declared() {
		v := reflect.ValueOf(col)
		out = append(out, declaredType{col.Type(), v.MethodByName("Get").Type().Out(0),
			v.MethodByName("Create").Type().In(1), v.MethodByName("Count").Type().In(1)})
	}
	return out
}

// Every registered type has a fixture, in the registry's order, in both generated lists.
func TestFixturesCoverRegistry(t *testing.T) {
	var want []string
	for _, r := range registered() {
		want = append(want, r.t.Name)
	}
	for name, fxs := range map[string][]fixture{"fixtures": fixtures, "derivedFixtures": derivedFixtures} {
		var got []string
		for _, fx := range fxs {
			got = append(got, fx.name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s covers %v, the registry has %v: run `go generate ./...` (tools/contentgen writes storetest/%s)", name, got, want, fixturesFile)
		}
	}
}

// The derived fixture of each registered type, without a store: its sample is valid, and so
// is each item after vary; each filter field takes several values across the varied items;
// each filter matches some of them but not all, but the one that matches nothing.
func TestDerivedFixtureValues(t *testing.T) {
	const n = 12
	for _, r := range registered() {
		t.Run(r.t.Name, func(t *testing.T) {
			d, err := derive(r.t, r.item, r.input, r.filter)
			if err != nil {
				t.Fatal(err)
			}
			items := make([]reflect.Value, n)
			for i := range items {
				items[i] = reflect.New(r.item.Elem())
				d.sample(items[i], "Title")
				m := items[i].Interface().(interface{ Metadata() *pause.Meta }).Metadata()
				m.Slug, m.Status = "title", pause.StatusDraft
				if err := validate(items[i]); err != nil {
					t.Fatalf("the sample is invalid: %v", err)
				}
				if title, _ := pause.FieldValue(items[i].Interface(), d.label); title.String() != "Title" {
					t.Fatalf("the sample's %s is %q, want its title", d.label, title)
				}
				in := reflect.New(r.input).Elem()
				d.vary(in, items[i], i)
				in.MethodByName("Apply").Call([]reflect.Value{items[i]})
				if err := validate(items[i]); err != nil {
					t.Fatalf("item %d after vary is invalid: %v", i, err)
				}
			}
			for _, ff := range d.filterFields {
				seen := map[string]bool{}
				for _, it := range items {
					v, _ := pause.FieldValue(it.Interface(), ff.field.Name)
					seen[fmt.Sprint(v.Interface())] = true
				}
				if len(seen) < 2 {
					t.Errorf("vary gives every item the same %s", ff.field.Name)
				}
			}
			filters := d.filterValues(r.filter)
			none := slices.ContainsFunc(d.filterFields, func(ff filterField) bool {
				return ff.field.Kind == pause.KindText || ff.field.Kind == pause.KindStringList
			})
			want := len(d.filterFields)
			if want >= 2 {
				want++
			}
			if none {
				want++
			}
			if len(filters) != want {
				t.Fatalf("%d filters, want %d", len(filters), want)
			}
			for i, f := range filters {
				f = f.MethodByName("Scoped").Call([]reflect.Value{reflect.ValueOf(pause.Scope{})})[0]
				match := 0
				for _, it := range items {
					if f.MethodByName("Match").Call([]reflect.Value{it})[0].Bool() {
						match++
					}
				}
				if none && i == len(filters)-1 {
					if match != 0 {
						t.Errorf("filter %+v matches %d items, want none", f, match)
					}
				} else if match == 0 || match == n {
					t.Errorf("filter %+v matches %d of %d items, want some", f, match, n)
				}
			}
		})
	}
}

func validate(item reflect.Value) error {
	err, _ := item.MethodByName("Validate").Call(nil)[0].Interface().(error)
	return err
}

// A type that the fixture cannot be derived for fails with what to write.
func TestDeriveSaysWhatToWrite(t *testing.T) {
	type item struct {
		pause.Meta
		Title   string
		Size    int
		Related []string
		Shade   string
	}
	type input struct {
		Slug, Title *string
		Related     []string
		Shade       *string
	}
	type filter struct {
		pause.Scope
		Shade string `field:"shade"`
	}
	title := pause.Field{Name: "title", Kind: pause.KindText, Required: true, MaxLength: 10}
	shade := pause.Field{Name: "shade", Kind: pause.KindText, MaxLength: 10}
	for _, c := range []struct {
		name   string
		fields []pause.Field
		want   []string
	}{
		{"no label", []pause.Field{{Name: "shade", Kind: pause.KindText}},
			[]string{"thing type", "no required TEXT field", "func thingKind(e *env) *kind[*storetest.item, storetest.filter]", "go generate ./..."}},
		{"required relation", []pause.Field{title, shade, {Name: "related", Kind: pause.KindRelation, Required: true, Target: "tool"}},
			[]string{"required RELATION field related", "func thingKind"}},
		{"unknown kind", []pause.Field{title, shade, {Name: "shade", Kind: "COLOUR"}},
			[]string{"no value for the COLOUR field shade", "storetest/derived.go", "func thingKind"}},
		{"field the input lacks", []pause.Field{title, shade, {Name: "size", Kind: pause.KindInt, Max: 9}},
			[]string{"size is not a field of both *storetest.item and storetest.input", "func thingKind"}},
		{"filter of no field", []pause.Field{title}, []string{"filter.Shade names no declared field", "func thingKind"}},
		{"kind of another type", []pause.Field{title, shade, {Name: "related", Kind: pause.KindBoolean}},
			[]string{"its BOOLEAN field related is a []string, and a BOOLEAN field holds a bool here", "func thingKind"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ct := &pause.ContentType{Name: "thing", Fields: c.fields}
			_, err := derive(ct, reflect.TypeFor[*item](), reflect.TypeFor[input](), reflect.TypeFor[filter]())
			if err == nil {
				t.Fatal("derived a fixture")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error %q does not say %q", err, w)
				}
			}
		})
	}
	ct := &pause.ContentType{Name: "thing", Fields: []pause.Field{title, shade}}
	if _, err := derive(ct, reflect.TypeFor[*item](), reflect.TypeFor[input](), reflect.TypeFor[filter]()); err != nil {
		t.Fatalf("a derivable type: %v", err)
	}
}

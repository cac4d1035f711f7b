package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"pause"
)

// declaredKind is the fixture of a content type derived from its declaration (pause.ContentType)
// and its Go types, so that a registered type needs no hand-written fixture:
//
//   - its title is its label field: the first required TEXT field of its own (not of a nested
//     object), such as an article's title or a tool's name;
//   - create gives the title, a value its kind accepts to every other required field, a short
//     text to every MARKDOWN field, and the slug if one is asked for;
//   - rename and reslug patch the title and the slug;
//   - sample is a complete item: every declared field has a value (a relation none, since its
//     ids would have to name stored items);
//   - vary gives the i-th item, in the field that each filter field matches (its `field`
//     tag), a value of its own: a list varyTags(i) in lower case, a text one of three authors'
//     names, an enum its values in turn, a boolean true on even items; and in every INT field
//     a position that repeats (i*7%13), for the orders;
//   - filters has one filter per filter field, one combining the first two, and one that
//     matches nothing.
//
// A type it cannot derive a fixture for fails the case with what to write (derive).
func declaredKind[T pause.Item[T], F pause.ScopedFilter[T, F], I pause.Input[T]](e *env, col *pause.Collection[T, F, I], store pause.Store[T, F]) *kind[T, F] {
	e.Helper()
	d, err := derive(col.Type(), reflect.TypeFor[T](), reflect.TypeFor[I](), reflect.TypeFor[F]())
	if err != nil {
		e.Fatal(err)
	}
	input := func(set func(in reflect.Value)) I {
		in := reflect.New(reflect.TypeFor[I]()).Elem()
		set(in)
		return in.Interface().(I)
	}
	return fill(e, col, store, &kind[T, F]{
		create: func(ctx context.Context, title, slug string) (T, error) {
			return col.Create(ctx, input(func(in reflect.Value) { d.createInput(in, title, slug) }))
		},
		rename: func(ctx context.Context, id string, version int, title string) (T, error) {
			return col.Update(ctx, id, version, input(func(in reflect.Value) {
				setPath(in, d.label, reflect.ValueOf(title))
			}))
		},
		reslug: func(ctx context.Context, id string, version int, slug string) (T, error) {
			return col.Update(ctx, id, version, input(func(in reflect.Value) {
				setPath(in, d.slug, reflect.ValueOf(slug))
			}))
		},
		sample: func(title, slug string) T {
			item := reflect.New(reflect.TypeFor[T]().Elem())
			d.sample(item, title)
			out := item.Interface().(T)
			out.Metadata().Slug = slug
			return out
		},
		title: func(item T) string {
			v, _ := pause.FieldValue(item, d.label)
			return v.String()
		},
		setTitle: func(item T, title string) {
			v, _ := pause.FieldValue(item, d.label)
			v.SetString(title)
		},
		vary: func(ctx context.Context, item T, i int) (T, error) {
			m := item.Metadata()
			return col.Update(ctx, m.ID, m.Version, input(func(in reflect.Value) {
				d.vary(in, reflect.ValueOf(item), i)
			}))
		},
		filters: derivedFilters[F](d),
	})
}

// derivation is what declaredKind derives from a content type's declaration.
type derivation struct {
	t     *pause.ContentType
	label string // the label field, the fixture's "title"
	slug  string // the SLUG field
	// filterFields are the filter's fields that match a declared field, in the filter's order.
	filterFields []filterField
}

// filterField is a field of the filter (its Go field's name) and the declared field it
// matches.
type filterField struct {
	goField string
	field   *pause.Field
}

// sampleTime is what a TIME field holds in samples.
var sampleTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// derive checks that a fixture can be derived for the content type whose item (such as
// *pause.Article), input and filter types are given, and returns what it needs, or an error
// that says what to write instead.
func derive(t *pause.ContentType, item, input, filter reflect.Type) (*derivation, error) {
	d := &derivation{t: t, slug: "slug"}
	byHand := fmt.Sprintf("or write its fixture by hand: func %sKind(e *env) *kind[%s, %s] in storetest/kinds.go (see articleKind), then run `go generate ./...`",
		t.Name, typeName(item), typeName(filter))
	for _, f := range t.Fields {
		if f.Kind == pause.KindText && f.Required && !strings.Contains(f.Name, ".") {
			d.label = f.Name
			break
		}
	}
	if d.label == "" {
		return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: it declares no required TEXT field of its own to use as its title; declare one, %s", t.Name, byHand)
	}
	for _, f := range t.Fields {
		if f.Kind == pause.KindSlug {
			d.slug = f.Name
		}
		it, ok1 := pathType(item, f.Name)
		in, ok2 := pathType(input, f.Name)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: the declared field %s is not a field of both %s and %s (by its API name); rename one, %s",
				t.Name, f.Name, typeName(item), typeName(input), byHand)
		}
		if v, ok := value(&f, 0); ok {
			for _, ft := range []reflect.Type{it, in} {
				if ft.Kind() == reflect.Pointer && v.Type() != ft {
					ft = ft.Elem()
				}
				if !v.Type().ConvertibleTo(ft) {
					return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: its %s field %s is a %s, and a %s field holds a %s here; %s",
						t.Name, f.Kind, f.Name, ft, f.Kind, v.Type(), strings.TrimPrefix(byHand, "or "))
				}
			}
		}
		switch f.Kind {
		case pause.KindText, pause.KindSlug, pause.KindMarkdown, pause.KindURL, pause.KindBoolean, pause.KindInt, pause.KindTime,
			pause.KindStringList, pause.KindImage:
		case pause.KindEnum:
			if len(f.Values) == 0 {
				return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: the ENUM field %s declares no Values; declare them, %s", t.Name, f.Name, byHand)
			}
		case pause.KindRelation:
			if f.Required {
				return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: it has no value for the required RELATION field %s (its ids must name stored items of the %s type); %s",
					t.Name, f.Name, f.Target, strings.TrimPrefix(byHand, "or "))
			}
		default:
			return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: it has no value for the %s field %s; add one to declaredKind in storetest/derived.go (value and vary), %s",
				t.Name, f.Kind, f.Name, byHand)
		}
	}
	for i := range filter.NumField() {
		sf := filter.Field(i)
		if sf.Anonymous || !sf.IsExported() {
			continue // the Scope
		}
		name := sf.Tag.Get("field")
		f := t.Field(name)
		if f == nil {
			return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: %s.%s names no declared field (its `field` tag is %q); tag it with the declared field it matches, %s",
				t.Name, typeName(filter), sf.Name, name, byHand)
		}
		switch {
		case f.Kind == pause.KindStringList || f.Kind == pause.KindText:
			if sf.Type.Kind() != reflect.String {
				return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: %s.%s matches the %s field %s but is a %s, not a string; %s",
					t.Name, typeName(filter), sf.Name, f.Kind, f.Name, sf.Type, byHand)
			}
		case f.Kind == pause.KindEnum && len(f.Values) > 0:
		case f.Kind == pause.KindBoolean:
			if sf.Type != reflect.TypeFor[*bool]() {
				return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: %s.%s matches the BOOLEAN field %s but is a %s, not a *bool; %s",
					t.Name, typeName(filter), sf.Name, f.Name, sf.Type, byHand)
			}
		default:
			return nil, fmt.Errorf("storetest cannot derive a fixture for the %s type: it cannot vary the %s field %s, which %s.%s filters by; add the kind to declaredKind in storetest/derived.go, %s",
				t.Name, f.Kind, f.Name, typeName(filter), sf.Name, byHand)
		}
		d.filterFields = append(d.filterFields, filterField{goField: sf.Name, field: f})
	}
	return d, nil
}

// createInput sets the input of a valid new item: the title, the slug if not empty, a value in
// every other required field and a short text in every MARKDOWN field.
func (d *derivation) createInput(in reflect.Value, title, slug string) {
	setPath(in, d.label, reflect.ValueOf(title))
	if slug != "" {
		setPath(in, d.slug, reflect.ValueOf(slug))
	}
	for i := range d.t.Fields {
		f := &d.t.Fields[i]
		switch {
		case f.Name == d.label || f.Kind == pause.KindSlug:
		case f.Kind == pause.KindMarkdown:
			setPath(in, f.Name, reflect.ValueOf("Some *words*."))
		case f.Required:
			if v, ok := value(f, 0); ok {
				setPath(in, f.Name, v)
			}
		}
	}
}

// sample fills the new item (a pointer) with a value in every declared field: the title in the
// label field, a heading with the title in MARKDOWN fields.
func (d *derivation) sample(item reflect.Value, title string) {
	for i := range d.t.Fields {
		f := &d.t.Fields[i]
		switch {
		case f.Name == d.label:
			setPath(item, f.Name, reflect.ValueOf(title))
		case f.Kind == pause.KindSlug:
		case f.Kind == pause.KindMarkdown:
			setPath(item, f.Name, reflect.ValueOf("# "+title+"\n\nWords *worth* reading."))
		default:
			if v, ok := value(f, 1); ok {
				setPath(item, f.Name, v)
			}
		}
	}
}

// vary patches the input so that the i-th item differs from others in each filter field and
// INT field; a nested object is patched from the item's own (an author keeps its picture).
func (d *derivation) vary(in, item reflect.Value, i int) {
	for _, ff := range d.filterFields {
		f := ff.field
		var v reflect.Value
		switch f.Kind {
		case pause.KindStringList:
			v = reflect.ValueOf(lowerTags(i))
		case pause.KindText:
			v = reflect.ValueOf(fit(authors[i%len(authors)], f.MaxLength))
		case pause.KindEnum:
			v = reflect.ValueOf(f.Values[i%len(f.Values)])
		case pause.KindBoolean:
			v = reflect.ValueOf(i%2 == 0)
		}
		patchPath(in, item, f.Name, v)
	}
	for _, f := range d.t.Fields {
		if f.Kind == pause.KindInt {
			patchPath(in, item, f.Name, reflect.ValueOf(min(max(i*7%13+f.Min, f.Min), f.Max)))
		}
	}
}

// derivedFilters returns the filters worth paginating of a type (filterValues).
func derivedFilters[F any](d *derivation) []F {
	var out []F
	for _, f := range d.filterValues(reflect.TypeFor[F]()) {
		out = append(out, f.Interface().(F))
	}
	return out
}

// filterValues returns filters of the type: one per filter field (a value some items have),
// one combining the first two (the values of item 0, which has them all), and one that matches
// nothing (a text no item has), for a type whose filter has fields.
func (d *derivation) filterValues(typ reflect.Type) []reflect.Value {
	filter := func(set func(f reflect.Value)) reflect.Value {
		f := reflect.New(typ).Elem()
		set(f)
		return f
	}
	// of is the filter value that selects the items whose field has what vary gave item i.
	of := func(ff filterField, i int) reflect.Value {
		switch ff.field.Kind {
		case pause.KindStringList:
			if i%3 == 0 {
				return reflect.ValueOf("three")
			}
			return reflect.ValueOf(lowerTags(i)[0])
		case pause.KindText:
			return reflect.ValueOf(fit(authors[i%len(authors)], ff.field.MaxLength))
		case pause.KindEnum:
			return reflect.ValueOf(ff.field.Values[i%len(ff.field.Values)])
		default: // BOOLEAN
			return reflect.ValueOf(i%2 == 0)
		}
	}
	var out []reflect.Value
	for _, ff := range d.filterFields {
		out = append(out, filter(func(f reflect.Value) { assign(f.FieldByName(ff.goField), of(ff, 1)) }))
	}
	if len(d.filterFields) >= 2 {
		out = append(out, filter(func(f reflect.Value) {
			for _, ff := range d.filterFields[:2] {
				assign(f.FieldByName(ff.goField), of(ff, 0))
			}
		}))
	}
	for _, ff := range d.filterFields {
		if k := ff.field.Kind; k == pause.KindStringList || k == pause.KindText {
			out = append(out, filter(func(f reflect.Value) { assign(f.FieldByName(ff.goField), reflect.ValueOf(nothing)) }))
			break
		}
	}
	return out
}

// lowerTags is varyTags(i) in lower case, as the filter asks for them: a list that the type
// keeps as written (not lower-case, as tags are) still matches.
func lowerTags(i int) []string {
	tags := varyTags(i)
	for j := range tags {
		tags[j] = strings.ToLower(tags[j])
	}
	return tags
}

// nothing is a text that no item's field has.
const nothing = "nothing-has-this"

// value returns a value that the field's kind accepts, the n-th of a few, or false for a
// relation (its ids would have to name stored items).
func value(f *pause.Field, n int) (reflect.Value, bool) {
	switch f.Kind {
	case pause.KindText:
		return reflect.ValueOf(fit(authors[n%len(authors)], f.MaxLength)), true
	case pause.KindMarkdown:
		return reflect.ValueOf("Some *words*."), true
	case pause.KindURL:
		return reflect.ValueOf("https://example.com/" + strings.ReplaceAll(f.Name, ".", "-")), true
	case pause.KindEnum:
		return reflect.ValueOf(f.Values[n%len(f.Values)]), true
	case pause.KindStringList:
		list := []string{"async", "remote"}
		if f.MaxItems > 0 {
			list = list[:min(len(list), f.MaxItems)]
		}
		for i := range list {
			list[i] = fit(list[i], f.MaxLength)
		}
		return reflect.ValueOf(list), true
	case pause.KindBoolean:
		return reflect.ValueOf(true), true
	case pause.KindInt:
		return reflect.ValueOf(min(max(3, f.Min), f.Max)), true
	case pause.KindTime:
		return reflect.ValueOf(sampleTime), true
	case pause.KindImage:
		return reflect.ValueOf(pause.Image{URL: "https://example.com/image.png", Alt: fit("An image", f.MaxLength)}), true
	}
	return reflect.Value{}, false
}

// fit cuts s to max characters, if max is not 0.
func fit(s string, max int) string {
	if max > 0 && utf8.RuneCountInString(s) > max {
		return string([]rune(s)[:max])
	}
	return s
}

func typeName(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		return "*" + typeName(t.Elem())
	}
	return t.String()
}

// field returns the struct field of v (a struct) with the API name, compared ignoring case
// (author, websiteUrl, relatedToolIds), or the zero Value.
func field(v reflect.Value, name string) reflect.Value {
	return v.FieldByNameFunc(func(f string) bool { return strings.EqualFold(f, name) })
}

// pathType returns the type of the field with the API name (dotted for nested objects) of the
// struct type t or of a pointer to one, and false if it has none.
func pathType(t reflect.Type, name string) (reflect.Type, bool) {
	for part := range strings.SplitSeq(name, ".") {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		f, ok := t.FieldByNameFunc(func(f string) bool { return strings.EqualFold(f, part) })
		if !ok {
			return nil, false
		}
		t = f.Type
	}
	return t, true
}

// setPath sets the field with the API name (dotted for nested objects) of v, a struct or a
// pointer to one, making the objects on its path; a pointer field gets a pointer to the value.
func setPath(v reflect.Value, name string, value reflect.Value) {
	patchPath(v, reflect.Value{}, name, value)
}

// patchPath is setPath for an input: an object on the path that the input does not have yet
// starts as a copy of the item's (from, which may be the zero Value), so that setting one of
// its fields keeps the others.
func patchPath(v, from reflect.Value, name string, value reflect.Value) {
	parts := strings.Split(name, ".")
	for i, part := range parts {
		v, from = deref(v, from), derefFrom(from)
		v = field(v, part)
		if from.IsValid() {
			from = field(from, part)
		}
		if i == len(parts)-1 {
			assign(v, value)
		}
	}
}

// deref follows pointers to the struct v names, making it (a copy of from's if there is one)
// where a pointer is nil.
func deref(v, from reflect.Value) reflect.Value {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
			if f := derefFrom(from); f.IsValid() && f.Type() == v.Type().Elem() {
				v.Elem().Set(f)
			}
		}
		v = v.Elem()
	}
	return v
}

// derefFrom follows pointers, to the zero Value at a nil one.
func derefFrom(v reflect.Value) reflect.Value {
	for v.IsValid() && v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// assign sets the field to the value, converted to its type (an enum from a string), through a
// new pointer if the field is one.
func assign(field, value reflect.Value) {
	t := field.Type()
	if t.Kind() == reflect.Pointer && value.Type() != t {
		p := reflect.New(t.Elem())
		assign(p.Elem(), value)
		field.Set(p)
		return
	}
	field.Set(value.Convert(t))
}

package pause_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"pause"
	"pause/bolt"
	"pause/ids"
	"pause/markdown"
)

// sampleOf returns a maker of a valid item of the collection's type, made from its
// declaration: a slug, a value that its kind accepts in each required field, and an image in
// each image field (so that its alternative text can be tested). The tests below break it one
// field at a time; a registered type needs nothing here.
func sampleOf(t *testing.T, col pause.AnyCollection) func() any {
	typ := reflect.ValueOf(col).MethodByName("Get").Type().Out(0) // T, such as *pause.Article
	ct := col.Type()
	return func() any {
		item := reflect.New(typ.Elem())
		m := item.Interface().(interface{ Metadata() *pause.Meta }).Metadata()
		m.Slug, m.Status = "s", pause.StatusDraft
		for _, f := range ct.Fields {
			var v any
			switch {
			case f.Kind == pause.KindImage:
				v = &pause.Image{URL: "https://example.com/i.png", Alt: "An image"}
			case !f.Required:
				continue
			case f.Kind == pause.KindURL:
				v = "https://example.com"
			case f.Kind == pause.KindEnum:
				v = f.Values[0]
			case f.Kind == pause.KindText, f.Kind == pause.KindMarkdown:
				v = "T"
			default:
				t.Fatalf("%s.%s: sampleOf in fields_test.go has no value for a required %s field: add one", ct.Name, f.Name, f.Kind)
			}
			setPath(item, f.Name, v)
		}
		return item.Interface()
	}
}

// setPath sets the field with the API name (dotted for nested objects) of the item, making the
// objects on its path.
func setPath(v reflect.Value, name string, value any) {
	for part := range strings.SplitSeq(name, ".") {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.FieldByNameFunc(func(f string) bool { return strings.EqualFold(f, part) })
	}
	v.Set(reflect.ValueOf(value).Convert(v.Type()))
}

func registry(t *testing.T) []pause.AnyCollection {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New}).Collections()
}

// The description that the API returns (contentTypes) is the one validation checks: each
// declared limit passes at the limit and fails one past it, naming the field.
func TestFieldsAgreeWithValidate(t *testing.T) {
	for _, col := range registry(t) {
		ct := col.Type()
		sample := sampleOf(t, col)
		if err := validateOf(sample()); err != nil {
			t.Fatalf("%s: the valid sample is invalid: %v", ct.Name, err)
		}
		for _, f := range ct.Fields {
			for _, c := range limitCases(f) {
				t.Run(ct.Name+"/"+f.Name+"/"+c.name, func(t *testing.T) {
					item := sample()
					v, ok := pause.FieldValue(item, c.path)
					if !ok {
						t.Fatalf("the sample has no %s", c.path)
					}
					v.Set(reflect.ValueOf(c.value).Convert(v.Type()))
					err := validateOf(item)
					switch {
					case c.valid && err != nil:
						t.Errorf("%s: got %v, want it valid", c.name, err)
					case !c.valid && err == nil:
						t.Errorf("%s: valid, want an error naming %s", c.name, c.field)
					case !c.valid && pause.ErrorField(err) != c.field:
						t.Errorf("%s: the error names %q (%v), want %q", c.name, pause.ErrorField(err), err, c.field)
					}
				})
			}
		}
	}
}

type limitCase struct {
	name  string
	path  string // the field to set
	value any
	valid bool
	field string // the field the error must name
}

// limitCases are the values at and one past each limit of the field, and an empty value if it
// is required.
func limitCases(f pause.Field) []limitCase {
	n := f.Name
	at := func(name string, v any) limitCase { return limitCase{name: name, path: n, value: v, valid: true} }
	past := func(name string, v any, field string) limitCase {
		return limitCase{name: name, path: n, value: v, field: field}
	}
	var out []limitCase
	switch f.Kind {
	case pause.KindText:
		out = append(out, at("max", strings.Repeat("é", f.MaxLength)), past("max+1", strings.Repeat("é", f.MaxLength+1), n))
	case pause.KindSlug:
		out = append(out, at("max", strings.Repeat("s", f.MaxLength)), past("max+1", strings.Repeat("s", f.MaxLength+1), n))
	case pause.KindURL:
		base := "https://example.com/"
		out = append(out, at("max", base+strings.Repeat("u", f.MaxLength-len(base))),
			past("max+1", base+strings.Repeat("u", f.MaxLength-len(base)+1), n))
	case pause.KindMarkdown:
		out = append(out, at("max", strings.Repeat("m", f.MaxBytes)), past("max+1", strings.Repeat("m", f.MaxBytes+1), n))
	case pause.KindStringList, pause.KindRelation:
		items := func(k, size int) []string {
			l := make([]string, k)
			for i := range l {
				l[i] = fmt.Sprintf("%0*d", size, i)
			}
			return l
		}
		out = append(out, at("maxItems", items(f.MaxItems, 3)), past("maxItems+1", items(f.MaxItems+1, 3), n),
			at("maxLength", items(1, f.MaxLength)), past("maxLength+1", items(1, f.MaxLength+1), n+"[0]"))
	case pause.KindInt:
		out = append(out, at("min", f.Min), at("max", f.Max), past("min-1", f.Min-1, n), past("max+1", f.Max+1, n))
	case pause.KindEnum:
		for _, v := range f.Values {
			out = append(out, at(v, v))
		}
		out = append(out, past("unknown", "NOT_ONE_OF_THEM", n))
	case pause.KindImage:
		alt := limitCase{name: "alt max", path: n + ".alt", value: strings.Repeat("a", f.MaxLength), valid: true}
		altPast := limitCase{name: "alt max+1", path: n + ".alt", value: strings.Repeat("a", f.MaxLength+1), field: n + ".alt"}
		out = append(out, alt, altPast)
	}
	if f.Required {
		switch f.Kind {
		case pause.KindText, pause.KindURL, pause.KindEnum:
			out = append(out, past("empty", "", n))
		}
	}
	return out
}

func validateOf(item any) error { return item.(interface{ Validate() error }).Validate() }

// Each content type is described for the API: kinds, limits, relations, enums.
func TestContentTypesDescribeTheFields(t *testing.T) {
	byName := map[string]*pause.ContentType{}
	for _, col := range registry(t) {
		byName[col.Type().Name] = col.Type()
	}
	want := []struct {
		typ, field string
		kind       pause.FieldKind
		check      func(f *pause.Field) bool
	}{
		{"article", "body", pause.KindMarkdown, func(f *pause.Field) bool { return f.MaxBytes == pause.MaxBody }},
		{"article", "title", pause.KindText, func(f *pause.Field) bool { return f.Required && f.MaxLength == pause.MaxTitle }},
		{"article", "relatedToolIds", pause.KindRelation, func(f *pause.Field) bool { return f.Target == "tool" && f.MaxItems == pause.MaxRelated }},
		{"article", "coverImage", pause.KindImage, func(f *pause.Field) bool { return f.MaxLength == pause.MaxAlt }},
		{"tool", "pricing", pause.KindEnum, func(f *pause.Field) bool {
			return reflect.DeepEqual(f.Values, []string{"FREE", "FREEMIUM", "PAID", "OPEN_SOURCE"})
		}},
		{"benefit", "position", pause.KindInt, func(f *pause.Field) bool { return f.Min == 0 && f.Max == pause.MaxPosition }},
	}
	for _, w := range want {
		ct := byName[w.typ]
		if ct == nil {
			t.Fatalf("no content type %s", w.typ)
		}
		f := ct.Field(w.field)
		if f == nil || f.Kind != w.kind || !w.check(f) || f.Label == "" || f.Help == "" {
			t.Errorf("%s.%s = %+v, want kind %s with its limits, a label and help", w.typ, w.field, f, w.kind)
		}
	}
	for _, ct := range byName {
		for _, f := range ct.Fields {
			if f.Kind == pause.KindRelation && byName[f.Target] == nil {
				t.Errorf("%s.%s is a relation to %q, which is not registered", ct.Name, f.Name, f.Target)
			}
		}
	}
	if got := byName["tool"].Filters; len(got) != 6 || got[2].Name != "category" || got[3].Kind != pause.KindEnum {
		t.Errorf("tool filters = %+v", got)
	}
}

// Texts are stored in NFC, list entries with their width folded (and tags lower-cased), and the
// joiners that scripts need inside words are kept.
func TestTextHygiene(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	editor := pause.NewContext(t.Context(), &pause.Viewer{Subject: "e", Role: pause.RoleEditor})
	title := "Cafe\u0301 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645" // a combining accent; Persian with a ZWNJ inside a word
	a, err := cms.Articles.Create(editor, pause.ArticleInput{Title: &title, Author: &pause.Author{Name: "Ada"},
		Tags: []string{"ＡＳＹＮＣ", "async", "Re\u0301sume\u0301"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Caf\u00e9 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"; a.Title != want {
		t.Errorf("title %+q, want %+q", a.Title, want)
	}
	if want := []string{"async", "r\u00e9sum\u00e9"}; !reflect.DeepEqual(a.Tags, want) {
		t.Errorf("tags %+q, want %+q", a.Tags, want)
	}
	for _, bad := range []string{"\u200cAsync", "Async \u200d", "A\u200d\u200dB"} {
		if _, err := cms.Articles.Create(editor, pause.ArticleInput{Title: &bad, Author: &pause.Author{Name: "Ada"}}); pause.ErrorField(err) != "title" {
			t.Errorf("title %+q: %v, want an error naming title", bad, err)
		}
	}
}

// Each filter field names the declared field it matches (its `field` tag), which the stores
// derive their counters and indexes from: Match must agree with it. An item whose field holds a
// value (a list field: contains it) passes the filter on that value; the same item with another
// value does not.
func TestFiltersMatchTheirFields(t *testing.T) {
	for _, col := range registry(t) {
		ct := col.Type()
		sample := sampleOf(t, col)
		filterType := reflect.ValueOf(col).MethodByName("Count").Type().In(1) // F, such as pause.ArticleFilter
		for _, ff := range ct.Filters {
			if ff.Name == "status" || ff.Name == "scheduled" {
				continue // the Scope's, matched by Meta
			}
			t.Run(ct.Name+"/"+ff.Name, func(t *testing.T) {
				f := ct.Field(ff.Field)
				if f == nil {
					t.Fatalf("%s's filter field %s names no declared field (%q): give its Go field a `field` tag naming the field it matches", ct.Name, ff.Name, ff.Field)
				}
				var yes, no any
				switch f.Kind {
				case pause.KindBoolean:
					yes, no = true, false
				case pause.KindEnum:
					yes, no = f.Values[0], f.Values[1]
				default:
					yes, no = "x-wanted", "x-other"
				}
				filter := reflect.New(filterType).Elem()
				fv := filter.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, ff.Name) })
				if fv.Kind() == reflect.Pointer {
					fv.Set(reflect.New(fv.Type().Elem()))
					fv = fv.Elem()
				}
				fv.Set(reflect.ValueOf(yes).Convert(fv.Type()))
				for _, c := range []struct {
					value any
					want  bool
				}{{yes, true}, {no, false}} {
					item := sample()
					v := c.value
					if f.Kind == pause.KindStringList {
						v = []string{"x-first", c.value.(string)}
					}
					setPath(reflect.ValueOf(item), f.Name, v)
					got := filter.MethodByName("Match").Call([]reflect.Value{reflect.ValueOf(item)})[0].Bool()
					if got != c.want {
						t.Errorf("%s = %v: Match on %s = %v says %v, want %v", f.Name, v, ff.Name, yes, got, c.want)
					}
				}
			})
		}
	}
}

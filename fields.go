package pause

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// ContentType describes a content type: its names, the orders and filters its lists support,
// and the fields editors write. Each type declares it once, beside its struct (articleType in
// article.go); validation reads the fields' kinds and limits from it (see validate), and the
// API returns it as contentTypes, so that the two cannot disagree and a form can be drawn from
// it.
type ContentType struct {
	// Name is the type's name in messages, the audit log and stores: "article".
	Name string
	// Label is its name for people: "Article".
	Label string
	// Plural is the name of its list query: "articles".
	Plural string
	// TypeName is its GraphQL object type; the connection, filter, order and inputs are named
	// after it (ArticleConnection, ArticleFilter, ArticleOrder, CreateArticleInput,
	// UpdateArticleInput).
	TypeName string
	// Orders are the orders its lists support; the first is the default.
	Orders []Order
	// Filters are the fields of its list filter (see FilterFields).
	Filters []FilterField
	// Fields are the fields editors write, in the order a form shows them.
	Fields []Field
}

// Field describes one editable field of a content type.
type Field struct {
	// Name is the field's name in the API; a field of a nested object is dotted
	// ("author.name"). Validation errors name it (extensions.field).
	Name  string
	Label string
	Kind  FieldKind
	// Required fields must not be empty.
	Required bool
	// MaxLength is the most characters of a TEXT, SLUG or URL field, of each entry of a
	// STRING_LIST, and of an IMAGE's alternative text; 0 if none.
	MaxLength int
	// MaxBytes is the most bytes of a MARKDOWN field.
	MaxBytes int
	// MaxItems is the most entries of a STRING_LIST or RELATION.
	MaxItems int
	// Min and Max bound an INT.
	Min, Max int
	// Values are an ENUM's values.
	Values []string
	// Target is the content type (Name) that a RELATION's ids name.
	Target string
	// Help is one line for the editor.
	Help string
}

// FieldKind is what a field holds, and so how a form edits it. Its values are the GraphQL
// enum's.
type FieldKind string

// Field kinds.
const (
	KindText       FieldKind = "TEXT"        // one line of text
	KindSlug       FieldKind = "SLUG"        // lower-case letters, digits and hyphens; made from the title when empty
	KindMarkdown   FieldKind = "MARKDOWN"    // Markdown source, rendered to HTML by Pause
	KindURL        FieldKind = "URL"         // an absolute http or https URL
	KindEnum       FieldKind = "ENUM"        // one of Values
	KindStringList FieldKind = "STRING_LIST" // a list of one-line texts
	KindBoolean    FieldKind = "BOOLEAN"
	KindInt        FieldKind = "INT"
	KindTime       FieldKind = "TIME"
	KindRelation   FieldKind = "RELATION" // ids of items of the Target type
	KindImage      FieldKind = "IMAGE"    // a URL with its alternative text
)

// FilterField is one field of a content type's list filter.
type FilterField struct {
	Name string
	// Kind is TEXT, BOOLEAN or ENUM.
	Kind   FieldKind
	Values []string
	// Help is what the API's filter input says of it: the Go field's `help` tag.
	Help string
	// Field is the declared field it matches (the Go field's `field` tag), such as "tags" or
	// "author.name": a list field matches when it contains the filter's value, any other when
	// it equals it. Empty for the Scope's fields. The stores derive from it what they count and
	// index items by; TestFiltersMatchTheirFields holds Match to it.
	Field string
}

// Field returns the field with the name, or nil.
func (t *ContentType) Field(name string) *Field {
	for i := range t.Fields {
		if t.Fields[i].Name == name {
			return &t.Fields[i]
		}
	}
	return nil
}

// FilterFields describes the filter type F: its exported fields but At, by their API names
// (ArticleFilter.Tag is "tag"). A field's type gives its kind: a string is TEXT, a *bool
// BOOLEAN, a type with a Values method (Status, Pricing) an ENUM.
func FilterFields[F any]() []FilterField {
	var out []FilterField
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			if !f.IsExported() || f.Name == "At" {
				continue
			}
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			ff := FilterField{Name: apiName(f.Name), Kind: KindText, Help: f.Tag.Get("help"), Field: f.Tag.Get("field")}
			if e, ok := reflect.Zero(ft).Interface().(interface{ Values() []string }); ok {
				ff.Kind, ff.Values = KindEnum, e.Values()
			} else if ft.Kind() == reflect.Bool {
				ff.Kind = KindBoolean
			}
			out = append(out, ff)
		}
	}
	walk(reflect.TypeFor[F]())
	return out
}

// APIName is the API's name of a Go field of a content type (apiName), which is also the name
// the stores keep it under: tools/contentgen writes the backends' storage code with it.
func APIName(goField string) string { return apiName(goField) }

// apiName is the API's name of a Go field: a lower-case first letter, and HTML, URL and IDs
// spelled Html, Url and Ids.
func apiName(s string) string {
	for _, abbr := range [][2]string{{"HTML", "Html"}, {"URL", "Url"}, {"IDs", "Ids"}} {
		if strings.HasSuffix(s, abbr[0]) {
			s = strings.TrimSuffix(s, abbr[0]) + abbr[1]
		}
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// FieldValue returns the value of the field with the API name (dotted for nested objects) in
// the item, and false if an object on its path is nil.
func FieldValue(item any, name string) (reflect.Value, bool) {
	v := reflect.ValueOf(item)
	for part := range strings.SplitSeq(name, ".") {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.FieldByNameFunc(func(f string) bool { return apiName(f) == part })
		if !v.IsValid() {
			panic(fmt.Sprintf("pause: %T has no field %s", item, name))
		}
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}, false
		}
	}
	return v, true
}

// normalize puts the item's texts in Unicode normalization form C, so that the same text typed
// on two systems is stored the same way, and folds the width of list entries (tags,
// platforms), so that "ｄｏｃｓ" and "docs" are one tag.
func normalize(item any, t *ContentType) {
	for i := range t.Fields {
		f := &t.Fields[i]
		val, ok := FieldValue(item, f.Name)
		if !ok {
			continue
		}
		switch f.Kind {
		case KindText, KindMarkdown:
			val.SetString(norm.NFC.String(val.String()))
		case KindStringList:
			for j, s := range val.Interface().([]string) {
				val.Index(j).SetString(width.Fold.String(norm.NFC.String(s)))
			}
		case KindImage:
			img := val.Interface().(*Image)
			img.Alt = norm.NFC.String(img.Alt)
		}
	}
}

// validate checks the item's fields against their description, in the order of t.Fields, then
// its status, and returns the first problem as an EINVALID error naming the field.
func validate(item any, t *ContentType) error {
	v := validator{}
	for i := range t.Fields {
		f := &t.Fields[i]
		val, ok := FieldValue(item, f.Name)
		if !ok {
			continue
		}
		v.field(f, val)
	}
	if m, ok := item.(interface{ Metadata() *Meta }); ok && !m.Metadata().Status.IsValid() {
		v.fail("status", "must be one of %s", strings.Join(StatusDraft.Values(), ", "))
	}
	return v.err
}

// validator keeps the first failure of a series of checks.
type validator struct{ err error }

func (v *validator) fail(field, format string, args ...any) {
	if v.err == nil {
		v.err = FieldErrorf(field, field+" "+format, args...)
	}
}

// field checks one field's value against its description.
func (v *validator) field(f *Field, val reflect.Value) {
	switch f.Kind {
	case KindText:
		v.text(f.Name, val.String(), f.MaxLength, f.Required)
	case KindSlug:
		v.slug(f.Name, val.String())
	case KindMarkdown:
		v.markdown(f.Name, val.String(), f.MaxBytes)
	case KindURL:
		v.url(f.Name, val.String(), f.Required)
	case KindEnum:
		if s := val.String(); (s != "" || f.Required) && !slices.Contains(f.Values, s) {
			v.fail(f.Name, "must be one of %s", strings.Join(f.Values, ", "))
		}
	case KindStringList, KindRelation:
		v.list(f.Name, val.Interface().([]string), f.MaxItems, f.MaxLength)
	case KindInt:
		if n := int(val.Int()); n < f.Min || n > f.Max {
			v.fail(f.Name, "must be between %d and %d", f.Min, f.Max)
		}
	case KindImage:
		img := val.Interface().(*Image)
		v.url(f.Name+".url", img.URL, true)
		switch {
		case !img.Decorative && strings.TrimSpace(img.Alt) == "":
			v.fail(f.Name+".alt", "is required: say what the image shows, or mark it decorative")
		case img.Decorative && img.Alt != "":
			v.fail(f.Name+".alt", "must be empty for a decorative image")
		default:
			v.text(f.Name+".alt", img.Alt, f.MaxLength, false)
		}
	case KindBoolean:
	case KindTime:
		if t, ok := val.Interface().(*time.Time); ok && t != nil && t.IsZero() {
			v.fail(f.Name, "is not a time")
		}
	default:
		panic("pause: field " + f.Name + " has the unknown kind " + string(f.Kind))
	}
}

func (v *validator) slug(field, s string) {
	if s == "" {
		v.fail(field, "is required (a title with letters or digits makes one)")
	} else if !IsSlug(s) {
		v.fail(field, "must be lower-case letters, digits and single hyphens, at most %d characters", MaxSlug)
	}
}

// text checks a single-line text: valid UTF-8, no control characters, no invisible format
// characters (see invisible), at most max characters.
func (v *validator) text(field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.fail(field, "is required")
	case !utf8.ValidString(s):
		v.fail(field, "is not valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		v.fail(field, "is longer than %d characters", max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.fail(field, "must not contain control characters")
	default:
		if r, ok := invisible(s); ok {
			v.fail(field, "must not contain the invisible character U+%04X", r)
		}
	}
}

// invisible returns the first format character (Unicode category Cf: bidirectional overrides
// and isolates, zero-width spaces, byte-order marks, soft hyphens…) in the one-line text s, if
// any. They change how a text reads or make two texts that look the same differ (a tool named
// backwards, a second "Docs" category), and a title or a tag has no use for them. The two that
// scripts need inside words are allowed there, between two characters that are not spaces:
// ZERO WIDTH NON-JOINER (U+200C, Persian and Indic scripts) and ZERO WIDTH JOINER (U+200D, the
// same scripts and emoji sequences).
func invisible(s string) (rune, bool) {
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.Is(unicode.Cf, r) {
			continue
		}
		if (r == '\u200c' || r == '\u200d') && i > 0 && i < len(rs)-1 &&
			!unicode.IsSpace(rs[i-1]) && !unicode.IsSpace(rs[i+1]) && !unicode.Is(unicode.Cf, rs[i-1]) {
			continue
		}
		return r, true
	}
	return 0, false
}

// markdown checks a Markdown text: valid UTF-8, no NUL or other control characters but tabs
// and line breaks, at most max bytes.
func (v *validator) markdown(field, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		v.fail(field, "is not valid UTF-8")
	case len(s) > max:
		v.fail(field, "is larger than %d KB", max>>10)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		v.fail(field, "must not contain control characters")
	}
}

func (v *validator) url(field, s string, required bool) {
	if s == "" {
		if required {
			v.fail(field, "is required")
		}
		return
	}
	u, err := url.Parse(s)
	switch {
	case len(s) > MaxURL:
		v.fail(field, "is longer than %d characters", MaxURL)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.fail(field, "must be an absolute http or https URL")
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0:
		v.fail(field, "must not contain spaces or control characters")
	case u.String() != s:
		// A strict URL reads back exactly as written: what Go's parser would have to escape
		// (quotes, angle brackets, backslashes, characters outside ASCII in the host…) is
		// refused rather than stored as given.
		v.fail(field, "must be a URL as a browser sends it: escape quotes, angle brackets and other special characters (as %s)", u.String())
	}
}

func (v *validator) list(field string, items []string, maxItems, maxItem int) {
	if len(items) > maxItems {
		v.fail(field, "has more than %d entries", maxItems)
		return
	}
	for i, s := range items {
		v.text(fmt.Sprintf("%s[%d]", field, i), s, maxItem, true)
	}
}

package main

// The backends' storage code: bolt/content.generated.go and dynamo/content.generated.go, written
// for every registered type from its declaration (pause.ContentType) and its Go struct, by
// reflection here, so that the code that runs is plain code, as if written by hand.

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"pause"
)

const (
	boltOut   = "bolt/content.generated.go"
	dynamoOut = "dynamo/content.generated.go"
)

// DynamoDB keeps an item in at most 400 KB. A Markdown field kept in a content item costs its
// source and its HTML, twice (the item and its working draft): up to 4 × its MaxBytes, and
// the HTML may be longer than its source. The Markdown fields kept in the item may take
// itemMarkdownBudget of it, which leaves the rest for the HTML's growth, the other fields and
// the keys. A type whose Markdown fields cost more keeps its largest one in a body item beside
// the item (as an article keeps its body), read by the item's own page only.
const itemMarkdownBudget = 300 << 10

// writeBackends writes the storage code of both backends.
func writeBackends(types []goType) error {
	models, err := modelsOf(types)
	if err != nil {
		return err
	}
	if err := writeBackend(boltOut, boltHeader, boltImports(models), boltCode(models)); err != nil {
		return err
	}
	return writeBackend(dynamoOut, dynamoHeader, dynamoImports(models), dynamoCode(models))
}

// modelsOf reads the types, and fails if two would share a DynamoDB key prefix.
func modelsOf(types []goType) ([]*model, error) {
	models := make([]*model, len(types))
	prefixes := map[string]string{}
	for i, t := range types {
		m, err := modelOf(t)
		if err != nil {
			return nil, err
		}
		if other, ok := prefixes[m.prefix]; ok {
			return nil, fmt.Errorf("the %s and %s types would share the DynamoDB key prefix %s (their names upper-cased), and so their partitions, lists and counters: rename one", other, t.Name, m.prefix)
		}
		prefixes[m.prefix] = t.Name
		models[i] = m
	}
	return models, nil
}

func writeBackend(path, header string, imports []string, body string) error {
	pkg := strings.Split(path, "/")[0]
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\n\n", notice)
	b.WriteString(header)
	fmt.Fprintf(&b, "\npackage %s\n\nimport (\n", pkg)
	for _, imp := range imports {
		if imp == "" {
			b.WriteString("\n")
		} else {
			fmt.Fprintf(&b, "%s\n", imp)
		}
	}
	b.WriteString(")\n\n")
	b.WriteString(body)
	return writeGoFile(path, b.String())
}

// model is a content type as the backends store it.
type model struct {
	goType
	lc     string // the type's name in Go identifiers: article, caseStudy
	prose  string // in messages: article, case study
	plural string // case studies
	prefix string // its DynamoDB key prefix: ARTICLE, CASESTUDY
	fields []*member
	draft  string // the Go field of its working draft: Draft
	// body is the Markdown field that DynamoDB keeps in a body item beside the item, and html
	// its rendering (nil if it has none); both nil if the type keeps everything in its item.
	body, html *member
	facets     []facetOf
}

// member is a field of a content type's struct, or of a struct nested in it.
type member struct {
	goName string       // Title, AuthorName's Name
	typ    reflect.Type // its Go type
	kind   memberKind
	api    string       // its API name, under which it is stored: title, name
	path   string       // its declared name, dotted if nested: author.name
	decl   *pause.Field // its declaration; nil for a derived field (BodyHTML, ReadingTimeMinutes)
	// filtered is true if a filter field matches it: DynamoDB must always store it.
	filtered bool
	children []*member // of a nested struct
}

type memberKind int

const (
	kString memberKind = iota // a string, or a type of pause whose underlying type is string (Pricing)
	kInt
	kBool
	kList    // []string
	kImage   // *pause.Image
	kTime    // time.Time
	kTimePtr // *time.Time
	kStruct  // a struct of pause, nested (Author)
)

// facetOf is what a type is counted and filtered by in DynamoDB: one per filter field that
// names a declared field.
type facetOf struct {
	filter reflect.StructField // the filter's field: Tag
	name   string              // the facet's name, the filter field's upper-cased: TAG
	konst  string              // its constant: facetTag
	item   []*member           // the path of the field it matches: Author, Name
}

func (f facetOf) member() *member { return f.item[len(f.item)-1] }

// goPath returns the Go expression of the field in x.
func goPath(x string, path []*member) string {
	s := x
	for _, m := range path {
		s += "." + m.goName
	}
	return s
}

// attrPath is the field's attribute path in DynamoDB, where nested structs are maps.
func attrPath(path []*member) string {
	var parts []string
	for _, m := range path {
		parts = append(parts, m.api)
	}
	return strings.Join(parts, ".")
}

var (
	metaType  = reflect.TypeFor[pause.Meta]()
	imageType = reflect.TypeFor[*pause.Image]()
	timeType  = reflect.TypeFor[time.Time]()
)

// modelOf reads the type's struct and filter.
func modelOf(t goType) (*model, error) {
	n := namesOf(t.ContentType)
	m := &model{goType: t, lc: lcFirst(t.TypeName), prose: n.Prose, plural: n.Plural, prefix: strings.ToUpper(t.Name)}
	for i := range t.Item.NumField() {
		f := t.Item.Field(i)
		switch {
		case f.Anonymous && f.Type == metaType:
			continue
		case f.Type == reflect.PointerTo(t.Item):
			m.draft = f.Name
			continue
		case !f.IsExported():
			continue
		}
		mem, err := memberOf(t, f, "")
		if err != nil {
			return nil, err
		}
		m.fields = append(m.fields, mem)
	}
	if m.draft == "" {
		return nil, fmt.Errorf("pause.%s has no field of type *%s for its working draft: add `Draft *%s`", t.TypeName, t.TypeName, t.TypeName)
	}
	if err := m.deriveFacets(); err != nil {
		return nil, err
	}
	if err := m.deriveBody(); err != nil {
		return nil, err
	}
	return m, nil
}

func memberOf(t goType, f reflect.StructField, parent string) (*member, error) {
	mem := &member{goName: f.Name, typ: f.Type, api: pause.APIName(f.Name)}
	mem.path = mem.api
	if parent != "" {
		mem.path = parent + "." + mem.api
	}
	mem.decl = t.ContentType.Field(mem.path)
	where := fmt.Sprintf("pause.%s's field %s", t.TypeName, strings.TrimPrefix(parent+"."+f.Name, "."))
	ft := f.Type
	switch {
	case ft == imageType:
		mem.kind = kImage
	case ft == timeType:
		mem.kind = kTime
	case ft == reflect.PointerTo(timeType):
		mem.kind = kTimePtr
	case ft.Kind() == reflect.String:
		mem.kind = kString
	case ft.Kind() == reflect.Int:
		mem.kind = kInt
	case ft.Kind() == reflect.Bool:
		mem.kind = kBool
	case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String && ft.Elem().PkgPath() == "":
		mem.kind = kList
	case ft.Kind() == reflect.Struct && parent == "" && ft.PkgPath() == "pause":
		mem.kind = kStruct
		for i := range ft.NumField() {
			cf := ft.Field(i)
			if !cf.IsExported() {
				continue
			}
			c, err := memberOf(t, cf, mem.api)
			if err != nil {
				return nil, err
			}
			if c.kind == kStruct || c.kind == kImage {
				return nil, fmt.Errorf("%s.%s is a %s: the backends store one level of nested struct, of strings, ints, booleans, lists of strings and times", where, cf.Name, cf.Type)
			}
			mem.children = append(mem.children, c)
		}
		return mem, nil
	default:
		return nil, fmt.Errorf("%s has the Go type %s, which tools/contentgen does not know how to store: use a string (or a string type of pause), int, bool, []string, *pause.Image, time.Time, *time.Time or a struct of those, or teach backends.go the new kind", where, ft)
	}
	if mem.kind == kString && ft.PkgPath() != "" && ft.PkgPath() != "pause" {
		return nil, fmt.Errorf("%s has the type %s of package %s: the backends' code names types of pause only", where, ft, ft.PkgPath())
	}
	return mem, nil
}

// named returns the Go name of the member's type in the backends if it is a named type of
// pause (pause.Pricing), or "".
func (m *member) named() string {
	if m.kind == kString && m.typ.PkgPath() == "pause" {
		return "pause." + m.typ.Name()
	}
	return ""
}

func (m *member) required() bool { return m.decl != nil && m.decl.Required }

// find returns the path of members whose declared name is path.
func (m *model) find(path string) []*member {
	for _, f := range m.fields {
		if f.path == path {
			return []*member{f}
		}
		for _, c := range f.children {
			if c.path == path {
				return []*member{f, c}
			}
		}
	}
	return nil
}

// deriveFacets makes a facet of each filter field but the Scope's: a filter field names the
// declared field it matches in its `field` tag.
func (m *model) deriveFacets() error {
	var walk func(reflect.Type) error
	walk = func(ft reflect.Type) error {
		for i := range ft.NumField() {
			f := ft.Field(i)
			if f.Anonymous {
				if f.Type == reflect.TypeFor[pause.Scope]() {
					continue
				}
				if err := walk(f.Type); err != nil {
					return err
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			name := f.Tag.Get("field")
			if name == "" {
				return fmt.Errorf("pause.%s's field %s has no `field` tag: write the declared field it matches, such as `field:\"tags\"`", m.Filter.Name(), f.Name)
			}
			path := m.find(name)
			if path == nil {
				return fmt.Errorf("pause.%s's field %s matches %q, which pause.%s has no field for", m.Filter.Name(), f.Name, name, m.TypeName)
			}
			leaf := path[len(path)-1]
			if err := facetKinds(m, f, leaf); err != nil {
				return err
			}
			leaf.filtered = true
			m.facets = append(m.facets, facetOf{filter: f, name: strings.ToUpper(f.Name), konst: "facet" + f.Name, item: path})
		}
		return nil
	}
	return walk(m.Filter)
}

// facetKinds checks that the filter field and the item's field are of kinds a facet supports:
// a string (or a pointer to one, or to a string type of pause) matching a string or a list of
// strings, or a *bool matching a bool.
func facetKinds(m *model, f reflect.StructField, leaf *member) error {
	ft := f.Type
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	ok := false
	switch leaf.kind {
	case kString:
		ok = ft.Kind() == reflect.String
	case kList:
		ok = ft.Kind() == reflect.String && ft.PkgPath() == ""
	case kBool:
		ok = f.Type == reflect.TypeFor[*bool]()
	}
	if !ok {
		return fmt.Errorf("pause.%s's field %s (%s) cannot filter pause.%s's %s (%s): a facet is a string (or *string, or a pointer to a string type of pause) matching a string or a list of strings, or a *bool matching a bool", m.Filter.Name(), f.Name, f.Type, m.TypeName, leaf.path, leaf.typ)
	}
	return nil
}

// deriveBody chooses the Markdown field that DynamoDB keeps beside the item, if the type's
// Markdown fields would not fit in the item's budget (itemMarkdownBudget).
func (m *model) deriveBody() error {
	var md []*member
	cost := 0
	for _, f := range m.fields {
		if f.decl != nil && f.decl.Kind == pause.KindMarkdown {
			if f.decl.MaxBytes <= 0 {
				return fmt.Errorf("the %s type's Markdown field %s has no MaxBytes: declare its limit", m.Name, f.path)
			}
			md = append(md, f)
			cost += 4 * f.decl.MaxBytes
		}
	}
	if cost <= itemMarkdownBudget {
		return nil
	}
	largest := slices.MaxFunc(md, func(a, b *member) int { return a.decl.MaxBytes - b.decl.MaxBytes })
	if rest := cost - 4*largest.decl.MaxBytes; rest > itemMarkdownBudget {
		return fmt.Errorf("the %s type's Markdown fields may hold more than a DynamoDB item holds (4 × MaxBytes: %d KB, of which one body item beside it takes %s's and the item may take %d KB): lower their MaxBytes", m.Name, cost>>10, largest.path, itemMarkdownBudget>>10)
	}
	if largest.filtered {
		return fmt.Errorf("the %s type's filter matches its Markdown field %s, which DynamoDB keeps beside the item where filters cannot see it", m.Name, largest.path)
	}
	m.body = largest
	for _, f := range m.fields {
		if f.goName == largest.goName+"HTML" && f.kind == kString {
			m.html = f
		}
	}
	return nil
}

// inItem reports whether DynamoDB keeps the field in the item (not in the body item).
func (m *model) inItem(f *member) bool { return f != m.body && f != m.html }

// sfield is a field of a generated storage struct; an embedded one has no name.
type sfield struct {
	name, typ, tag string
}

func structDef(name, doc string, fs []sfield, tagKey string) string {
	var b strings.Builder
	if doc != "" {
		b.WriteString(doc)
	}
	fmt.Fprintf(&b, "type %s struct {\n", name)
	for _, f := range fs {
		if f.name == "" {
			fmt.Fprintf(&b, "%s\n", f.typ)
			continue
		}
		fmt.Fprintf(&b, "%s %s `%s:\"%s\"`\n", f.name, f.typ, tagKey, f.tag)
	}
	b.WriteString("}\n\n")
	return b.String()
}

// storedType is the Go type of the member in a storage struct.
func storedType(f *member, image string) string {
	switch f.kind {
	case kString:
		return "string"
	case kInt:
		return "int"
	case kBool:
		return "bool"
	case kList:
		return "[]string"
	case kImage:
		return "*" + image
	case kTime:
		return "time.Time"
	case kTimePtr:
		return "*time.Time"
	}
	panic("storedType: a nested struct has a type of its own")
}

func usesTime(models []*model) bool {
	for _, m := range models {
		for _, f := range m.fields {
			if f.kind == kTime || f.kind == kTimePtr {
				return true
			}
			for _, c := range f.children {
				if c.kind == kTime || c.kind == kTimePtr {
					return true
				}
			}
		}
	}
	return false
}

// toStored and fromStored are the expressions that convert a scalar member's value.
func toStored(f *member, v string) string {
	if f.named() != "" {
		return "string(" + v + ")"
	}
	return v
}

func fromStored(f *member, v string) string {
	if n := f.named(); n != "" {
		return n + "(" + v + ")"
	}
	return v
}

// stores writes the type that holds the stores of the content types, its constructor, and
// the method that puts them in pause.Stores. A type whose store is its own (OwnStore) is
// wrapped in the backend's hand-written <type>Store.
func stores(models []*model, storeType func(*model) string, newStore func(*model) string, arg string) string {
	var b strings.Builder
	b.WriteString("// contentStores are the stores of the content types, in the registry's order.\ntype contentStores struct {\n")
	for _, m := range models {
		typ := storeType(m)
		if m.OwnStore() {
			typ = "*" + m.lc + "Store"
		}
		fmt.Fprintf(&b, "%s %s\n", lcFirst(m.Field), typ)
	}
	b.WriteString("}\n\n")
	fmt.Fprintf(&b, "func newContentStores(%s) contentStores {\nreturn contentStores{\n", arg)
	for _, m := range models {
		s := newStore(m)
		if m.OwnStore() {
			// A compile error here: the backend lacks the hand-written store of a type whose
			// store interface has methods of its own.
			s = "&" + m.lc + "Store{" + s + "}"
		}
		fmt.Fprintf(&b, "%s: %s,\n", lcFirst(m.Field), s)
	}
	b.WriteString("}\n}\n\n")
	b.WriteString("// set puts the stores in their fields of s.\nfunc (c contentStores) set(s *pause.Stores) {\n")
	for _, m := range models {
		fmt.Fprintf(&b, "s.%s = c.%s\n", m.Field, lcFirst(m.Field))
	}
	b.WriteString("}\n\n")
	return b.String()
}

func goTypes(m *model) (item, filter string) {
	return "*pause." + m.TypeName, "pause." + m.Filter.Name()
}

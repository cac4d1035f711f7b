package main

import (
	"fmt"
	"strings"
)

const boltHeader = `// This file holds, for every registered content type, its record (how the file keeps its
// items, as JSON), its codec (toRecord and fromRecord, the strategy of the generic store), and
// the construction of its store; bolt.go names no content type. tools/contentgen writes it
// from each type's declaration (pause.ContentType) and its Go struct:
//
//   - a record has the struct's fields, each under its API name (BodyHTML is bodyHtml,
//     RelatedToolIDs relatedToolIds), with the common fields of metaRecord and the working
//     draft (pause.DraftOf) nested whole as "draft"; a nested struct is flattened into its
//     parent's name (Author.Name is authorName), an image is an imageRecord;
//   - the records are private, so that the domain types carry no storage tags and the file
//     format can change without touching them;
//   - lists never take omitempty: nil and empty lists must come back as they went in. A
//     required field and a declared INT (whose 0, such as position 0, is a value editors
//     chose) are always written; optional texts and booleans, derived fields (an HTML
//     rendering, the reading time) and images are left out when empty, which reads back the
//     same.
`

func boltImports(models []*model) []string {
	imps := []string{}
	if usesTime(models) {
		imps = append(imps, `"time"`, "")
	}
	return append(imps, `bbolt "go.etcd.io/bbolt"`, "", `"pause"`)
}

// boltOmit reports whether the record leaves the field out when it is empty.
func boltOmit(f *member) bool {
	switch {
	case f.kind == kList || f.kind == kTime:
		return false
	case f.kind == kImage || f.kind == kTimePtr:
		return true
	case f.decl == nil:
		return true
	case f.required():
		return false
	case f.kind == kInt:
		return false
	}
	return true
}

func boltCode(models []*model) string {
	var b strings.Builder
	b.WriteString(stores(models,
		func(m *model) string {
			item, filter := goTypes(m)
			return fmt.Sprintf("*store[%s, %s, %sRecord]", item, filter, m.lc)
		},
		func(m *model) string {
			item, filter := goTypes(m)
			return fmt.Sprintf("newStore[%s, %s](db, %sCodec{})", item, filter, m.lc)
		}, "db *bbolt.DB"))
	b.WriteString("// inits are the stores' init, for Open's first transaction.\nfunc (c contentStores) inits() []interface{ init(*bbolt.Tx) error } {\nreturn []interface{ init(*bbolt.Tx) error }{")
	for i, m := range models {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "c.%s", lcFirst(m.Field))
	}
	b.WriteString("}\n}\n\n")
	for _, m := range models {
		boltType(&b, m)
	}
	return b.String()
}

func boltType(b *strings.Builder, m *model) {
	rec, codec, item := m.lc+"Record", m.lc+"Codec", "*pause."+m.TypeName
	fmt.Fprintf(b, "// %s converts %s to and from their records.\ntype %s struct{}\n\n", codec, m.plural, codec)
	fs := []sfield{{typ: "metaRecord"}}
	var to, from []string
	for _, f := range m.fields {
		if f.kind == kStruct {
			for _, c := range f.children {
				name := f.goName + c.goName
				fs = append(fs, sfield{name, storedType(c, ""), f.api + ucFirst(c.api) + omit(boltOmit(c))})
				to = append(to, fmt.Sprintf("r.%s = %s", name, toStored(c, "x."+f.goName+"."+c.goName)))
				from = append(from, fmt.Sprintf("x.%s.%s = %s", f.goName, c.goName, fromStored(c, "r."+name)))
			}
			continue
		}
		fs = append(fs, sfield{f.goName, storedType(f, "imageRecord"), f.api + omit(boltOmit(f))})
		if f.kind == kImage {
			to = append(to, fmt.Sprintf("if x.%s != nil {\nimg := imageRecord(*x.%s)\nr.%s = &img\n}", f.goName, f.goName, f.goName))
			from = append(from, fmt.Sprintf("if r.%s != nil {\nimg := pause.Image(*r.%s)\nx.%s = &img\n}", f.goName, f.goName, f.goName))
			continue
		}
		to = append(to, fmt.Sprintf("r.%s = %s", f.goName, toStored(f, "x."+f.goName)))
		from = append(from, fmt.Sprintf("x.%s = %s", f.goName, fromStored(f, "r."+f.goName)))
	}
	fs = append(fs, sfield{m.draft, "*" + rec, lcFirst(m.draft) + ",omitempty"})
	b.WriteString(structDef(rec, fmt.Sprintf("// %s is %s %s as the file keeps it; its %s is the pending edits of a published\n// %s (pause.DraftOf), kept whole.\n", rec, article(m.prose), m.prose, m.draft, m.prose), fs, "json"))
	fmt.Fprintf(b, "func (c %s) toRecord(x %s) %s {\nr := %s{metaRecord: toMeta(&x.Meta)}\n%s\n", codec, item, rec, rec, strings.Join(to, "\n"))
	fmt.Fprintf(b, "if x.%s != nil {\nd := c.toRecord(x.%s)\nr.%s = &d\n}\nreturn r\n}\n\n", m.draft, m.draft, m.draft)
	fmt.Fprintf(b, "func (c %s) fromRecord(r %s) %s {\nx := &pause.%s{Meta: r.meta()}\n%s\n", codec, rec, item, m.TypeName, strings.Join(from, "\n"))
	fmt.Fprintf(b, "if r.%s != nil {\nx.%s = c.fromRecord(*r.%s)\n}\nreturn x\n}\n\n", m.draft, m.draft, m.draft)
}

func omit(b bool) string {
	if b {
		return ",omitempty"
	}
	return ""
}

// article returns "a" or "an" for the noun.
func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an"
	}
	return "a"
}

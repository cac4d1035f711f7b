package main

import (
	"fmt"
	"reflect"
	"strings"
)

const dynamoHeader = `// This file holds, for every registered content type, its key prefix, its storage shape (an
// item struct with dynamodbav tags, and its shape: encode, decode, the body kept beside the
// item, the facets it is counted and filtered by and their filter conditions), and the
// construction of its store; store.go names no content type. tools/contentgen writes it from
// each type's declaration (pause.ContentType), its Go struct and its filter:
//
//   - the key prefix is the type's name upper-cased: ARTICLE, CASESTUDY;
//   - an item has the struct's fields, each under its API name (BodyHTML is bodyHtml,
//     RelatedToolIDs relatedToolIds), with the common fields of metaItem; a nested struct is a
//     map (author{name, avatarUrl}), an image an imageItem. Key attributes (PK, SK and the list
//     index keys) are not part of it: the generic store adds them from keys.go, and the
//     working draft, in the same shape, as the map attrDraft;
//   - the items are private, so that the domain types carry no storage tags and the stored
//     format can change without touching them;
//   - lists never take omitempty, so that nil and empty lists come back as they went in (nil
//     is stored as NULL, empty as an empty list); numbers and booleans are always stored, and
//     so are required texts and every attribute a filter condition names (featured = false
//     must find the others); optional and derived texts and images are left out when empty,
//     which reads back the same;
//   - a Markdown field is kept in a body item beside the item, gzipped with its HTML, when the
//     type's Markdown fields would not fit in the item (4 × their MaxBytes, for the source and
//     the HTML in the item and its draft, over 300 KB): the largest one (an article's body,
//     200 KB). A tool's description (50 KB) and a benefit's summary (20 KB) stay in the item;
//   - a facet is made of each filter field but the Scope's, named as the filter's Go field
//     upper-cased (TAG, AUTHOR), valued as the declared field its ` + "`field`" + ` tag names: once per
//     distinct value of a list, "true" or "false" for a boolean; its condition is Contains for
//     a list and equality otherwise, on the field's attribute path (author.name).
`

func dynamoImports(models []*model) []string {
	imps := []string{`"fmt"`}
	if usesTime(models) {
		imps = append(imps, `"time"`)
	}
	imps = append(imps, "",
		`"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"`,
		`"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"`,
		`"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"`, "", `"pause"`)
	return imps
}

// dynamoOmit reports whether the item leaves the attribute out when it is empty.
func dynamoOmit(f *member) bool {
	switch f.kind {
	case kList, kStruct, kInt, kBool, kTime:
		return false
	case kImage, kTimePtr:
		return true
	}
	return !f.required() && !f.filtered
}

func dynamoCode(models []*model) string {
	var b strings.Builder
	b.WriteString(stores(models,
		func(m *model) string {
			item, filter := goTypes(m)
			return fmt.Sprintf("*store[%s, %s]", item, filter)
		},
		func(m *model) string {
			item, filter := goTypes(m)
			return fmt.Sprintf("newStore[%s, %s](t, %sShape{})", item, filter, m.lc)
		}, "t *table"))

	b.WriteString("// The key prefixes of the content types.\nconst (\n")
	for _, m := range models {
		fmt.Fprintf(&b, "kind%s kindKey = %q\n", m.TypeName, m.prefix)
	}
	b.WriteString(")\n\n")

	var facets []facetOf
	seen := map[string]bool{}
	for _, m := range models {
		for _, f := range m.facets {
			if !seen[f.konst] {
				seen[f.konst] = true
				facets = append(facets, f)
			}
		}
	}
	if len(facets) > 0 {
		b.WriteString("// The facet names.\nconst (\n")
		for _, f := range facets {
			fmt.Fprintf(&b, "%s = %q\n", f.konst, f.name)
		}
		b.WriteString(")\n\n")
	}

	nested := map[reflect.Type]bool{}
	for _, m := range models {
		dynamoType(&b, m, nested)
	}
	return b.String()
}

func dynamoType(b *strings.Builder, m *model, nested map[reflect.Type]bool) {
	shape, itemName, item := m.lc+"Shape", m.lc+"Item", "*pause."+m.TypeName
	if m.body != nil {
		fmt.Fprintf(b, "// %s keeps %s: their %s in a body item beside the item.\ntype %s struct{ withBody }\n\n", shape, m.plural, m.body.path, shape)
	} else {
		fmt.Fprintf(b, "// %s keeps %s whole in their item.\ntype %s struct{ noBody[%s] }\n\n", shape, m.plural, shape, item)
	}
	fmt.Fprintf(b, "func (%s) key() kindKey { return kind%s }\n\n", shape, m.TypeName)

	fs := []sfield{{typ: "metaItem"}}
	var to, from []string
	for _, f := range m.fields {
		if !m.inItem(f) {
			continue
		}
		switch f.kind {
		case kStruct:
			sname := lcFirst(f.typ.Name()) + "Item"
			if !nested[f.typ] {
				nested[f.typ] = true
				var cfs []sfield
				for _, c := range f.children {
					cfs = append(cfs, sfield{c.goName, storedType(c, ""), c.api + omit(dynamoOmit(c))})
				}
				b.WriteString(structDef(sname, fmt.Sprintf("// %s is a pause.%s, kept as a map.\n", sname, f.typ.Name()), cfs, "dynamodbav"))
			}
			var tos, froms []string
			for _, c := range f.children {
				tos = append(tos, fmt.Sprintf("%s: %s", c.goName, toStored(c, "x."+f.goName+"."+c.goName)))
				froms = append(froms, fmt.Sprintf("%s: %s", c.goName, fromStored(c, "r."+f.goName+"."+c.goName)))
			}
			fs = append(fs, sfield{f.goName, sname, f.api})
			to = append(to, fmt.Sprintf("r.%s = %s{%s}", f.goName, sname, strings.Join(tos, ", ")))
			from = append(from, fmt.Sprintf("x.%s = pause.%s{%s}", f.goName, f.typ.Name(), strings.Join(froms, ", ")))
		case kImage:
			fs = append(fs, sfield{f.goName, "*imageItem", f.api + omit(dynamoOmit(f))})
			to = append(to, fmt.Sprintf("if x.%s != nil {\nimg := imageItem(*x.%s)\nr.%s = &img\n}", f.goName, f.goName, f.goName))
			from = append(from, fmt.Sprintf("if r.%s != nil {\nimg := pause.Image(*r.%s)\nx.%s = &img\n}", f.goName, f.goName, f.goName))
		default:
			fs = append(fs, sfield{f.goName, storedType(f, ""), f.api + omit(dynamoOmit(f))})
			to = append(to, fmt.Sprintf("r.%s = %s", f.goName, toStored(f, "x."+f.goName)))
			from = append(from, fmt.Sprintf("x.%s = %s", f.goName, fromStored(f, "r."+f.goName)))
		}
	}
	doc := fmt.Sprintf("// %s is %s %s as the table keeps it, without its working draft.\n", itemName, article(m.prose), m.prose)
	if m.body != nil {
		doc = fmt.Sprintf("// %s is %s %s as the table keeps it, without its working draft and its %s, which\n// is kept in a bodyItem beside it so that list pages never read it.\n", itemName, article(m.prose), m.prose, m.body.path)
	}
	b.WriteString(structDef(itemName, doc, fs, "dynamodbav"))
	fmt.Fprintf(b, "func (%s) encode(x %s) any {\nr := %s{metaItem: toMeta(&x.Meta)}\n%s\nreturn r\n}\n\n", shape, item, itemName, strings.Join(to, "\n"))
	fmt.Fprintf(b, "func (%s) decode(av map[string]types.AttributeValue) (%s, error) {\nvar r %s\nif err := attributevalue.UnmarshalMap(av, &r); err != nil {\nreturn nil, fmt.Errorf(\"decode %s: %%w\", err)\n}\nx := &pause.%s{Meta: r.meta()}\n%s\nreturn x, nil\n}\n\n",
		shape, item, itemName, m.prose, m.TypeName, strings.Join(from, "\n"))

	if m.body != nil {
		html, set := `""`, "x."+m.body.goName+" = body"
		if m.html != nil {
			html, set = "x."+m.html.goName, fmt.Sprintf("x.%s, x.%s = body, html", m.body.goName, m.html.goName)
		}
		fmt.Fprintf(b, "func (%s) bodyField() string { return %q }\n\n", shape, m.body.path)
		fmt.Fprintf(b, "func (%s) body(x %s) (string, string) { return x.%s, %s }\n\n", shape, item, m.body.goName, html)
		fmt.Fprintf(b, "func (%s) setBody(x %s, body, html string) { %s }\n\n", shape, item, set)
	}

	// Facets.
	filter := "pause." + m.Filter.Name()
	if len(m.facets) == 0 {
		fmt.Fprintf(b, "func (%s) facets(%s) []facet { return nil }\n\n", shape, item)
		fmt.Fprintf(b, "func (%s) filterFacets(%s) []facet { return nil }\n\n", shape, filter)
		fmt.Fprintf(b, "func (%s) facetCondition(f facet) expression.ConditionBuilder {\npanic(\"dynamo: %s have no facet \" + f.name)\n}\n\n", shape, m.plural)
		return
	}
	var its, fls, conds []string
	scalars, lists := 0, []string{}
	for _, f := range m.facets {
		leaf, v := f.member(), goPath("x", f.item)
		if leaf.kind == kList {
			lists = append(lists, "len("+v+")")
		} else {
			scalars++
		}
		switch leaf.kind {
		case kList:
			its = append(its, fmt.Sprintf("fs = appendDistinct(fs, %s, %s)", f.konst, v))
		case kBool:
			its = append(its, fmt.Sprintf("fs = append(fs, boolFacet(%s, %s))", f.konst, v))
		default:
			its = append(its, fmt.Sprintf("fs = append(fs, facet{%s, %s})", f.konst, toStored(leaf, v)))
		}
		fv := "f." + f.filter.Name
		switch {
		case f.filter.Type == reflect.TypeFor[*bool]():
			fls = append(fls, fmt.Sprintf("if %s != nil {\nfs = append(fs, boolFacet(%s, *%s))\n}", fv, f.konst, fv))
		case f.filter.Type.Kind() == reflect.Pointer:
			val := "*" + fv
			if f.filter.Type.Elem().PkgPath() != "" {
				val = "string(" + val + ")"
			}
			fls = append(fls, fmt.Sprintf("if %s != nil {\nfs = append(fs, facet{%s, %s})\n}", fv, f.konst, val))
		default:
			val := fv
			if f.filter.Type.PkgPath() != "" {
				val = "string(" + val + ")"
			}
			fls = append(fls, fmt.Sprintf("if %s != \"\" {\nfs = append(fs, facet{%s, %s})\n}", fv, f.konst, val))
		}
		attr := fmt.Sprintf("expression.Name(%q)", attrPath(f.item))
		switch leaf.kind {
		case kList:
			conds = append(conds, fmt.Sprintf("case %s:\nreturn expression.Contains(%s, f.value)", f.konst, attr))
		case kBool:
			conds = append(conds, fmt.Sprintf("case %s:\nreturn %s.Equal(expression.Value(f.value == \"true\"))", f.konst, attr))
		default:
			conds = append(conds, fmt.Sprintf("case %s:\nreturn %s.Equal(expression.Value(f.value))", f.konst, attr))
		}
	}
	capacity := strings.Join(append([]string{fmt.Sprint(scalars)}, lists...), "+")
	fmt.Fprintf(b, "func (%s) facets(x %s) []facet {\nfs := make([]facet, 0, %s)\n%s\nreturn fs\n}\n\n", shape, item, capacity, strings.Join(its, "\n"))
	fmt.Fprintf(b, "func (%s) filterFacets(f %s) []facet {\nvar fs []facet\n%s\nreturn fs\n}\n\n", shape, filter, strings.Join(fls, "\n"))
	fmt.Fprintf(b, "func (%s) facetCondition(f facet) expression.ConditionBuilder {\nswitch f.name {\n%s\n}\npanic(\"dynamo: %s have no facet \" + f.name)\n}\n\n", shape, strings.Join(conds, "\n"), m.plural)
}

package graph

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"pause"
	"pause/bolt"
	"pause/ids"
	"pause/markdown"
)

// TestSchemaCoversRegistry: every content type the CMS registers is complete in the GraphQL
// schema and the request limits, where forgetting a part compiles and then misbehaves (issue
// 11): its object, draft and snapshot types with every declared field (a field missing from
// the object is data an editor saves and no client can read), the snapshot in the Snapshot
// union (else revisions of the type fail to resolve), Node, the create and update inputs with
// every field, and a cost for every field that returns a list of its items (else a query asks
// for MaxFirst items at the price of one).
func TestSchemaCoversRegistry(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	types, err := cms.ContentTypes(pause.NewContext(context.Background(), &pause.Viewer{Subject: "t", Role: pause.RoleAdmin}))
	if err != nil {
		t.Fatal(err)
	}
	s := parsedSchema
	// costed tells whether a list field of the type costs as many items (listCost), for one
	// item that costs 1.
	costed := func(typeName, field string) bool {
		def := s.Types[typeName].Fields.ForName(field)
		cost, ok := listCost(s, typeName, def, 1, map[string]any{"first": int64(pause.MaxFirst)})
		return ok && cost > 2
	}
	snapshots := s.Types["Snapshot"]
	for _, ct := range types {
		name := ct.TypeName
		obj := s.Types[name]
		if obj == nil || obj.Kind != ast.Object {
			t.Errorf("%s: no object type %s in the schema", ct.Name, name)
			continue
		}
		if !slices.Contains(obj.Interfaces, "Node") {
			t.Errorf("%s does not implement Node", name)
		}
		if snapshots == nil || !slices.Contains(snapshots.Types, name+"Snapshot") {
			t.Errorf("union Snapshot does not include %sSnapshot: revisions of %ss cannot be read", name, ct.Name)
		}
		for _, view := range []string{name, name + "Draft", name + "Snapshot"} {
			def := s.Types[view]
			if def == nil {
				t.Errorf("%s: no type %s", ct.Name, view)
				continue
			}
			for _, f := range ct.Fields {
				if f.Kind == pause.KindRelation {
					// A relation is read as the items it names.
					target := typeNameOf(types, f.Target)
					i := slices.IndexFunc(def.Fields, func(fd *ast.FieldDefinition) bool {
						return fd.Type.Elem != nil && fd.Type.Elem.NamedType == target
					})
					if i < 0 {
						t.Errorf("%s has no field listing the %ss that %s names", view, f.Target, f.Name)
					} else if !costed(view, def.Fields[i].Name) {
						t.Errorf("%s.%s returns a list with no cost in complexityRoot (graph/limits.go, listCost)", view, def.Fields[i].Name)
					}
					continue
				}
				if resolve(s, def, f.Name) == nil {
					t.Errorf("%s has no field %s, which the %s type declares", view, f.Name, ct.Name)
				}
			}
		}
		for _, input := range []string{"Create" + name + "Input", "Update" + name + "Input"} {
			def := s.Types[input]
			if def == nil {
				t.Errorf("%s: no input %s", ct.Name, input)
				continue
			}
			for _, f := range ct.Fields {
				if resolve(s, def, f.Name) == nil {
					t.Errorf("%s has no field %s, which the %s type declares: editors cannot set it", input, f.Name, ct.Name)
				}
			}
		}
		// The list of the type's items, with its cost.
		i := slices.IndexFunc(s.Query.Fields, func(fd *ast.FieldDefinition) bool { return fd.Type.NamedType == name+"Connection" })
		if i < 0 {
			t.Errorf("Query has no field returning %sConnection", name)
		} else if fd := s.Query.Fields[i]; !costed("Query", fd.Name) {
			t.Errorf("Query.%s returns a connection with no cost in complexityRoot (graph/limits.go, listCost)", fd.Name)
		}
	}
}

// resolve returns the field definition at the dotted path (author.name) from def, or nil.
func resolve(s *ast.Schema, def *ast.Definition, path string) *ast.FieldDefinition {
	head, rest, nested := strings.Cut(path, ".")
	f := def.Fields.ForName(head)
	if f == nil || !nested {
		return f
	}
	next := s.Types[f.Type.Name()]
	if next == nil {
		return nil
	}
	return resolve(s, next, rest)
}

// typeNameOf returns the GraphQL type name of the content type named name.
func typeNameOf(types []*pause.ContentType, name string) string {
	for _, ct := range types {
		if ct.Name == name {
			return ct.TypeName
		}
	}
	return ""
}

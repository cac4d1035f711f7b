package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
)

const (
	storetestDir = "storetest"
	// fixturesOut holds the conformance suite's fixtures (storetest.fixturesFile).
	fixturesOut = "storetest/kinds.generated.go"
	// memStoresOut holds the reference memory store's content stores.
	memStoresOut = "storetest/memstores.generated_test.go"
)

// writeStoretest writes the conformance suite's per-type code, so that a registered type needs
// no line in storetest:
//
//   - fixturesOut: fixtures, one per type, in the registry's order: the hand-written fixture
//     (a func named after the type, such as articleKind) if storetest has one, else the one
//     derived from the declaration (declaredKind); and derivedFixtures, the derived one of
//     every type (storetest.RunDerived);
//   - memStoresOut: memContentStores, the reference store's content stores: newMem's, or for a
//     type whose store has methods of its own (ToolStore) the hand-written memTools around it.
func writeStoretest(types []goType) error {
	funcs, typs, err := storetestDecls()
	if err != nil {
		return err
	}
	var fx, derived, mem strings.Builder
	for _, t := range types {
		T, F := "*pause."+t.Item.Name(), "pause."+t.Filter.Name()
		kind := fmt.Sprintf("kind[%s, %s]", T, F)
		declared := fmt.Sprintf("func(e *env) *%s { return declaredKind(e, e.cms.%s, e.stores.%s) }", kind, t.Field, t.Field)
		mk := declared
		if hand := t.Name + "Kind"; funcs[hand] {
			mk = hand
		}
		fmt.Fprintf(&fx, "{%q, %q, perType(%s)},\n", t.Name, t.TypeName, mk)
		fmt.Fprintf(&derived, "{%q, %q, perType(%s)},\n", t.Name, t.TypeName, declared)

		store := fmt.Sprintf("newMem[%s, %s](%q, audit)", T, F, t.Name)
		if t.OwnStore() {
			own := "mem" + t.Field
			if !typs[own] {
				return fmt.Errorf("the %s type's store is pause.%s, with methods of its own: write the reference store's, `type %s struct{ *memStore[%s, %s] }` with those methods, in storetest/mem_test.go",
					t.Name, t.Store.Name(), own, T, F)
			}
			store = fmt.Sprintf("&%s{memStore: %s}", own, store)
		}
		fmt.Fprintf(&mem, "%s: %s,\n", t.Field, store)
	}
	src := "// " + notice + "\n\npackage storetest\n\nimport \"pause\"\n\n" +
		"// fixtures are the content types the suite drives, one per registered type in the registry's\n" +
		"// order: its hand-written fixture (kinds.go) if it has one, else the one derived from its\n" +
		"// declaration (declaredKind).\n" +
		"var fixtures = []fixture{\n" + fx.String() + "}\n\n" +
		"// derivedFixtures are the fixtures derived from the declarations, for every registered type\n" +
		"// (RunDerived).\n" +
		"var derivedFixtures = []fixture{\n" + derived.String() + "}\n"
	if err := writeGoFile(fixturesOut, src); err != nil {
		return err
	}
	src = "// " + notice + "\n\npackage storetest_test\n\nimport \"pause\"\n\n" +
		"// memContentStores returns the reference store's content stores, one per registered type.\n" +
		"func memContentStores(audit *memAudit) pause.Stores {\n" +
		"return pause.Stores{\n" + mem.String() + "}\n}\n"
	return writeGoFile(memStoresOut, src)
}

// storetestDecls returns the names of the functions of package storetest (outside generated
// files) and of the types of its tests.
func storetestDecls() (funcs, types map[string]bool, err error) {
	files, err := filepath.Glob(filepath.Join(storetestDir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	funcs, types = map[string]bool{}, map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.Contains(filepath.Base(f), ".generated") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, err
		}
		test := strings.HasSuffix(f, "_test.go")
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && !test {
					funcs[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && test {
						types[ts.Name.Name] = true
					}
				}
			}
		}
	}
	return funcs, types, nil
}

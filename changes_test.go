package pause_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"pause"
	"pause/bolt"
	"pause/ids"
	"pause/markdown"
)

// The registry covers every content store: each content store in Stores has a collection in
// the CMS (and so is watched, scheduled, imported, exported, described), and each collection
// has its store. A store added to Stores without registering its type fails here, with what to
// add.
func TestRegistryCoversStores(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New, Changes: &pause.Changes{}})
	registered := map[string]bool{}
	for _, col := range cms.Collections() {
		registered[strings.ToLower(col.Type().Plural)] = true
	}
	st := reflect.TypeFor[pause.Stores]()
	stores := 0
	for i := range st.NumField() {
		f := st.Field(i)
		if !f.Type.Implements(reflect.TypeFor[interface {
			Revisions(context.Context, string, int, int) ([]*pause.Revision, bool, error)
		}]()) {
			continue // not a content store (API keys, the audit log)
		}
		stores++
		if !registered[strings.ToLower(f.Name)] {
			t.Errorf("Stores.%s has no collection: add its register line to registerAll (cms.go)", f.Name)
		}
	}
	if stores != len(cms.Collections()) {
		t.Errorf("%d content stores in Stores, %d collections in the CMS: every registered type needs its field in Stores", stores, len(cms.Collections()))
	}
	v := reflect.ValueOf(db.Stores())
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Interface && f.IsNil() {
			t.Errorf("bolt's Stores has no Stores.%s", v.Type().Field(i).Name)
		}
	}
}

// Every content type declared in the package is registered: a type whose Type method returns
// its *ContentType (the Item contract) but that registerAll does not name would be stored,
// served and imported nowhere, silently. The declared types are found in the package's source.
func TestDeclaredTypesAreRegistered(t *testing.T) {
	registered := map[string]bool{}
	for _, col := range pause.Declared() {
		item := reflect.ValueOf(col).MethodByName("Get").Type().Out(0) // *pause.Article
		registered[item.Elem().Name()] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	declared := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Type" || fn.Type.Results == nil || len(fn.Type.Results.List) != 1 {
				continue
			}
			if res, ok := fn.Type.Results.List[0].Type.(*ast.StarExpr); !ok || fmt.Sprint(res.X) != "ContentType" {
				continue
			}
			recv, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			id, ok := recv.X.(*ast.Ident) // not a generic type (Collection)
			if !ok {
				continue
			}
			typ := id.Name
			declared++
			if !registered[typ] {
				t.Errorf("%s (%s) declares a content type but is not registered: add a field of type Store[*%[1]s, %[1]sFilter] to Stores, one of type *Collection[*%[1]s, %[1]sFilter, %[1]sInput] to CMS, and its register line to registerAll (cms.go), then run `go generate ./...`", typ, name)
			}
		}
	}
	if declared != len(registered) {
		t.Errorf("%d content types declared in the source, %d registered", declared, len(registered))
	}
}

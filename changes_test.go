package pause_test

import (
	"context"
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
			t.Errorf("Stores.%s has no collection: register its type in NewCMS (cms.go)", f.Name)
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

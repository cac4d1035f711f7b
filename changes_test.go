package pause_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"pause"
	"pause/bolt"
)

// Watch keeps every store: the content stores wrapped, the others as they are. (A store left
// out would be nil, and the CMS would panic on the first call that needs it.)
func TestWatchKeepsEveryStore(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	watched := (&pause.Changes{}).Watch(db.Stores())
	v := reflect.ValueOf(watched)
	for i := range v.NumField() {
		if v.Field(i).IsNil() {
			t.Errorf("Watch dropped Stores.%s", v.Type().Field(i).Name)
		}
	}
}

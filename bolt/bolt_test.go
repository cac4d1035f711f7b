package bolt_test

import (
	"path/filepath"
	"testing"

	"pause"
	"pause/bolt"
	"pause/storetest"
)

// TestConformance runs the suite that every store passes, each case on a fresh file.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) pause.Stores {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
		})
		return db.Stores()
	})
}

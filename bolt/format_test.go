package bolt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"pause"
	"pause/bolt"
	"pause/internal/storedformat"
)

// TestStoredFormat holds the file format of content items still: each item is written by the
// store, its record is read from the file and compared with a golden file written by an
// earlier version (testdata/golden; -update-goldens writes them), and the golden record, put
// in a fresh file, reads back as the item. Files on laptops hold records in that format.
func TestStoredFormat(t *testing.T) {
	t.Run("rich article", func(t *testing.T) {
		storedFormat(t, articles, storedformat.Article, "article-rich.json")
	})
	t.Run("sparse article", func(t *testing.T) {
		storedFormat(t, articles, storedformat.SparseArticle, "article-sparse.json")
	})
	t.Run("rich benefit", func(t *testing.T) {
		storedFormat(t, benefits, storedformat.Benefit, "benefit-rich.json")
	})
	t.Run("sparse benefit", func(t *testing.T) {
		storedFormat(t, benefits, storedformat.SparseBenefit, "benefit-sparse.json")
	})
	t.Run("rich tool", func(t *testing.T) {
		storedFormat(t, tools, storedformat.Tool, "tool-rich.json")
	})
	t.Run("sparse tool", func(t *testing.T) {
		storedFormat(t, tools, storedformat.SparseTool, "tool-sparse.json")
	})
}

func articles(s pause.Stores) pause.ArticleStore { return s.Articles }
func benefits(s pause.Stores) pause.BenefitStore { return s.Benefits }
func tools(s pause.Stores) pause.ToolStore       { return s.Tools }

// storedFormat writes the item made by mk with the store that of picks, compares its record
// with the golden file, and reads the golden record back.
func storedFormat[T pause.Item[T], F pause.Filter[T], S pause.Store[T, F]](t *testing.T, of func(pause.Stores) S, mk func() T, golden string) {
	ctx := context.Background()
	item := mk()
	bucket := []byte(item.Type().Name + "s")
	id := []byte(item.Metadata().ID)

	path := filepath.Join(t.TempDir(), "written.db")
	db := mustOpen(t, path)
	if err := of(db.Stores()).Create(ctx, item); err != nil {
		t.Fatal(err)
	}
	closeDB(t, db)
	var record []byte
	raw(t, path, func(tx *bbolt.Tx) error {
		record = bytes.Clone(tx.Bucket(bucket).Bucket([]byte("items")).Get(id))
		return nil
	})
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, record, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	want := storedformat.Golden(t, golden, pretty.Bytes())

	// The golden record, as an older version wrote it, in a file of its own.
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "golden.db")
	closeDB(t, mustOpen(t, path))
	raw(t, path, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucket).Bucket([]byte("items")).Put(id, compact.Bytes())
	})
	db = mustOpen(t, path)
	defer closeDB(t, db)
	got, err := of(db.Stores()).Get(ctx, string(id))
	if err != nil {
		t.Fatal(err)
	}
	if want := mk(); !reflect.DeepEqual(got, want) {
		t.Errorf("the golden record reads back as\n%+v\nwant\n%+v", got, want)
		if !isNil(want.WorkingDraft()) && !isNil(got.WorkingDraft()) {
			t.Errorf("draft:\n%+v\nwant\n%+v", got.WorkingDraft(), want.WorkingDraft())
		}
	}
}

func isNil(v any) bool { return reflect.ValueOf(v).IsNil() }

func mustOpen(t *testing.T, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func closeDB(t *testing.T, db *bolt.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Error(err)
	}
}

// raw runs f in a write transaction on the file, with bbolt itself.
func raw(t *testing.T, path string, f func(*bbolt.Tx) error) {
	t.Helper()
	b, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(f); err != nil {
		t.Fatal(err)
	}
}

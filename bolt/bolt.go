// Package bolt implements pause's stores on bbolt, in one file on local disk: the embedded
// default, for the local server and for tests, with no service to run.
//
// Each content type has a bucket that holds three kinds of bucket: items (id → JSON record),
// slugs (slug → id), and one index per order the type can be listed in (pause.SortKey → id).
// Every write changes an item and all of its index entries in one bbolt transaction, so the
// indexes never disagree with the items.
//
// What is per content type (its record, the JSON that the items bucket holds, its codec, and
// the construction of its store) is written by tools/contentgen (`go generate ./...`) in
// content.generated.go, from the type's declaration and its Go struct; its header says the
// rules. TestStoredFormat holds the records to golden files of the format that files on disk
// hold.
//
// It imports pause and bbolt, and nothing else of Pause's.
package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"pause"
)

// openTimeout is how long Open waits for the file lock that another process may hold.
const openTimeout = time.Second

// DB is an open store file. It is safe for concurrent use; bbolt runs one write at a time and
// reads alongside it.
type DB struct {
	bolt   *bbolt.DB
	stores pause.Stores
}

// Open opens the store file at path, creating it and its directory if need be. It fails after
// about a second, rather than waiting, if another process has the file open.
func Open(path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("bolt: create directory of %s: %w", path, err)
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: openTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: open %s: the store file is in use by another process: %w", path, err)
	} else if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	content := newContentStores(b) // content.generated.go
	err = b.Update(func(tx *bbolt.Tx) error {
		for _, s := range append(content.inits(), auditStore{b}, keyStore{b}, idempotencyStore{b}, eventStore{b}, webhookStore{b}, mediaStore{b}) {
			if err := s.init(tx); err != nil {
				return err
			}
		}
		return initAccounts(tx)
	})
	if err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	stores := pause.Stores{Keys: keyStore{b}, Audit: auditStore{b},
		Idempotency: idempotencyStore{b}, Users: userStore{b}, Sessions: sessionStore{b}, Failures: failureStore{b},
		Events: eventStore{b}, Webhooks: webhookStore{b}, Media: mediaStore{b}, InProcess: true}
	content.set(&stores)
	return &DB{bolt: b, stores: stores}, nil
}

// Stores returns the stores of every content type, on this file.
func (db *DB) Stores() pause.Stores { return db.stores }

// Close closes the file, after the transactions under way end. The stores must not be used
// after.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("bolt: close: %w", err)
	}
	return nil
}

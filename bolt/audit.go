package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"pause"
)

// The audit log is the bucket "audit": pause.AuditKey(entry) → auditRecord. The content
// stores write it in the transaction of the change.
var auditBucket = []byte("audit")

type auditRecord struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	ItemType string    `json:"itemType"`
	ItemID   string    `json:"itemId"`
	Version  int       `json:"version"`
	Fields   []string  `json:"fields"`
}

// writeAudit records the entry in the transaction's audit log.
func writeAudit(tx *bbolt.Tx, e *pause.AuditEntry) error {
	data, err := json.Marshal(auditRecord{At: e.At.UTC(), Actor: e.Actor, Action: e.Action,
		ItemType: e.ItemType, ItemID: e.ItemID, Version: e.Version, Fields: e.Fields})
	if err != nil {
		return fmt.Errorf("encode audit entry: %w", err)
	}
	return tx.Bucket(auditBucket).Put([]byte(pause.AuditKey(e)), data)
}

// auditStore is pause.AuditStore on the file.
type auditStore struct{ db *bbolt.DB }

func (s auditStore) init(tx *bbolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(auditBucket)
	return err
}

// AuditLog walks the log from the newest entry (or from below the cursor), in one read
// transaction, filtering in memory.
func (s auditStore) AuditLog(ctx context.Context, q pause.Query[pause.AuditFilter]) (*pause.Page[*pause.AuditEntry], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	page, err := newestFirst(s.db, auditBucket, q, pause.OrderAudit, func(k, v []byte) (*pause.AuditEntry, error) {
		var r auditRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("decode audit entry %q: %w", k, err)
		}
		return &pause.AuditEntry{At: r.At, Actor: r.Actor, Action: r.Action, ItemType: r.ItemType,
			ItemID: r.ItemID, Version: r.Version, Fields: r.Fields}, nil
	})
	if err != nil {
		return nil, wrap(err, "audit log")
	}
	return page, nil
}

// newestFirst pages through the bucket from its last key (or from below the key of the cursor
// after), newest first for keys that sort by time (ULIDs, timestamps), in one read
// transaction: each value is decoded, kept if the filter matches, and given the cursor of its
// key in the order.
func newestFirst[T any, F interface{ Match(T) bool }](db *bbolt.DB, bucket []byte, q pause.Query[F], order pause.Order,
	decode func(k, v []byte) (T, error)) (*pause.Page[T], error) {
	var after string
	if q.After != "" {
		var err error
		if after, err = pause.DecodeCursor(q.After, order); err != nil {
			return nil, err
		}
	}
	page := &pause.Page[T]{Items: []T{}, Cursors: []string{}}
	err := db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		var k, v []byte
		if after == "" {
			k, v = c.Last()
		} else if k, _ = c.Seek([]byte(after)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil; k, v = c.Prev() {
			item, err := decode(k, v)
			if err != nil {
				return err
			}
			if !q.Filter.Match(item) {
				continue
			}
			if len(page.Items) == q.First {
				page.HasNextPage = true
				return nil
			}
			page.Items = append(page.Items, item)
			page.Cursors = append(page.Cursors, pause.EncodeCursor(order, string(k)))
		}
		return nil
	})
	return page, err
}

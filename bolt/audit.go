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
	var after string
	if q.After != "" {
		var err error
		if after, err = pause.DecodeCursor(q.After, pause.OrderAudit); err != nil {
			return nil, err
		}
	}
	page := &pause.Page[*pause.AuditEntry]{Items: []*pause.AuditEntry{}, Cursors: []string{}}
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(auditBucket).Cursor()
		var k, v []byte
		if after == "" {
			k, v = c.Last()
		} else if k, _ = c.Seek([]byte(after)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil; k, v = c.Prev() {
			var r auditRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode audit entry %q: %w", k, err)
			}
			e := &pause.AuditEntry{At: r.At, Actor: r.Actor, Action: r.Action, ItemType: r.ItemType,
				ItemID: r.ItemID, Version: r.Version, Fields: r.Fields}
			if !q.Filter.Match(e) {
				continue
			}
			if len(page.Items) == q.First {
				page.HasNextPage = true
				return nil
			}
			page.Items = append(page.Items, e)
			page.Cursors = append(page.Cursors, pause.EncodeCursor(pause.OrderAudit, string(k)))
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "audit log")
	}
	return page, nil
}

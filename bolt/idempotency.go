package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"pause"
)

// The records of requests sent with an Idempotency-Key are the bucket "idempotency":
// IdempotencyRecord.Key → idempotencyRecord. Expired records are replaced when their key comes
// again, and swept when the file is opened.
var idempotencyBucket = []byte("idempotency")

type idempotencyRecord struct {
	Hash      string    `json:"hash"`
	State     string    `json:"state"`
	Attempt   int       `json:"attempt"`
	Owner     string    `json:"owner"`
	Status    int       `json:"status,omitempty"`
	Body      []byte    `json:"body,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func toIdempotencyRecord(r *pause.IdempotencyRecord) idempotencyRecord {
	return idempotencyRecord{Hash: r.Hash, State: r.State, Attempt: r.Attempt, Owner: r.Owner, Status: r.Status, Body: r.Body,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
}

func (r idempotencyRecord) record(key string) *pause.IdempotencyRecord {
	return &pause.IdempotencyRecord{Key: key, Hash: r.Hash, State: r.State, Attempt: r.Attempt, Owner: r.Owner, Status: r.Status,
		Body: r.Body, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ExpiresAt: r.ExpiresAt}
}

// idempotencyStore is pause.IdempotencyStore on the file.
type idempotencyStore struct{ db *bbolt.DB }

// init creates the bucket and sweeps the records that have expired.
func (s idempotencyStore) init(tx *bbolt.Tx) error {
	b, err := tx.CreateBucketIfNotExists(idempotencyBucket)
	if err != nil {
		return err
	}
	now := time.Now()
	var stale [][]byte
	err = b.ForEach(func(k, v []byte) error {
		var r idempotencyRecord
		if json.Unmarshal(v, &r) != nil || !now.Before(r.ExpiresAt) {
			stale = append(stale, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func (s idempotencyStore) put(b *bbolt.Bucket, r *pause.IdempotencyRecord) error {
	data, err := json.Marshal(toIdempotencyRecord(r))
	if err != nil {
		return fmt.Errorf("encode idempotency record: %w", err)
	}
	return b.Put([]byte(r.Key), data)
}

// BeginRequest claims the key in one write transaction (bbolt has one writer at a time).
func (s idempotencyStore) BeginRequest(ctx context.Context, rec *pause.IdempotencyRecord, now time.Time) (*pause.IdempotencyRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *pause.IdempotencyRecord
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(idempotencyBucket)
		data := b.Get([]byte(rec.Key))
		var old idempotencyRecord
		if data != nil {
			if err := json.Unmarshal(data, &old); err != nil {
				return fmt.Errorf("decode idempotency record: %w", err)
			}
		}
		switch {
		case data == nil || !now.Before(old.ExpiresAt):
			out = rec
		case old.Hash == rec.Hash && (old.State == pause.IdempotencyUnknown ||
			old.State == pause.IdempotencyRunning && !old.UpdatedAt.After(now.Add(-pause.IdempotencyLease))):
			out = old.record(rec.Key)
			out.State, out.Attempt, out.Owner, out.UpdatedAt = pause.IdempotencyRunning, old.Attempt+1, rec.Owner, now
		default:
			out = old.record(rec.Key)
			return nil
		}
		return s.put(b, out)
	})
	if err != nil {
		return nil, wrap(err, "begin idempotent request")
	}
	return out, nil
}

// EndRequest records the attempt's end if the attempt still holds the record.
func (s idempotencyStore) EndRequest(ctx context.Context, rec *pause.IdempotencyRecord) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(idempotencyBucket)
		data := b.Get([]byte(rec.Key))
		var old idempotencyRecord
		if data == nil || json.Unmarshal(data, &old) != nil || old.Owner != rec.Owner || old.State != pause.IdempotencyRunning {
			return nil
		}
		return s.put(b, rec)
	})
	return wrap(err, "end idempotent request")
}

var _ pause.IdempotencyStore = idempotencyStore{}

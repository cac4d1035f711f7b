package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"pause"
)

// The change feed is the bucket "events": the key "generation" holds the generation of the last
// event (8 bytes, big-endian), and the bucket "outbox" inside it holds the events, keyed by
// their generation (8 bytes, big-endian, so that keys sort in order) → eventRecord. The content
// stores write an event in the transaction of every write, so that bbolt's one writer at a time
// gives the feed the order in which writes committed.
var (
	eventsBucket  = []byte("events")
	outboxBucket  = []byte("outbox")
	generationKey = []byte("generation")
)

type eventRecord struct {
	Type       string    `json:"type"`
	ItemType   string    `json:"itemType"`
	ItemID     string    `json:"itemId"`
	Slug       string    `json:"slug"`
	Version    int       `json:"version"`
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
	Generation uint64    `json:"generation"`
}

func generationBytes(g uint64) []byte { return binary.BigEndian.AppendUint64(nil, g) }

// writeEvent gives the event the next generation and writes it, in the transaction.
func writeEvent(tx *bbolt.Tx, e *pause.Event) error {
	b := tx.Bucket(eventsBucket)
	var gen uint64
	if v := b.Get(generationKey); len(v) == 8 {
		gen = binary.BigEndian.Uint64(v)
	}
	gen++
	e.Generation, e.ID = gen, pause.EventID(gen)
	data, err := json.Marshal(eventRecord{Type: e.Type, ItemType: e.ItemType, ItemID: e.ItemID, Slug: e.Slug,
		Version: e.Version, Actor: e.Actor, At: e.At.UTC(), Generation: gen})
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	if err := b.Bucket(outboxBucket).Put(generationBytes(gen), data); err != nil {
		return err
	}
	return b.Put(generationKey, generationBytes(gen))
}

// eventStore is pause.EventStore on the file.
type eventStore struct{ db *bbolt.DB }

func (s eventStore) init(tx *bbolt.Tx) error {
	b, err := tx.CreateBucketIfNotExists(eventsBucket)
	if err != nil {
		return err
	}
	_, err = b.CreateBucketIfNotExists(outboxBucket)
	return err
}

// Generation reads the generation in a read transaction: it sees every committed write.
func (s eventStore) Generation(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var gen uint64
	err := s.db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(eventsBucket).Get(generationKey); len(v) == 8 {
			gen = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return gen, wrap(err, "read the generation")
}

// Events walks the outbox from after the generation, in one read transaction.
func (s eventStore) Events(ctx context.Context, after uint64, limit int) ([]*pause.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*pause.Event
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(eventsBucket).Bucket(outboxBucket).Cursor()
		for k, v := c.Seek(generationBytes(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var r eventRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode event %x: %w", k, err)
			}
			out = append(out, &pause.Event{ID: pause.EventID(r.Generation), Type: r.Type, ItemType: r.ItemType,
				ItemID: r.ItemID, Slug: r.Slug, Version: r.Version, Actor: r.Actor, At: r.At, Generation: r.Generation})
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "read events after %d", after)
	}
	return out, nil
}

// PruneEvents deletes the oldest events, up to the first one written at or after the time.
func (s eventStore) PruneEvents(ctx context.Context, before time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		c := tx.Bucket(eventsBucket).Bucket(outboxBucket).Cursor()
		for k, v := c.First(); k != nil; k, v = c.First() {
			var r eventRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode event %x: %w", k, err)
			}
			if !r.At.Before(before) {
				return nil
			}
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap(err, "prune events")
}

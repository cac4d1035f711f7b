package bolt

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	bbolt "go.etcd.io/bbolt"

	"pause"
)

// API keys live in the bucket "apikey", which holds "items" (id → JSON record) and "hashes"
// (hash of the secret → id).
var (
	keyBucket     = []byte("apikey")
	keyItems      = []byte("items")
	keyHashBucket = []byte("hashes")
)

type keyRecord struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	Hint      string     `json:"hint"`
	Hash      string     `json:"hash"`
	CreatedAt time.Time  `json:"createdAt"`
	CreatedBy string     `json:"createdBy"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

func toKeyRecord(k *pause.APIKey) keyRecord {
	return keyRecord{ID: k.ID, Name: k.Name, Role: string(k.Role), Hint: k.Hint, Hash: k.Hash,
		CreatedAt: k.CreatedAt.UTC(), CreatedBy: k.CreatedBy, RevokedAt: k.RevokedAt}
}

func (r keyRecord) key() *pause.APIKey {
	return &pause.APIKey{ID: r.ID, Name: r.Name, Role: pause.Role(r.Role), Hint: r.Hint, Hash: r.Hash,
		CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, RevokedAt: r.RevokedAt}
}

// keyStore is pause.KeyStore on the file.
type keyStore struct{ db *bbolt.DB }

func (s keyStore) init(tx *bbolt.Tx) error {
	b, err := tx.CreateBucketIfNotExists(keyBucket)
	if err != nil {
		return err
	}
	if _, err := b.CreateBucketIfNotExists(keyItems); err != nil {
		return err
	}
	_, err = b.CreateBucketIfNotExists(keyHashBucket)
	return err
}

func (s keyStore) buckets(tx *bbolt.Tx) (items, hashes *bbolt.Bucket) {
	b := tx.Bucket(keyBucket)
	return b.Bucket(keyItems), b.Bucket(keyHashBucket)
}

func (s keyStore) CreateKey(ctx context.Context, k *pause.APIKey) error {
	data, err := json.Marshal(toKeyRecord(k))
	if err != nil {
		return wrap(err, "encode api key %s", k.ID)
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		items, hashes := s.buckets(tx)
		if items.Get([]byte(k.ID)) != nil || hashes.Get([]byte(k.Hash)) != nil {
			return pause.Errorf(pause.ECONFLICT, "An API key with id %s exists.", k.ID)
		}
		if err := items.Put([]byte(k.ID), data); err != nil {
			return wrap(err, "put api key %s", k.ID)
		}
		if err := writeAudit(tx, pause.KeyCreatedEntry(k)); err != nil {
			return wrap(err, "audit api key %s", k.ID)
		}
		return wrap(hashes.Put([]byte(k.Hash), []byte(k.ID)), "put api key hash %s", k.ID)
	})
}

func (s keyStore) KeyByHash(ctx context.Context, hash string) (*pause.APIKey, error) {
	var k *pause.APIKey
	err := s.db.View(func(tx *bbolt.Tx) error {
		items, hashes := s.buckets(tx)
		id := hashes.Get([]byte(hash))
		if id == nil {
			return pause.Errorf(pause.ENOTFOUND, "No API key has this secret.")
		}
		var err error
		k, err = decodeKey(items.Get(id))
		return err
	})
	return k, err
}

func (s keyStore) Keys(ctx context.Context) ([]*pause.APIKey, error) {
	var keys []*pause.APIKey
	err := s.db.View(func(tx *bbolt.Tx) error {
		items, _ := s.buckets(tx)
		return items.ForEach(func(_, v []byte) error {
			k, err := decodeKey(v)
			keys = append(keys, k)
			return err
		})
	})
	// Ids are ULIDs: newest first is descending id order.
	sort.Slice(keys, func(i, j int) bool { return keys[i].ID > keys[j].ID })
	return keys, err
}

func (s keyStore) RevokeKey(ctx context.Context, id string, at time.Time, by string) (*pause.APIKey, error) {
	var k *pause.APIKey
	err := s.db.Update(func(tx *bbolt.Tx) error {
		items, _ := s.buckets(tx)
		data := items.Get([]byte(id))
		if data == nil {
			return pause.Errorf(pause.ENOTFOUND, "No API key has id %s.", id)
		}
		var err error
		if k, err = decodeKey(data); err != nil {
			return err
		}
		if k.RevokedAt == nil {
			t := at.UTC()
			k.RevokedAt = &t
			if err := writeAudit(tx, pause.KeyRevokedEntry(id, t, by)); err != nil {
				return wrap(err, "audit api key %s", id)
			}
		}
		data, err = json.Marshal(toKeyRecord(k))
		if err != nil {
			return wrap(err, "encode api key %s", id)
		}
		return wrap(items.Put([]byte(id), data), "put api key %s", id)
	})
	return k, err
}

func decodeKey(data []byte) (*pause.APIKey, error) {
	var r keyRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, wrap(err, "decode api key")
	}
	return r.key(), nil
}

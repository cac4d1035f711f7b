package bolt

import (
	"context"
	"encoding/json"
	"time"

	bbolt "go.etcd.io/bbolt"

	"pause"
)

// The media library is the bucket "media": id → JSON record. Ids are ULIDs, so the bucket's
// order from the end is the library's (newest first).
var mediaBucket = []byte("media")

type mediaRecord struct {
	ID          string    `json:"id"`
	Key         string    `json:"key"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"contentType"`
	Bytes       int       `json:"bytes"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	Alt         string    `json:"alt"`
	Decorative  bool      `json:"decorative,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	CreatedBy   string    `json:"createdBy"`
	UpdatedAt   time.Time `json:"updatedAt"`
	UpdatedBy   string    `json:"updatedBy"`
	Version     int       `json:"version"`
}

func toMediaRecord(m *pause.Media) mediaRecord {
	return mediaRecord{ID: m.ID, Key: m.Key, Filename: m.Filename, ContentType: m.ContentType, Bytes: m.Bytes,
		Width: m.Width, Height: m.Height, Alt: m.Alt, Decorative: m.Decorative, CreatedAt: m.CreatedAt.UTC(),
		CreatedBy: m.CreatedBy, UpdatedAt: m.UpdatedAt.UTC(), UpdatedBy: m.UpdatedBy, Version: m.Version}
}

func (r mediaRecord) media() *pause.Media {
	return &pause.Media{ID: r.ID, Key: r.Key, Filename: r.Filename, ContentType: r.ContentType, Bytes: r.Bytes,
		Width: r.Width, Height: r.Height, Alt: r.Alt, Decorative: r.Decorative, CreatedAt: r.CreatedAt,
		CreatedBy: r.CreatedBy, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy, Version: r.Version}
}

func decodeMedia(data []byte) (*pause.Media, error) {
	var r mediaRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, wrap(err, "decode media item")
	}
	return r.media(), nil
}

// mediaStore is pause.MediaStore on the file.
type mediaStore struct{ db *bbolt.DB }

func (s mediaStore) init(tx *bbolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(mediaBucket)
	return err
}

func mediaNotFound() error { return pause.Errorf(pause.ENOTFOUND, "No image has this id.") }

func (s mediaStore) put(tx *bbolt.Tx, m *pause.Media, e *pause.AuditEntry) error {
	data, err := json.Marshal(toMediaRecord(m))
	if err != nil {
		return wrap(err, "encode media item %s", m.ID)
	}
	if err := tx.Bucket(mediaBucket).Put([]byte(m.ID), data); err != nil {
		return wrap(err, "put media item %s", m.ID)
	}
	return wrap(writeAudit(tx, e), "audit media item %s", m.ID)
}

func (s mediaStore) CreateMedia(ctx context.Context, m *pause.Media, e *pause.AuditEntry) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		if tx.Bucket(mediaBucket).Get([]byte(m.ID)) != nil {
			return pause.Errorf(pause.ECONFLICT, "An image with id %s exists.", m.ID)
		}
		return s.put(tx, m, e)
	})
}

func (s mediaStore) Media(ctx context.Context, id string) (*pause.Media, error) {
	var m *pause.Media
	err := s.db.View(func(tx *bbolt.Tx) error {
		data := tx.Bucket(mediaBucket).Get([]byte(id))
		if data == nil || id == "" {
			return mediaNotFound()
		}
		var err error
		m, err = decodeMedia(data)
		return err
	})
	return m, err
}

// ListMedia walks the bucket from the end (or from below the cursor's id), filtering in
// memory, in one read transaction.
func (s mediaStore) ListMedia(ctx context.Context, q pause.Query[pause.MediaFilter]) (*pause.Page[*pause.Media], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	page, err := newestFirst(s.db, mediaBucket, q, pause.OrderMedia, func(_, v []byte) (*pause.Media, error) {
		return decodeMedia(v)
	})
	if err != nil {
		return nil, wrap(err, "list media")
	}
	return page, nil
}

func (s mediaStore) UpdateMedia(ctx context.Context, m *pause.Media, e *pause.AuditEntry) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		data := tx.Bucket(mediaBucket).Get([]byte(m.ID))
		if data == nil {
			return mediaNotFound()
		}
		old, err := decodeMedia(data)
		if err != nil {
			return err
		}
		if old.Version != m.Version-1 {
			return pause.Errorf(pause.ECONFLICT, "The image %s was changed meanwhile: reload it.", old.Filename)
		}
		return s.put(tx, m, e)
	})
}

func (s mediaStore) DeleteMedia(ctx context.Context, id string, version int, e *pause.AuditEntry) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(mediaBucket)
		data := b.Get([]byte(id))
		if data == nil || id == "" {
			return mediaNotFound()
		}
		old, err := decodeMedia(data)
		if err != nil {
			return err
		}
		if old.Version != version {
			return pause.Errorf(pause.ECONFLICT, "The image %s was changed meanwhile: reload it.", old.Filename)
		}
		if err := b.Delete([]byte(id)); err != nil {
			return wrap(err, "delete media item %s", id)
		}
		return wrap(writeAudit(tx, e), "audit media item %s", id)
	})
}

package bolt

import (
	"time"

	"pause"
)

// The records are how items are kept in the file, as JSON: each content type's record and
// codec are written by tools/contentgen in content.generated.go (its header says from what and
// by which rules); this file holds what they share.

// codec converts a content type's items to and from their records: the strategy of the
// generic store, implemented by a type per content type (articleCodec).
type codec[T, R any] interface {
	toRecord(T) R
	fromRecord(R) T
}

type metaRecord struct {
	ID          string     `json:"id"`
	Slug        string     `json:"slug"`
	Status      string     `json:"status"`
	PublishedAt *time.Time `json:"publishedAt,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	CreatedBy   string     `json:"createdBy,omitempty"`
	UpdatedBy   string     `json:"updatedBy,omitempty"`
	PublishedBy string     `json:"publishedBy,omitempty"`
	// The pending scheduled change of status, if any.
	ScheduledAt     *time.Time `json:"scheduledAt,omitempty"`
	ScheduledStatus string     `json:"scheduledStatus,omitempty"`
	ScheduledBy     string     `json:"scheduledBy,omitempty"`
	Version         int        `json:"version"`
}

func toMeta(m *pause.Meta) metaRecord {
	r := metaRecord{
		ID: m.ID, Slug: m.Slug, Status: string(m.Status),
		CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(), Version: m.Version,
		CreatedBy: m.CreatedBy, UpdatedBy: m.UpdatedBy, PublishedBy: m.PublishedBy,
	}
	if m.PublishedAt != nil {
		t := m.PublishedAt.UTC()
		r.PublishedAt = &t
	}
	if m.ScheduledAt != nil {
		t := m.ScheduledAt.UTC()
		r.ScheduledAt, r.ScheduledStatus, r.ScheduledBy = &t, string(m.ScheduledStatus), m.ScheduledBy
	}
	return r
}

func (r metaRecord) meta() pause.Meta {
	return pause.Meta{
		ID: r.ID, Slug: r.Slug, Status: pause.Status(r.Status), PublishedAt: r.PublishedAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
		CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, PublishedBy: r.PublishedBy,
		ScheduledAt: r.ScheduledAt, ScheduledStatus: pause.Status(r.ScheduledStatus), ScheduledBy: r.ScheduledBy,
	}
}

type imageRecord struct {
	URL        string `json:"url"`
	Alt        string `json:"alt,omitempty"`
	Decorative bool   `json:"decorative,omitempty"`
	MediaID    string `json:"mediaId,omitempty"`
	Width      int    `json:"width,omitempty"`
	Height     int    `json:"height,omitempty"`
}

// toolCategoryRecord is the part of a toolRecord that Categories reads.
type toolCategoryRecord struct {
	Status          string     `json:"status"`
	ScheduledAt     *time.Time `json:"scheduledAt,omitempty"`
	ScheduledStatus string     `json:"scheduledStatus,omitempty"`
	Category        string     `json:"category"`
}

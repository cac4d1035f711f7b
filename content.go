package pause

import (
	"strings"
	"time"
)

// Status is where a content item is in its life. Its values are the GraphQL enum's.
type Status string

// Statuses.
const (
	StatusDraft     Status = "DRAFT"
	StatusPublished Status = "PUBLISHED"
	StatusArchived  Status = "ARCHIVED"
)

// IsValid reports whether s is one of the statuses.
func (s Status) IsValid() bool {
	return s == StatusDraft || s == StatusPublished || s == StatusArchived
}

// Values returns every status, for the description of the content types.
func (Status) Values() []string {
	return []string{string(StatusDraft), string(StatusPublished), string(StatusArchived)}
}

// Meta is what every content item has: identity, life cycle and the optimistic version.
type Meta struct {
	ID          string
	Slug        string
	Status      Status
	PublishedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// CreatedBy, UpdatedBy and PublishedBy are the subjects of the viewers who created the
	// item, last changed it, and last published it.
	CreatedBy   string
	UpdatedBy   string
	PublishedBy string
	// ScheduledAt, ScheduledStatus and ScheduledBy are a pending change of status: from
	// ScheduledAt on, the item is ScheduledStatus (PUBLISHED or DRAFT), as the viewer
	// ScheduledBy asked. No job runs at that time: every read compares it with the clock (see
	// StatusAt), and the next write of the item makes the change part of the stored item.
	ScheduledAt     *time.Time
	ScheduledStatus Status
	ScheduledBy     string
	// Change is the revision that a write of the item keeps (see Revision): CMS sets it for
	// the store's write and clears it after. Stores keep it as a revision, not in the item.
	Change *Revision
	// Version starts at 1 and grows by one with every write. Writes name the version they
	// expect, so that concurrent editors never silently overwrite each other.
	Version int
}

// Metadata returns the item's Meta, so that code generic over content types can reach it.
func (m *Meta) Metadata() *Meta { return m }

// Item is the constraint that every content type satisfies, for code generic over them: the
// engine (Collection), the stores and the conformance suite. T is the type itself (*Article),
// so that a type that lacks one of the methods does not compile where it is registered
// (NewCMS).
//
// A content type is declared once, in its own file (article.go): its struct, these methods,
// its filter (Filter), its editors' input (Input), and its ContentType, the description of
// its fields that validation and the API's contentTypes both read.
type Item[T any] interface {
	comparable
	Metadata() *Meta
	// Validate reports the first problem with the item, as an EINVALID error naming the field.
	Validate() error
	// Type returns the content type's description. It does not look at the receiver, which
	// may be nil.
	Type() *ContentType
	// WorkingDraft returns the item's working draft (see DraftOf), or the nil T.
	WorkingDraft() T
	// SetWorkingDraft gives the item the draft, or none if it is nil.
	SetWorkingDraft(draft T)
	// Clone returns a deep copy of the item, its draft included, that shares nothing that can
	// be changed in place with it.
	Clone() T
	// label returns the item's title (a tool's name), which new slugs are made from and the
	// title orders sort by.
	label() string
	// sortKey returns the item's key in an order of its own type (a benefit's
	// OrderPosition), or "" for others; see SortKey.
	sortKey(o Order) string
	// prepare normalizes an editor's values (trims, lower-cases tags), validates the item and
	// derives what is derived (rendered Markdown, reading time).
	prepare(r Renderer) error
}

// DraftOf returns the item's working draft, or nil if it has none.
//
// A published item that an editor changes keeps its published fields, which are all the public
// ever sees, and carries the changed copy as its Draft: the whole item as it will be once
// published, whose Meta repeats the item's but for its Slug and who changed it when. Publishing
// makes the draft the item; discarding drops it. Stores keep the draft as part of the item, and
// index, count and claim slugs by the published fields only, so a draft changes no list, count,
// category or slug that the public can see; its slug is claimed when it is published. Only
// published items have drafts. A draft has no draft of its own.
func DraftOf[T Item[T]](item T) T { return item.WorkingDraft() }

// SetDraft gives the item the draft, or none if draft is nil.
func SetDraft[T Item[T]](item, draft T) { item.SetWorkingDraft(draft) }

// Clone returns a deep copy of the item, its draft included; see Item.Clone.
func Clone[T Item[T]](item T) T { return item.Clone() }

func (m Meta) clone() Meta {
	if m.PublishedAt != nil {
		t := *m.PublishedAt
		m.PublishedAt = &t
	}
	if m.ScheduledAt != nil {
		t := *m.ScheduledAt
		m.ScheduledAt = &t
	}
	return m
}

// StatusAt returns the item's status at t: its ScheduledStatus from ScheduledAt on, its Status
// before.
func (m *Meta) StatusAt(t time.Time) Status {
	if m.ScheduledAt != nil && !t.Before(*m.ScheduledAt) {
		return m.ScheduledStatus
	}
	return m.Status
}

// PendingAt reports whether the item has a scheduled change that has not happened at t.
func (m *Meta) PendingAt(t time.Time) bool {
	return m.ScheduledAt != nil && t.Before(*m.ScheduledAt)
}

// settle makes a scheduled change whose time has come at t part of the item, as if it had been
// made at its time: the status, and for a publication who published it and, the first time,
// when.
func (m *Meta) settle(t time.Time) {
	if m.ScheduledAt == nil || t.Before(*m.ScheduledAt) {
		return
	}
	at := *m.ScheduledAt
	m.Status = m.ScheduledStatus
	if m.Status == StatusPublished {
		m.PublishedBy = m.ScheduledBy
		if m.PublishedAt == nil {
			m.PublishedAt = &at
		}
	}
	m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
}

// Author is who wrote an article.
type Author struct {
	Name      string
	AvatarURL string
}

// Image is a picture with its alternative text (required unless the image is Decorative). An
// image of the media library names it (MediaID) and has its size in pixels; an external URL
// has none.
type Image struct {
	URL        string
	Alt        string
	Decorative bool
	MediaID    string
	Width      int
	Height     int
}

// PixelWidth returns the image's width in pixels, or nil if it is not known.
func (img *Image) PixelWidth() *int { return positive(img.Width) }

// PixelHeight returns the image's height in pixels, or nil if it is not known.
func (img *Image) PixelHeight() *int { return positive(img.Height) }

// MediaRef returns the id of the media library image it shows, or nil.
func (img *Image) MediaRef() *string {
	if img.MediaID == "" {
		return nil
	}
	return &img.MediaID
}

func positive(n int) *int {
	if n <= 0 {
		return nil
	}
	return &n
}

func (img *Image) clone() *Image {
	if img == nil {
		return nil
	}
	c := *img
	return &c
}

// Limits on content. Lengths of text are counted in characters, of bodies in bytes. The
// content types' descriptions (ContentType.Fields) use them, and validation reads them there.
const (
	MaxTitle       = 200
	MaxSlug        = 100
	MaxExcerpt     = 500
	MaxBody        = 200 << 10
	MaxSummary     = 20 << 10
	MaxDescription = 50 << 10
	MaxName        = 100
	MaxTagline     = 200
	MaxURL         = 2048
	MaxAlt         = 300
	MaxTags        = 20
	MaxTag         = 50
	MaxPoints      = 20
	MaxPoint       = 300
	MaxIcon        = 100
	MaxCategory    = 50
	MaxPlatforms   = 20
	MaxRelated     = 20
	// MaxID is the length of an id in a relation.
	MaxID = 64
)

// ReadingTime is the minutes an adult needs to read the Markdown text, at 200 words a minute,
// rounded up; 0 for an empty text.
func ReadingTime(markdown string) int {
	words := len(strings.Fields(markdown))
	return (words + 199) / 200
}

// HasDraft reports whether the item has a working draft.
func HasDraft[T Item[T]](item T) bool {
	var none T
	return item.WorkingDraft() != none
}

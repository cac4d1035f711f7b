package pause

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Store is the persistence contract for one content type T, filtered by F. Stores persist and
// keep invariants (unique slugs, versions, counts); they decide nothing about who may see or
// change what: CMS does, before it calls them. Every method is safe for concurrent use.
type Store[T Item, F Filter[T]] interface {
	// Get returns the item with the id, or ENOTFOUND.
	Get(ctx context.Context, id string) (T, error)

	// GetBySlug returns the item with the slug, or ENOTFOUND.
	GetBySlug(ctx context.Context, slug string) (T, error)

	// GetMany returns the items with the ids, in the order of ids; ids that name no item are
	// left out, and repeated ids give the item once. It costs one read however many ids.
	GetMany(ctx context.Context, ids []string) ([]T, error)

	// List returns up to q.First items that match q.Filter, in q.Order, starting after the
	// cursor q.After. Every item carries its cursor; HasNextPage tells whether more match. A
	// cursor that this store did not return for the same order gets EINVALID (field "after").
	// Items in a list may be summaries: fields that only the item's own page shows (an
	// article's Body and BodyHTML) may be empty.
	List(ctx context.Context, q Query[F]) (*Page[T], error)

	// Count returns how many items match the filter.
	Count(ctx context.Context, f F) (int, error)

	// Create stores a new item as given (CMS gives new items Version 1). It returns ECONFLICT (field "slug") if another
	// item of the type has the slug, and ECONFLICT if the id exists.
	Create(ctx context.Context, item T) error

	// Update replaces the stored items, all or none. Each item's Version must be one more than
	// the stored one, or nothing changes and it returns ECONFLICT; it returns ENOTFOUND if an
	// item does not exist, and ECONFLICT (field "slug") if a new slug is taken.
	Update(ctx context.Context, items ...T) error

	// Delete removes the item if its stored version is version, and its revisions. It returns
	// ENOTFOUND if there is no such item and ECONFLICT if the version differs; the slug becomes
	// free again. If change is not nil, the same atomic write records it in the audit log.
	Delete(ctx context.Context, id string, version int, change *Revision) error

	// Revisions returns up to first revisions of the item with the id, newest first, starting
	// below the number before (0: from the newest), and whether older ones follow; none for an
	// id that names no item. Create and Update keep item.Metadata().Change, if set, as a
	// revision in the same atomic write, and delete the revision numbered Change.Prune, if
	// any, in it too, and records the change in the audit log (see AuditEntry). A revision's
	// Item is a T with its draft; its HTML fields may be empty.
	Revisions(ctx context.Context, id string, first, before int) ([]*Revision, bool, error)
}

// ArticleStore keeps articles.
type ArticleStore = Store[*Article, ArticleFilter]

// BenefitStore keeps benefits.
type BenefitStore = Store[*Benefit, BenefitFilter]

// ToolStore keeps tools, and counts them by category.
type ToolStore interface {
	Store[*Tool, ToolFilter]

	// Categories returns the categories of the tools published at the time at (see
	// Meta.StatusAt) with how many such tools each has, ordered by name as byte strings;
	// categories with no published tool are left out.
	Categories(ctx context.Context, at time.Time) ([]CategoryCount, error)
}

// Stores are the stores of every content type, opened together on one backend.
type Stores struct {
	Articles ArticleStore
	Benefits BenefitStore
	Tools    ToolStore
	Keys     KeyStore
	Audit    AuditStore
	Users    UserStore
	Sessions SessionStore
	Failures FailureStore
}

// CategoryCount is a tool category and how many published tools it has.
type CategoryCount struct {
	Name  string
	Count int
}

// Filter selects items of type T. Match is the filter's meaning: stores that filter in memory
// call it, and stores that filter by key must agree with it.
type Filter[T Item] interface {
	Match(item T) bool
	// StatusIs returns the status the filter requires, or nil for any status.
	StatusIs() *Status
	// PendingIs returns whether the filter requires a pending scheduled change (true), none
	// (false), or either (nil).
	PendingIs() *bool
	// AsOf is the time at which the filter compares statuses: an item's status is its
	// StatusAt(AsOf()). CMS sets it to its clock; stores must use it, not their own clock.
	AsOf() time.Time
}

// ArticleFilter selects articles. Zero fields select everything.
type ArticleFilter struct {
	// Status matches the status at At (see Meta.StatusAt).
	Status *Status
	// Scheduled matches articles with (true) or without (false) a scheduled change pending at
	// At.
	Scheduled *bool
	// At is when statuses are compared; see Filter.AsOf.
	At time.Time
	// Tag matches articles that have the tag (tags are stored lower-case).
	Tag string
	// Author matches the author's name exactly.
	Author string
}

// Match reports whether the article passes the filter.
func (f ArticleFilter) Match(a *Article) bool {
	return metaMatch(f.Status, f.Scheduled, f.At, &a.Meta) && (f.Tag == "" || contains(a.Tags, f.Tag)) &&
		(f.Author == "" || a.Author.Name == f.Author)
}

// StatusIs returns the status the filter requires.
func (f ArticleFilter) StatusIs() *Status { return f.Status }

// PendingIs returns whether the filter requires a pending scheduled change.
func (f ArticleFilter) PendingIs() *bool { return f.Scheduled }

// AsOf returns when the filter compares statuses.
func (f ArticleFilter) AsOf() time.Time { return f.At }

// BenefitFilter selects benefits; its fields are ArticleFilter's.
type BenefitFilter struct {
	Status    *Status
	Scheduled *bool
	At        time.Time
}

// Match reports whether the benefit passes the filter.
func (f BenefitFilter) Match(b *Benefit) bool { return metaMatch(f.Status, f.Scheduled, f.At, &b.Meta) }

// StatusIs returns the status the filter requires.
func (f BenefitFilter) StatusIs() *Status { return f.Status }

// PendingIs returns whether the filter requires a pending scheduled change.
func (f BenefitFilter) PendingIs() *bool { return f.Scheduled }

// AsOf returns when the filter compares statuses.
func (f BenefitFilter) AsOf() time.Time { return f.At }

// ToolFilter selects tools. Zero fields select everything; Status, Scheduled and At are
// ArticleFilter's.
type ToolFilter struct {
	Status    *Status
	Scheduled *bool
	At        time.Time
	// Category matches the category exactly.
	Category string
	Pricing  *Pricing
	// Tag matches tools that have the tag (tags are stored lower-case).
	Tag      string
	Featured *bool
}

// Match reports whether the tool passes the filter.
func (f ToolFilter) Match(t *Tool) bool {
	return metaMatch(f.Status, f.Scheduled, f.At, &t.Meta) && (f.Category == "" || t.Category == f.Category) &&
		(f.Pricing == nil || t.Pricing == *f.Pricing) && (f.Tag == "" || contains(t.Tags, f.Tag)) &&
		(f.Featured == nil || t.Featured == *f.Featured)
}

// StatusIs returns the status the filter requires.
func (f ToolFilter) StatusIs() *Status { return f.Status }

// PendingIs returns whether the filter requires a pending scheduled change.
func (f ToolFilter) PendingIs() *bool { return f.Scheduled }

// AsOf returns when the filter compares statuses.
func (f ToolFilter) AsOf() time.Time { return f.At }

// metaMatch matches the status at t and whether a scheduled change is pending at t.
func metaMatch(status *Status, pending *bool, t time.Time, m *Meta) bool {
	return (status == nil || *status == m.StatusAt(t)) && (pending == nil || *pending == m.PendingAt(t))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Order is the order of a list. Its values are the GraphQL enums'.
type Order string

// Orders. Each has a fixed direction; ties are broken by id in the same direction.
const (
	OrderPublishedAt Order = "PUBLISHED_AT" // newest first; never-published items last
	OrderUpdatedAt   Order = "UPDATED_AT"   // newest first
	OrderTitle       Order = "TITLE"        // A to Z, ignoring case
	OrderName        Order = "NAME"         // A to Z, ignoring case
	OrderPosition    Order = "POSITION"     // lowest first
)

// The orders each content type can be listed in; the first is its default.
var (
	ArticleOrders = []Order{OrderPublishedAt, OrderUpdatedAt, OrderTitle}
	BenefitOrders = []Order{OrderPosition}
	ToolOrders    = []Order{OrderName, OrderUpdatedAt}
)

// Descending reports whether the order lists greater sort keys first.
func (o Order) Descending() bool { return o == OrderPublishedAt || o == OrderUpdatedAt }

// Query asks a store for one page of a list.
type Query[F any] struct {
	Filter F
	Order  Order
	// First is how many items to return, 0 to MaxFirst.
	First int
	// After is the cursor of the last item of the previous page, or "" for the first page.
	After string
}

// Page sizes.
const (
	DefaultFirst = 20
	MaxFirst     = 100
)

// Page is one page of a list. Cursors[i] is the cursor of Items[i].
type Page[T any] struct {
	Items       []T
	Cursors     []string
	HasNextPage bool
}

// EndCursor returns the cursor of the last item, or "" for an empty page.
func (p *Page[T]) EndCursor() string {
	if len(p.Cursors) == 0 {
		return ""
	}
	return p.Cursors[len(p.Cursors)-1]
}

// SortKey returns the key that places the item in the order: items sort by it, as byte strings,
// ascending, or descending when o.Descending(). Keys are unique (they end with the id). Every
// store orders by these keys, so that all stores list in exactly the same order.
func SortKey[T Item](item T, o Order) string {
	m := item.Metadata()
	var k string
	switch o {
	case OrderPublishedAt:
		// An item scheduled to be published for the first time sorts at that time already,
		// so that its place does not change when the time comes.
		if m.PublishedAt != nil {
			k = timeKey(*m.PublishedAt)
		} else if m.ScheduledAt != nil && m.ScheduledStatus == StatusPublished {
			k = timeKey(*m.ScheduledAt)
		} else {
			k = "0"
		}
	case OrderUpdatedAt:
		k = timeKey(m.UpdatedAt)
	case OrderTitle, OrderName:
		switch v := any(item).(type) {
		case *Article:
			k = strings.ToLower(v.Title)
		case *Tool:
			k = strings.ToLower(v.Name)
		case *Benefit:
			k = strings.ToLower(v.Title)
		}
	case OrderPosition:
		if b, ok := any(item).(*Benefit); ok {
			k = fmt.Sprintf("%010d", b.Position)
		}
	}
	return k + "\x00" + m.ID
}

func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// cursor is what an opaque cursor holds.
type cursor struct {
	Order Order  `json:"o"`
	Key   string `json:"k"`
}

// EncodeCursor returns the opaque cursor of the position key in the order.
func EncodeCursor(o Order, key string) string {
	b, _ := json.Marshal(cursor{Order: o, Key: key})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor returns the position key that EncodeCursor put in the cursor s for the order o,
// or EINVALID (field "after") if s is not such a cursor.
func DecodeCursor(s string, o Order) (string, error) {
	bad := FieldErrorf("after", "after is not a cursor of this list")
	if len(s) > 2048 {
		return "", bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Order != o || c.Key == "" {
		return "", bad
	}
	return c.Key, nil
}

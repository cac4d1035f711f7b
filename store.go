package pause

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Store is the persistence contract for one content type T, filtered by F. Stores persist and
// keep invariants (unique slugs, versions, counts); they decide nothing about who may see or
// change what: CMS does, before it calls them. Every method is safe for concurrent use. Reads
// are strongly consistent unless their context says they may be eventually consistent (see
// EventuallyConsistent).
type Store[T Item[T], F Filter[T]] interface {
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

// CategoryCount is a tool category and how many published tools it has.
type CategoryCount struct {
	Name  string
	Count int
}

// Filter selects items of type T. Match is the filter's meaning: stores that filter in memory
// call it, and stores that filter by key must agree with it. Filters embed Scope, which has the
// methods but Match.
type Filter[T any] interface {
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

// ScopedFilter is a Filter that the CMS can scope to what a viewer may see: Scoped returns the
// filter with the scope (and its values normalized as the stores keep them).
type ScopedFilter[T, F any] interface {
	Filter[T]
	ScopeOf() Scope
	Scoped(Scope) F
}

// Scope is what every content type's filter has: the status, whether a scheduled change is
// pending, and the time at which both are compared. Filters embed it.
type Scope struct {
	// Status matches the status at At (see Meta.StatusAt).
	Status *Status `help:"Editors only; the public sees PUBLISHED content only."`
	// Scheduled matches items with (true) or without (false) a scheduled change pending at At.
	Scheduled *bool `help:"Viewers only: true for the items with a scheduled change still to come, false for the others."`
	// At is when statuses are compared; see Filter.AsOf.
	At time.Time
}

// StatusIs returns the status the filter requires.
func (s Scope) StatusIs() *Status { return s.Status }

// PendingIs returns whether the filter requires a pending scheduled change.
func (s Scope) PendingIs() *bool { return s.Scheduled }

// AsOf returns when the filter compares statuses.
func (s Scope) AsOf() time.Time { return s.At }

// ScopeOf returns the scope.
func (s Scope) ScopeOf() Scope { return s }

// match matches the status at At and whether a scheduled change is pending at At.
func (s Scope) match(m *Meta) bool {
	return (s.Status == nil || *s.Status == m.StatusAt(s.At)) && (s.Scheduled == nil || *s.Scheduled == m.PendingAt(s.At))
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
	// Backward lists in the opposite direction of Order: the items before the cursor After
	// (from the end of the list if it is ""), nearest first, with HasNextPage telling whether
	// more precede them. CMS turns such a page around (see Collection.List).
	Backward bool
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
	// HasPreviousPage tells whether items precede the page, for a page listed backward; it is
	// false otherwise (Relay allows it when that is not known cheaply).
	HasPreviousPage bool
}

// StartCursor returns the cursor of the first item, or "" for an empty page.
func (p *Page[T]) StartCursor() string {
	if len(p.Cursors) == 0 {
		return ""
	}
	return p.Cursors[0]
}

// Descending reports whether the query lists greater sort keys first: its order's direction,
// turned around when it lists backward.
func (q Query[F]) Descending() bool { return q.Order.Descending() != q.Backward }

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
func SortKey[T Item[T]](item T, o Order) string {
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
		k = strings.ToLower(item.label())
	default:
		k = item.sortKey(o)
	}
	return k + "\x00" + m.ID
}

func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// cursor is what an opaque cursor holds.
type cursor struct {
	Order Order  `json:"o"`
	Key   string `json:"k"`
}

// EncodeCursor returns the opaque cursor of the position key in the order. Every listed item
// gets one, so it writes the JSON itself (cursor_json.go), byte for byte what json.Marshal of
// a cursor writes.
func EncodeCursor(o Order, key string) string {
	return base64.RawURLEncoding.EncodeToString(appendCursorJSON(make([]byte, 0, 16+len(o)+len(key)+len(key)/8), o, key))
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

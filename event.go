package pause

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Event is one entry of the change feed: what a committed write did to one content item. The
// stores write it in the same atomic write as the change (see EventStore), so that the feed
// holds exactly the writes that committed, each once, in the order they committed.
//
// Webhooks deliver events, the public cache of every process trusts its kept answers while the
// generation stays the same, and scheduled changes that come due become events too (see
// CMS.SettleDue).
type Event struct {
	// ID identifies the event, the same on every delivery of it: evt_ and the generation.
	ID string
	// Type is the item type and what happened to it: article.created, article.updated,
	// article.published, article.unpublished, article.archived, article.scheduled,
	// article.deleted, benefit.reordered (see EventTypes).
	Type string
	// ItemType is the content type's name: article, benefit or tool.
	ItemType string
	ItemID   string
	// Slug is the item's slug as the public sees it after the write (its published slug).
	Slug string
	// Version is the version the write made (for a deletion, the version deleted).
	Version int
	// Actor is the subject of the viewer who made the change; for a scheduled change that
	// came due, who scheduled it.
	Actor string
	// At is when the write was made.
	At time.Time
	// Generation is the content generation that the write advanced to: 1 for the first event
	// of a store, one more for each event after it. It orders the feed.
	Generation uint64
}

// EventID returns the id of the event of the generation.
func EventID(generation uint64) string { return "evt_" + strconv.FormatUint(generation, 10) }

// Event kinds: the part of an event's type after the item type.
const (
	EventCreated     = "created"
	EventUpdated     = "updated"
	EventPublished   = "published"
	EventUnpublished = "unpublished"
	EventArchived    = "archived"
	EventScheduled   = "scheduled"
	EventDeleted     = "deleted"
	EventReordered   = "reordered"
)

// EventTypes returns every event type of the content types, for webhook subscriptions.
func EventTypes(c *CMS) []string {
	var out []string
	for _, col := range c.Collections() {
		name := col.Type().Name
		for _, k := range []string{EventCreated, EventUpdated, EventPublished, EventUnpublished,
			EventArchived, EventScheduled, EventDeleted} {
			out = append(out, name+"."+k)
		}
		if name == "benefit" {
			out = append(out, name+"."+EventReordered)
		}
	}
	return out
}

// NewEvent returns the event of a write of the item of the type, made with the change c
// (Meta.Change, or the deletion's revision; nil for a write that CMS did not make, which is
// recorded as an update at the item's UpdatedAt by its UpdatedBy). The store sets ID and
// Generation when it writes it.
//
// The type says what the public may see differently: a write that changes the status (a
// publication, or a scheduled change that the write settles) is published, unpublished or
// archived whatever else it changes, so that a scheduled publication becomes exactly one
// article.published, whether the timer or an editor's write settles it.
func NewEvent(itemType string, m *Meta, c *Revision) *Event {
	e := &Event{ItemType: itemType, ItemID: m.ID, Slug: m.Slug, Version: m.Version}
	if c == nil {
		e.Type, e.Actor, e.At = itemType+"."+EventUpdated, m.UpdatedBy, m.UpdatedAt.UTC()
		return e
	}
	e.Actor, e.At = c.By, c.At.UTC()
	kind := EventUpdated
	switch {
	case c.Action == "delete":
		kind, e.Version = EventDeleted, c.Number
	case c.Action == "create" || c.Action == "import" && c.Number == 1 && m.Status != StatusPublished:
		kind = EventCreated
	case c.Action == "import" && c.Number == 1:
		kind = EventPublished
	case slices.Contains(c.Fields, "status"):
		kind = map[Status]string{StatusPublished: EventPublished, StatusDraft: EventUnpublished,
			StatusArchived: EventArchived}[m.Status]
	case c.Action == "publish":
		// Publishing a published item's draft: the public content changes.
		kind = EventPublished
	case c.Action == "schedule":
		kind = EventScheduled
	case c.Action == "reorder":
		kind = EventReordered
	}
	e.Type = itemType + "." + kind
	return e
}

// EventStore reads the change feed that the content stores write. Every committed write of a
// content store (Create, Update, Delete) writes one event per item it writes, in the same
// atomic write, each one generation after the last: nothing is written without its event, and
// no event exists for a write that did not commit. The events of a write of several items
// (a reorder) take consecutive generations.
type EventStore interface {
	// Generation returns the generation of the last committed event, 0 if there is none. It
	// reads the latest committed value (strongly consistent, one small read), so that a
	// reader that finds it unchanged knows that no write committed meanwhile.
	Generation(ctx context.Context) (uint64, error)

	// Events returns up to limit events after the generation after, in order of generation.
	// Events older than the store keeps (see PruneEvents) are gone.
	Events(ctx context.Context, after uint64, limit int) ([]*Event, error)

	// PruneEvents deletes the events written before the time; the generation stays.
	PruneEvents(ctx context.Context, before time.Time) error
}

// EventRetention is how long the stores keep events: longer than any delivery is retried.
const EventRetention = 7 * 24 * time.Hour

// Generation returns the content generation (see EventStore.Generation).
func (c *CMS) Generation(ctx context.Context) (uint64, error) {
	if c.cfg.Stores.Events == nil {
		return 0, fmt.Errorf("the stores keep no change feed")
	}
	return c.cfg.Stores.Events.Generation(ctx)
}

// NewDeleteEvent returns the event of the deletion of the stored item of the type, made with
// the change c (nil for a deletion that CMS did not make: then its time and actor are the
// item's last change's).
func NewDeleteEvent(itemType string, stored *Meta, c *Revision) *Event {
	if c == nil {
		c = &Revision{Number: stored.Version, At: stored.UpdatedAt, By: stored.UpdatedBy}
	}
	d := *c
	d.Action = "delete"
	return NewEvent(itemType, stored, &d)
}

// Stores returns the stores the CMS was made with, for the services that share them (the
// webhooks, the periodic work).
func (c *CMS) Stores() Stores { return c.cfg.Stores }

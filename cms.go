package pause

import (
	"context"
	"fmt"
	"time"
)

// Stores are the stores that a backend opens together: one per registered content type (a field
// named as the type's collection in CMS, beside it in this file) and the others.
type Stores struct {
	Articles ArticleStore
	Benefits BenefitStore
	Tools    ToolStore
	Keys     KeyStore
	Audit    AuditStore
	// Idempotency keeps the answers to requests sent with an Idempotency-Key.
	Idempotency IdempotencyStore
	Users       UserStore
	Sessions    SessionStore
	Failures    FailureStore
	// Events is the change feed that the content stores write (see EventStore).
	Events EventStore
	// Webhooks keeps the webhook endpoints and their deliveries (see Webhooks).
	Webhooks WebhookStore
	// Media keeps the media library's items.
	Media MediaStore
	// InProcess says that the stores answer from this process (an embedded database) without
	// waiting on a network: reads that do not depend on each other gain nothing from running at
	// the same time, and handing one to another goroutine costs more CPU than the read. The
	// GraphQL layer then reads root fields, and a count beside its list, one after the other.
	InProcess bool
}

// Renderer turns Markdown into sanitized HTML.
type Renderer interface {
	Render(markdown string) (html string, err error)
}

// Config is what a CMS needs.
type Config struct {
	Stores   Stores
	Markdown Renderer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// NewID returns a new unique, sortable, URL-safe id (a ULID).
	NewID func() string
	// DeriveID returns the id (a ULID) of the time and seed, the same for the same arguments
	// (ids.Derive): requests with an Idempotency-Key make their new items' ids with it, so that
	// a request sent again makes the same items. NewID is used when it is nil.
	DeriveID func(t time.Time, seed []byte) string
	// Changes, when set, counts the writes to Stores (NewCMS has it watch them), for
	// PublicVersion. Set it only when this process alone writes the stores.
	Changes *Changes
	// KeepRevisions is how many revisions of each item are kept; DefaultKeepRevisions if 0.
	KeepRevisions int
	// PublicURL is where browsers reach the server (such as https://cms.example.com), for
	// the setup links of users.
	PublicURL string
	// Blobs keeps the media library's files; MediaMaxBytes is the largest file it takes
	// (DefaultMediaMaxBytes if 0). Without Blobs, uploads are refused.
	Blobs         Blobs
	MediaMaxBytes int64
}

// CMS is the domain service: every read and write of content goes through it. It decides who
// may see and change what, validates and completes editors' input (slugs, rendered Markdown,
// reading time, timestamps, versions), and then calls the stores. Resolvers call it and nothing
// else, so that no entry point can skip a rule.
//
// Each content type is a Collection: c.Articles.Update(ctx, id, version, input). The
// collections are the registry of content types: NewCMS makes one per type, and everything that
// must cover every type (the public cache's change watcher and schedule, import and export,
// the conformance suite, the API's contentTypes) iterates Collections.
type CMS struct {
	cfg      Config
	Articles *Collection[*Article, ArticleFilter, ArticleInput]
	Benefits *Collection[*Benefit, BenefitFilter, BenefitInput]
	Tools    *Collection[*Tool, ToolFilter, ToolInput]
	// all are the collections, in the order of registerAll: the registry.
	all []AnyCollection
	// declaring is set by Declared: the collections have no stores.
	declaring bool
}

// NewCMS returns a CMS over the configured stores.
func NewCMS(cfg Config) *CMS {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &CMS{cfg: cfg}
	c.registerAll(cfg.Stores)
	return c
}

// registerAll is the registry: one line per content type, in the order of import (a type after
// those its relations name) and of the API's contentTypes.
func (c *CMS) registerAll(s Stores) {
	c.Tools = register[*Tool, ToolFilter, ToolInput](c, s.Tools)
	c.Articles = register[*Article, ArticleFilter, ArticleInput](c, s.Articles)
	c.Benefits = register[*Benefit, BenefitFilter, BenefitInput](c, s.Benefits)
}

// Declared returns the registry's collections without stores, for the tools that write code
// from the content types' declarations (tools/contentgen), which need the types before any
// backend can store them. Only their Type, and their Go types by reflection, may be used.
func Declared() []AnyCollection {
	c := &CMS{declaring: true}
	c.registerAll(Stores{})
	return c.all
}

// InProcess says whether the stores answer without waiting on a network (Stores.InProcess).
func (c *CMS) InProcess() bool { return c.cfg.Stores.InProcess }

// register makes the collection of a content type over its store and adds it to the registry.
// A store that the backend did not fill is a programming error, reported at once.
func register[T Item[T], F ScopedFilter[T, F], I Input[T]](c *CMS, s Store[T, F]) *Collection[T, F, I] {
	var zero T
	if s == nil && !c.declaring {
		panic(fmt.Sprintf("pause: the stores have no %s store: add it to Stores, and run `go generate ./...` (tools/contentgen writes the backends' stores)", zero.Type().Name))
	}
	if c.cfg.Changes != nil {
		s = watched[T, F]{s, c.cfg.Changes}
	}
	col := &Collection[T, F, I]{cms: c, store: s, t: zero.Type()}
	c.all = append(c.all, col)
	return col
}

// Collections returns the collections of every content type: the registry.
func (c *CMS) Collections() []AnyCollection { return c.all }

// Collection returns the collection of the content type with the name, or nil.
func (c *CMS) Collection(name string) AnyCollection {
	for _, col := range c.all {
		if col.Type().Name == name {
			return col
		}
	}
	return nil
}

// ContentTypes describes every content type, in the order of the registry. Viewers and up.
func (c *CMS) ContentTypes(ctx context.Context) ([]*ContentType, error) {
	if err := ViewerFrom(ctx).Require(RoleViewer); err != nil {
		return nil, err
	}
	out := make([]*ContentType, len(c.all))
	for i, col := range c.all {
		out[i] = col.Type()
	}
	return out, nil
}

// Now returns the CMS clock's time, truncated to microseconds so that every store keeps it
// exactly.
func (c *CMS) Now() time.Time { return c.cfg.Now().UTC().Truncate(time.Microsecond) }

// ToolCategories returns the categories of published tools with their counts, by name.
func (c *CMS) ToolCategories(ctx context.Context) ([]CategoryCount, error) {
	return c.cfg.Stores.Tools.Categories(readContext(ctx), c.Now())
}

// ReorderBenefits gives the benefits with the ids the positions 0, 1, 2… in the order of ids,
// in one atomic write: if any of them changes meanwhile, it returns ECONFLICT and changes
// nothing. Benefits not named keep their positions. Editors only.
func (c *CMS) ReorderBenefits(ctx context.Context, ids []string) ([]*Benefit, error) {
	return c.ReorderBenefitsAt(ctx, ids, nil)
}

// ReorderBenefitsAt is ReorderBenefits with the versions of the benefits as the editor saw
// them, in the order of ids (none: no check): a benefit at another version (someone changed
// or reordered it since) is ECONFLICT, and nothing changes, so that two reorders cannot
// silently overwrite each other. EINVALID when versions do not match ids one for one.
func (c *CMS) ReorderBenefitsAt(ctx context.Context, ids []string, versions []int) ([]*Benefit, error) {
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > MaxFirst {
		return nil, FieldErrorf("ids", "ids must name 1 to %d benefits", MaxFirst)
	}
	if versions != nil && len(versions) != len(ids) {
		return nil, FieldErrorf("versions", "versions must give one version for each of the %d ids", len(ids))
	}
	if versions != nil {
		ctx = WithStrongConsistency(ctx)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return nil, FieldErrorf("ids", "ids names benefit %s twice", id)
		}
		seen[id] = true
	}
	b := c.Benefits
	found, err := b.store.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Benefit, len(found))
	for _, item := range found {
		byID[item.ID] = item
	}
	now := c.nowFor(ctx)
	out := make([]*Benefit, 0, len(ids))
	var changed []*Benefit
	for i, id := range ids {
		item, ok := byID[id]
		if !ok {
			return nil, Errorf(ENOTFOUND, "No benefit has id %s.", id)
		}
		if versions != nil && item.Version != versions[i] {
			return nil, Errorf(ECONFLICT, "The benefit %s changed since version %d (it is at version %d): reload the order and move it again.", id, versions[i], item.Version)
		}
		if item.Position != i {
			before := item.Clone()
			// The order is public at once, and a pending draft keeps it.
			item.Position, item.UpdatedAt, item.UpdatedBy, item.Version = i, now, ViewerFrom(ctx).Subject, item.Version+1
			if item.Draft != nil {
				item.Draft.Position = i
			}
			syncDraft(item)
			b.revise(ctx, before, item, "reorder")
			item.Change.Before = before
			changed = append(changed, item)
		}
		out = append(out, item)
	}
	if len(changed) > 0 {
		err := b.store.Update(ctx, changed...)
		for _, item := range changed {
			item.Change = nil
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func render(r Renderer, field, markdown string) (string, error) {
	html, err := r.Render(markdown)
	if err != nil {
		return "", fmt.Errorf("render %s: %w", field, err)
	}
	return html, nil
}

// Node returns the item with the id, whatever its type, or nil if there is none the viewer may
// see (ids are unique across types).
func (c *CMS) Node(ctx context.Context, id string) (Content, error) {
	found, err := c.Nodes(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return found[0], nil
}

// Nodes returns the items with the ids, whatever their types, in the order of ids, with nil
// where there is none the viewer may see: one store read per content type.
func (c *CMS) Nodes(ctx context.Context, ids []string) ([]Content, error) {
	if len(ids) > MaxFirst {
		return nil, FieldErrorf("ids", "ids must name at most %d items", MaxFirst)
	}
	out := make([]Content, len(ids))
	byID := make(map[string]Content, len(ids))
	for _, col := range c.all {
		found, err := col.Find(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, item := range found {
			byID[item.Metadata().ID] = item
		}
	}
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

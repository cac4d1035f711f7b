package pause

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Input is an editor's change to an item of type T: on create, the item's values; on update,
// a patch (see ArticleInput).
type Input[T any] interface {
	Apply(item T)
}

// Collection is one content type's part of the CMS: every read and write of items of type T,
// with F its filter and I its editors' input. The rules are the same for every type and live
// here once: who may see and change what, versions, working drafts, schedules, revisions.
type Collection[T Item[T], F ScopedFilter[T, F], I Input[T]] struct {
	cms   *CMS
	store Store[T, F]
	t     *ContentType
}

// InProcess says whether the CMS's stores answer without waiting on a network (Stores.InProcess).
func (c *Collection[T, F, I]) InProcess() bool { return c.cms.InProcess() }

// AnyCollection is a Collection whatever its content type, for code that iterates the
// registry (CMS.Collections).
type AnyCollection interface {
	// Type describes the collection's content type.
	Type() *ContentType
	// NextScheduled returns the time of the first scheduled change of the type's items after
	// now, or the zero time if none is pending.
	NextScheduled(ctx context.Context, now time.Time) (time.Time, error)
	// SettleDue makes the type's due scheduled changes part of their items (settle.go).
	SettleDue(ctx context.Context) (int, error)
	// Missing returns the ids that name no item of the type (visible or not), for relations.
	Missing(ctx context.Context, ids []string) ([]string, error)
	// Find returns the items with the ids that the viewer may see, in one store read.
	Find(ctx context.Context, ids []string) ([]Content, error)
	// Total counts the items of the type that the viewer may see, whatever their status for
	// those who may read drafts.
	Total(ctx context.Context) (int, error)
	// NewItem, GetContentBySlug, ImportContent and AllContent read and write items as Content
	// (collection_files.go), for content import and export.
	NewItem() Content
	GetContentBySlug(ctx context.Context, slug string) (Content, error)
	ImportContent(ctx context.Context, item Content) (bool, error)
	AllContent(ctx context.Context) ([]Content, error)
	// usingMedia names the items that show the media item (mediarefs.go).
	usingMedia(ctx context.Context, m *Media) ([]string, error)
}

// Type describes the collection's content type.
func (k *Collection[T, F, I]) Type() *ContentType { return k.t }

func (k *Collection[T, F, I]) notFound(how, key string) error {
	return Errorf(ENOTFOUND, "No %s has %s %s.", k.t.Name, how, key)
}

// visible settles the item's scheduled change if its time has come (see Meta.StatusAt), takes
// its draft away if the viewer in ctx may not see drafts, and reports whether the viewer may see
// the item.
func (k *Collection[T, F, I]) visible(ctx context.Context, item T) bool {
	var none T
	now := k.cms.Now()
	item.Metadata().settle(now)
	if d := item.WorkingDraft(); d != none {
		d.Metadata().settle(now)
	}
	if ViewerFrom(ctx).CanReadDrafts() {
		return true
	}
	item.SetWorkingDraft(none)
	return item.Metadata().Status == StatusPublished
}

// Get returns the item with the id, or ENOTFOUND if there is none or the viewer may not see it
// (drafts are visible to viewers, editors and admins only).
func (k *Collection[T, F, I]) Get(ctx context.Context, id string) (T, error) {
	ctx = readContext(ctx)
	var zero T
	item, err := k.store.Get(ctx, id)
	if err != nil {
		return zero, err
	} else if !k.visible(ctx, item) {
		return zero, k.notFound("id", id)
	}
	return item, nil
}

// GetBySlug is Get by slug.
func (k *Collection[T, F, I]) GetBySlug(ctx context.Context, slug string) (T, error) {
	ctx = readContext(ctx)
	var zero T
	item, err := k.store.GetBySlug(ctx, slug)
	if err != nil {
		return zero, err
	} else if !k.visible(ctx, item) {
		return zero, k.notFound("slug", slug)
	}
	return item, nil
}

// GetMany returns the items with the ids that the viewer may see, in the order of ids, in one
// store read. It is how relations (an article's related tools) are loaded.
func (k *Collection[T, F, I]) GetMany(ctx context.Context, ids []string) ([]T, error) {
	ctx = readContext(ctx)
	items, err := k.store.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := items[:0]
	for _, item := range items {
		if k.visible(ctx, item) {
			out = append(out, item)
		}
	}
	return out, nil
}

// Find returns the items with the ids that the viewer may see, as Content.
func (k *Collection[T, F, I]) Find(ctx context.Context, ids []string) ([]Content, error) {
	items, err := k.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Content, len(items))
	for i, item := range items {
		out[i] = item
	}
	return out, nil
}

// Missing returns the ids that name no item, visible or not.
func (k *Collection[T, F, I]) Missing(ctx context.Context, ids []string) ([]string, error) {
	found, err := k.store.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(found))
	for _, item := range found {
		have[item.Metadata().ID] = true
	}
	var out []string
	for _, id := range ids {
		if !have[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// scoped returns the filter restricted to what the viewer may see.
func (k *Collection[T, F, I]) scoped(ctx context.Context, f F) (F, error) {
	s := f.ScopeOf()
	s.At = k.cms.Now()
	if ViewerFrom(ctx).CanReadDrafts() {
		return f.Scoped(s), nil
	}
	if s.Status != nil && *s.Status != StatusPublished {
		return f, Errorf(EFORBIDDEN, "Only signed-in editors may list %ss that are not published.", k.t.Name)
	}
	if s.Scheduled != nil {
		return f, Errorf(EFORBIDDEN, "Only signed-in editors may list scheduled %ss.", k.t.Name)
	}
	published := StatusPublished
	s.Status = &published
	return f.Scoped(s), nil
}

// List returns a page of the items the viewer may see. Anonymous viewers see published items
// only, and get EFORBIDDEN if they ask for another status. A backward query (q.Backward) gets
// the q.First items before the cursor q.After, in the order's direction, and whether more
// precede them (HasPreviousPage).
func (k *Collection[T, F, I]) List(ctx context.Context, q Query[F]) (*Page[T], error) {
	ctx = readContext(ctx)
	if q.First < 0 || q.First > MaxFirst {
		return nil, FieldErrorf("first", "first must be between 0 and %d", MaxFirst)
	}
	if q.Order == "" {
		q.Order = k.t.Orders[0]
	}
	if !slices.Contains(k.t.Orders, q.Order) {
		return nil, FieldErrorf("orderBy", "%ss cannot be ordered by %s", k.t.Name, q.Order)
	}
	var err error
	if q.Filter, err = k.scoped(ctx, q.Filter); err != nil {
		return nil, err
	}
	page, err := k.store.List(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, item := range page.Items {
		k.visible(ctx, item)
	}
	if q.Backward {
		// The store listed the items before the cursor nearest first: put them in the
		// order's direction. Whether items follow them is not known cheaply: false, as Relay
		// allows.
		slices.Reverse(page.Items)
		slices.Reverse(page.Cursors)
		page.HasPreviousPage, page.HasNextPage = page.HasNextPage, false
	}
	return page, nil
}

// Count counts the items that match the filter and that the viewer may see.
func (k *Collection[T, F, I]) Count(ctx context.Context, f F) (int, error) {
	ctx = readContext(ctx)
	f, err := k.scoped(ctx, f)
	if err != nil {
		return 0, err
	}
	return k.store.Count(ctx, f)
}

// Total counts the items that the viewer may see.
func (k *Collection[T, F, I]) Total(ctx context.Context) (int, error) {
	var all F
	return k.Count(ctx, all)
}

// Draft returns the item's pending edits, or nil if it has none or the viewer may not read
// drafts.
func (k *Collection[T, F, I]) Draft(ctx context.Context, item T) T {
	var none T
	if !ViewerFrom(ctx).CanReadDrafts() {
		return none
	}
	return item.WorkingDraft()
}

// Create creates a draft item from the input. Editors only.
func (k *Collection[T, F, I]) Create(ctx context.Context, in I) (T, error) {
	var zero T
	item := newItem[T]()
	in.Apply(item)
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return zero, err
	}
	if err := k.checkRelations(ctx, zero, item); err != nil {
		return zero, err
	}
	if err := k.adoptSpelling(ctx, zero, item); err != nil {
		return zero, err
	}
	if err := k.cms.resolveImages(ctx, item); err != nil {
		return zero, err
	}
	return k.create(ctx, item)
}

// Update applies the patch to the item if its version is still version, or returns ECONFLICT
// and changes nothing. The patch of a published item goes to its draft (see DraftOf): the
// public keeps seeing the published item until it is published again. Editors only.
func (k *Collection[T, F, I]) Update(ctx context.Context, id string, version int, in I) (T, error) {
	return k.update(ctx, id, version, func(item T) error {
		before := item.Clone()
		in.Apply(item)
		if err := k.cms.resolveImages(ctx, item); err != nil {
			return err
		}
		if err := k.checkRelations(ctx, before, item); err != nil {
			return err
		}
		return k.adoptSpelling(ctx, before, item)
	})
}

// Publish makes the item public: its draft, if it has one, becomes the item. Editors only.
func (k *Collection[T, F, I]) Publish(ctx context.Context, id string, version int) (T, error) {
	return k.setStatus(ctx, id, version, StatusPublished, nil)
}

// PublishAt publishes the item now, or at the time at if it is later: until then the public
// does not see it, and then it does, without anything running at that time. Only unpublished
// items are published at a time. Editors only.
func (k *Collection[T, F, I]) PublishAt(ctx context.Context, id string, version int, at *time.Time) (T, error) {
	return k.setStatus(ctx, id, version, StatusPublished, at)
}

// Unpublish takes the item back to draft status; pending edits become its content. Editors
// only.
func (k *Collection[T, F, I]) Unpublish(ctx context.Context, id string, version int) (T, error) {
	return k.setStatus(ctx, id, version, StatusDraft, nil)
}

// UnpublishAt unpublishes the published item now, or at the time at if it is later. Editors
// only.
func (k *Collection[T, F, I]) UnpublishAt(ctx context.Context, id string, version int, at *time.Time) (T, error) {
	return k.setStatus(ctx, id, version, StatusDraft, at)
}

// Archive retires the item: it is no longer public, and it is kept. Editors only.
func (k *Collection[T, F, I]) Archive(ctx context.Context, id string, version int) (T, error) {
	return k.setStatus(ctx, id, version, StatusArchived, nil)
}

// Delete deletes the item if its version is still version. Admins only: editors archive.
// Items whose relations name it simply stop showing it.
func (k *Collection[T, F, I]) Delete(ctx context.Context, id string, version int) error {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return err
	}
	return k.store.Delete(ctx, id, version, &Revision{Number: version, At: k.cms.nowFor(ctx),
		By: ViewerFrom(ctx).Subject, Action: "delete", Fields: []string{}})
}

// checkRelations returns EINVALID if a relation of the item names an item that does not exist.
// It runs when an editor sets a relation (it differs from before), not on every save: an item
// deleted later simply stops showing.
func (k *Collection[T, F, I]) checkRelations(ctx context.Context, before, item T) error {
	for i := range k.t.Fields {
		f := &k.t.Fields[i]
		if f.Kind != KindRelation {
			continue
		}
		v, _ := FieldValue(item, f.Name)
		ids := normalizeList(v.Interface().([]string), false)
		if len(ids) == 0 {
			continue
		}
		var none T
		if before != none {
			if old, _ := FieldValue(before, f.Name); slices.Equal(normalizeList(old.Interface().([]string), false), ids) {
				continue
			}
		}
		if len(ids) > f.MaxItems {
			return FieldErrorf(f.Name, "%s has more than %d entries", f.Name, f.MaxItems)
		}
		target := k.cms.Collection(f.Target)
		if target == nil {
			panic(fmt.Sprintf("pause: %s.%s names the unregistered type %s", k.t.Name, f.Name, f.Target))
		}
		missing, err := target.Missing(ctx, ids)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return FieldErrorf(f.Name, "%s names a %s that does not exist", f.Name, f.Target)
		}
	}
	return nil
}

// newItem returns a new, empty item of type T (a pointer to a zero struct).
func newItem[T Item[T]]() T {
	return reflect.New(reflect.TypeFor[T]().Elem()).Interface().(T)
}

// vocabularied is an item with a field whose values form a vocabulary shared by the items of
// its type and compare case- and width-insensitively (a tool's category).
type vocabularied interface {
	vocabulary() *string
}

// spelling is the stored form of a vocabulary value: trimmed, NFC, of normal width.
func spelling(s string) string {
	return width.Fold.String(norm.NFC.String(strings.TrimSpace(s)))
}

// adoptSpelling gives the item's vocabulary value, when the change sets a new one, the spelling
// of the published value equal to it but for case and width, if there is one: the value that
// the list of categories already shows. The vocabulary is the tools' categories
// (ToolStore.Categories), the only one there is. The read happens only when the value changes.
func (k *Collection[T, F, I]) adoptSpelling(ctx context.Context, before, item T) error {
	v, ok := any(item).(vocabularied)
	if !ok {
		return nil
	}
	p := v.vocabulary()
	*p = spelling(*p)
	var zero T
	if *p == "" || before != zero && *any(before).(vocabularied).vocabulary() == *p {
		return nil
	}
	known, err := k.cms.cfg.Stores.Tools.Categories(WithStrongConsistency(ctx), k.cms.Now())
	if err != nil {
		return err
	}
	if slices.ContainsFunc(known, func(c CategoryCount) bool { return c.Name == *p }) {
		return nil
	}
	for _, c := range known {
		if strings.EqualFold(c.Name, *p) {
			*p = c.Name
			break
		}
	}
	return nil
}

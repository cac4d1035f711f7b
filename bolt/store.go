package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"pause"
)

// Names of the buckets inside a content type's bucket. They are built here and nowhere else.
var (
	itemsBucket     = []byte("items")
	slugsBucket     = []byte("slugs")
	revisionsBucket = []byte("revisions") // <id> NUL <number, 10 digits> → revisionRecord
)

// revisionKey is the key of an item's revision: the id, a NUL and the number in 10 digits, so
// that an item's revisions are together and in order.
func revisionKey(id string, n int) []byte { return fmt.Appendf(nil, "%s\x00%010d", id, n) }

// revisionRecord is a revision as kept in the file.
type revisionRecord[R any] struct {
	Number int       `json:"number"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	Fields []string  `json:"fields"`
	Item   R         `json:"item"`
}

const orderPrefix = "order:"

func orderBucket(o pause.Order) []byte { return []byte(orderPrefix + string(o)) }

// store is a pause.Store of items of type T, kept as records of type R in the bucket named
// bucket. The three content types share it; only their records differ.
type store[T pause.Item[T], F pause.Filter[T], R any] struct {
	codec[T, R]
	db     *bbolt.DB
	kind   string // "article", for messages
	bucket []byte
	orders []pause.Order
	cache  decoded[T] // see cache.go
	counts counted
}

// newStore returns the store of the content type T, named and ordered as the type's
// description says.
func newStore[T pause.Item[T], F pause.Filter[T], R any](db *bbolt.DB, c codec[T, R]) *store[T, F, R] {
	var zero T
	ct := zero.Type()
	return &store[T, F, R]{codec: c, db: db, kind: ct.Name, bucket: []byte(ct.Name + "s"), orders: ct.Orders}
}

// init creates the type's buckets. An order index that did not exist is built from the items,
// and the index of an order the type no longer has is dropped, so that a file written by an
// older version of the package opens with its indexes complete.
func (s *store[T, F, R]) init(tx *bbolt.Tx) error {
	root, err := tx.CreateBucketIfNotExists(s.bucket)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", s.bucket, err)
	}
	items, err := root.CreateBucketIfNotExists(itemsBucket)
	if err != nil {
		return fmt.Errorf("create bucket %s/%s: %w", s.bucket, itemsBucket, err)
	}
	if _, err := root.CreateBucketIfNotExists(slugsBucket); err != nil {
		return fmt.Errorf("create bucket %s/%s: %w", s.bucket, slugsBucket, err)
	}
	if _, err := root.CreateBucketIfNotExists(revisionsBucket); err != nil {
		return fmt.Errorf("create bucket %s/%s: %w", s.bucket, revisionsBucket, err)
	}
	var stale [][]byte
	err = root.ForEachBucket(func(name []byte) error {
		o, ok := strings.CutPrefix(string(name), orderPrefix)
		if ok && !slices.Contains(s.orders, pause.Order(o)) {
			stale = append(stale, slices.Clone(name))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range stale {
		if err := root.DeleteBucket(name); err != nil {
			return fmt.Errorf("drop index %s/%s: %w", s.bucket, name, err)
		}
	}
	for _, o := range s.orders {
		if root.Bucket(orderBucket(o)) != nil {
			continue
		}
		index, err := root.CreateBucket(orderBucket(o))
		if err != nil {
			return fmt.Errorf("create index %s/%s: %w", s.bucket, o, err)
		}
		err = items.ForEach(func(id, data []byte) error {
			item, err := s.decode(data)
			if err != nil {
				return err
			}
			return index.Put([]byte(pause.SortKey(item, o)), id)
		})
		if err != nil {
			return fmt.Errorf("build index %s/%s: %w", s.bucket, o, err)
		}
	}
	return nil
}

// buckets are a content type's buckets in one transaction.
type buckets struct {
	root, items, slugs, revisions *bbolt.Bucket
}

func (s *store[T, F, R]) buckets(tx *bbolt.Tx) buckets {
	root := tx.Bucket(s.bucket)
	return buckets{root: root, items: root.Bucket(itemsBucket), slugs: root.Bucket(slugsBucket),
		revisions: root.Bucket(revisionsBucket)}
}

func (b buckets) order(o pause.Order) *bbolt.Bucket { return b.root.Bucket(orderBucket(o)) }

func (s *store[T, F, R]) decode(data []byte) (T, error) {
	var r R
	if err := json.Unmarshal(data, &r); err != nil {
		var zero T
		return zero, fmt.Errorf("decode %s: %w", s.kind, err)
	}
	return s.fromRecord(r), nil
}

// get reads the item with the id, or returns ENOTFOUND.
func (s *store[T, F, R]) get(b buckets, id string) (T, error) {
	data := b.items.Get([]byte(id))
	if data == nil {
		var zero T
		return zero, s.notFound("id", id)
	}
	return s.item([]byte(id), data)
}

// put writes the item and its order index entries; the caller writes its slug entry.
func (s *store[T, F, R]) put(b buckets, item T) error {
	id := []byte(item.Metadata().ID)
	data, err := json.Marshal(s.toRecord(item))
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", s.kind, id, err)
	}
	if err := b.items.Put(id, data); err != nil {
		return err
	}
	if err := s.keepRevision(b, item); err != nil {
		return err
	}
	if err := writeEvent(b.root.Tx(), pause.NewEvent(s.kind, item.Metadata(), item.Metadata().Change)); err != nil {
		return err
	}
	for _, o := range s.orders {
		if err := b.order(o).Put([]byte(pause.SortKey(item, o)), id); err != nil {
			return err
		}
	}
	return nil
}

// keepRevision writes the item's Change as a revision, and deletes the one it prunes.
func (s *store[T, F, R]) keepRevision(b buckets, item T) error {
	m := item.Metadata()
	c := m.Change
	if c == nil {
		return nil
	}
	data, err := json.Marshal(revisionRecord[R]{Number: c.Number, At: c.At.UTC(), By: c.By,
		Action: c.Action, Fields: c.Fields, Item: s.toRecord(c.Item.(T))})
	if err != nil {
		return fmt.Errorf("encode revision %d of %s %s: %w", c.Number, s.kind, m.ID, err)
	}
	if err := b.revisions.Put(revisionKey(m.ID, c.Number), data); err != nil {
		return err
	}
	if err := writeAudit(b.root.Tx(), pause.NewAuditEntry(s.kind, m.ID, c)); err != nil {
		return err
	}
	if c.Prune > 0 {
		return b.revisions.Delete(revisionKey(m.ID, c.Prune))
	}
	return nil
}

// Revisions walks the item's revisions from the newest (or from below before), in one read
// transaction.
func (s *store[T, F, R]) Revisions(ctx context.Context, id string, first, before int) ([]*pause.Revision, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	var out []*pause.Revision
	more := false
	prefix := append([]byte(id), 0)
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := s.buckets(tx).revisions.Cursor()
		end := revisionKey(id, 9_999_999_999)
		if before > 0 {
			end = revisionKey(id, before)
		}
		// The greatest key below end.
		k, _ := c.Seek(end)
		var v []byte
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			if len(out) == first {
				more = true
				return nil
			}
			var r revisionRecord[R]
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode revision %s of %s %s: %w", k, s.kind, id, err)
			}
			out = append(out, &pause.Revision{Number: r.Number, At: r.At, By: r.By, Action: r.Action,
				Fields: r.Fields, Item: s.fromRecord(r.Item)})
		}
		return nil
	})
	if err != nil {
		return nil, false, wrap(err, "revisions of %s %s", s.kind, id)
	}
	return out, more, nil
}

// deleteRevisions deletes every revision of the item.
func (s *store[T, F, R]) deleteRevisions(b buckets, id string) error {
	prefix := append([]byte(id), 0)
	c := b.revisions.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// unindex removes the stored item's slug and order index entries.
func (s *store[T, F, R]) unindex(b buckets, stored T) error {
	m := stored.Metadata()
	if owner := b.slugs.Get([]byte(m.Slug)); owner != nil && string(owner) == m.ID {
		if err := b.slugs.Delete([]byte(m.Slug)); err != nil {
			return err
		}
	}
	for _, o := range s.orders {
		if err := b.order(o).Delete([]byte(pause.SortKey(stored, o))); err != nil {
			return err
		}
	}
	return nil
}

// claimSlug points the slug at the id, or returns ECONFLICT (field "slug") if another item has
// it.
func (s *store[T, F, R]) claimSlug(b buckets, slug, id string) error {
	if owner := b.slugs.Get([]byte(slug)); owner != nil && string(owner) != id {
		return &pause.Error{Code: pause.ECONFLICT, Field: "slug",
			Message: fmt.Sprintf("Another %s has the slug %s.", s.kind, slug)}
	}
	return b.slugs.Put([]byte(slug), []byte(id))
}

func (s *store[T, F, R]) notFound(how, key string) error {
	return pause.Errorf(pause.ENOTFOUND, "No %s has %s %s.", s.kind, how, key)
}

func (s *store[T, F, R]) changed(id string, version, stored int) error {
	return pause.Errorf(pause.ECONFLICT,
		"This %s (%s) changed since version %d (it is at version %d): reload it and apply your change again.",
		s.kind, id, version, stored)
}

// wrap gives a bbolt error the operation's context, and lets users' errors through as they are.
func wrap(err error, format string, args ...any) error {
	var e *pause.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("bolt: "+format+": %w", append(args, err)...)
}

// Get returns the item with the id, or ENOTFOUND.
func (s *store[T, F, R]) Get(ctx context.Context, id string) (T, error) {
	var item T
	if err := ctx.Err(); err != nil {
		return item, err
	}
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		item, err = s.get(s.buckets(tx), id)
		return err
	})
	return item, wrap(err, "get %s %s", s.kind, id)
}

// GetBySlug returns the item with the slug, or ENOTFOUND.
func (s *store[T, F, R]) GetBySlug(ctx context.Context, slug string) (T, error) {
	var item T
	if err := ctx.Err(); err != nil {
		return item, err
	}
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		b := s.buckets(tx)
		id := b.slugs.Get([]byte(slug))
		if id == nil {
			return s.notFound("slug", slug)
		}
		item, err = s.get(b, string(id))
		if pause.ErrorCode(err) == pause.ENOTFOUND {
			return fmt.Errorf("slug %s names %s %s, which does not exist", slug, s.kind, id)
		}
		return err
	})
	return item, wrap(err, "get %s by slug %s", s.kind, slug)
}

// GetMany returns the items with the ids, in the order of ids, each once, leaving out the ids
// that name no item, in one read transaction.
func (s *store[T, F, R]) GetMany(ctx context.Context, ids []string) ([]T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(ids))
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := s.buckets(tx)
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			data := b.items.Get([]byte(id))
			if data == nil {
				continue
			}
			item, err := s.item([]byte(id), data)
			if err != nil {
				return err
			}
			out = append(out, item)
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "get %d %ss", len(ids), s.kind)
	}
	return out, nil
}

// List walks the index of q.Order from the cursor's position, in one read transaction.
func (s *store[T, F, R]) List(ctx context.Context, q pause.Query[F]) (*pause.Page[T], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !slices.Contains(s.orders, q.Order) {
		return nil, pause.FieldErrorf("orderBy", "%ss cannot be ordered by %s", s.kind, q.Order)
	}
	if q.First < 0 {
		return nil, pause.FieldErrorf("first", "first must not be negative")
	}
	var after string
	if q.After != "" {
		var err error
		if after, err = pause.DecodeCursor(q.After, q.Order); err != nil {
			return nil, err
		}
		// Every sort key ends with a NUL and the item's id.
		if i := strings.IndexByte(after, 0); i < 0 || i == len(after)-1 {
			return nil, pause.FieldErrorf("after", "after is not a cursor of this list")
		}
	}
	page := &pause.Page[T]{Items: make([]T, 0, min(q.First, pause.MaxFirst)), Cursors: make([]string, 0, min(q.First, pause.MaxFirst))}
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := s.buckets(tx)
		c := b.order(q.Order).Cursor()
		next := c.Next
		desc := q.Descending()
		if desc {
			next = c.Prev
		}
		var key, id []byte
		switch {
		case after == "" && desc:
			key, id = c.Last()
		case after == "":
			key, id = c.First()
		case desc:
			// Seek finds the first key at or above the position; the one before it is the
			// greatest key below.
			if key, _ = c.Seek([]byte(after)); key == nil {
				key, id = c.Last()
			} else {
				key, id = c.Prev()
			}
		default:
			if key, id = c.Seek([]byte(after)); key != nil && string(key) == after {
				key, id = c.Next()
			}
		}
		for ; key != nil; key, id = next() {
			data := b.items.Get(id)
			if data == nil {
				return fmt.Errorf("index %s names %s %s, which does not exist", q.Order, s.kind, id)
			}
			item, err := s.shared(id, data)
			if err != nil {
				return err
			}
			if !q.Filter.Match(item) {
				continue
			}
			if len(page.Items) == q.First {
				page.HasNextPage = true
				break
			}
			page.Items = append(page.Items, clone(item))
			page.Cursors = append(page.Cursors, pause.EncodeCursor(q.Order, string(key)))
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "list %ss by %s", s.kind, q.Order)
	}
	return page, nil
}

// Count reads every item (the embedded store holds little enough content for that), and keeps
// the answer until the next write or the next scheduled change.
func (s *store[T, F, R]) Count(ctx context.Context, f F) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	key, err := filterKey[T](f)
	if err != nil {
		return 0, fmt.Errorf("bolt: count %ss: %w", s.kind, err)
	}
	return s.counts.count(key, f.AsOf(), func() (int, window, error) {
		n, w := 0, newWindow(f.AsOf())
		err := s.db.View(func(tx *bbolt.Tx) error {
			return s.buckets(tx).items.ForEach(func(id, data []byte) error {
				item, err := s.shared(id, data)
				if err != nil {
					return err
				}
				w.narrow(item.Metadata().ScheduledAt)
				if f.Match(item) {
					n++
				}
				return nil
			})
		})
		return n, w, wrap(err, "count %ss", s.kind)
	})
}

// filterKey is the filter without its time, as JSON: one encoding of the filter scoped without
// its time when it can be scoped (every content type's can), else the JSON without "At".
func filterKey[T any, F pause.Filter[T]](f F) (string, error) {
	if sf, ok := any(f).(pause.ScopedFilter[T, F]); ok {
		scope := sf.ScopeOf()
		scope.At = time.Time{}
		b, err := json.Marshal(sf.Scoped(scope))
		return string(b), err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", err
	}
	delete(m, "At")
	b, err = json.Marshal(m)
	return string(b), err
}

// Create stores a new item and its index entries.
func (s *store[T, F, R]) Create(ctx context.Context, item T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m := item.Metadata()
	if m.ID == "" {
		return pause.FieldErrorf("id", "%s has no id", s.kind)
	} else if m.Slug == "" {
		return pause.FieldErrorf("slug", "slug is required")
	}
	defer s.counts.written()
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := s.buckets(tx)
		if b.items.Get([]byte(m.ID)) != nil {
			return pause.Errorf(pause.ECONFLICT, "Another %s has the id %s.", s.kind, m.ID)
		}
		if err := s.claimSlug(b, m.Slug, m.ID); err != nil {
			return err
		}
		return s.put(b, item)
	})
	return wrap(err, "create %s %s", s.kind, m.ID)
}

// Update replaces the items in one write transaction: any error rolls all of them back. Slugs
// are claimed after every item has let go of its old one, so that items of one update may
// trade slugs.
func (s *store[T, F, R]) Update(ctx context.Context, items ...T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, item := range items {
		if item.Metadata().Slug == "" {
			return pause.FieldErrorf("slug", "slug is required")
		}
	}
	if len(items) == 0 {
		return nil
	}
	defer s.counts.written()
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := s.buckets(tx)
		final := make(map[string]string, len(items)) // id → slug
		var ids []string
		for _, item := range items {
			m := item.Metadata()
			// The transaction sees its own writes: an item named twice must be one version
			// ahead the second time.
			stored, err := s.get(b, m.ID)
			if err != nil {
				return err
			}
			if v := stored.Metadata().Version; v != m.Version-1 {
				return s.changed(m.ID, m.Version-1, v)
			}
			if err := s.unindex(b, stored); err != nil {
				return err
			}
			if err := s.put(b, item); err != nil {
				return err
			}
			if _, ok := final[m.ID]; !ok {
				ids = append(ids, m.ID)
			}
			final[m.ID] = m.Slug
		}
		for _, id := range ids {
			if err := s.claimSlug(b, final[id], id); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap(err, "update %d %ss", len(items), s.kind)
}

// Delete removes the item, its slug and its index entries.
func (s *store[T, F, R]) Delete(ctx context.Context, id string, version int, change *pause.Revision) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.counts.written()
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := s.buckets(tx)
		stored, err := s.get(b, id)
		if err != nil {
			return err
		}
		if v := stored.Metadata().Version; v != version {
			return s.changed(id, version, v)
		}
		if err := s.unindex(b, stored); err != nil {
			return err
		}
		if err := s.deleteRevisions(b, id); err != nil {
			return err
		}
		if change != nil {
			if err := writeAudit(tx, pause.NewAuditEntry(s.kind, id, change)); err != nil {
				return err
			}
		}
		if err := writeEvent(tx, pause.NewDeleteEvent(s.kind, stored.Metadata(), change)); err != nil {
			return err
		}
		return b.items.Delete([]byte(id))
	})
	return wrap(err, "delete %s %s", s.kind, id)
}

// toolStore adds the category counts to the tools' store.
type toolStore struct {
	*store[*pause.Tool, pause.ToolFilter, toolRecord]
}

// Categories counts the published tools by category, reading only the two fields it needs.
func (s *toolStore) Categories(ctx context.Context, at time.Time) ([]pause.CategoryCount, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	counts := map[string]int{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		return s.buckets(tx).items.ForEach(func(_, data []byte) error {
			var r toolCategoryRecord
			if err := json.Unmarshal(data, &r); err != nil {
				return fmt.Errorf("decode tool: %w", err)
			}
			m := pause.Meta{Status: pause.Status(r.Status), ScheduledAt: r.ScheduledAt, ScheduledStatus: pause.Status(r.ScheduledStatus)}
			if m.StatusAt(at) == pause.StatusPublished {
				counts[r.Category]++
			}
			return nil
		})
	})
	if err != nil {
		return nil, wrap(err, "count tool categories")
	}
	out := make([]pause.CategoryCount, 0, len(counts))
	for name, n := range counts {
		out = append(out, pause.CategoryCount{Name: name, Count: n})
	}
	slices.SortFunc(out, func(a, b pause.CategoryCount) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

var _ pause.ToolStore = (*toolStore)(nil)

package pause

import (
	"context"
	"reflect"
	"time"
)

// Import stores an item as given, status and timestamps included, matching it to an existing
// item by slug: it creates it, replaces the stored one, or does nothing if they are equal.
// Admins only. It reports whether anything changed.
func (k *Collection[T, F, I]) Import(ctx context.Context, item T) (bool, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return false, err
	}
	var none T
	if err := k.checkRelations(ctx, none, item); err != nil {
		return false, err
	}
	m := item.Metadata()
	if m.Slug == "" {
		m.Slug = Slugify(item.label())
	}
	if m.Status == "" {
		m.Status = StatusDraft
	}
	item.SetWorkingDraft(none)
	if err := prepareItem(item, k.cms.cfg.Markdown); err != nil {
		return false, err
	}
	now, who := k.cms.nowFor(ctx), ViewerFrom(ctx).Subject
	old, err := k.store.GetBySlug(ctx, m.Slug)
	if ErrorCode(err) == ENOTFOUND {
		m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
		m.CreatedBy = or(m.CreatedBy, who)
		m.UpdatedBy = or(m.UpdatedBy, m.CreatedBy)
		if m.Status == StatusPublished {
			m.PublishedBy = or(m.PublishedBy, m.UpdatedBy)
		}
		if m.ID == "" {
			m.ID = k.cms.newID(ctx)
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		if m.UpdatedAt.IsZero() {
			m.UpdatedAt = m.CreatedAt
		}
		if m.Status == StatusPublished && m.PublishedAt == nil {
			m.PublishedAt = &now
		}
		m.Version = 1
		k.revise(ctx, none, item, "import")
		err := k.store.Create(ctx, item)
		m.Change = nil
		return true, err
	} else if err != nil {
		return false, err
	}
	// What the file leaves out keeps its stored value, so that importing the same files again
	// changes nothing.
	om := old.Metadata()
	om.settle(now)
	m.ID, m.Version = om.ID, om.Version
	// Files hold no schedule: a pending one stays, unless the file changes the status.
	m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
	if m.Status == om.Status {
		m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = om.ScheduledAt, om.ScheduledStatus, om.ScheduledBy
	}
	// Files hold what is public: a pending draft stays pending, unless the item stops being
	// published (only published items have drafts).
	if m.Status == StatusPublished {
		item.SetWorkingDraft(old.WorkingDraft())
	} else {
		item.SetWorkingDraft(none)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = om.CreatedAt
	}
	if m.PublishedAt == nil && m.Status == StatusPublished {
		m.PublishedAt = om.PublishedAt
		if m.PublishedAt == nil {
			m.PublishedAt = &now
		}
	}
	m.CreatedBy, m.PublishedBy = or(m.CreatedBy, om.CreatedBy), or(m.PublishedBy, om.PublishedBy)
	stamped, signed := !m.UpdatedAt.IsZero(), m.UpdatedBy != ""
	if !stamped {
		m.UpdatedAt = om.UpdatedAt
	}
	if !signed {
		m.UpdatedBy = om.UpdatedBy
	}
	if sameContent(item, old) {
		return false, nil
	}
	if !stamped {
		m.UpdatedAt = now
	}
	if !signed {
		m.UpdatedBy = who
	}
	m.Version = om.Version + 1
	syncDraft(item)
	k.revise(ctx, old, item, "import")
	err = k.store.Update(ctx, item)
	m.Change = nil
	return true, err
}

// sameContent reports whether two items hold the same values, taking an empty list and no
// list as the same (stores need not keep that difference), and times as instants.
func sameContent[T Item[T]](a, b T) bool {
	return equalContent(reflect.ValueOf(a), reflect.ValueOf(b))
}

func equalContent(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalContent(a.Elem(), b.Elem())
	case reflect.Slice:
		return reflect.DeepEqual(normal(a.Interface()), normal(b.Interface()))
	case reflect.Struct:
		if t, ok := a.Interface().(time.Time); ok {
			return t.Equal(b.Interface().(time.Time))
		}
		for i := range a.NumField() {
			if !equalContent(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// or returns s, or def if s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

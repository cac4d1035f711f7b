package pause

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// This file is the write engine of a Collection: what every change of an item goes through,
// the same for every content type.

// maxSlugTries bounds the suffixes tried when a slug made from a title is taken.
const maxSlugTries = 20

func (k *Collection[T, F, I]) create(ctx context.Context, item T) (T, error) {
	var zero T
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return zero, err
	}
	m := item.Metadata()
	now, who := k.cms.nowFor(ctx), ViewerFrom(ctx).Subject
	m.ID, m.Status, m.PublishedAt, m.CreatedAt, m.UpdatedAt, m.Version =
		k.cms.newID(ctx), StatusDraft, nil, now, now, 1
	m.CreatedBy, m.UpdatedBy, m.PublishedBy = who, who, ""
	generated := m.Slug == ""
	if generated {
		m.Slug = Slugify(item.label())
	}
	if err := prepareItem(item, k.cms.cfg.Markdown); err != nil {
		return zero, err
	}
	base := m.Slug
	for try := 2; ; try++ {
		k.revise(ctx, zero, item, "create")
		err := k.store.Create(ctx, item)
		m.Change = nil
		if err == nil {
			return item, nil
		}
		// A slug the editor did not choose gets a number rather than an error.
		if !generated || ErrorField(err) != "slug" || try > maxSlugTries {
			return zero, err
		}
		suffix := fmt.Sprintf("-%d", try)
		m.Slug = strings.TrimRight(base[:min(len(base), MaxSlug-len(suffix))], "-") + suffix
	}
}

// load reads the item for a change at version: it returns ECONFLICT if the item is at another
// version. Editors only.
func (k *Collection[T, F, I]) load(ctx context.Context, id string, version int) (item, before T, err error) {
	var zero T
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return zero, zero, err
	}
	item, err = k.store.Get(WithStrongConsistency(ctx), id)
	if err != nil {
		return zero, zero, err
	}
	before = item.Clone()
	if v := item.Metadata().Version; v != version {
		return zero, zero, Errorf(ECONFLICT, "This %s changed since version %d (it is at version %d): reload it and apply your change again.", k.t.Name, version, v)
	}
	// A scheduled change whose time has come becomes part of the stored item with this write;
	// an item it unpublished keeps its pending edits as its content, as unpublish does.
	m := item.Metadata()
	m.settle(k.cms.nowFor(ctx))
	if d := item.WorkingDraft(); d != zero && m.Status != StatusPublished {
		item = promote(item, d)
	}
	return item, before, nil
}

// promote returns the draft as the item: the draft's content and slug with the item's Meta.
func promote[T Item[T]](item, draft T) T {
	m, dm := item.Metadata(), draft.Metadata()
	slug := dm.Slug
	*dm = m.clone()
	dm.Slug = slug
	var none T
	draft.SetWorkingDraft(none)
	return draft
}

// saveAs writes the item as the next version after version, its draft kept in step, with the
// revision of the action (before is the item as it was stored).
func (k *Collection[T, F, I]) saveAs(ctx context.Context, before, item T, version int, action string) (T, error) {
	var zero T
	item.Metadata().Version = version + 1
	syncDraft(item)
	k.revise(ctx, before, item, action)
	item.Metadata().Change.Before = before
	err := k.store.Update(ctx, item)
	item.Metadata().Change = nil
	if err != nil {
		return zero, err
	}
	return item, nil
}

// syncDraft gives the item's draft the item's identity, status, publication and version: a
// draft differs from its item in content, slug and who changed it when only.
func syncDraft[T Item[T]](item T) {
	d := item.WorkingDraft()
	var none T
	if d == none {
		return
	}
	m, dm := item.Metadata(), d.Metadata()
	slug, at, by := dm.Slug, dm.UpdatedAt, dm.UpdatedBy
	*dm = m.clone()
	dm.Slug, dm.UpdatedAt, dm.UpdatedBy = slug, at, by
	d.SetWorkingDraft(none)
}

// update applies change to the item at version. A published item keeps what the public sees:
// the change goes to its draft (made from the item if it has none), which publishing makes
// public. Other items change in place.
func (k *Collection[T, F, I]) update(ctx context.Context, id string, version int, change func(T) error) (T, error) {
	var zero T
	item, before, err := k.load(ctx, id, version)
	if err != nil {
		return zero, err
	}
	m := item.Metadata()
	target := item
	if m.Status == StatusPublished {
		if target = item.WorkingDraft(); target == zero {
			target = item.Clone()
		}
	}
	if err := change(target); err != nil {
		return zero, err
	}
	tm := target.Metadata()
	if tm.Slug == "" {
		tm.Slug = Slugify(target.label())
	}
	if err := prepareItem(target, k.cms.cfg.Markdown); err != nil {
		return zero, err
	}
	tm.UpdatedAt, tm.UpdatedBy = k.cms.nowFor(ctx), ViewerFrom(ctx).Subject
	if target != item {
		// A draft's slug is claimed when it is published; tell the editor now if it is taken.
		if tm.Slug != m.Slug {
			other, err := k.store.GetBySlug(ctx, tm.Slug)
			if err == nil && other.Metadata().ID != m.ID {
				return zero, &Error{Code: ECONFLICT, Field: "slug", Message: fmt.Sprintf("Another %s has the slug %s.", k.t.Name, tm.Slug)}
			} else if err != nil && ErrorCode(err) != ENOTFOUND {
				return zero, err
			}
		}
		item.SetWorkingDraft(target)
	}
	return k.saveAs(ctx, before, item, version, "update")
}

// setStatus moves the item at version to the status, now or, if at is after now, at that
// time (see Meta.ScheduledAt). An item that had a draft becomes the draft: publishing
// publishes the pending edits, and unpublishing or archiving keeps them as the item's content,
// since nothing public needs protecting any more. A change now cancels a scheduled one.
func (k *Collection[T, F, I]) setStatus(ctx context.Context, id string, version int, s Status, at *time.Time) (T, error) {
	var zero T
	item, before, err := k.load(ctx, id, version)
	if err != nil {
		return zero, err
	}
	now, who := k.cms.nowFor(ctx), ViewerFrom(ctx).Subject
	m := item.Metadata()
	action := map[Status]string{StatusPublished: "publish", StatusDraft: "unpublish", StatusArchived: "archive"}[s]
	if at != nil && at.After(now) {
		// What the public sees changes at that time only: nothing else changes now.
		switch {
		case s == StatusPublished && m.Status == StatusPublished:
			return zero, FieldErrorf("at", "This %s is published: publish its draft now, or schedule it to be unpublished.", k.t.Name)
		case s != StatusPublished && m.Status != StatusPublished:
			return zero, FieldErrorf("at", "This %s is not published: there is nothing to unpublish at a time.", k.t.Name)
		}
		t := at.UTC()
		m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = &t, s, who
		return k.saveAs(ctx, before, item, version, "schedule")
	}
	if d := item.WorkingDraft(); d != zero {
		item = promote(item, d)
		m = item.Metadata()
	}
	m.Status, m.UpdatedAt, m.UpdatedBy = s, now, who
	m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
	if s == StatusPublished {
		m.PublishedBy = who
		if m.PublishedAt == nil {
			m.PublishedAt = &now
		}
	}
	return k.saveAs(ctx, before, item, version, action)
}

// DiscardDraft drops the pending edits of the published item at version, leaving what the
// public sees as it is. Editors only.
func (k *Collection[T, F, I]) DiscardDraft(ctx context.Context, id string, version int) (T, error) {
	var zero T
	item, before, err := k.load(ctx, id, version)
	if err != nil {
		return zero, err
	}
	if item.WorkingDraft() == zero {
		return item, nil
	}
	item.SetWorkingDraft(zero)
	return k.saveAs(ctx, before, item, version, "discardDraft")
}

// CancelSchedule drops the item's pending scheduled change of status: nothing happens at its
// time, and nothing changes now. EINVALID if the item has no change still to come (one whose
// time has come has happened). Editors only.
func (k *Collection[T, F, I]) CancelSchedule(ctx context.Context, id string, version int) (T, error) {
	var zero T
	item, before, err := k.load(ctx, id, version)
	if err != nil {
		return zero, err
	}
	m := item.Metadata()
	if m.ScheduledAt == nil {
		return zero, Errorf(EINVALID, "This %s has no scheduled change to cancel: a change whose time has come has happened.", k.t.Name)
	}
	m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
	return k.saveAs(ctx, before, item, version, "cancelSchedule")
}

// prepareItem normalizes the item's texts (see normalize), then lets the type prepare it:
// trim, validate, derive.
func prepareItem[T Item[T]](item T, r Renderer) error {
	normalize(item, item.Type())
	return item.prepare(r)
}

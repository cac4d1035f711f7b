package pause

import (
	"context"
	"fmt"
	"time"
)

// SettleDue makes every scheduled change whose time has come part of its stored item, with a
// write of its own (action "settle", by the viewer who scheduled it), so that the change
// becomes an event (article.published, tool.unpublished) and the item leaves the stores'
// schedule. Reads do not wait for it: they apply a due change at its instant whether or not
// it has been settled. An item that an editor writes meanwhile is settled by that write, which
// records the same event, so each scheduled change is recorded once. It returns how many items
// it settled. The local server's timer and the worker's schedule call it every minute.
func (c *CMS) SettleDue(ctx context.Context) (int, error) {
	n := 0
	for _, col := range c.all {
		k, err := col.SettleDue(ctx)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// SettleDue settles the type's due scheduled changes; see CMS.SettleDue.
func (k *Collection[T, F, I]) SettleDue(ctx context.Context) (int, error) {
	now := k.cms.Now()
	// Every item with a scheduled change: pending at the dawn of time.
	pending := true
	var zero F
	q := Query[F]{Filter: zero.Scoped(Scope{Scheduled: &pending, At: time.Unix(0, 0).UTC()}), Order: k.t.Orders[0], First: MaxFirst}
	type due struct {
		id      string
		version int
		by      string
	}
	var found []due
	for {
		page, err := k.store.List(ctx, q)
		if err != nil {
			return 0, fmt.Errorf("due %ss: %w", k.t.Name, err)
		}
		for _, item := range page.Items {
			if m := item.Metadata(); m.ScheduledAt != nil && !now.Before(*m.ScheduledAt) {
				found = append(found, due{m.ID, m.Version, m.ScheduledBy})
			}
		}
		if !page.HasNextPage || len(page.Cursors) == 0 {
			break
		}
		q.After = page.Cursors[len(page.Cursors)-1]
	}
	n := 0
	for _, d := range found {
		as := NewContext(ctx, &Viewer{Subject: d.by, Role: RoleEditor})
		item, before, err := k.load(as, d.id, d.version)
		if ErrorCode(err) == ECONFLICT || ErrorCode(err) == ENOTFOUND {
			continue // written meanwhile: that write settled it
		} else if err != nil {
			return n, err
		}
		if _, err := k.saveAs(as, before, item, d.version, "settle"); ErrorCode(err) == ECONFLICT || ErrorCode(err) == ENOTFOUND {
			continue
		} else if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

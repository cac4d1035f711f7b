package pause

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Changes counts the writes to a set of stores, so that what was read from them can be kept
// and trusted for as long as the count stays the same. It sees only the writes made through
// the stores it watches: it fits stores that one process alone writes (the embedded store,
// whose file the process locks), never stores that other processes write too (DynamoDB).
//
// Every write bumps the count when it starts and again when it ends, so that a reader that
// reads the count before and after its reads, and finds it unchanged, knows that no write
// overlapped them (see Count).
type Changes struct {
	n atomic.Uint64
}

// Count returns the number of write starts and ends so far. Two equal counts taken before
// and after a read mean that no write started or ended in between: what the read saw stays
// true until the count changes (a write in progress at the time ends, and so changes the
// count, before its caller learns that it is done).
func (c *Changes) Count() uint64 { return c.n.Load() }

// write runs a write between two bumps of the count.
func (c *Changes) write(f func() error) error {
	c.n.Add(1)
	defer c.n.Add(1)
	return f()
}

// watched is a content store whose writes Changes counts: NewCMS wraps every collection's
// store in one when Config.Changes is set.
type watched[T Item[T], F Filter[T]] struct {
	Store[T, F]
	c *Changes
}

func (w watched[T, F]) Create(ctx context.Context, item T) error {
	return w.c.write(func() error { return w.Store.Create(ctx, item) })
}

func (w watched[T, F]) Update(ctx context.Context, items ...T) error {
	return w.c.write(func() error { return w.Store.Update(ctx, items...) })
}

func (w watched[T, F]) Delete(ctx context.Context, id string, version int, change *Revision) error {
	return w.c.write(func() error { return w.Store.Delete(ctx, id, version, change) })
}

// PublicVersion returns a function that tells the version of what anonymous callers can
// read: it changes whenever that may change, with every committed write to the stores and at
// every scheduled change (Meta.ScheduledAt), when an item becomes public or stops being public
// with no write. It returns nil when the CMS cannot tell (the stores keep no change feed and
// Config.Changes is nil).
//
// The version is the content generation (EventStore.Generation: one strongly consistent read,
// which sees the writes of every process, so that it fits DynamoDB as well as the embedded
// file) and the time of the next scheduled change. Finding that time lists the scheduled items;
// it is done again only after the generation moved or once that time has come, so that most
// calls cost the one read of the generation and a clock read. Without a change feed, the count
// of Config.Changes stands for the generation.
func (c *CMS) PublicVersion() func(context.Context) (string, error) {
	generation := c.generationFunc()
	if generation == nil {
		return nil
	}
	type found struct {
		ok   bool
		gen  uint64
		next time.Time // the first scheduled change after the time it was found at; zero: none
	}
	var (
		mu    sync.Mutex
		known found
	)
	return func(ctx context.Context) (string, error) {
		gen, err := generation(ctx)
		if err != nil {
			return "", err
		}
		now := c.Now()
		mu.Lock()
		k := known
		mu.Unlock()
		if !k.ok || k.gen != gen || !k.next.IsZero() && !now.Before(k.next) {
			next, err := c.nextScheduled(ctx, now)
			if err != nil {
				return "", err
			}
			// A write that committed during the search moves the generation: the caller reads
			// it again after its own reads, and keeps nothing then.
			k = found{ok: true, gen: gen, next: next}
			mu.Lock()
			if !known.ok || known.gen <= gen {
				known = k
			}
			mu.Unlock()
		}
		if k.next.IsZero() {
			return strconv.FormatUint(gen, 10), nil
		}
		return strconv.FormatUint(gen, 10) + "@" + strconv.FormatInt(k.next.UnixNano(), 10), nil
	}
}

// generationFunc returns what reads the generation: the change feed's, or else the count of
// Config.Changes; nil if there is neither.
func (c *CMS) generationFunc() func(context.Context) (uint64, error) {
	if ev := c.cfg.Stores.Events; ev != nil {
		return ev.Generation
	}
	if changes := c.cfg.Changes; changes != nil {
		return func(context.Context) (uint64, error) { return changes.Count(), nil }
	}
	return nil
}

// nextScheduled returns the time of the first scheduled change after now, of any item, or the
// zero time if none is pending.
func (c *CMS) nextScheduled(ctx context.Context, now time.Time) (time.Time, error) {
	var next time.Time
	for _, col := range c.all {
		t, err := col.NextScheduled(ctx, now)
		if err != nil {
			return time.Time{}, err
		}
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next, nil
}

// NextScheduled returns the time of the type's first scheduled change after now, or zero.
func (k *Collection[T, F, I]) NextScheduled(ctx context.Context, now time.Time) (time.Time, error) {
	pending := true
	var zero F
	q := Query[F]{Filter: zero.Scoped(Scope{Scheduled: &pending, At: now}), Order: k.t.Orders[0], First: MaxFirst}
	var next time.Time
	for {
		page, err := k.store.List(ctx, q)
		if err != nil {
			return time.Time{}, fmt.Errorf("scheduled %ss: %w", k.t.Name, err)
		}
		for _, item := range page.Items {
			if at := item.Metadata().ScheduledAt; at != nil && now.Before(*at) && (next.IsZero() || at.Before(next)) {
				next = *at
			}
		}
		if !page.HasNextPage || len(page.Cursors) == 0 {
			return next, nil
		}
		q.After = page.Cursors[len(page.Cursors)-1]
	}
}

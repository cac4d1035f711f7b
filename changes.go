package pause

import (
	"context"
	"strconv"
	"sync/atomic"
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

// Watch returns stores that are s, and that count their writes in c. API keys are not
// content, and their writes are not counted.
func (c *Changes) Watch(s Stores) Stores {
	return Stores{
		Articles: watched[*Article, ArticleFilter]{s.Articles, c},
		Benefits: watched[*Benefit, BenefitFilter]{s.Benefits, c},
		Tools:    watchedTools{s.Tools, c},
		Keys:     s.Keys,
	}
}

// write runs a write between two bumps of the count.
func (c *Changes) write(f func() error) error {
	c.n.Add(1)
	defer c.n.Add(1)
	return f()
}

type watched[T Item, F Filter[T]] struct {
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

// watchedTools is watched for tools: it has every method of ToolStore, and counts the writes.
type watchedTools struct {
	ToolStore
	c *Changes
}

func (w watchedTools) Create(ctx context.Context, t *Tool) error {
	return w.c.write(func() error { return w.ToolStore.Create(ctx, t) })
}

func (w watchedTools) Update(ctx context.Context, ts ...*Tool) error {
	return w.c.write(func() error { return w.ToolStore.Update(ctx, ts...) })
}

func (w watchedTools) Delete(ctx context.Context, id string, version int, change *Revision) error {
	return w.c.write(func() error { return w.ToolStore.Delete(ctx, id, version, change) })
}

// PublicVersion returns a function that tells the version of what anonymous callers can
// read: it changes whenever that may change, with every write to the stores. It returns nil
// when the CMS cannot tell (Config.Changes is nil: others may write the stores too).
func (c *CMS) PublicVersion() func(context.Context) (string, error) {
	changes := c.cfg.Changes
	if changes == nil {
		return nil
	}
	return func(context.Context) (string, error) {
		return strconv.FormatUint(changes.Count(), 10), nil
	}
}

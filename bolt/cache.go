package bolt

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"

	"pause"
)

// maxCached bounds the decoded items a store keeps; past it the cache starts over. The
// embedded store holds a site's content, a few thousand items at most: all of it fits.
const maxCached = 20000

// decoded keeps the items a store has decoded, each with the stored bytes it came from, so
// that reading an item that has not changed costs a comparison of bytes and a copy instead of
// decoding JSON: public pages read the same items over and over (a list of 100 tools and their
// count read every tool twice). An entry is used only while the stored bytes are exactly the
// ones it was decoded from, so writes need not tell the cache anything, and a stale entry is
// never served. Items are handed out as copies (see clone): callers may change what they get.
type decoded[T pause.Item[T]] struct {
	mu    sync.RWMutex
	items map[string]decodedItem[T]
}

type decodedItem[T pause.Item[T]] struct {
	data []byte // a copy of the stored record
	item T
}

// lookup returns the item decoded from exactly data, shared: the caller must not change it.
func (c *decoded[T]) lookup(id []byte, data []byte) (T, bool) {
	c.mu.RLock()
	e, ok := c.items[string(id)]
	c.mu.RUnlock()
	if !ok || !bytes.Equal(e.data, data) {
		var zero T
		return zero, false
	}
	return e.item, true
}

// add keeps item as decoded from data; data is copied, as bbolt's bytes live only as long as
// their transaction.
func (c *decoded[T]) add(id []byte, data []byte, item T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil || len(c.items) >= maxCached {
		c.items = make(map[string]decodedItem[T])
	}
	c.items[string(id)] = decodedItem[T]{data: bytes.Clone(data), item: item}
}

// shared returns the item stored as data under id, from the cache or decoded (and cached).
// The item is shared with other readers: read it, never change it (see item).
func (s *store[T, F, R]) shared(id, data []byte) (T, error) {
	if item, ok := s.cache.lookup(id, data); ok {
		return item, nil
	}
	item, err := s.decode(data)
	if err != nil {
		return item, err
	}
	s.cache.add(id, data, item)
	return item, nil
}

// item returns the item stored as data under id, as the caller's own copy.
func (s *store[T, F, R]) item(id, data []byte) (T, error) {
	item, err := s.shared(id, data)
	if err != nil {
		return item, err
	}
	return clone(item), nil
}

// clone returns a copy of the item that shares nothing that can be changed in place with it:
// its slices and pointers are copied too. TestCloneSharesNothing checks every field of every
// content type, so that a field added to one is not forgotten here.
func clone[T pause.Item[T]](item T) T { return pause.Clone(item) }

// counted keeps the answers of Count until the next write: a public page asks for the same
// count (all published tools) with every request, and counting reads every item of the type.
// Writes to the file go through this process only (bbolt locks the file), and every write
// method calls written when its transaction has ended, so an answer is kept only as long as
// nothing can have changed it. Statuses depend on the time too (scheduled changes): an answer
// holds for the times between the scheduled changes around the time it was counted at.
type counted struct {
	gen     atomic.Uint64 // how many writes have ended
	mu      sync.Mutex
	answers map[string]countAnswer // by the filter without its time, as JSON
}

type countAnswer struct {
	gen         uint64
	from, until time.Time // the answer holds at times in [from, until)
	n           int
}

// window is the times around at between which no scheduled change happens: [from, until).
type window struct{ at, from, until time.Time }

func newWindow(at time.Time) window {
	return window{at: at, until: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// narrow takes a scheduled change at t into account.
func (w *window) narrow(t *time.Time) {
	switch {
	case t == nil:
	case !w.at.Before(*t) && t.After(w.from):
		w.from = *t
	case w.at.Before(*t) && t.Before(w.until):
		w.until = *t
	}
}

// written tells the cache that a write has ended (committed or not).
func (c *counted) written() { c.gen.Add(1) }

// count returns the number of items that match the filter key at the time at, from the cache
// or from compute, which also returns the window of times its answer holds for.
func (c *counted) count(key string, at time.Time, compute func() (int, window, error)) (int, error) {
	gen := c.gen.Load()
	c.mu.Lock()
	a, ok := c.answers[key]
	c.mu.Unlock()
	if ok && a.gen == gen && !at.Before(a.from) && at.Before(a.until) {
		return a.n, nil
	}
	n, w, err := compute()
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// A write that ended while computing may or may not be in n: keep n only if none did.
	if c.gen.Load() == gen {
		if c.answers == nil || len(c.answers) >= maxCached {
			c.answers = make(map[string]countAnswer)
		}
		c.answers[key] = countAnswer{gen: gen, n: n, from: w.from, until: w.until}
	}
	return n, nil
}

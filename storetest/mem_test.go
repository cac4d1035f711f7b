package storetest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pause"
	"pause/storetest"
)

// The reference store below is the contract of store.go in the fewest lines: it checks that
// the suite passes a correct store. Its mutants (STORETEST_MUTANT) each break one promise, and
// TestMutants checks that the suite catches every one of them.

// mutant is the promise the reference store breaks in this process, or "".
var mutant = os.Getenv("STORETEST_MUTANT")

var mutants = []string{
	"getmany-repeats",     // GetMany returns a repeated id twice
	"getmany-sorted",      // GetMany returns items by id, not in the order asked
	"no-version-check",    // Update takes any version
	"check-then-write",    // Update checks versions and writes in two steps: racy
	"slug-kept",           // a changed or deleted item's slug stays taken
	"slug-unchecked",      // Create does not check slugs
	"partial-update",      // Update writes the items before the one that fails
	"next-if-full",        // HasNextPage is true whenever the page is full
	"cursor-any-order",    // a cursor of another order is accepted
	"ties-ascending",      // ties are broken by ascending id in every order
	"categories-drafts",   // categories count drafts too
	"count-any-status",    // Count ignores the status in the filter
	"shares-items",        // Get returns the item the store keeps
	"loses-published-at",  // a draft's PublishedAt is not kept
	"case-sensitive-sort", // TITLE and NAME sort upper case before lower case
	"first-zero-no-next",  // a page of 0 items says nothing more matches
	"drops-cover",         // an article's cover image is not kept
	"stale-list",          // lists show items as they were created
	"cursor-is-offset",    // a cursor is a position in the list, not a sort key
	"categories-folded",   // categories sort ignoring case
	"ignores-schedule",    // lists and counts ignore scheduled changes of status
	"filters-drafts",      // lists and counts match the fields of an item's working draft
	"keeps-revisions",     // a write does not prune the revision it names
	"audit-unwritten",     // changes are not recorded in the audit log
	"delete-no-event",     // a deletion records no event
	"event-before-check",  // Update records its events before it checks versions
}

func TestMemory(t *testing.T) {
	storetest.Run(t, openMemory)
}

// TestMemoryDerived runs the whole suite on the reference store with the fixture derived from
// the declaration for every content type, those with a hand-written fixture too: what a type
// registered without one gets.
func TestMemoryDerived(t *testing.T) {
	if mutant != "" {
		t.Skip("TestMutants runs TestMemory")
	}
	storetest.RunDerived(t, openMemory)
}

// openMemory returns a fresh reference store: the content stores that go generate writes for
// the registered types (memContentStores), and the others.
func openMemory(t *testing.T) pause.Stores {
	audit := &memAudit{}
	accounts := newMemAccounts(audit)
	s := memContentStores(audit)
	s.Keys = &memKeys{keys: map[string]pause.APIKey{}, audit: audit}
	s.Audit = audit
	s.Idempotency = &memIdempotency{records: map[string]pause.IdempotencyRecord{}}
	s.Users, s.Sessions, s.Failures = accounts, memSessions{accounts}, memFailures{accounts}
	s.Events = audit
	s.Webhooks = &memWebhooks{eps: map[string]pause.Endpoint{}, audit: audit}
	s.Media = newMemMedia(audit)
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Interface && f.IsNil() {
			t.Fatalf("the reference store has no Stores.%s: if it is a content type's, run `go generate ./...` (tools/contentgen writes storetest/memstores.generated_test.go); else add it to openMemory", v.Type().Field(i).Name)
		}
	}
	return s
}

// TestMutants runs TestMemory in a child process once per mutant and wants it to fail.
func TestMutants(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite once per mutant")
	}
	if mutant != "" {
		t.Skip("already a mutant")
	}
	bin := os.Args[0]
	if raceEnabled {
		// The race detector makes every run ten times slower and finds nothing more here (the
		// racy mutant fails on its outcome): build the tests without it, once.
		bin = filepath.Join(t.TempDir(), "storetest.test")
		out, err := exec.Command("go", "test", "-c", "-race=false", "-o", bin, ".").CombinedOutput()
		if err != nil {
			t.Fatalf("build the tests without -race: %v\n%s", err, out)
		}
	}
	for _, m := range mutants {
		t.Run(m, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(bin, "-test.run=^TestMemory$", "-test.count=1")
			cmd.Env = append(os.Environ(), "STORETEST_MUTANT="+m)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store that breaks its contract (%s)", m)
			}
			var failed []string
			for _, line := range strings.Split(string(out), "\n") {
				if l := strings.TrimSpace(line); strings.HasPrefix(l, "--- FAIL") && strings.Count(l, "/") >= 2 {
					failed = append(failed, strings.Fields(l)[2])
				}
			}
			if len(failed) == 0 {
				t.Fatalf("the child failed without failing a case:\n%s", out)
			}
			t.Logf("%d cases caught it, e.g. %s", len(failed), failed[0])
		})
	}
}

// memStore keeps items as JSON, so that every read is a copy.
type memStore[T pause.Item[T], F pause.Filter[T]] struct {
	mu      sync.Mutex
	items   map[string][]byte
	created map[string][]byte // for the stale-list mutant
	shared  map[string]T      // for the shares-items mutant
	slugs   map[string]string // for the slug-kept mutant: slug → id, never cleaned
	revs    map[string]map[int]memRevision
	kind    string
	audit   *memAudit
}

// memAudit is the audit log: every entry, in the order written.
type memAudit struct {
	mu      sync.Mutex
	entries []pause.AuditEntry
	feed    []pause.Event // the change feed: it is also the reference EventStore
	pruned  uint64        // events pruned from the start of feed
}

func (a *memAudit) add(e *pause.AuditEntry) {
	if mutant == "audit-unwritten" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	c := *e
	c.Fields = slices.Clone(e.Fields)
	a.entries = append(a.entries, c)
}

func (a *memAudit) AuditLog(_ context.Context, q pause.Query[pause.AuditFilter]) (*pause.Page[*pause.AuditEntry], error) {
	var after string
	if q.After != "" {
		var err error
		if after, err = pause.DecodeCursor(q.After, pause.OrderAudit); err != nil {
			return nil, err
		}
	}
	a.mu.Lock()
	all := slices.Clone(a.entries)
	a.mu.Unlock()
	slices.SortFunc(all, func(x, y pause.AuditEntry) int { return strings.Compare(pause.AuditKey(&y), pause.AuditKey(&x)) })
	p := &pause.Page[*pause.AuditEntry]{Items: []*pause.AuditEntry{}, Cursors: []string{}}
	for i := range all {
		e := &all[i]
		k := pause.AuditKey(e)
		if (after != "" && k >= after) || !q.Filter.Match(e) {
			continue
		}
		if len(p.Items) == q.First {
			p.HasNextPage = true
			break
		}
		p.Items = append(p.Items, e)
		p.Cursors = append(p.Cursors, pause.EncodeCursor(pause.OrderAudit, k))
	}
	return p, nil
}

// event records the event after the last, with the write (under the store's lock).
func (a *memAudit) event(e *pause.Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	gen := uint64(len(a.feed)) + a.pruned + 1
	e.Generation, e.ID, e.At = gen, pause.EventID(gen), e.At.UTC()
	a.feed = append(a.feed, *e)
}

func (a *memAudit) Generation(context.Context) (uint64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return uint64(len(a.feed)) + a.pruned, nil
}

func (a *memAudit) Events(_ context.Context, after uint64, limit int) ([]*pause.Event, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []*pause.Event
	for i := range a.feed {
		if e := a.feed[i]; e.Generation > after && len(out) < limit {
			out = append(out, &e)
		}
	}
	return out, nil
}

func (a *memAudit) PruneEvents(_ context.Context, before time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for len(a.feed) > 0 && a.feed[0].At.Before(before) {
		a.feed = a.feed[1:]
		a.pruned++
	}
	return nil
}

// memRevision is a revision with its item as JSON.
type memRevision struct {
	rev  pause.Revision // without Item
	item []byte
}

// keep keeps the item's Change as a revision, and prunes the one it names.
func (s *memStore[T, F]) keep(item T) {
	m := item.Metadata()
	c := m.Change
	if c == nil {
		return
	}
	if s.revs[m.ID] == nil {
		s.revs[m.ID] = map[int]memRevision{}
	}
	r := *c
	r.Item, r.Prune = nil, 0
	r.Fields = slices.Clone(c.Fields)
	s.revs[m.ID][c.Number] = memRevision{rev: r, item: encode(c.Item.(T))}
	s.audit.add(pause.NewAuditEntry(s.kind, m.ID, c))
	if c.Prune > 0 && mutant != "keeps-revisions" {
		delete(s.revs[m.ID], c.Prune)
	}
}

func (s *memStore[T, F]) Revisions(_ context.Context, id string, first, before int) ([]*pause.Revision, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var nums []int
	for n := range s.revs[id] {
		if before == 0 || n < before {
			nums = append(nums, n)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(nums)))
	var out []*pause.Revision
	for _, n := range nums {
		if len(out) == first {
			return out, true, nil
		}
		mr := s.revs[id][n]
		r := mr.rev
		r.Fields = slices.Clone(mr.rev.Fields)
		r.Item = decode[T](mr.item)
		out = append(out, &r)
	}
	return out, false, nil
}

func newMem[T pause.Item[T], F pause.Filter[T]](kind string, audit *memAudit) *memStore[T, F] {
	return &memStore[T, F]{
		kind: kind, audit: audit,
		items: map[string][]byte{}, created: map[string][]byte{},
		shared: map[string]T{}, slugs: map[string]string{}, revs: map[string]map[int]memRevision{},
	}
}

func encode[T pause.Item[T]](item T) []byte {
	if item.Metadata().Change != nil {
		item = pause.Clone(item)
		item.Metadata().Change = nil
	}
	b, err := json.Marshal(item)
	if err != nil {
		panic(err)
	}
	if mutant == "drops-cover" || mutant == "loses-published-at" {
		c := decode[T](b)
		if a, ok := any(c).(*pause.Article); ok && mutant == "drops-cover" {
			a.CoverImage = nil
		}
		if m := c.Metadata(); mutant == "loses-published-at" && m.Status == pause.StatusDraft {
			m.PublishedAt = nil
		}
		b, _ = json.Marshal(c)
	}
	return b
}

func decode[T pause.Item[T]](b []byte) T {
	var item T
	if err := json.Unmarshal(b, &item); err != nil {
		panic(err)
	}
	return item
}

func notFound(id string) error { return pause.Errorf(pause.ENOTFOUND, "no item has id %s", id) }

func (s *memStore[T, F]) Get(_ context.Context, id string) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero T
	b, ok := s.items[id]
	if !ok {
		return zero, notFound(id)
	}
	if mutant == "shares-items" {
		if it, ok := s.shared[id]; ok {
			return it, nil
		}
		s.shared[id] = decode[T](b)
		return s.shared[id], nil
	}
	return decode[T](b), nil
}

func (s *memStore[T, F]) GetBySlug(_ context.Context, slug string) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero T
	if id := s.slugID(slug); id != "" {
		return decode[T](s.items[id]), nil
	}
	return zero, pause.Errorf(pause.ENOTFOUND, "no item has slug %s", slug)
}

// slugID returns the id of the item with the slug, or "".
func (s *memStore[T, F]) slugID(slug string) string {
	for id, b := range s.items {
		if decode[T](b).Metadata().Slug == slug {
			return id
		}
	}
	return ""
}

// slugTaken reports whether another item than id has the slug.
func (s *memStore[T, F]) slugTaken(slug, id string) bool {
	if mutant == "slug-kept" {
		if owner, ok := s.slugs[slug]; ok && owner != id {
			return true
		}
	}
	owner := s.slugID(slug)
	return owner != "" && owner != id
}

func (s *memStore[T, F]) GetMany(_ context.Context, ids []string) ([]T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mutant == "getmany-sorted" {
		ids = slices.Clone(ids)
		slices.Sort(ids)
	}
	var out []T
	seen := map[string]bool{}
	for _, id := range ids {
		b, ok := s.items[id]
		if !ok || (seen[id] && mutant != "getmany-repeats") {
			continue
		}
		seen[id] = true
		out = append(out, decode[T](b))
	}
	return out, nil
}

func (s *memStore[T, F]) matching(f F) []T {
	var out []T
	for id, b := range s.items {
		item := decode[T](b)
		if mutant == "stale-list" {
			item = decode[T](s.created[id])
		}
		if mutant == "ignores-schedule" {
			item.Metadata().ScheduledAt = nil
		}
		if d := pause.DraftOf(item); mutant == "filters-drafts" && pause.HasDraft(item) {
			item = d
		}
		if mutant == "count-any-status" {
			if f.Match(item) || f.Match(withStatus(item, f.StatusIs())) {
				out = append(out, item)
			}
		} else if f.Match(item) {
			out = append(out, item)
		}
	}
	return out
}

func withStatus[T pause.Item[T]](item T, s *pause.Status) T {
	if s != nil {
		b := encode(item)
		item = decode[T](b)
		item.Metadata().Status = *s
	}
	return item
}

func sortKey[T pause.Item[T]](item T, o pause.Order) string {
	k := pause.SortKey(item, o)
	if mutant == "case-sensitive-sort" && (o == pause.OrderTitle || o == pause.OrderName) {
		m := item.Metadata()
		title := strings.TrimSuffix(k, "\x00"+m.ID)
		switch v := any(item).(type) {
		case *pause.Article:
			title = v.Title
		case *pause.Tool:
			title = v.Name
		}
		k = title + "\x00" + m.ID
	}
	return k
}

// before reports whether a comes before b in the order.
func before[T pause.Item[T]](a, b T, o pause.Order) bool {
	ka, kb := sortKey(a, o), sortKey(b, o)
	if mutant == "ties-ascending" && o.Descending() {
		pa, pb := strings.SplitN(ka, "\x00", 2)[0], strings.SplitN(kb, "\x00", 2)[0]
		if pa == pb {
			return ka < kb
		}
		return pa > pb
	}
	if o.Descending() {
		return ka > kb
	}
	return ka < kb
}

func (s *memStore[T, F]) List(_ context.Context, q pause.Query[F]) (*pause.Page[T], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.matching(q.Filter)
	slices.SortFunc(items, func(a, b T) int {
		if before(a, b, q.Order) {
			return -1
		}
		return 1
	})
	if q.Backward {
		slices.Reverse(items)
	}
	start := 0
	if q.After != "" {
		order := q.Order
		if mutant == "cursor-any-order" {
			var c struct {
				O pause.Order `json:"o"`
			}
			if b, err := base64Decode(q.After); err == nil && json.Unmarshal(b, &c) == nil {
				order = c.O
			}
		}
		key, err := pause.DecodeCursor(q.After, order)
		if err != nil {
			return nil, err
		}
		if mutant == "cursor-is-offset" {
			n, _ := strconv.Atoi(strings.TrimPrefix(key, "#"))
			start = min(n, len(items))
		}
		for start < len(items) && mutant != "cursor-is-offset" {
			k := sortKey(items[start], q.Order)
			if (q.Descending() && k < key) || (!q.Descending() && k > key) {
				break
			}
			start++
		}
	}
	end := min(start+q.First, len(items))
	p := &pause.Page[T]{Items: items[start:end], HasNextPage: end < len(items)}
	switch mutant {
	case "next-if-full":
		p.HasNextPage = q.First > 0 && len(p.Items) == q.First
	case "first-zero-no-next":
		if q.First == 0 {
			p.HasNextPage = false
		}
	}
	for i, it := range p.Items {
		key := sortKey(it, q.Order)
		if mutant == "cursor-is-offset" {
			key = "#" + strconv.Itoa(start+i+1)
		}
		p.Cursors = append(p.Cursors, pause.EncodeCursor(q.Order, key))
	}
	return p, nil
}

func (s *memStore[T, F]) Count(_ context.Context, f F) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.matching(f)), nil
}

func (s *memStore[T, F]) Create(_ context.Context, item T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := item.Metadata()
	if _, ok := s.items[m.ID]; ok {
		return pause.Errorf(pause.ECONFLICT, "id %s is taken", m.ID)
	}
	if s.slugTaken(m.Slug, m.ID) && mutant != "slug-unchecked" {
		return &pause.Error{Code: pause.ECONFLICT, Field: "slug", Message: "slug " + m.Slug + " is taken"}
	}
	s.items[m.ID] = encode(item)
	s.created[m.ID] = s.items[m.ID]
	s.slugs[m.Slug] = m.ID
	s.keep(item)
	s.audit.event(pause.NewEvent(s.kind, m, m.Change))
	return nil
}

func (s *memStore[T, F]) check(item T) error {
	m := item.Metadata()
	b, ok := s.items[m.ID]
	if !ok {
		return notFound(m.ID)
	}
	if v := decode[T](b).Metadata().Version; m.Version != v+1 && mutant != "no-version-check" {
		return pause.Errorf(pause.ECONFLICT, "item %s is at version %d", m.ID, v)
	}
	if s.slugTaken(m.Slug, m.ID) {
		return &pause.Error{Code: pause.ECONFLICT, Field: "slug", Message: "slug " + m.Slug + " is taken"}
	}
	return nil
}

func (s *memStore[T, F]) Update(_ context.Context, items ...T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, item := range items {
		if mutant == "event-before-check" {
			s.audit.event(pause.NewEvent(s.kind, item.Metadata(), item.Metadata().Change))
		}
		if err := s.check(item); err != nil {
			return err
		}
		if mutant == "partial-update" {
			s.write(item)
		}
	}
	if mutant == "check-then-write" {
		s.mu.Unlock()
		time.Sleep(time.Millisecond)
		s.mu.Lock()
	}
	for _, item := range items {
		s.write(item)
	}
	return nil
}

func (s *memStore[T, F]) write(item T) {
	m := item.Metadata()
	s.items[m.ID] = encode(item)
	s.slugs[m.Slug] = m.ID
	delete(s.shared, m.ID)
	s.keep(item)
	if mutant != "event-before-check" {
		s.audit.event(pause.NewEvent(s.kind, m, m.Change))
	}
}

func (s *memStore[T, F]) Delete(_ context.Context, id string, version int, change *pause.Revision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.items[id]
	if !ok {
		return notFound(id)
	}
	if v := decode[T](b).Metadata().Version; v != version {
		return pause.Errorf(pause.ECONFLICT, "item %s is at version %d", id, v)
	}
	delete(s.items, id)
	delete(s.shared, id)
	delete(s.revs, id)
	if change != nil {
		s.audit.add(pause.NewAuditEntry(s.kind, id, change))
	}
	if mutant != "delete-no-event" {
		s.audit.event(pause.NewDeleteEvent(s.kind, decode[T](b).Metadata(), change))
	}
	return nil
}

type memTools struct {
	*memStore[*pause.Tool, pause.ToolFilter]
}

func (s *memTools) Categories(ctx context.Context, at time.Time) ([]pause.CategoryCount, error) {
	f := pause.ToolFilter{Scope: pause.Scope{At: at}}
	if mutant != "categories-drafts" {
		f.Status = ptr(pause.StatusPublished)
	}
	s.mu.Lock()
	tools := s.matching(f)
	s.mu.Unlock()
	n := map[string]int{}
	for _, t := range tools {
		n[t.Category]++
	}
	var out []pause.CategoryCount
	for name, count := range n {
		out = append(out, pause.CategoryCount{Name: name, Count: count})
	}
	slices.SortFunc(out, func(a, b pause.CategoryCount) int {
		if mutant == "categories-folded" {
			return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

func ptr[V any](v V) *V { return &v }

func base64Decode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// memKeys is the reference KeyStore.
type memKeys struct {
	mu    sync.Mutex
	keys  map[string]pause.APIKey
	audit *memAudit
}

func (s *memKeys) CreateKey(_ context.Context, k *pause.APIKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.keys {
		if x.ID == k.ID || x.Hash == k.Hash {
			return pause.Errorf(pause.ECONFLICT, "key exists")
		}
	}
	s.keys[k.ID] = *k
	s.audit.add(pause.KeyCreatedEntry(k))
	return nil
}

func (s *memKeys) KeyByHash(_ context.Context, hash string) (*pause.APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.Hash == hash {
			return &k, nil
		}
	}
	return nil, pause.Errorf(pause.ENOTFOUND, "no key")
}

func (s *memKeys) Keys(context.Context) ([]*pause.APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*pause.APIKey
	for _, k := range s.keys {
		out = append(out, &k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

func (s *memKeys) RevokeKey(_ context.Context, id string, at time.Time, by string) (*pause.APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return nil, pause.Errorf(pause.ENOTFOUND, "no key")
	}
	if k.RevokedAt == nil {
		at = at.UTC()
		k.RevokedAt = &at
		s.audit.add(pause.KeyRevokedEntry(id, at, by))
	}
	s.keys[id] = k
	return &k, nil
}

// memIdempotency is pause.IdempotencyStore in memory.
type memIdempotency struct {
	mu      sync.Mutex
	records map[string]pause.IdempotencyRecord
}

func (m *memIdempotency) BeginRequest(_ context.Context, rec *pause.IdempotencyRecord, now time.Time) (*pause.IdempotencyRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.records[rec.Key]
	switch {
	case !ok || !now.Before(old.ExpiresAt):
		m.records[rec.Key] = *rec
		return rec, nil
	case old.Hash == rec.Hash && (old.State == pause.IdempotencyUnknown ||
		old.State == pause.IdempotencyRunning && !old.UpdatedAt.After(now.Add(-pause.IdempotencyLease))):
		old.State, old.Attempt, old.Owner, old.UpdatedAt = pause.IdempotencyRunning, old.Attempt+1, rec.Owner, now
		m.records[rec.Key] = old
	}
	return &old, nil
}

func (m *memIdempotency) EndRequest(_ context.Context, rec *pause.IdempotencyRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.records[rec.Key]; ok && old.Owner == rec.Owner && old.State == pause.IdempotencyRunning {
		m.records[rec.Key] = *rec
	}
	return nil
}

// memWebhooks is the reference WebhookStore.
type memWebhooks struct {
	mu    sync.Mutex
	eps   map[string]pause.Endpoint
	dels  []pause.Delivery
	audit *memAudit
}

func (s *memWebhooks) CreateEndpoint(_ context.Context, ep *pause.Endpoint, audit *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.eps[ep.ID]; ok {
		return pause.Errorf(pause.ECONFLICT, "endpoint exists")
	}
	s.eps[ep.ID] = *ep
	s.audit.add(audit)
	return nil
}

func (s *memWebhooks) Endpoint(_ context.Context, id string) (*pause.Endpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ep, ok := s.eps[id]
	if !ok {
		return nil, pause.Errorf(pause.ENOTFOUND, "no endpoint")
	}
	return &ep, nil
}

func (s *memWebhooks) Endpoints(context.Context) ([]*pause.Endpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*pause.Endpoint{}
	for _, ep := range s.eps {
		out = append(out, &ep)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s *memWebhooks) UpdateEndpoint(_ context.Context, ep *pause.Endpoint, audit *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.eps[ep.ID]
	if !ok {
		return pause.Errorf(pause.ENOTFOUND, "no endpoint")
	}
	if old.Version != ep.Version-1 {
		return pause.Errorf(pause.ECONFLICT, "endpoint changed")
	}
	s.eps[ep.ID] = *ep
	if audit != nil {
		s.audit.add(audit)
	}
	return nil
}

func (s *memWebhooks) DeleteEndpoint(_ context.Context, id string, audit *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.eps[id]; !ok {
		return pause.Errorf(pause.ENOTFOUND, "no endpoint")
	}
	delete(s.eps, id)
	s.dels = slices.DeleteFunc(s.dels, func(d pause.Delivery) bool { return d.EndpointID == id })
	s.audit.add(audit)
	return nil
}

func (s *memWebhooks) AddDelivery(_ context.Context, d *pause.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dels = append(s.dels, *d)
	return nil
}

func (s *memWebhooks) Deliveries(_ context.Context, id string, first int) ([]*pause.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*pause.Delivery{}
	for i := len(s.dels) - 1; i >= 0 && len(out) < first; i-- {
		if d := s.dels[i]; d.EndpointID == id {
			out = append(out, &d)
		}
	}
	return out, nil
}

package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// Every write is one TransactWriteItems: the content item with its version condition, its body,
// the slug markers it claims and releases, and the counters it changes. Either all of them
// change or none does.

// maxTransactItems is DynamoDB's limit on the actions of one transaction.
const maxTransactItems = 100

// maxTransactAttempts bounds the attempts of a transaction cancelled by a transient reason
// (another transaction on one of its items, most often a shared counter, or throttling).
const maxTransactAttempts = 12

// role is what an action of a transaction is, to tell why the transaction was cancelled.
type role int

const (
	roleOther   role = iota
	roleCreate       // put of a new content item: its condition fails if the id exists
	roleReplace      // put or delete of a content item at a version: fails if missing or changed
	roleClaim        // put of a slug marker: fails if another item has the slug
	roleRelease      // delete of a slug marker: fails if the marker is not the item's
	// roleGeneration is the update of the generation item (events.go): fails if another write
	// committed first.
	roleGeneration
)

type action struct {
	write   types.TransactWriteItem
	role    role
	id      string // the content item's id
	slug    string // for roleClaim and roleRelease
	version int    // for roleReplace: the stored version the write expects
}

// writes collects the actions of one transaction.
type writes struct {
	t       *table
	actions []action
	feed    feed // the events, numbered when the transaction is sent (events.go)
	err     error
}

func (w *writes) add(a action) { w.actions = append(w.actions, a) }

func conditionOf(cond *expression.ConditionBuilder) (*expression.Expression, error) {
	if cond == nil {
		return nil, nil
	}
	expr, err := expression.NewBuilder().WithCondition(*cond).Build()
	if err != nil {
		return nil, err
	}
	return &expr, nil
}

func (w *writes) put(av map[string]types.AttributeValue, cond *expression.ConditionBuilder, a action) {
	expr, err := conditionOf(cond)
	if err != nil {
		w.err = errors.Join(w.err, err)
		return
	}
	p := &types.Put{TableName: &w.t.name, Item: av}
	if expr != nil {
		p.ConditionExpression = expr.Condition()
		p.ExpressionAttributeNames, p.ExpressionAttributeValues = expr.Names(), expr.Values()
		p.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	a.write = types.TransactWriteItem{Put: p}
	w.add(a)
}

func (w *writes) delete(k map[string]types.AttributeValue, cond *expression.ConditionBuilder, a action) {
	expr, err := conditionOf(cond)
	if err != nil {
		w.err = errors.Join(w.err, err)
		return
	}
	d := &types.Delete{TableName: &w.t.name, Key: k}
	if expr != nil {
		d.ConditionExpression = expr.Condition()
		d.ExpressionAttributeNames, d.ExpressionAttributeValues = expr.Names(), expr.Values()
		d.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	a.write = types.TransactWriteItem{Delete: d}
	w.add(a)
}

// count adds delta to the counter with the key; ADD makes the counter if it does not exist.
func (w *writes) count(k map[string]types.AttributeValue, delta int) {
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name(attrCount), expression.Value(delta))).Build()
	if err != nil {
		w.err = errors.Join(w.err, err)
		return
	}
	w.add(action{write: types.TransactWriteItem{Update: &types.Update{
		TableName: &w.t.name, Key: k, UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}})
}

func notExists() *expression.ConditionBuilder {
	c := expression.AttributeNotExists(expression.Name(attrPK))
	return &c
}

func atVersion(v int) *expression.ConditionBuilder {
	c := expression.Name("version").Equal(expression.Value(v))
	return &c
}

func ownedBy(id string) *expression.ConditionBuilder {
	c := expression.Name("id").Equal(expression.Value(id))
	return &c
}

func (s *store[T, F]) markerAV(slug, id string) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(markerItem{ID: id})
	if err != nil {
		return nil, err
	}
	maps.Copy(av, s.slugKey(slug))
	return av, nil
}

func (s *store[T, F]) bodyAV(k map[string]types.AttributeValue, body, html string) (map[string]types.AttributeValue, error) {
	b, err := toBodyItem(s.bodyField(), body, html)
	if err != nil {
		return nil, err
	}
	av, err := attributevalue.MarshalMap(b)
	if err != nil {
		return nil, err
	}
	maps.Copy(av, k)
	return av, nil
}

// bodyOf returns the body and HTML of the item, or "" if the item is nil.
func (s *store[T, F]) bodyOf(item T) (body, html string) {
	if isNil(item) {
		return "", ""
	}
	return s.body(item)
}

// writeBodies adds the writes that take the body items of an article (its own and its draft's)
// from what old has to what item has; old is nil for a new item.
func (s *store[T, F]) writeBodies(w *writes, id string, item, old T) error {
	if !s.hasBody() {
		return nil
	}
	for _, b := range []struct {
		k        map[string]types.AttributeValue
		new, old T
	}{
		{s.bodyKey(id), item, old},
		{s.draftBodyKey(id), pause.DraftOf(item), draftOrNil(old)},
	} {
		body, html := s.bodyOf(b.new)
		oldBody, oldHTML := s.bodyOf(b.old)
		switch {
		case body == oldBody && html == oldHTML:
		case body == "" && html == "":
			w.delete(b.k, nil, action{id: id})
		default:
			bav, err := s.bodyAV(b.k, body, html)
			if err != nil {
				return err
			}
			w.put(bav, nil, action{id: id})
		}
	}
	return nil
}

// draftOrNil returns the item's draft, or nil if the item is nil.
func draftOrNil[T pause.Item[T]](item T) T {
	if isNil(item) {
		return item
	}
	return pause.DraftOf(item)
}

// tally adds sign to every counter the item counts in: its status, and its status with each
// of its facets. An item with a scheduled change counts in none: its status depends on the
// time, and reads count the scheduled partition themselves.
func (s *store[T, F]) tally(deltas map[string]int, item T, sign int) {
	if item.Metadata().ScheduledAt != nil {
		return
	}
	st := item.Metadata().Status
	deltas[counterSK(st, nil)] += sign
	for _, f := range s.facets(item) {
		deltas[counterSK(st, &f)] += sign
	}
}

// counters adds the counter updates of the deltas that are not zero, in key order.
func (s *store[T, F]) counters(w *writes, deltas map[string]int) {
	for _, sk := range slices.Sorted(maps.Keys(deltas)) {
		if d := deltas[sk]; d != 0 {
			w.count(key(counterPK(s.kind), sk), d)
		}
	}
}

func (s *store[T, F]) checkKeys(item T) error {
	m := item.Metadata()
	if !validID(m.ID) {
		return pause.FieldErrorf("id", "%s id must be 1 to %d bytes and contain no NUL", s.name, maxID)
	}
	if m.Slug == "" {
		return pause.FieldErrorf("slug", "slug is required")
	}
	return nil
}

// Create writes the item, its body, its slug marker and its counters in one transaction. The
// item's and the marker's conditions (attribute_not_exists) make the id and the slug unique.
func (s *store[T, F]) Create(ctx context.Context, item T) error {
	if err := s.checkKeys(item); err != nil {
		return err
	}
	m := item.Metadata()
	w := &writes{t: s.t}
	av, err := s.toAV(item)
	if err != nil {
		return err
	}
	w.put(av, notExists(), action{role: roleCreate, id: m.ID})
	if err := s.keepRevision(w, item); err != nil {
		return fail(err, "create %s %s", s.name, m.ID)
	}
	w.event(pause.NewEvent(s.name, m, m.Change))
	var none T
	if err := s.writeBodies(w, m.ID, item, none); err != nil {
		return fail(err, "create %s %s", s.name, m.ID)
	}
	mav, err := s.markerAV(m.Slug, m.ID)
	if err != nil {
		return fail(err, "create %s %s", s.name, m.ID)
	}
	w.put(mav, notExists(), action{role: roleClaim, id: m.ID, slug: m.Slug})
	deltas := map[string]int{}
	s.tally(deltas, item, +1)
	s.counters(w, deltas)
	return s.transact(ctx, w, fmt.Sprintf("create %s %s", s.name, m.ID))
}

// slugMove is what an update does to a slug's marker: an item lets go of it, an item takes it,
// or both (items of one update trading slugs).
type slugMove struct{ release, claim string }

// Update takes the stored items from what the CMS read (see storedBefore), or reads them (one
// BatchGetItem, strongly consistent), to learn their slugs, bodies and counters, then writes every item at its expected version, the bodies that
// changed, the slug markers that move and the counters that change, in one transaction. An
// item named twice must be one version ahead the second time; only its last state is written.
func (s *store[T, F]) Update(ctx context.Context, items ...T) error {
	if len(items) == 0 {
		return nil
	}
	for _, item := range items {
		if err := s.checkKeys(item); err != nil {
			return err
		}
	}
	var ids []string
	final := map[string]T{}
	expect := map[string]int{} // id → stored version expected
	for _, item := range items {
		m := item.Metadata()
		if prev, ok := final[m.ID]; ok {
			if v := prev.Metadata().Version; m.Version != v+1 {
				return s.changed(m.ID, m.Version-1, v)
			}
		} else {
			ids = append(ids, m.ID)
			expect[m.ID] = m.Version - 1
		}
		final[m.ID] = item
	}
	what := fmt.Sprintf("update %s %s", s.name, ids[0])
	if len(ids) > 1 {
		what = fmt.Sprintf("update %d %ss", len(ids), s.name)
	}
	stored, err := s.storedBefore(ctx, ids, items, expect)
	if err != nil {
		return err
	}
	for _, id := range ids {
		old, ok := stored[id]
		if !ok {
			return s.notFound("id", id)
		}
		if v := old.Metadata().Version; v != expect[id] {
			return s.changed(id, expect[id], v)
		}
	}

	w := &writes{t: s.t}
	deltas := map[string]int{}
	moves := map[string]*slugMove{}
	var slugs []string // in the order of first mention, for a stable transaction
	move := func(slug string) *slugMove {
		if moves[slug] == nil {
			moves[slug] = &slugMove{}
			slugs = append(slugs, slug)
		}
		return moves[slug]
	}
	for _, id := range ids {
		item, old := final[id], stored[id]
		av, err := s.toAV(item)
		if err != nil {
			return err
		}
		w.put(av, atVersion(expect[id]), action{role: roleReplace, id: id, version: expect[id]})
		if err := s.writeBodies(w, id, item, old); err != nil {
			return fail(err, "%s", what)
		}
		// Every version of an item named twice keeps its revision.
		for _, it := range items {
			if it.Metadata().ID == id {
				if err := s.keepRevision(w, it); err != nil {
					return fail(err, "%s", what)
				}
				w.event(pause.NewEvent(s.name, it.Metadata(), it.Metadata().Change))
			}
		}
		if o, n := old.Metadata().Slug, item.Metadata().Slug; o != n {
			move(o).release = id
			if mv := move(n); mv.claim != "" {
				return s.slugTaken(n)
			} else {
				mv.claim = id
			}
		}
		s.tally(deltas, old, -1)
		s.tally(deltas, item, +1)
	}
	for _, slug := range slugs {
		mv := moves[slug]
		switch {
		case mv.claim == "":
			w.delete(s.slugKey(slug), ownedBy(mv.release), action{role: roleRelease, id: mv.release, slug: slug})
		case mv.release == "":
			mav, err := s.markerAV(slug, mv.claim)
			if err != nil {
				return fail(err, "%s", what)
			}
			w.put(mav, notExists(), action{role: roleClaim, id: mv.claim, slug: slug})
		default:
			// One item of the update lets go of the slug and another takes it: one write.
			mav, err := s.markerAV(slug, mv.claim)
			if err != nil {
				return fail(err, "%s", what)
			}
			w.put(mav, ownedBy(mv.release), action{role: roleClaim, id: mv.claim, slug: slug})
		}
	}
	s.counters(w, deltas)
	return s.transact(ctx, w, what)
}

// Delete reads the stored item (one GetItem) to learn its slug and counters, then deletes the
// item at its version, its body and its slug marker, and decrements its counters, in one
// transaction.
func (s *store[T, F]) Delete(ctx context.Context, id string, version int, change *pause.Revision) error {
	old, err := s.getSummary(ctx, id)
	if err != nil {
		return err
	}
	m := old.Metadata()
	if m.Version != version {
		return s.changed(id, version, m.Version)
	}
	revs, err := s.revisionKeys(ctx, id)
	if err != nil {
		return err
	}
	w := &writes{t: s.t}
	w.delete(s.itemKey(id), atVersion(version), action{role: roleReplace, id: id, version: version})
	for _, k := range revs {
		w.delete(k, nil, action{id: id})
	}
	if change != nil {
		if err := writeAudit(w, pause.NewAuditEntry(s.name, id, change)); err != nil {
			return err
		}
	}
	w.event(pause.NewDeleteEvent(s.name, m, change))
	if s.hasBody() {
		w.delete(s.bodyKey(id), nil, action{id: id})
		w.delete(s.draftBodyKey(id), nil, action{id: id})
	}
	w.delete(s.slugKey(m.Slug), ownedBy(id), action{role: roleRelease, id: id, slug: m.Slug})
	deltas := map[string]int{}
	s.tally(deltas, old, -1)
	s.counters(w, deltas)
	return s.transact(ctx, w, fmt.Sprintf("delete %s %s", s.name, id))
}

// transact runs the transaction. A cancellation is mapped, action by action, to the user's
// error: NOT_FOUND or CONFLICT (version) for a content item, CONFLICT (field "slug") for a
// slug marker. A cancellation for a transient reason only (another transaction on one of the
// items, or throttling) is retried with backoff, a bounded number of times; the SDK keeps
// the ClientRequestToken of each attempt across its own retries, so a write that succeeded
// but whose answer was lost is not applied twice.
func (s *store[T, F]) transact(ctx context.Context, w *writes, what string) error {
	if w.err != nil {
		return fmt.Errorf("dynamo: %s: %w", what, w.err)
	}
	if n := len(w.actions) + feedSize(w.feed); n > maxTransactItems {
		return pause.Errorf(pause.EINVALID,
			"This change touches %d records, more than the %d one transaction may hold: change fewer %ss at once.",
			n, maxTransactItems, s.name)
	}
	idem := pause.IdempotencyFrom(ctx)
	for attempt, moved := 1, 0; ; attempt++ {
		// The events follow the generation this process last saw; if another write committed
		// first, the failed condition tells the generation, and the events follow it.
		actions, err := s.t.feedActions(w.feed.events, s.t.gen.Load())
		if err != nil {
			return fmt.Errorf("dynamo: %s: %w", what, err)
		}
		actions = append(slices.Clip(w.actions), actions...)
		in := &dynamodb.TransactWriteItemsInput{TransactItems: make([]types.TransactWriteItem, len(actions))}
		for i, a := range actions {
			in.TransactItems[i] = a.write
		}
		// A new token per attempt: the previous one was cancelled. A request sent with an
		// Idempotency-Key derives its tokens from it, the same on every attempt of the
		// request, so that DynamoDB applies a transaction whose answer was lost only once.
		if idem != nil {
			in.ClientRequestToken = aws.String(idem.NextToken())
		}
		_, err = s.t.client.TransactWriteItems(ctx, in, withMeter)
		if err == nil {
			if n := len(w.feed.events); n > 0 {
				s.t.saw(w.feed.events[n-1].Generation)
			}
			return nil
		}
		var cancelled *types.TransactionCanceledException
		if !errors.As(err, &cancelled) {
			return failWrite(err, "%s", what)
		}
		userErr, transient := s.cancelled(actions, cancelled.CancellationReasons)
		if userErr != nil {
			return userErr
		}
		if errors.Is(transient, errGenerationMoved) {
			// Not a failure: another write took the generation. Bounded all the same, so that
			// a table written without end cannot keep one writer looping.
			if moved++; moved < 100 {
				attempt--
				continue
			}
		}
		if transient == nil {
			return fail(err, "%s: cancelled: %s", what, reasons(cancelled.CancellationReasons))
		}
		if attempt == maxTransactAttempts {
			return fmt.Errorf("%w (dynamo: %s: still cancelled after %d attempts: %s)",
				errUnavailable(), what, attempt, reasons(cancelled.CancellationReasons))
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return fail(err, "%s", what)
		}
	}
}

func reasons(rs []types.CancellationReason) string {
	var out []string
	for i, r := range rs {
		if c := aws.ToString(r.Code); c != "None" && c != "" {
			out = append(out, fmt.Sprintf("[%d] %s %s", i, c, aws.ToString(r.Message)))
		}
	}
	return fmt.Sprint(out)
}

// cancelled maps the reasons of a cancelled transaction to the user's error, by the role of
// the action each reason is about. A failed condition is a fact about committed data, so it
// wins over transient reasons; among failed conditions, a missing item comes first, then a
// changed version, then an id or slug taken. Without a user's error, transient is
// errGenerationMoved if the generation's condition failed (another write committed first),
// errBusy if the only reasons are transient ones, and nil if the transaction cannot succeed.
func (s *store[T, F]) cancelled(actions []action, rs []types.CancellationReason) (userErr, transient error) {
	const (
		rankNone = iota
		rankSlug
		rankID
		rankVersion
		rankNotFound
	)
	rank := rankNone
	other, busy, moved := false, false, false
	set := func(r int, err error) {
		if r > rank {
			rank, userErr = r, err
		}
	}
	for i, r := range rs {
		code := aws.ToString(r.Code)
		switch {
		case code == "" || code == "None":
		case code == "ConditionalCheckFailed" && i < len(actions):
			a := actions[i]
			switch a.role {
			case roleCreate:
				set(rankID, pause.Errorf(pause.ECONFLICT, "Another %s has the id %s.", s.name, a.id))
			case roleReplace:
				if len(r.Item) == 0 {
					set(rankNotFound, s.notFound("id", a.id))
				} else {
					var m metaItem
					_ = attributevalue.UnmarshalMap(r.Item, &m)
					set(rankVersion, s.changed(a.id, a.version, m.Version))
				}
			case roleClaim:
				set(rankSlug, s.slugTaken(a.slug))
			case roleGeneration:
				// The generation as it is now: the next attempt follows it (set, not raised,
				// so that a table emptied and made again is followed too).
				s.t.gen.Store(generationOf(r.Item))
				moved = true
			default:
				// A marker that is not its item's cannot be, while every write checks the
				// item's version: report it, do not hide it.
				other = true
			}
		case transientReason(code):
			busy = true
		default:
			other = true
		}
	}
	switch {
	case userErr != nil:
		return userErr, nil
	case other:
		return nil, nil
	case moved:
		return nil, errGenerationMoved
	case busy:
		return nil, errBusy
	}
	return nil, nil
}

// errBusy is the cancellation of a transaction for transient reasons only.
var errBusy = errors.New("busy")

// feedSize is how many actions the events of a transaction add to it.
func feedSize(f feed) int {
	if len(f.events) == 0 {
		return 0
	}
	return 1 + len(f.events)
}

// isNil reports whether the item is the nil item of its type.
func isNil[T comparable](item T) bool {
	var none T
	return item == none
}

package dynamo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// Config is what a Store needs.
type Config struct {
	// Client is the DynamoDB client; see NewClient.
	Client *dynamodb.Client
	// Table is the name of the table, made by CreateTable or by the deploy template from
	// TableDefinition.
	Table string
}

// Store is pause's content in one DynamoDB table: the stores of the three content types,
// sharing one implementation, and the API keys.
type Store struct {
	contentStores // content.generated.go
	keys          keyStore
	audit         auditStore
	idem          idempotencyStore
	users         userStore
	sessions      sessionStore
	failures      failureStore
	events        eventStore
	webhooks      webhookStore
	media         mediaStore
}

// New returns the stores on the configured table. It makes no request: a missing table shows
// in the first call.
func New(cfg Config) *Store {
	t := &table{client: cfg.Client, name: cfg.Table}
	return &Store{
		contentStores: newContentStores(t),
		keys:          keyStore{t},
		audit:         auditStore{t},
		idem:          idempotencyStore{t},
		users:         userStore{t}, sessions: sessionStore{t}, failures: failureStore{t},
		events:   eventStore{t},
		webhooks: webhookStore{t},
		media:    mediaStore{t},
	}
}

// Stores returns the stores of every content type, for pause.Config.
func (s *Store) Stores() pause.Stores {
	stores := pause.Stores{Keys: s.keys, Audit: s.audit,
		Idempotency: s.idem, Users: s.users, Sessions: s.sessions, Failures: s.failures, Events: s.events, Webhooks: s.webhooks,
		Media: s.media}
	s.set(&stores)
	return stores
}

// table is the client and the table's name, shared by the stores.
type table struct {
	client *dynamodb.Client
	name   string
	// gen is the last generation of the change feed this process saw (events.go); seen tells
	// whether it saw one at all.
	gen  atomic.Uint64
	seen atomic.Bool
}

// store is a pause.Store of the content type T on the table. What differs between the types is
// its shape: the key prefix, its storage shape, the optional body kept in its own item, and the
// facets it is counted and filtered by. Its name and orders are the content type's.
type store[T pause.Item[T], F pause.Filter[T]] struct {
	shape[T, F]
	t      *table
	kind   kindKey
	name   string // "article", for messages
	orders []pause.Order
	// slugs remembers the id of the item that had a slug (fast.go).
	slugs memo[string, string]
	// shares remembers, per partition and filter, how many of the items read matched (list.go).
	shares memo[string, float64]
	// summary is what list Queries project (fast.go).
	summary projection
}

// shape is how one content type is kept in the table: the strategy that the generic store
// follows, implemented by a type per content type (articleShape).
type shape[T, F any] interface {
	// key is the prefix of the type's keys.
	key() kindKey
	// encode returns the item's storage shape, without its draft and body.
	encode(T) any
	// decode reads an item from its storage shape.
	decode(map[string]types.AttributeValue) (T, error)
	// hasBody reports whether the type keeps a body item; bodyField is the API name of the
	// Markdown field kept in it, and body and setBody read and set that field and its HTML.
	hasBody() bool
	bodyField() string
	body(T) (body, html string)
	setBody(T, string, string)
	// facets are what an item is counted by beside its status; filterFacets what a filter
	// asks for; facetCondition the filter expression that selects the items with a facet,
	// which agrees with the filter's Match.
	facets(T) []facet
	filterFacets(F) []facet
	facetCondition(facet) expression.ConditionBuilder
}

func newStore[T pause.Item[T], F pause.Filter[T]](t *table, sh shape[T, F]) *store[T, F] {
	var zero T
	ct := zero.Type()
	empty := reflect.New(reflect.TypeFor[T]().Elem()).Interface().(T)
	return &store[T, F]{shape: sh, t: t, kind: sh.key(), name: ct.Name, orders: ct.Orders, summary: summaryProjection(sh.encode(empty))}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: str(pk), attrSK: str(sk)}
}

func (s *store[T, F]) itemKey(id string) map[string]types.AttributeValue {
	return key(itemPK(s.kind, id), skItem)
}

func (s *store[T, F]) bodyKey(id string) map[string]types.AttributeValue {
	return key(itemPK(s.kind, id), skBody)
}

func (s *store[T, F]) draftBodyKey(id string) map[string]types.AttributeValue {
	return key(itemPK(s.kind, id), skDraftBody)
}

func (s *store[T, F]) slugKey(slug string) map[string]types.AttributeValue {
	return key(slugPK(s.kind, slug), skSlug)
}

func (s *store[T, F]) notFound(how, key string) error {
	return pause.Errorf(pause.ENOTFOUND, "No %s has %s %s.", s.name, how, key)
}

func (s *store[T, F]) changed(id string, version, stored int) error {
	return pause.Errorf(pause.ECONFLICT,
		"This %s (%s) changed since version %d (it is at version %d): reload it and apply your change again.",
		s.name, id, version, stored)
}

func (s *store[T, F]) slugTaken(slug string) error {
	return &pause.Error{Code: pause.ECONFLICT, Field: "slug",
		Message: fmt.Sprintf("Another %s has the slug %s.", s.name, slug)}
}

// toAV returns the stored form of the item: its storage shape, its key, and the keys of the
// list indexes of its type, in the partition of its status.
func (s *store[T, F]) toAV(item T) (map[string]types.AttributeValue, error) {
	m := item.Metadata()
	av, err := attributevalue.MarshalMap(s.encode(item))
	if err != nil {
		return nil, fmt.Errorf("dynamo: encode %s %s: %w", s.name, m.ID, err)
	}
	if d := pause.DraftOf(item); !isNil(d) {
		dav, err := attributevalue.MarshalMap(s.encode(d))
		if err != nil {
			return nil, fmt.Errorf("dynamo: encode draft of %s %s: %w", s.name, m.ID, err)
		}
		av[attrDraft] = &types.AttributeValueMemberM{Value: dav}
	}
	av[attrPK] = str(itemPK(s.kind, m.ID))
	av[attrSK] = str(skItem)
	if m.ScheduledAt != nil {
		av[attrListPK] = str(scheduledPK(s.kind))
	} else {
		av[attrListPK] = str(listPK(s.kind, m.Status))
	}
	for _, o := range s.orders {
		idx, _ := indexOf(o)
		av[idx.sortBy] = str(pause.SortKey(item, o))
	}
	return av, nil
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// backoff is the wait before retry number attempt (1, 2, ...): exponential with full jitter,
// from 10 ms up to 640 ms.
func backoff(attempt int) time.Duration {
	ceiling := 10 * time.Millisecond << min(attempt, 6)
	return time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond
}

// Reading.

// Get returns the item with the id, or ENOTFOUND. An article's item and body item share a
// partition, so one Query reads both (strongly consistent unless ctx allows otherwise).
func (s *store[T, F]) Get(ctx context.Context, id string) (T, error) {
	if !s.hasBody() {
		return s.getSummary(ctx, id)
	}
	var zero T
	if !validID(id) {
		return zero, s.notFound("id", id)
	}
	// The item, its body and its draft's body sort at or before ITEM; its revisions after.
	kc := expression.Key(attrPK).Equal(expression.Value(itemPK(s.kind, id))).
		And(expression.Key(attrSK).LessThanEqual(expression.Value(skItem)))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return zero, fmt.Errorf("dynamo: get %s %s: %w", s.name, id, err)
	}
	in := &dynamodb.QueryInput{
		TableName: &s.t.name, KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ConsistentRead: consistent(ctx),
	}
	var item, body, draftBody map[string]types.AttributeValue
	for page := 0; ; page++ {
		var out *dynamodb.QueryOutput
		query := func() (err error) { out, err = s.t.client.Query(ctx, in, withMeter); return err }
		if page == 0 {
			err = s.t.beside(ctx, query)
		} else {
			err = query()
		}
		if err != nil {
			return zero, fail(err, "get %s %s", s.name, id)
		}
		for _, av := range out.Items {
			switch skOf(av) {
			case skItem:
				item = av
			case skBody:
				body = av
			case skDraftBody:
				draftBody = av
			}
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if item == nil {
		return zero, s.notFound("id", id)
	}
	return s.decodeWithBody(item, body, draftBody)
}

func skOf(av map[string]types.AttributeValue) string {
	if v, ok := av[attrSK].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// decodeItem decodes a content item and the working draft it carries, if any, without bodies.
func (s *store[T, F]) decodeItem(av map[string]types.AttributeValue) (T, error) {
	var zero T
	out, err := s.decode(av)
	if err != nil {
		return zero, fmt.Errorf("dynamo: %w", err)
	}
	if dav, ok := av[attrDraft].(*types.AttributeValueMemberM); ok {
		d, err := s.decode(dav.Value)
		if err != nil {
			return zero, fmt.Errorf("dynamo: draft of %s %s: %w", s.name, out.Metadata().ID, err)
		}
		pause.SetDraft(out, d)
	}
	return out, nil
}

// decodeWithBody decodes a content item with its body and its draft's body, either of which
// may be nil.
func (s *store[T, F]) decodeWithBody(item, body, draftBody map[string]types.AttributeValue) (T, error) {
	var zero T
	out, err := s.decodeItem(item)
	if err != nil {
		return zero, err
	}
	if !s.hasBody() {
		return out, nil
	}
	if body != nil {
		b, h, err := fromBodyItem(body)
		if err != nil {
			return zero, fmt.Errorf("dynamo: %s %s: %w", s.name, out.Metadata().ID, err)
		}
		s.setBody(out, b, h)
	}
	if d := pause.DraftOf(out); !isNil(d) && draftBody != nil {
		b, h, err := fromBodyItem(draftBody)
		if err != nil {
			return zero, fmt.Errorf("dynamo: draft of %s %s: %w", s.name, out.Metadata().ID, err)
		}
		s.setBody(d, b, h)
	}
	return out, nil
}

// getSummary reads the item without its body, with one GetItem (strongly consistent unless
// ctx allows otherwise).
func (s *store[T, F]) getSummary(ctx context.Context, id string) (T, error) {
	var zero T
	if !validID(id) {
		return zero, s.notFound("id", id)
	}
	var out *dynamodb.GetItemOutput
	err := s.t.beside(ctx, func() (err error) {
		out, err = s.t.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &s.t.name, Key: s.itemKey(id), ConsistentRead: consistent(ctx),
		}, withMeter)
		return err
	})
	if err != nil {
		return zero, fail(err, "get %s %s", s.name, id)
	}
	if out.Item == nil {
		return zero, s.notFound("id", id)
	}
	return s.decodeWithBody(out.Item, nil, nil)
}

// GetBySlug reads the item that the slug's id names. A warm instance remembers the id of each
// slug it has read, and reads that item at once (one round trip): the item's own slug tells
// whether it still has it, as slugs are unique and a slug marker moves in the same transaction
// as its item's slug. Otherwise, and when the item no longer has the slug, it reads the slug
// marker, then the item it names; an item that changed its slug between the two reads is
// looked up again, a few times at most.
func (s *store[T, F]) GetBySlug(ctx context.Context, slug string) (T, error) {
	var zero T
	if slug == "" || len(slug) > 1024 {
		return zero, s.notFound("slug", slug)
	}
	if id, ok := s.slugs.get(slug); ok {
		item, err := s.Get(ctx, id)
		if err == nil && item.Metadata().Slug == slug {
			return item, nil
		} else if err != nil && pause.ErrorCode(err) != pause.ENOTFOUND {
			return zero, err
		}
		s.slugs.drop(slug)
	}
	for try := 0; try < 3; try++ {
		out, err := s.t.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &s.t.name, Key: s.slugKey(slug), ConsistentRead: consistent(ctx),
		}, withMeter)
		if err != nil {
			return zero, fail(err, "get %s by slug %s", s.name, slug)
		}
		var marker markerItem
		if out.Item == nil {
			break
		}
		if err := attributevalue.UnmarshalMap(out.Item, &marker); err != nil {
			return zero, fmt.Errorf("dynamo: decode slug marker %s: %w", slug, err)
		}
		item, err := s.Get(ctx, marker.ID)
		if pause.ErrorCode(err) == pause.ENOTFOUND {
			continue // deleted meanwhile: the marker is gone too, or will be on the next read
		} else if err != nil {
			return zero, err
		}
		if item.Metadata().Slug == slug {
			s.slugs.put(slug, marker.ID)
			return item, nil
		}
	}
	return zero, s.notFound("slug", slug)
}

// markerItem is a slug marker: the id of the item that has the slug.
type markerItem struct {
	ID string `dynamodbav:"id"`
}

// maxBatchGet is how many keys one BatchGetItem may ask for.
const maxBatchGet = 100

// maxUnprocessedRounds bounds the retries of the keys BatchGetItem leaves unprocessed.
const maxUnprocessedRounds = 8

// batchGet reads the items with the keys by BatchGetItem, strongly consistent if consistent,
// in chunks of 100 keys, retrying the keys DynamoDB leaves unprocessed with backoff. Missing items are
// left out; the order of the result is DynamoDB's.
func (t *table) batchGet(ctx context.Context, keys []map[string]types.AttributeValue, consistent *bool, what string) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	for start := 0; start < len(keys); start += maxBatchGet {
		pending := map[string]types.KeysAndAttributes{t.name: {
			Keys: keys[start:min(start+maxBatchGet, len(keys))], ConsistentRead: consistent,
		}}
		for round := 0; len(pending) > 0 && len(pending[t.name].Keys) > 0; round++ {
			if round > 0 {
				if round > maxUnprocessedRounds {
					return nil, fmt.Errorf("%w (dynamo: %s: keys still unprocessed after %d rounds)", errUnavailable(), what, round)
				}
				if err := sleep(ctx, backoff(round)); err != nil {
					return nil, fail(err, "%s", what)
				}
			}
			res, err := t.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending}, withMeter)
			if err != nil {
				return nil, fail(err, "%s", what)
			}
			out = append(out, res.Responses[t.name]...)
			pending = res.UnprocessedKeys
		}
	}
	return out, nil
}

// load reads the items with the ids (and their bodies if withBody), by BatchGetItem, strongly
// consistent unless ctx allows otherwise. Missing ids are not in the map.
func (s *store[T, F]) load(ctx context.Context, ids []string, withBody bool) (map[string]T, error) {
	withBody = withBody && s.hasBody()
	keys := make([]map[string]types.AttributeValue, 0, len(ids)*2)
	for _, id := range ids {
		keys = append(keys, s.itemKey(id))
		if withBody {
			keys = append(keys, s.bodyKey(id), s.draftBodyKey(id))
		}
	}
	avs, err := s.t.batchGet(ctx, keys, consistent(ctx), fmt.Sprintf("get %d %ss", len(ids), s.name))
	if err != nil {
		return nil, err
	}
	items := make(map[string]map[string]types.AttributeValue, len(ids))
	bodies := make(map[string]map[string]types.AttributeValue)
	draftBodies := make(map[string]map[string]types.AttributeValue)
	for _, av := range avs {
		pk, _ := av[attrPK].(*types.AttributeValueMemberS)
		if pk == nil {
			continue
		}
		id, ok := itemIDOf(s.kind, pk.Value)
		if !ok {
			continue
		}
		switch skOf(av) {
		case skItem:
			items[id] = av
		case skBody:
			bodies[id] = av
		case skDraftBody:
			draftBodies[id] = av
		}
	}
	out := make(map[string]T, len(items))
	for id, av := range items {
		item, err := s.decodeWithBody(av, bodies[id], draftBodies[id])
		if err != nil {
			return nil, err
		}
		out[id] = item
	}
	return out, nil
}

// GetMany reads the items by BatchGetItem: one request for up to 100 keys (an article is two
// keys, its item and its body), more only for longer lists or unprocessed keys.
func (s *store[T, F]) GetMany(ctx context.Context, ids []string) ([]T, error) {
	unique := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] && validID(id) {
			unique = append(unique, id)
		}
		seen[id] = true
	}
	found, err := s.load(ctx, unique, true)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(found))
	for _, id := range unique {
		if item, ok := found[id]; ok {
			out = append(out, item)
		}
	}
	return out, nil
}

var (
	_ pause.ToolStore = (*toolStore)(nil)
	_ pause.KeyStore  = keyStore{}
)

// prefix is the key prefix of the store's items, for the test that no two types share one.
func (s *store[T, F]) prefix() kindKey { return s.kind }

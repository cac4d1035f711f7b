package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// The change feed on the table. Every content write is one TransactWriteItems; it also updates
// the generation item (feedPK, skGeneration) on the condition that it still holds the
// generation the writer last knew, and puts one event item per item written, under the
// following generations (feedPK, eventSK). Two writes that race for the same generation
// cannot both commit: the loser's condition fails, the failed check returns the item, and the
// writer tries again from the generation it holds. So the events take the generations in the
// order the writes committed, with no gap, and only with the write they record.
//
// The generation item is tiny (well under 4 KB), so a strongly consistent read of it costs one
// read unit: the public cache of every Lambda instance reads it once per request.
//
// Event items carry attrTTL, the table's time-to-live attribute, pause.EventRetention after
// their time, so that the outbox does not grow without end. The table's stream carries them
// to the worker function (see the template), which delivers webhooks.

// Attributes of the feed's items.
const attrGeneration = "gen"

// eventItem is an event as the table keeps it.
type eventItem struct {
	Type       string    `dynamodbav:"type"`
	ItemType   string    `dynamodbav:"itemType"`
	ItemID     string    `dynamodbav:"itemId"`
	Slug       string    `dynamodbav:"slug"`
	Version    int       `dynamodbav:"version"`
	Actor      string    `dynamodbav:"actor"`
	At         time.Time `dynamodbav:"at"`
	Generation uint64    `dynamodbav:"gen"`
	Expires    int64     `dynamodbav:"ttl"`
}

func (r eventItem) event() *pause.Event {
	return &pause.Event{ID: pause.EventID(r.Generation), Type: r.Type, ItemType: r.ItemType, ItemID: r.ItemID,
		Slug: r.Slug, Version: r.Version, Actor: r.Actor, At: r.At, Generation: r.Generation}
}

// DecodeEvent reads an event from an item of the table as its stream carries it, converted to
// the SDK's attribute values. ok is false for an item that is not an event.
func DecodeEvent(av map[string]types.AttributeValue) (e *pause.Event, ok bool, err error) {
	pk, _ := av[attrPK].(*types.AttributeValueMemberS)
	if pk == nil || pk.Value != feedPK() {
		return nil, false, nil
	}
	if _, isGen := av[attrGeneration]; !isGen {
		return nil, false, nil
	}
	if sk, _ := av[attrSK].(*types.AttributeValueMemberS); sk == nil || sk.Value == skGeneration {
		return nil, false, nil
	}
	var r eventItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, false, fmt.Errorf("dynamo: decode event: %w", err)
	}
	return r.event(), true, nil
}

// feed is what a transaction adds to record its events.
type feed struct {
	events []*pause.Event
}

// event adds the event to the transaction.
func (w *writes) event(e *pause.Event) { w.feed.events = append(w.feed.events, e) }

// feedActions returns the actions that record the transaction's events after the generation
// known: the conditional update of the generation item and the puts of the events, which the
// function numbers.
func (t *table) feedActions(events []*pause.Event, known uint64) ([]action, error) {
	if len(events) == 0 {
		return nil, nil
	}
	next := known + uint64(len(events))
	var cond expression.ConditionBuilder
	if known == 0 {
		cond = expression.AttributeNotExists(expression.Name(attrGeneration))
	} else {
		cond = expression.Name(attrGeneration).Equal(expression.Value(known))
	}
	expr, err := expression.NewBuilder().WithCondition(cond).
		WithUpdate(expression.Set(expression.Name(attrGeneration), expression.Value(next))).Build()
	if err != nil {
		return nil, err
	}
	out := []action{{role: roleGeneration, write: types.TransactWriteItem{Update: &types.Update{
		TableName: &t.name, Key: key(feedPK(), skGeneration),
		ConditionExpression: expr.Condition(), UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}}}
	for i, e := range events {
		gen := known + uint64(i) + 1
		e.Generation, e.ID = gen, pause.EventID(gen)
		av, err := attributevalue.MarshalMap(eventItem{Type: e.Type, ItemType: e.ItemType, ItemID: e.ItemID,
			Slug: e.Slug, Version: e.Version, Actor: e.Actor, At: e.At.UTC(), Generation: gen,
			Expires: e.At.Add(pause.EventRetention).Unix()})
		if err != nil {
			return nil, fmt.Errorf("encode event: %w", err)
		}
		maps.Copy(av, key(feedPK(), eventSK(gen)))
		out = append(out, action{write: types.TransactWriteItem{Put: &types.Put{TableName: &t.name, Item: av}}})
	}
	return out, nil
}

// generationOf reads the generation from the generation item as a failed condition returned it.
func generationOf(item map[string]types.AttributeValue) uint64 {
	n, _ := item[attrGeneration].(*types.AttributeValueMemberN)
	if n == nil {
		return 0
	}
	g, _ := strconv.ParseUint(n.Value, 10, 64)
	return g
}

// eventStore is pause.EventStore on the table.
type eventStore struct{ t *table }

// Generation reads the generation item, strongly consistent: one read unit.
func (s eventStore) Generation(ctx context.Context) (uint64, error) {
	out, err := s.t.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.t.name, Key: key(feedPK(), skGeneration), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String(attrGeneration),
	}, withMeter)
	if err != nil {
		return 0, fail(err, "read the generation")
	}
	g := generationOf(out.Item)
	s.t.saw(g)
	return g, nil
}

// Events queries the feed's partition from after the generation, strongly consistent.
func (s eventStore) Events(ctx context.Context, after uint64, limit int) ([]*pause.Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	kc := expression.Key(attrPK).Equal(expression.Value(feedPK())).
		And(expression.Key(attrSK).Between(expression.Value(eventSK(after+1)), expression.Value(eventSK(1<<63))))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName: &s.t.name, KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ConsistentRead: aws.Bool(true), Limit: aws.Int32(int32(min(limit, 1000))),
	}
	var out []*pause.Event
	for len(out) < limit {
		page, err := s.t.client.Query(ctx, in, withMeter)
		if err != nil {
			return nil, fail(err, "read events after %d", after)
		}
		for _, av := range page.Items {
			var r eventItem
			if err := attributevalue.UnmarshalMap(av, &r); err != nil {
				return nil, fmt.Errorf("dynamo: decode event: %w", err)
			}
			if len(out) < limit {
				out = append(out, r.event())
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	return out, nil
}

// PruneEvents deletes the events written before the time, oldest first, one DeleteItem each
// (few: the table's time-to-live deletes them too, within a few days of attrTTL; this
// makes it exact).
func (s eventStore) PruneEvents(ctx context.Context, before time.Time) error {
	for {
		events, err := s.Events(ctx, 0, 25)
		if err != nil {
			return err
		}
		n := 0
		for _, e := range events {
			if !e.At.Before(before) {
				break
			}
			if _, err := s.t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.t.name,
				Key: key(feedPK(), eventSK(e.Generation))}, withMeter); err != nil {
				return fail(err, "prune events")
			}
			n++
		}
		if n < len(events) {
			return nil
		}
		if len(events) < 25 {
			return nil
		}
	}
}

// saw notes a generation that the table was seen at: the next write assumes it first.
func (t *table) saw(g uint64) {
	t.seen.Store(true)
	for {
		old := t.gen.Load()
		if g <= old || t.gen.CompareAndSwap(old, g) {
			return
		}
	}
}

// errGenerationMoved is the cancellation of a transaction whose only failed condition is the
// generation's: another write committed first, and the transaction is tried again after it.
var errGenerationMoved = errors.New("the generation moved")

// FeedPartition returns the partition key of the change feed's items, which the worker's
// stream filter lets through.
func FeedPartition() string { return feedPK() }

// beside runs read, a strongly consistent read of an item, and, while this process has seen no
// generation yet, reads the generation at the same time: the read of an item before its write
// then tells the generation that the write's events follow, and a new instance's first write is
// not cancelled by a generation it could not know (a round trip more). The generation read is a
// hint: its failure is the next write's to meet.
func (t *table) beside(ctx context.Context, read func() error) error {
	if t.seen.Load() || pause.EventuallyConsistent(ctx) {
		return read()
	}
	return atOnce(read, func() error {
		_, _ = eventStore{t}.Generation(ctx)
		return nil
	})
}

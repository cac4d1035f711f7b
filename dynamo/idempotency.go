package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// maxIdempotentBody is the largest answer kept (gzipped): an item holds at most 400 KB. An
// attempt whose answer is larger ends UNKNOWN, so that a repeat runs again (and, with the
// same ids and ClientRequestTokens, makes nothing twice within DynamoDB's ten minutes).
const maxIdempotentBody = 350 << 10

// idempotencyItem is the record of a request sent with an Idempotency-Key.
type idempotencyItem struct {
	Hash      string    `dynamodbav:"hash"`
	State     string    `dynamodbav:"state"`
	Attempt   int       `dynamodbav:"attempt"`
	Owner     string    `dynamodbav:"owner"`
	Status    int       `dynamodbav:"status,omitempty"`
	Body      []byte    `dynamodbav:"body,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
	ExpiresAt time.Time `dynamodbav:"expiresAt"`
	TTL       int64     `dynamodbav:"ttl"`
}

// idempotencyStore is pause.IdempotencyStore on the table, one item per record.
type idempotencyStore struct{ t *table }

func (s idempotencyStore) key(k string) map[string]types.AttributeValue {
	return key(idempotencyPK(k), skIdempotency)
}

func (s idempotencyStore) encode(r *pause.IdempotencyRecord) (map[string]types.AttributeValue, error) {
	body, err := packBytes(r.Body)
	if err != nil {
		return nil, err
	}
	av, err := attributevalue.MarshalMap(idempotencyItem{Hash: r.Hash, State: r.State, Attempt: r.Attempt, Owner: r.Owner,
		Status: r.Status, Body: body, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), TTL: r.ExpiresAt.Unix()})
	if err != nil {
		return nil, fmt.Errorf("dynamo: encode idempotency record: %w", err)
	}
	maps.Copy(av, s.key(r.Key))
	return av, nil
}

func (s idempotencyStore) decode(k string, av map[string]types.AttributeValue) (*pause.IdempotencyRecord, error) {
	var it idempotencyItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("dynamo: decode idempotency record: %w", err)
	}
	body, err := unpack(it.Body)
	if err != nil {
		return nil, err
	}
	r := &pause.IdempotencyRecord{Key: k, Hash: it.Hash, State: it.State, Attempt: it.Attempt, Owner: it.Owner, Status: it.Status,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, ExpiresAt: it.ExpiresAt}
	if body != "" {
		r.Body = []byte(body)
	}
	return r, nil
}

// BeginRequest puts the record unless a live one has the key (one conditional PutItem, which
// returns the stored record when it fails), and takes over an UNKNOWN or abandoned attempt with
// one conditional UpdateItem.
func (s idempotencyStore) BeginRequest(ctx context.Context, rec *pause.IdempotencyRecord, now time.Time) (*pause.IdempotencyRecord, error) {
	av, err := s.encode(rec)
	if err != nil {
		return nil, err
	}
	cond, err := expression.NewBuilder().WithCondition(expression.Or(
		expression.AttributeNotExists(expression.Name(attrPK)),
		expression.Name("expiresAt").LessThanEqual(expression.Value(now.UTC())))).Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: begin idempotent request: %w", err)
	}
	_, err = s.t.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.t.name, Item: av, ConditionExpression: cond.Condition(),
		ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, withMeter)
	if err == nil {
		return rec, nil
	}
	var failed *types.ConditionalCheckFailedException
	if !errors.As(err, &failed) {
		return nil, fail(err, "begin idempotent request")
	}
	old, err := s.decode(rec.Key, failed.Item)
	if err != nil {
		return nil, err
	}
	takeOver := old.Hash == rec.Hash && (old.State == pause.IdempotencyUnknown ||
		old.State == pause.IdempotencyRunning && !old.UpdatedAt.After(now.Add(-pause.IdempotencyLease)))
	if !takeOver {
		return old, nil
	}
	upd, err := expression.NewBuilder().
		WithCondition(expression.Name("attempt").Equal(expression.Value(old.Attempt)).
			And(expression.Name("state").Equal(expression.Value(old.State)))).
		WithUpdate(expression.Set(expression.Name("state"), expression.Value(pause.IdempotencyRunning)).
			Set(expression.Name("attempt"), expression.Value(old.Attempt+1)).
			Set(expression.Name("owner"), expression.Value(rec.Owner)).
			Set(expression.Name("updatedAt"), expression.Value(now.UTC()))).Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: take over idempotent request: %w", err)
	}
	_, err = s.t.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.t.name, Key: s.key(rec.Key), ConditionExpression: upd.Condition(),
		UpdateExpression: upd.Update(), ExpressionAttributeNames: upd.Names(), ExpressionAttributeValues: upd.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, withMeter)
	if errors.As(err, &failed) {
		// Another attempt took it over first: report what it holds.
		return s.decode(rec.Key, failed.Item)
	} else if err != nil {
		return nil, fail(err, "take over idempotent request")
	}
	old.State, old.Attempt, old.Owner, old.UpdatedAt = pause.IdempotencyRunning, old.Attempt+1, rec.Owner, now
	return old, nil
}

// EndRequest writes the record if the attempt still holds it.
func (s idempotencyStore) EndRequest(ctx context.Context, rec *pause.IdempotencyRecord) error {
	av, err := s.encode(rec)
	if err != nil {
		return err
	}
	if b, ok := av["body"].(*types.AttributeValueMemberB); ok && len(b.Value) > maxIdempotentBody {
		unknown := *rec
		unknown.State, unknown.Body, unknown.Status = pause.IdempotencyUnknown, nil, 0
		if av, err = s.encode(&unknown); err != nil {
			return err
		}
	}
	cond, err := expression.NewBuilder().WithCondition(
		expression.Name("owner").Equal(expression.Value(rec.Owner)).
			And(expression.Name("state").Equal(expression.Value(pause.IdempotencyRunning)))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: end idempotent request: %w", err)
	}
	_, err = s.t.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.t.name, Item: av, ConditionExpression: cond.Condition(),
		ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
	}, withMeter)
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return nil
	}
	return fail(err, "end idempotent request")
}

// packBytes gzips b, or returns nil for an empty b.
func packBytes(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	return pack(string(b))
}

var _ pause.IdempotencyStore = idempotencyStore{}

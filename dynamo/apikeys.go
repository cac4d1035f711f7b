package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// apiKeyItem is the storage shape of an API key. A key is stored twice, written together in
// one transaction: in the APIKEY partition under its id (for listing and revoking) and under
// the hash of its secret (for authenticating in one read). Only RevokedAt ever changes.
type apiKeyItem struct {
	ID        string     `dynamodbav:"id"`
	Name      string     `dynamodbav:"name"`
	Role      string     `dynamodbav:"role"`
	Hint      string     `dynamodbav:"hint"`
	Hash      string     `dynamodbav:"hash"`
	CreatedAt time.Time  `dynamodbav:"createdAt"`
	CreatedBy string     `dynamodbav:"createdBy,omitempty"`
	RevokedAt *time.Time `dynamodbav:"revokedAt,omitempty"`
}

func toAPIKeyItem(k *pause.APIKey) apiKeyItem {
	r := apiKeyItem{ID: k.ID, Name: k.Name, Role: string(k.Role), Hint: k.Hint, Hash: k.Hash,
		CreatedAt: k.CreatedAt.UTC(), CreatedBy: k.CreatedBy}
	if k.RevokedAt != nil {
		t := k.RevokedAt.UTC()
		r.RevokedAt = &t
	}
	return r
}

func fromAPIKeyItem(av map[string]types.AttributeValue) (*pause.APIKey, error) {
	var r apiKeyItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, fmt.Errorf("dynamo: decode api key: %w", err)
	}
	k := &pause.APIKey{ID: r.ID, Name: r.Name, Role: pause.Role(r.Role), Hint: r.Hint, Hash: r.Hash,
		CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}
	if r.RevokedAt != nil {
		t := r.RevokedAt.UTC()
		k.RevokedAt = &t
	}
	return k, nil
}

// keyStore is pause.KeyStore on the table.
type keyStore struct{ t *table }

func apiKeyKey(id string) map[string]types.AttributeValue { return key(apiKeysPK(), id) }

func apiKeyHashKey(hash string) map[string]types.AttributeValue {
	return key(apiKeyHashPK(hash), skHash)
}

// CreateKey writes the key under its id and under its hash in one transaction, each with
// attribute_not_exists: ECONFLICT if either exists.
func (s keyStore) CreateKey(ctx context.Context, k *pause.APIKey) error {
	if !validID(k.ID) || k.Hash == "" || len(k.Hash) > 256 {
		return pause.FieldErrorf("id", "an API key needs an id of 1 to %d bytes and a hash", maxID)
	}
	av, err := attributevalue.MarshalMap(toAPIKeyItem(k))
	if err != nil {
		return fmt.Errorf("dynamo: encode api key %s: %w", k.ID, err)
	}
	byID, byHash := maps.Clone(av), maps.Clone(av)
	maps.Copy(byID, apiKeyKey(k.ID))
	maps.Copy(byHash, apiKeyHashKey(k.Hash))
	cond, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: create api key %s: %w", k.ID, err)
	}
	put := func(item map[string]types.AttributeValue) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{TableName: &s.t.name, Item: item,
			ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names()}}
	}
	audit, err := s.t.auditPut(pause.KeyCreatedEntry(k))
	if err != nil {
		return err
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put(byID), put(byHash), audit}}
	return s.t.transactKeys(ctx, in, fmt.Sprintf("create api key %s", k.ID),
		pause.Errorf(pause.ECONFLICT, "An API key with id %s exists.", k.ID))
}

// KeyByHash reads the copy of the key under the hash: one strongly consistent GetItem, so that
// a revocation counts at once on every server.
func (s keyStore) KeyByHash(ctx context.Context, hash string) (*pause.APIKey, error) {
	notFound := pause.Errorf(pause.ENOTFOUND, "No API key has this secret.")
	if hash == "" || len(hash) > 256 {
		return nil, notFound
	}
	out, err := s.t.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.t.name, Key: apiKeyHashKey(hash), ConsistentRead: aws.Bool(true),
	}, withMeter)
	if err != nil {
		return nil, fail(err, "get api key by hash")
	}
	if out.Item == nil {
		return nil, notFound
	}
	return fromAPIKeyItem(out.Item)
}

// Keys queries the APIKEY partition, newest (greatest id) first, strongly consistent.
func (s keyStore) Keys(ctx context.Context) ([]*pause.APIKey, error) {
	return queryAll(ctx, s.t, apiKeysPK(), "list api keys", fromAPIKeyItem)
}

// RevokeKey reads the key, then sets revokedAt on both of its items in one transaction, with
// if_not_exists so that the first revocation time stays, and reads it back.
func (s keyStore) RevokeKey(ctx context.Context, id string, at time.Time, by string) (*pause.APIKey, error) {
	notFound := pause.Errorf(pause.ENOTFOUND, "No API key has id %s.", id)
	get := func() (*pause.APIKey, error) {
		if !validID(id) {
			return nil, notFound
		}
		out, err := s.t.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &s.t.name, Key: apiKeyKey(id), ConsistentRead: aws.Bool(true),
		}, withMeter)
		if err != nil {
			return nil, fail(err, "get api key %s", id)
		}
		if out.Item == nil {
			return nil, notFound
		}
		return fromAPIKeyItem(out.Item)
	}
	k, err := get()
	if err != nil || k.Revoked() {
		return k, err
	}
	revokedAt := expression.Name("revokedAt")
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Set(revokedAt, expression.IfNotExists(revokedAt, expression.Value(at.UTC())))).
		WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: revoke api key %s: %w", id, err)
	}
	update := func(k map[string]types.AttributeValue) types.TransactWriteItem {
		return types.TransactWriteItem{Update: &types.Update{TableName: &s.t.name, Key: k,
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}
	}
	audit, err := s.t.auditPut(pause.KeyRevokedEntry(id, at.UTC(), by))
	if err != nil {
		return nil, err
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		update(apiKeyKey(id)), update(apiKeyHashKey(k.Hash)), audit,
	}}
	if err := s.t.transactKeys(ctx, in, fmt.Sprintf("revoke api key %s", id), notFound); err != nil {
		return nil, err
	}
	return get()
}

// transactKeys runs a transaction of API key items: a failed condition is conflict, transient
// cancellations are retried like the content stores' (see store.transact).
func (t *table) transactKeys(ctx context.Context, in *dynamodb.TransactWriteItemsInput, what string, conflict error) error {
	for attempt := 1; ; attempt++ {
		in.ClientRequestToken = nil
		_, err := t.client.TransactWriteItems(ctx, in, withMeter)
		if err == nil {
			return nil
		}
		var cancelled *types.TransactionCanceledException
		if !errors.As(err, &cancelled) {
			return fail(err, "%s", what)
		}
		codes := make([]string, len(cancelled.CancellationReasons))
		for i, r := range cancelled.CancellationReasons {
			codes[i] = aws.ToString(r.Code)
		}
		if slices.Contains(codes, "ConditionalCheckFailed") {
			return conflict
		}
		if !slices.ContainsFunc(codes, transientReason) {
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

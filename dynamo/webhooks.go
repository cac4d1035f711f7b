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

// endpointItem is a webhook endpoint as the table keeps it.
type endpointItem struct {
	ID             string     `dynamodbav:"id"`
	URL            string     `dynamodbav:"url"`
	Description    string     `dynamodbav:"description"`
	EventTypes     []string   `dynamodbav:"eventTypes"`
	Enabled        bool       `dynamodbav:"enabled"`
	SealedSecret   string     `dynamodbav:"sealedSecret"`
	SecretHint     string     `dynamodbav:"secretHint"`
	CreatedAt      time.Time  `dynamodbav:"createdAt"`
	CreatedBy      string     `dynamodbav:"createdBy"`
	UpdatedAt      time.Time  `dynamodbav:"updatedAt"`
	DisabledAt     *time.Time `dynamodbav:"disabledAt,omitempty"`
	DisabledReason string     `dynamodbav:"disabledReason,omitempty"`
	Cursor         uint64     `dynamodbav:"cursor"`
	Attempts       int        `dynamodbav:"attempts"`
	FailingSince   *time.Time `dynamodbav:"failingSince,omitempty"`
	NextAttemptAt  *time.Time `dynamodbav:"nextAttemptAt,omitempty"`
	Version        int        `dynamodbav:"version"`
}

// deliveryItem is a delivery as the table keeps it, until attrTTL.
type deliveryItem struct {
	ID         string        `dynamodbav:"id"`
	EndpointID string        `dynamodbav:"endpointId"`
	EventID    string        `dynamodbav:"eventId"`
	EventType  string        `dynamodbav:"eventType"`
	Generation uint64        `dynamodbav:"generation"`
	Kind       string        `dynamodbav:"kind"`
	Attempt    int           `dynamodbav:"attempt"`
	At         time.Time     `dynamodbav:"at"`
	Succeeded  bool          `dynamodbav:"succeeded"`
	StatusCode int           `dynamodbav:"statusCode"`
	Error      string        `dynamodbav:"error,omitempty"`
	Duration   time.Duration `dynamodbav:"duration"`
	Expires    int64         `dynamodbav:"ttl"`
}

// webhookStore is pause.WebhookStore on the table.
type webhookStore struct{ t *table }

func (s webhookStore) endpointAV(ep *pause.Endpoint) (map[string]types.AttributeValue, error) {
	r := endpointItem(*ep)
	if r.EventTypes == nil {
		r.EventTypes = []string{}
	}
	av, err := attributevalue.MarshalMap(r)
	if err != nil {
		return nil, fmt.Errorf("dynamo: encode endpoint %s: %w", ep.ID, err)
	}
	maps.Copy(av, key(webhooksPK(), ep.ID))
	return av, nil
}

// write puts the endpoint on the condition, with the audit entry if any, in one transaction.
func (s webhookStore) write(ctx context.Context, ep *pause.Endpoint, cond expression.ConditionBuilder, audit *pause.AuditEntry, what string) error {
	av, err := s.endpointAV(ep)
	if err != nil {
		return err
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: &s.t.name, Item: av,
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}}
	if audit != nil {
		put, err := s.t.auditPut(audit)
		if err != nil {
			return err
		}
		items = append(items, put)
	}
	_, err = s.t.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}, withMeter)
	var cancelled *types.TransactionCanceledException
	if errors.As(err, &cancelled) && len(cancelled.CancellationReasons) > 0 &&
		aws.ToString(cancelled.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		if len(cancelled.CancellationReasons[0].Item) == 0 {
			return pause.Errorf(pause.ENOTFOUND, "No webhook endpoint has id %s.", ep.ID)
		}
		return pause.Errorf(pause.ECONFLICT, "This webhook endpoint (%s) changed meanwhile.", ep.ID)
	}
	return fail(err, "%s webhook endpoint %s", what, ep.ID)
}

// CreateEndpoint puts the endpoint if its id is new, with the audit entry.
func (s webhookStore) CreateEndpoint(ctx context.Context, ep *pause.Endpoint, audit *pause.AuditEntry) error {
	err := s.write(ctx, ep, expression.AttributeNotExists(expression.Name(attrPK)), audit, "create")
	if pause.ErrorCode(err) == pause.ECONFLICT {
		return pause.Errorf(pause.ECONFLICT, "Another webhook endpoint has the id %s.", ep.ID)
	}
	return err
}

// UpdateEndpoint puts the endpoint if the stored one is at the version before, with the audit
// entry.
func (s webhookStore) UpdateEndpoint(ctx context.Context, ep *pause.Endpoint, audit *pause.AuditEntry) error {
	return s.write(ctx, ep, expression.Name("version").Equal(expression.Value(ep.Version-1)), audit, "update")
}

func decodeEndpoint(av map[string]types.AttributeValue) (*pause.Endpoint, error) {
	var r endpointItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, fmt.Errorf("dynamo: decode endpoint: %w", err)
	}
	ep := pause.Endpoint(r)
	return &ep, nil
}

// Endpoint reads the endpoint, strongly consistent.
func (s webhookStore) Endpoint(ctx context.Context, id string) (*pause.Endpoint, error) {
	av, err := s.t.getItem(ctx, key(webhooksPK(), id), "get webhook endpoint "+id)
	if err != nil {
		return nil, err
	}
	if len(av) == 0 {
		return nil, pause.Errorf(pause.ENOTFOUND, "No webhook endpoint has id %s.", id)
	}
	return decodeEndpoint(av)
}

// Endpoints queries the endpoints' partition, strongly consistent, in the order of their ids.
func (s webhookStore) Endpoints(ctx context.Context) ([]*pause.Endpoint, error) {
	out, err := queryAll(ctx, s.t, webhooksPK(), "list webhook endpoints", decodeEndpoint)
	if err != nil {
		return nil, err
	}
	slices.Reverse(out) // queryAll reads newest (greatest id) first
	return out, nil
}

// DeleteEndpoint deletes the endpoint with the audit entry in one transaction; its
// deliveries follow in batches (they expire anyway).
func (s webhookStore) DeleteEndpoint(ctx context.Context, id string, audit *pause.AuditEntry) error {
	put, err := s.t.auditPut(audit)
	if err != nil {
		return err
	}
	cond := "attribute_exists(" + attrPK + ")"
	_, err = s.t.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: &s.t.name, Key: key(webhooksPK(), id), ConditionExpression: &cond}}, put,
	}}, withMeter)
	var cancelled *types.TransactionCanceledException
	if errors.As(err, &cancelled) && len(cancelled.CancellationReasons) > 0 &&
		aws.ToString(cancelled.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		return pause.Errorf(pause.ENOTFOUND, "No webhook endpoint has id %s.", id)
	}
	if err != nil {
		return fail(err, "delete webhook endpoint %s", id)
	}
	for {
		ds, err := s.Deliveries(ctx, id, 25)
		if err != nil || len(ds) == 0 {
			return err
		}
		for _, d := range ds {
			if _, err := s.t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.t.name,
				Key: key(deliveriesPK(id), d.ID)}, withMeter); err != nil {
				return fail(err, "delete the deliveries of webhook endpoint %s", id)
			}
		}
	}
}

// AddDelivery puts the delivery, which expires after pause.DeliveryRetention.
func (s webhookStore) AddDelivery(ctx context.Context, d *pause.Delivery) error {
	r := deliveryItem{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: d.EventType,
		Generation: d.Generation, Kind: d.Kind, Attempt: d.Attempt, At: d.At.UTC(), Succeeded: d.Succeeded,
		StatusCode: d.StatusCode, Error: d.Error, Duration: d.Duration, Expires: d.At.Add(pause.DeliveryRetention).Unix()}
	av, err := attributevalue.MarshalMap(r)
	if err != nil {
		return fmt.Errorf("dynamo: encode delivery: %w", err)
	}
	maps.Copy(av, key(deliveriesPK(d.EndpointID), d.ID))
	_, err = s.t.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.t.name, Item: av}, withMeter)
	return fail(err, "record a delivery to %s", d.EndpointID)
}

// Deliveries queries the endpoint's deliveries backwards, newest first.
func (s webhookStore) Deliveries(ctx context.Context, endpointID string, first int) ([]*pause.Delivery, error) {
	out := []*pause.Delivery{}
	if first <= 0 {
		return out, nil
	}
	expr, err := expression.NewBuilder().WithKeyCondition(expression.Key(attrPK).Equal(expression.Value(deliveriesPK(endpointID)))).Build()
	if err != nil {
		return nil, err
	}
	page, err := s.t.client.Query(ctx, &dynamodb.QueryInput{TableName: &s.t.name, KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true),
		ScanIndexForward: aws.Bool(false), Limit: aws.Int32(int32(first))}, withMeter)
	if err != nil {
		return nil, fail(err, "deliveries to %s", endpointID)
	}
	for _, av := range page.Items {
		var r deliveryItem
		if err := attributevalue.UnmarshalMap(av, &r); err != nil {
			return nil, fmt.Errorf("dynamo: decode delivery: %w", err)
		}
		out = append(out, &pause.Delivery{ID: r.ID, EndpointID: r.EndpointID, EventID: r.EventID, EventType: r.EventType,
			Generation: r.Generation, Kind: r.Kind, Attempt: r.Attempt, At: r.At, Succeeded: r.Succeeded,
			StatusCode: r.StatusCode, Error: r.Error, Duration: r.Duration})
	}
	return out, nil
}

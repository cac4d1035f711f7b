package dynamo

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// auditItem is an entry of the audit log.
type auditItem struct {
	At       time.Time `dynamodbav:"at"`
	Actor    string    `dynamodbav:"actor"`
	Action   string    `dynamodbav:"action"`
	ItemType string    `dynamodbav:"itemType"`
	ItemID   string    `dynamodbav:"itemId"`
	Version  int       `dynamodbav:"version"`
	Fields   []string  `dynamodbav:"fields"`
}

// writeAudit adds the put of the entry to the transaction.
func writeAudit(w *writes, e *pause.AuditEntry) error {
	av, err := auditAV(e)
	if err != nil {
		return err
	}
	w.put(av, nil, action{id: e.ItemID})
	return nil
}

// auditPut is the put of the entry, for the API keys' transactions.
func (t *table) auditPut(e *pause.AuditEntry) (types.TransactWriteItem, error) {
	av, err := auditAV(e)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &t.name, Item: av}}, nil
}

// auditAV is the stored form of the entry.
func auditAV(e *pause.AuditEntry) (map[string]types.AttributeValue, error) {
	r := auditItem{At: e.At.UTC(), Actor: e.Actor, Action: e.Action, ItemType: e.ItemType,
		ItemID: e.ItemID, Version: e.Version, Fields: e.Fields}
	if r.Fields == nil {
		r.Fields = []string{}
	}
	av, err := attributevalue.MarshalMap(r)
	if err != nil {
		return nil, fmt.Errorf("dynamo: encode audit entry: %w", err)
	}
	maps.Copy(av, key(auditPK(), pause.AuditKey(e)))
	return av, nil
}

// auditStore is pause.AuditStore on the table.
type auditStore struct{ t *table }

// AuditLog reads the log newest first: a backwards Query of the AUDIT partition from the
// cursor, with a FilterExpression for the filter, repeated with a growing Limit until the page
// is full or the partition ends (as filtered lists do).
func (s auditStore) AuditLog(ctx context.Context, q pause.Query[pause.AuditFilter]) (*pause.Page[*pause.AuditEntry], error) {
	var after string
	if q.After != "" {
		var err error
		if after, err = pause.DecodeCursor(q.After, pause.OrderAudit); err != nil {
			return nil, err
		}
		if len(after) > 1024 {
			return nil, pause.FieldErrorf("after", "after is not a cursor of this list")
		}
	}
	b := expression.NewBuilder().WithKeyCondition(expression.Key(attrPK).Equal(expression.Value(auditPK())))
	filtered := false
	var cond expression.ConditionBuilder
	add := func(name, value string) {
		if value == "" {
			return
		}
		c := expression.Name(name).Equal(expression.Value(value))
		if filtered {
			cond = cond.And(c)
		} else {
			cond, filtered = c, true
		}
	}
	add("itemType", q.Filter.ItemType)
	add("itemId", q.Filter.ItemID)
	add("actor", q.Filter.Actor)
	if filtered {
		b = b.WithFilter(cond)
	}
	expr, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: audit log: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName: &s.t.name, KeyConditionExpression: expr.KeyCondition(), FilterExpression: expr.Filter(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ScanIndexForward: aws.Bool(false), ConsistentRead: aws.Bool(true),
	}
	if after != "" {
		in.ExclusiveStartKey = key(auditPK(), after)
	}
	need := q.First + 1
	limit := min(need, maxQueryLimit)
	if filtered {
		limit = min(max(2*need, minFilteredLimit), maxQueryLimit)
	}
	page := &pause.Page[*pause.AuditEntry]{Items: []*pause.AuditEntry{}, Cursors: []string{}}
	for {
		in.Limit = aws.Int32(int32(limit))
		res, err := s.t.client.Query(ctx, in, withMeter)
		if err != nil {
			return nil, fail(err, "audit log")
		}
		for _, av := range res.Items {
			var r auditItem
			if err := attributevalue.UnmarshalMap(av, &r); err != nil {
				return nil, fmt.Errorf("dynamo: decode audit entry: %w", err)
			}
			e := &pause.AuditEntry{At: r.At.UTC(), Actor: r.Actor, Action: r.Action, ItemType: r.ItemType,
				ItemID: r.ItemID, Version: r.Version, Fields: r.Fields}
			if !q.Filter.Match(e) {
				continue
			}
			if len(page.Items) == q.First {
				page.HasNextPage = true
				return page, nil
			}
			page.Items = append(page.Items, e)
			page.Cursors = append(page.Cursors, pause.EncodeCursor(pause.OrderAudit, skOf(av)))
		}
		if res.LastEvaluatedKey == nil {
			return page, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
		if filtered {
			limit = min(2*limit, maxQueryLimit)
		} else {
			limit = min(need-len(page.Items), maxQueryLimit)
		}
	}
}

var _ pause.AuditStore = auditStore{}

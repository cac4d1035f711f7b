package dynamo

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// attrRevisionItem is the attribute of a revision that holds the item.
const attrRevisionItem = "item"

func (s *store[T, F]) revisionKey(id string, n int) map[string]types.AttributeValue {
	return key(itemPK(s.kind, id), revisionSK(n))
}

// keepRevision adds to the transaction the put of the item's Change as a revision, and the
// delete of the revision it prunes.
func (s *store[T, F]) keepRevision(w *writes, item T) error {
	m := item.Metadata()
	c := m.Change
	if c == nil {
		return nil
	}
	saved := c.Item.(T)
	av, err := s.toAV(saved)
	if err != nil {
		return err
	}
	// The item's shape only: no key or index attribute, so that the revision is in no index.
	for _, k := range []string{attrPK, attrSK, attrListPK, attrByPublishedAt, attrByUpdatedAt, attrByTitle, attrByPosition} {
		delete(av, k)
	}
	r := revisionItem{Number: c.Number, At: c.At.UTC(), By: c.By, Action: c.Action, Fields: c.Fields, Item: av}
	if r.Fields == nil {
		r.Fields = []string{}
	}
	if s.hasBody() {
		body, _ := s.body(saved)
		if r.Body, err = pack(body); err != nil {
			return err
		}
		if d := pause.DraftOf(saved); !isNil(d) {
			body, _ := s.body(d)
			if r.DraftBody, err = pack(body); err != nil {
				return err
			}
		}
	}
	rav, err := attributevalue.MarshalMap(r)
	if err != nil {
		return fmt.Errorf("dynamo: encode revision %d of %s %s: %w", c.Number, s.name, m.ID, err)
	}
	rav[attrRevisionItem] = &types.AttributeValueMemberM{Value: av}
	maps.Copy(rav, s.revisionKey(m.ID, c.Number))
	w.put(rav, nil, action{id: m.ID})
	if c.Prune > 0 {
		w.delete(s.revisionKey(m.ID, c.Prune), nil, action{id: m.ID})
	}
	return writeAudit(w, pause.NewAuditEntry(s.name, m.ID, c))
}

// Revisions reads the item's revisions newest first: one strongly consistent Query of the
// item's partition, SK between REV#0 and the revision before, backwards, Limit first+1.
func (s *store[T, F]) Revisions(ctx context.Context, id string, first, before int) ([]*pause.Revision, bool, error) {
	if !validID(id) {
		return nil, false, nil
	}
	upper := revisionSK(9_999_999_999)
	if before > 0 {
		upper = revisionSK(before - 1)
	}
	kc := expression.Key(attrPK).Equal(expression.Value(itemPK(s.kind, id))).
		And(expression.Key(attrSK).Between(expression.Value(revisionSK(0)), expression.Value(upper)))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, false, fmt.Errorf("dynamo: revisions of %s %s: %w", s.name, id, err)
	}
	in := &dynamodb.QueryInput{
		TableName: &s.t.name, KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ConsistentRead: aws.Bool(true), ScanIndexForward: aws.Bool(false),
		Limit: aws.Int32(int32(first + 1)),
	}
	var out []*pause.Revision
	for {
		res, err := s.t.client.Query(ctx, in, withMeter)
		if err != nil {
			return nil, false, fail(err, "revisions of %s %s", s.name, id)
		}
		for _, av := range res.Items {
			if len(out) == first {
				return out, true, nil
			}
			r, err := s.decodeRevision(av)
			if err != nil {
				return nil, false, err
			}
			out = append(out, r)
		}
		if res.LastEvaluatedKey == nil {
			return out, false, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

func (s *store[T, F]) decodeRevision(av map[string]types.AttributeValue) (*pause.Revision, error) {
	var r revisionItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, fmt.Errorf("dynamo: decode revision: %w", err)
	}
	iav, ok := av[attrRevisionItem].(*types.AttributeValueMemberM)
	if !ok {
		return nil, fmt.Errorf("dynamo: revision %d of a %s has no item", r.Number, s.name)
	}
	item, err := s.decodeItem(iav.Value)
	if err != nil {
		return nil, err
	}
	if s.hasBody() {
		body, err := unpack(r.Body)
		if err != nil {
			return nil, err
		}
		s.setBody(item, body, "")
		if d := pause.DraftOf(item); !isNil(d) {
			body, err := unpack(r.DraftBody)
			if err != nil {
				return nil, err
			}
			s.setBody(d, body, "")
		}
	}
	return &pause.Revision{Number: r.Number, At: r.At.UTC(), By: r.By, Action: r.Action, Fields: r.Fields, Item: item}, nil
}

// revisionKeys reads the keys of every revision of the item (a Query of its partition, keys
// only), for Delete.
func (s *store[T, F]) revisionKeys(ctx context.Context, id string) ([]map[string]types.AttributeValue, error) {
	kc := expression.Key(attrPK).Equal(expression.Value(itemPK(s.kind, id))).
		And(expression.Key(attrSK).BeginsWith(revisionPrefix))
	proj := expression.NamesList(expression.Name(attrPK), expression.Name(attrSK))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).WithProjection(proj).Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: revisions of %s %s: %w", s.name, id, err)
	}
	in := &dynamodb.QueryInput{
		TableName: &s.t.name, KeyConditionExpression: expr.KeyCondition(),
		ProjectionExpression:     expr.Projection(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ConsistentRead: aws.Bool(true),
	}
	var out []map[string]types.AttributeValue
	for {
		res, err := s.t.client.Query(ctx, in, withMeter)
		if err != nil {
			return nil, fail(err, "revisions of %s %s", s.name, id)
		}
		out = append(out, res.Items...)
		if res.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

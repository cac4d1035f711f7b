package dynamo

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// mediaItem is the storage shape of a media item. Search is the lower-cased filename, which
// the library's search matches with contains().
type mediaItem struct {
	ID          string    `dynamodbav:"id"`
	Key         string    `dynamodbav:"key"`
	Filename    string    `dynamodbav:"filename"`
	Search      string    `dynamodbav:"search"`
	ContentType string    `dynamodbav:"contentType"`
	Bytes       int       `dynamodbav:"bytes"`
	Width       int       `dynamodbav:"width"`
	Height      int       `dynamodbav:"height"`
	Alt         string    `dynamodbav:"alt"`
	Decorative  bool      `dynamodbav:"decorative"`
	CreatedAt   time.Time `dynamodbav:"createdAt"`
	CreatedBy   string    `dynamodbav:"createdBy"`
	UpdatedAt   time.Time `dynamodbav:"updatedAt"`
	UpdatedBy   string    `dynamodbav:"updatedBy"`
	Version     int       `dynamodbav:"version"`
}

func mediaAV(m *pause.Media) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(mediaItem{ID: m.ID, Key: m.Key, Filename: m.Filename,
		Search: strings.ToLower(m.Filename), ContentType: m.ContentType, Bytes: m.Bytes, Width: m.Width,
		Height: m.Height, Alt: m.Alt, Decorative: m.Decorative, CreatedAt: m.CreatedAt.UTC(), CreatedBy: m.CreatedBy,
		UpdatedAt: m.UpdatedAt.UTC(), UpdatedBy: m.UpdatedBy, Version: m.Version})
	if err != nil {
		return nil, fmt.Errorf("dynamo: encode media item %s: %w", m.ID, err)
	}
	maps.Copy(av, mediaKey(m.ID))
	return av, nil
}

func fromMediaAV(av map[string]types.AttributeValue) (*pause.Media, error) {
	var r mediaItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, fmt.Errorf("dynamo: decode media item: %w", err)
	}
	return &pause.Media{ID: r.ID, Key: r.Key, Filename: r.Filename, ContentType: r.ContentType, Bytes: r.Bytes,
		Width: r.Width, Height: r.Height, Alt: r.Alt, Decorative: r.Decorative, CreatedAt: r.CreatedAt.UTC(),
		CreatedBy: r.CreatedBy, UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy, Version: r.Version}, nil
}

func mediaKey(id string) map[string]types.AttributeValue { return key(mediaPK(), id) }

// mediaStore is pause.MediaStore on the table.
type mediaStore struct{ t *table }

func mediaNotFound() error { return pause.Errorf(pause.ENOTFOUND, "No image has this id.") }

// CreateMedia puts the item if none has its id, and the audit entry, in one transaction.
func (s mediaStore) CreateMedia(ctx context.Context, m *pause.Media, e *pause.AuditEntry) error {
	if !validID(m.ID) {
		return pause.FieldErrorf("id", "an image needs an id of 1 to %d bytes", maxID)
	}
	av, err := mediaAV(m)
	if err != nil {
		return err
	}
	items, err := s.t.withAudit([]types.TransactWriteItem{{Put: &types.Put{TableName: &s.t.name, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(" + attrPK + ")")}}}, e)
	if err != nil {
		return err
	}
	failed, err := s.t.transactAccounts(ctx, items, "create media item "+m.ID)
	if failed >= 0 {
		return pause.Errorf(pause.ECONFLICT, "An image with id %s exists.", m.ID)
	}
	return err
}

func (s mediaStore) Media(ctx context.Context, id string) (*pause.Media, error) {
	if !validID(id) {
		return nil, mediaNotFound()
	}
	av, err := s.t.getItem(ctx, mediaKey(id), "get media item "+id)
	if err != nil {
		return nil, err
	}
	if av == nil {
		return nil, mediaNotFound()
	}
	return fromMediaAV(av)
}

// ListMedia queries the MEDIA partition backwards from the cursor's id, strongly consistent,
// with the search as a filter expression, until it has one item more than the page.
func (s mediaStore) ListMedia(ctx context.Context, q pause.Query[pause.MediaFilter]) (*pause.Page[*pause.Media], error) {
	page := &pause.Page[*pause.Media]{Items: []*pause.Media{}, Cursors: []string{}}
	b := expression.NewBuilder().WithKeyCondition(expression.Key(attrPK).Equal(expression.Value(mediaPK())))
	if q.Filter.Search != "" {
		b = b.WithFilter(expression.Contains(expression.Name("search"), strings.ToLower(q.Filter.Search)))
	}
	expr, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: list media: %w", err)
	}
	in := &dynamodb.QueryInput{TableName: &s.t.name, KeyConditionExpression: expr.KeyCondition(),
		FilterExpression: expr.Filter(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ScanIndexForward: aws.Bool(false), ConsistentRead: aws.Bool(true), Limit: aws.Int32(int32(q.First + 1))}
	if q.After != "" {
		id, err := pause.DecodeCursor(q.After, pause.OrderMedia)
		if err != nil {
			return nil, err
		}
		if !validID(id) {
			return nil, pause.FieldErrorf("after", "after is not a cursor of this list")
		}
		in.ExclusiveStartKey = mediaKey(id)
	}
	for {
		out, err := s.t.client.Query(ctx, in, withMeter)
		if err != nil {
			return nil, fail(err, "list media")
		}
		for _, av := range out.Items {
			m, err := fromMediaAV(av)
			if err != nil {
				return nil, err
			}
			if len(page.Items) == q.First {
				page.HasNextPage = true
				return page, nil
			}
			page.Items = append(page.Items, m)
			page.Cursors = append(page.Cursors, pause.EncodeCursor(pause.OrderMedia, m.ID))
		}
		if out.LastEvaluatedKey == nil {
			return page, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
		in.Limit = aws.Int32(int32(max(q.First+1-len(page.Items), 25)))
	}
}

// versioned is the put of the item on the condition that the stored version is version.
func (s mediaStore) versioned(item map[string]types.AttributeValue, id string, version int) (types.TransactWriteItem, error) {
	cond, err := expression.NewBuilder().WithCondition(expression.Name("version").Equal(expression.Value(version))).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("dynamo: media item %s: %w", id, err)
	}
	if item == nil {
		return types.TransactWriteItem{Delete: &types.Delete{TableName: &s.t.name, Key: mediaKey(id),
			ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()}}, nil
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &s.t.name, Item: item,
		ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()}}, nil
}

// write runs the versioned write with its audit entry; a failed condition is ENOTFOUND if the
// item is gone, else ECONFLICT.
func (s mediaStore) write(ctx context.Context, w types.TransactWriteItem, id string, e *pause.AuditEntry) error {
	items, err := s.t.withAudit([]types.TransactWriteItem{w}, e)
	if err != nil {
		return err
	}
	failed, err := s.t.transactAccounts(ctx, items, "write media item "+id)
	if failed < 0 {
		return err
	}
	old, err := s.Media(ctx, id)
	if err != nil {
		return err
	}
	return pause.Errorf(pause.ECONFLICT, "The image %s was changed meanwhile: reload it.", old.Filename)
}

func (s mediaStore) UpdateMedia(ctx context.Context, m *pause.Media, e *pause.AuditEntry) error {
	if !validID(m.ID) {
		return mediaNotFound()
	}
	av, err := mediaAV(m)
	if err != nil {
		return err
	}
	w, err := s.versioned(av, m.ID, m.Version-1)
	if err != nil {
		return err
	}
	return s.write(ctx, w, m.ID, e)
}

func (s mediaStore) DeleteMedia(ctx context.Context, id string, version int, e *pause.AuditEntry) error {
	if !validID(id) {
		return mediaNotFound()
	}
	w, err := s.versioned(nil, id, version)
	if err != nil {
		return err
	}
	return s.write(ctx, w, id, e)
}

package dynamo

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// The storage shapes of the content types: each type's item struct and shape are written by
// tools/contentgen in content.generated.go (its header says from what and by which rules);
// this file holds what they share.

// attrDraft is the attribute of a content item that holds its working draft (pause.DraftOf) in
// the item's own storage shape, as a map; an article draft's body is a body item of its own.
// Keys, indexes and counters never look at it.
const attrDraft = "draft"

type metaItem struct {
	ID          string     `dynamodbav:"id"`
	Slug        string     `dynamodbav:"slug"`
	Status      string     `dynamodbav:"status"`
	PublishedAt *time.Time `dynamodbav:"publishedAt,omitempty"`
	CreatedAt   time.Time  `dynamodbav:"createdAt"`
	UpdatedAt   time.Time  `dynamodbav:"updatedAt"`
	CreatedBy   string     `dynamodbav:"createdBy,omitempty"`
	UpdatedBy   string     `dynamodbav:"updatedBy,omitempty"`
	PublishedBy string     `dynamodbav:"publishedBy,omitempty"`
	// The pending scheduled change of status, if any.
	ScheduledAt     *time.Time `dynamodbav:"scheduledAt,omitempty"`
	ScheduledStatus string     `dynamodbav:"scheduledStatus,omitempty"`
	ScheduledBy     string     `dynamodbav:"scheduledBy,omitempty"`
	Version         int        `dynamodbav:"version"`
}

func toMeta(m *pause.Meta) metaItem {
	r := metaItem{
		ID: m.ID, Slug: m.Slug, Status: string(m.Status),
		CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(), Version: m.Version,
		CreatedBy: m.CreatedBy, UpdatedBy: m.UpdatedBy, PublishedBy: m.PublishedBy,
	}
	if m.PublishedAt != nil {
		t := m.PublishedAt.UTC()
		r.PublishedAt = &t
	}
	if m.ScheduledAt != nil {
		t := m.ScheduledAt.UTC()
		r.ScheduledAt, r.ScheduledStatus, r.ScheduledBy = &t, string(m.ScheduledStatus), m.ScheduledBy
	}
	return r
}

func (r metaItem) meta() pause.Meta {
	m := pause.Meta{
		ID: r.ID, Slug: r.Slug, Status: pause.Status(r.Status),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, PublishedBy: r.PublishedBy,
	}
	if r.PublishedAt != nil {
		t := r.PublishedAt.UTC()
		m.PublishedAt = &t
	}
	if r.ScheduledAt != nil {
		t := r.ScheduledAt.UTC()
		m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = &t, pause.Status(r.ScheduledStatus), r.ScheduledBy
	}
	return m
}

type imageItem struct {
	URL        string `dynamodbav:"url"`
	Alt        string `dynamodbav:"alt,omitempty"`
	Decorative bool   `dynamodbav:"decorative,omitempty"`
	MediaID    string `dynamodbav:"mediaId,omitempty"`
	Width      int    `dynamodbav:"width,omitempty"`
	Height     int    `dynamodbav:"height,omitempty"`
}

// bodyItem is an article's Markdown and HTML, gzipped: Markdown of MaxBody (200 KB) and its
// HTML would not fit in one 400 KB item as text, and compressed they cost a third of the
// read and write units.
type bodyItem struct {
	Body []byte `dynamodbav:"body,omitempty"`
	HTML []byte `dynamodbav:"html,omitempty"`
}

// withBody is embedded by the shapes of types whose Markdown body is kept in a body item of its
// own beside the item, so that list pages never read it; they have body and setBody.
type withBody struct{}

func (withBody) hasBody() bool { return true }

// noBody is embedded by the shapes of types kept whole in their item.
type noBody[T any] struct{}

func (noBody[T]) hasBody() bool             { return false }
func (noBody[T]) bodyField() string         { return "" }
func (noBody[T]) body(T) (string, string)   { return "", "" }
func (noBody[T]) setBody(T, string, string) {}

// maxBodyItem is the largest body item written: DynamoDB's item limit is 400 KB, keys and
// attribute names included.
const maxBodyItem = 390 << 10

// toBodyItem packs the Markdown of the field (its API name, for the error) and its HTML.
func toBodyItem(field, body, html string) (bodyItem, error) {
	b, err := pack(body)
	if err != nil {
		return bodyItem{}, err
	}
	h, err := pack(html)
	if err != nil {
		return bodyItem{}, err
	}
	if len(b)+len(h) > maxBodyItem {
		return bodyItem{}, pause.FieldErrorf(field, "%s is too large to store, even compressed", field)
	}
	return bodyItem{Body: b, HTML: h}, nil
}

func fromBodyItem(av map[string]types.AttributeValue) (body, html string, err error) {
	var r bodyItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return "", "", fmt.Errorf("decode body: %w", err)
	}
	if body, err = unpack(r.Body); err != nil {
		return "", "", err
	}
	if html, err = unpack(r.HTML); err != nil {
		return "", "", err
	}
	return body, html, nil
}

func pack(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := io.WriteString(w, s); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func unpack(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("decode body: %w", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("decode body: %w", err)
	}
	return string(out), nil
}

// appendDistinct adds a facet with the name per distinct value of a list (tags): an item counts
// once per value however often the list names it, as Match does.
func appendDistinct(fs []facet, name string, values []string) []facet {
	for i, v := range values {
		if !slices.Contains(values[:i], v) {
			fs = append(fs, facet{name, v})
		}
	}
	return fs
}

// revisionItem is a revision of a content item: the item as the write left it, in its storage
// shape (a map, with its draft's), and an article's Markdown bodies gzipped; the HTML is not
// kept, a restore renders it again.
type revisionItem struct {
	Number int       `dynamodbav:"number"`
	At     time.Time `dynamodbav:"at"`
	By     string    `dynamodbav:"by"`
	Action string    `dynamodbav:"action"`
	Fields []string  `dynamodbav:"fields"`
	// Item is the attribute "item", a map, which the store sets and reads itself.
	Item      map[string]types.AttributeValue `dynamodbav:"-"`
	Body      []byte                          `dynamodbav:"body,omitempty"`
	DraftBody []byte                          `dynamodbav:"draftBody,omitempty"`
}

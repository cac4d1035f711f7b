package dynamo

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// The storage shapes of the content types. They are private, so that the domain types carry no
// storage tags and the stored format can change without touching them. Key attributes (PK, SK
// and the list index keys) are not part of them: the generic store adds them from keys.go.
// Lists never take omitempty, so that nil and empty lists come back as they went in (nil is
// stored as NULL, empty as an empty list).

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

type authorItem struct {
	Name      string `dynamodbav:"name"`
	AvatarURL string `dynamodbav:"avatarUrl,omitempty"`
}

type imageItem struct {
	URL        string `dynamodbav:"url"`
	Alt        string `dynamodbav:"alt,omitempty"`
	Decorative bool   `dynamodbav:"decorative,omitempty"`
	MediaID    string `dynamodbav:"mediaId,omitempty"`
	Width      int    `dynamodbav:"width,omitempty"`
	Height     int    `dynamodbav:"height,omitempty"`
}

// articleItem is an article without its body, which is kept in a bodyItem beside it so that
// list pages never read it.
type articleItem struct {
	metaItem
	Title              string     `dynamodbav:"title"`
	Excerpt            string     `dynamodbav:"excerpt,omitempty"`
	Author             authorItem `dynamodbav:"author"`
	Tags               []string   `dynamodbav:"tags"`
	CoverImage         *imageItem `dynamodbav:"coverImage,omitempty"`
	ReadingTimeMinutes int        `dynamodbav:"readingTimeMinutes"`
	RelatedToolIDs     []string   `dynamodbav:"relatedToolIds"`
}

func (articleShape) encode(a *pause.Article) any {
	r := articleItem{
		metaItem: toMeta(&a.Meta), Title: a.Title, Excerpt: a.Excerpt,
		Author: authorItem{Name: a.Author.Name, AvatarURL: a.Author.AvatarURL},
		Tags:   a.Tags, ReadingTimeMinutes: a.ReadingTimeMinutes, RelatedToolIDs: a.RelatedToolIDs,
	}
	if a.CoverImage != nil {
		img := imageItem(*a.CoverImage)
		r.CoverImage = &img
	}
	return r
}

func (articleShape) decode(av map[string]types.AttributeValue) (*pause.Article, error) {
	var r articleItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, fmt.Errorf("decode article: %w", err)
	}
	a := &pause.Article{
		Meta: r.meta(), Title: r.Title, Excerpt: r.Excerpt,
		Author: pause.Author{Name: r.Author.Name, AvatarURL: r.Author.AvatarURL},
		Tags:   r.Tags, ReadingTimeMinutes: r.ReadingTimeMinutes, RelatedToolIDs: r.RelatedToolIDs,
	}
	if r.CoverImage != nil {
		img := pause.Image(*r.CoverImage)
		a.CoverImage = &img
	}
	return a, nil
}

type benefitItem struct {
	metaItem
	Title       string   `dynamodbav:"title"`
	Summary     string   `dynamodbav:"summary,omitempty"`
	SummaryHTML string   `dynamodbav:"summaryHtml,omitempty"`
	Points      []string `dynamodbav:"points"`
	Icon        string   `dynamodbav:"icon,omitempty"`
	Position    int      `dynamodbav:"position"`
}

func (benefitShape) encode(b *pause.Benefit) any {
	return benefitItem{
		metaItem: toMeta(&b.Meta), Title: b.Title, Summary: b.Summary, SummaryHTML: b.SummaryHTML,
		Points: b.Points, Icon: b.Icon, Position: b.Position,
	}
}

func (benefitShape) decode(av map[string]types.AttributeValue) (*pause.Benefit, error) {
	var r benefitItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, fmt.Errorf("decode benefit: %w", err)
	}
	return &pause.Benefit{
		Meta: r.meta(), Title: r.Title, Summary: r.Summary, SummaryHTML: r.SummaryHTML,
		Points: r.Points, Icon: r.Icon, Position: r.Position,
	}, nil
}

type toolItem struct {
	metaItem
	Name            string   `dynamodbav:"name"`
	Tagline         string   `dynamodbav:"tagline,omitempty"`
	Description     string   `dynamodbav:"description,omitempty"`
	DescriptionHTML string   `dynamodbav:"descriptionHtml,omitempty"`
	WebsiteURL      string   `dynamodbav:"websiteUrl,omitempty"`
	LogoURL         string   `dynamodbav:"logoUrl,omitempty"`
	Category        string   `dynamodbav:"category"`
	Pricing         string   `dynamodbav:"pricing"`
	Platforms       []string `dynamodbav:"platforms"`
	Tags            []string `dynamodbav:"tags"`
	// Featured is always stored, so that a filter on featured = false finds the others.
	Featured bool `dynamodbav:"featured"`
}

func (toolShape) encode(t *pause.Tool) any {
	return toolItem{
		metaItem: toMeta(&t.Meta), Name: t.Name, Tagline: t.Tagline, Description: t.Description,
		DescriptionHTML: t.DescriptionHTML, WebsiteURL: t.WebsiteURL, LogoURL: t.LogoURL,
		Category: t.Category, Pricing: string(t.Pricing), Platforms: t.Platforms, Tags: t.Tags,
		Featured: t.Featured,
	}
}

func (toolShape) decode(av map[string]types.AttributeValue) (*pause.Tool, error) {
	var r toolItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, fmt.Errorf("decode tool: %w", err)
	}
	return &pause.Tool{
		Meta: r.meta(), Name: r.Name, Tagline: r.Tagline, Description: r.Description,
		DescriptionHTML: r.DescriptionHTML, WebsiteURL: r.WebsiteURL, LogoURL: r.LogoURL,
		Category: r.Category, Pricing: pause.Pricing(r.Pricing), Platforms: r.Platforms,
		Tags: r.Tags, Featured: r.Featured,
	}, nil
}

// bodyItem is an article's Markdown and HTML, gzipped: Markdown of MaxBody (200 KB) and its
// HTML would not fit in one 400 KB item as text, and compressed they cost a third of the
// read and write units.
type bodyItem struct {
	Body []byte `dynamodbav:"body,omitempty"`
	HTML []byte `dynamodbav:"html,omitempty"`
}

// The shapes: each content type's strategy for the generic store (see shape), as methods of a
// type of its own.
type (
	articleShape struct{ withBody }
	benefitShape struct{ noBody[*pause.Benefit] }
	toolShape    struct{ noBody[*pause.Tool] }
)

func (articleShape) key() kindKey { return kindArticle }
func (benefitShape) key() kindKey { return kindBenefit }
func (toolShape) key() kindKey    { return kindTool }

// withBody is embedded by the shapes of types whose Markdown body is kept in a body item of its
// own beside the item, so that list pages never read it; they have body and setBody.
type withBody struct{}

func (withBody) hasBody() bool { return true }

// noBody is embedded by the shapes of types kept whole in their item.
type noBody[T any] struct{}

func (noBody[T]) hasBody() bool             { return false }
func (noBody[T]) body(T) (string, string)   { return "", "" }
func (noBody[T]) setBody(T, string, string) {}

// maxBodyItem is the largest body item written: DynamoDB's item limit is 400 KB, keys and
// attribute names included.
const maxBodyItem = 390 << 10

func (articleShape) body(a *pause.Article) (string, string) { return a.Body, a.BodyHTML }

func (articleShape) setBody(a *pause.Article, body, html string) { a.Body, a.BodyHTML = body, html }

func toBodyItem(body, html string) (bodyItem, error) {
	b, err := pack(body)
	if err != nil {
		return bodyItem{}, err
	}
	h, err := pack(html)
	if err != nil {
		return bodyItem{}, err
	}
	if len(b)+len(h) > maxBodyItem {
		return bodyItem{}, pause.FieldErrorf("body", "body is too large to store, even compressed")
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

// Facets: what each type is counted by, beside its status, and what each filter asks for.

func (articleShape) facets(a *pause.Article) []facet {
	fs := []facet{{facetAuthor, a.Author.Name}}
	return appendTags(fs, a.Tags)
}

func (articleShape) filterFacets(f pause.ArticleFilter) []facet {
	var fs []facet
	if f.Tag != "" {
		fs = append(fs, facet{facetTag, f.Tag})
	}
	if f.Author != "" {
		fs = append(fs, facet{facetAuthor, f.Author})
	}
	return fs
}

func (benefitShape) facets(*pause.Benefit) []facet { return nil }

func (benefitShape) filterFacets(pause.BenefitFilter) []facet { return nil }

func (toolShape) facets(t *pause.Tool) []facet {
	fs := []facet{{facetCategory, t.Category}, {facetPricing, string(t.Pricing)}, featuredFacet(t.Featured)}
	return appendTags(fs, t.Tags)
}

func (toolShape) filterFacets(f pause.ToolFilter) []facet {
	var fs []facet
	if f.Category != "" {
		fs = append(fs, facet{facetCategory, f.Category})
	}
	if f.Pricing != nil {
		fs = append(fs, facet{facetPricing, string(*f.Pricing)})
	}
	if f.Tag != "" {
		fs = append(fs, facet{facetTag, f.Tag})
	}
	if f.Featured != nil {
		fs = append(fs, featuredFacet(*f.Featured))
	}
	return fs
}

// appendTags adds a facet per distinct tag: an item counts once per tag however often the
// list names it, as Match does.
func appendTags(fs []facet, tags []string) []facet {
	for i, t := range tags {
		if !slices.Contains(tags[:i], t) {
			fs = append(fs, facet{facetTag, t})
		}
	}
	return fs
}

// facetCondition is the filter expression that selects the items with the facet. It names the
// attributes of the storage shapes above, and agrees with the filters' Match.
func facetCondition(f facet) expression.ConditionBuilder {
	switch f.name {
	case facetTag:
		return expression.Contains(expression.Name("tags"), f.value)
	case facetAuthor:
		return expression.Name("author.name").Equal(expression.Value(f.value))
	case facetCategory:
		return expression.Name("category").Equal(expression.Value(f.value))
	case facetPricing:
		return expression.Name("pricing").Equal(expression.Value(f.value))
	case facetFeatured:
		return expression.Name("featured").Equal(expression.Value(f.value == "true"))
	}
	panic("dynamo: unknown facet " + f.name)
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

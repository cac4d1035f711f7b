package pause

import (
	"slices"
	"strings"
)

// Article is a long-form text, written in Markdown.
type Article struct {
	Meta
	Title   string
	Excerpt string
	// Body is Markdown; BodyHTML is its sanitized rendering, made once at write time.
	Body               string
	BodyHTML           string
	Author             Author
	Tags               []string
	CoverImage         *Image
	ReadingTimeMinutes int
	RelatedToolIDs     []string
	// Draft is the pending edits of a published article, or nil; see DraftOf.
	Draft *Article
}

// ArticleOrders are the orders articles can be listed in; the first is the default.
var ArticleOrders = []Order{OrderPublishedAt, OrderUpdatedAt, OrderTitle}

var articleType = ContentType{
	Name: "article", Label: "Article", Plural: "articles", TypeName: "Article",
	Orders:  ArticleOrders,
	Filters: FilterFields[ArticleFilter](),
	Fields: []Field{
		{Name: "title", Label: "Title", Kind: KindText, Required: true, MaxLength: MaxTitle,
			Help: "The headline, as readers see it."},
		{Name: "excerpt", Label: "Excerpt", Kind: KindText, MaxLength: MaxExcerpt,
			Help: "One or two sentences shown in lists and link previews."},
		{Name: "body", Label: "Body", Kind: KindMarkdown, MaxBytes: MaxBody,
			Help: "The text, in Markdown."},
		{Name: "author.name", Label: "Author", Kind: KindText, Required: true, MaxLength: MaxName,
			Help: "Who wrote it, as shown under the title."},
		{Name: "author.avatarUrl", Label: "Author's picture", Kind: KindURL, MaxLength: MaxURL,
			Help: "An https URL of the author's picture."},
		{Name: "tags", Label: "Tags", Kind: KindStringList, MaxItems: MaxTags, MaxLength: MaxTag,
			Help: "Topics readers can browse by; stored lower-case."},
		{Name: "coverImage", Label: "Cover image", Kind: KindImage, MaxLength: MaxAlt,
			Help: "The picture above the article, with its alternative text."},
		{Name: "relatedToolIds", Label: "Related tools", Kind: KindRelation, Target: "tool",
			MaxItems: MaxRelated, MaxLength: MaxID, Help: "Tools the article mentions."},
		{Name: "slug", Label: "Slug", Kind: KindSlug, MaxLength: MaxSlug,
			Help: "The article's address; made from the title when left empty."},
	},
}

// Type returns the description of articles.
func (*Article) Type() *ContentType { return &articleType }

// Validate reports the first problem with the article, as an EINVALID error naming the field.
func (a *Article) Validate() error { return validate(a, &articleType) }

// WorkingDraft returns the article's draft, or nil.
func (a *Article) WorkingDraft() *Article { return a.Draft }

// SetWorkingDraft gives the article the draft, or none if it is nil.
func (a *Article) SetWorkingDraft(d *Article) { a.Draft = d }

// Clone returns a deep copy of the article and its draft.
func (a *Article) Clone() *Article {
	if a == nil {
		return nil
	}
	c := *a
	c.Meta = a.Meta.clone()
	c.Tags, c.RelatedToolIDs = slices.Clone(a.Tags), slices.Clone(a.RelatedToolIDs)
	c.CoverImage = a.CoverImage.clone()
	c.Draft = a.Draft.Clone()
	return &c
}

func (a *Article) label() string { return a.Title }

func (*Article) sortKey(Order) string { return "" }

func (a *Article) prepare(r Renderer) (err error) {
	a.Title = strings.TrimSpace(a.Title)
	a.Author.Name = strings.TrimSpace(a.Author.Name)
	a.Tags = normalizeList(a.Tags, true)
	a.RelatedToolIDs = normalizeList(a.RelatedToolIDs, false)
	if err := a.Validate(); err != nil {
		return err
	}
	if a.BodyHTML, err = render(r, "body", a.Body); err != nil {
		return err
	}
	a.ReadingTimeMinutes = ReadingTime(a.Body)
	return nil
}

// ArticleFilter selects articles. Zero fields select everything.
type ArticleFilter struct {
	Scope
	// Tag matches articles that have the tag (tags are stored lower-case).
	Tag string `field:"tags"`
	// Author matches the author's name exactly.
	Author string `field:"author.name" help:"The author's name, exactly."`
}

// Match reports whether the article passes the filter.
func (f ArticleFilter) Match(a *Article) bool {
	return f.Scope.match(&a.Meta) && (f.Tag == "" || slices.Contains(a.Tags, f.Tag)) &&
		(f.Author == "" || a.Author.Name == f.Author)
}

// Scoped returns the filter with the scope, its tag normalized as tags are stored.
func (f ArticleFilter) Scoped(s Scope) ArticleFilter {
	f.Scope, f.Tag = s, strings.ToLower(strings.TrimSpace(f.Tag))
	return f
}

// ArticleInput is an editor's change to an article. On create, the required fields must be
// given; on update it is a patch: nil fields (and nil lists) leave the stored value as it is.
// An empty Slug makes a new slug from the title.
type ArticleInput struct {
	Slug           *string
	Title          *string
	Excerpt        *string
	Body           *string
	Author         *Author
	Tags           []string
	CoverImage     *Image
	RelatedToolIDs []string
}

// Apply applies the change to the article.
func (in ArticleInput) Apply(a *Article) {
	set(&a.Slug, in.Slug)
	set(&a.Title, in.Title)
	set(&a.Excerpt, in.Excerpt)
	set(&a.Body, in.Body)
	if in.Author != nil {
		a.Author = *in.Author
	}
	if in.Tags != nil {
		a.Tags = in.Tags
	}
	if in.CoverImage != nil {
		// An image with no URL and no media image removes the cover.
		a.CoverImage = in.CoverImage.clone()
		if in.CoverImage.URL == "" && in.CoverImage.MediaID == "" {
			a.CoverImage = nil
		}
	}
	if in.RelatedToolIDs != nil {
		a.RelatedToolIDs = in.RelatedToolIDs
	}
}

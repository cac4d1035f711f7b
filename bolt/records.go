package bolt

import (
	"time"

	"pause"
)

// The records are how items are kept in the file, as JSON. They are private so that the domain
// types carry no storage tags and the file format can change without touching them. Slices
// never take omitempty: nil and empty lists must come back as they went in.

// codec converts a content type's items to and from their records: the strategy of the
// generic store, implemented by a type per content type (articleCodec).
type codec[T, R any] interface {
	toRecord(T) R
	fromRecord(R) T
}

// The codecs of the content types.
type (
	articleCodec struct{}
	benefitCodec struct{}
	toolCodec    struct{}
)

type metaRecord struct {
	ID          string     `json:"id"`
	Slug        string     `json:"slug"`
	Status      string     `json:"status"`
	PublishedAt *time.Time `json:"publishedAt,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	CreatedBy   string     `json:"createdBy,omitempty"`
	UpdatedBy   string     `json:"updatedBy,omitempty"`
	PublishedBy string     `json:"publishedBy,omitempty"`
	// The pending scheduled change of status, if any.
	ScheduledAt     *time.Time `json:"scheduledAt,omitempty"`
	ScheduledStatus string     `json:"scheduledStatus,omitempty"`
	ScheduledBy     string     `json:"scheduledBy,omitempty"`
	Version         int        `json:"version"`
}

func toMeta(m *pause.Meta) metaRecord {
	r := metaRecord{
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

func (r metaRecord) meta() pause.Meta {
	return pause.Meta{
		ID: r.ID, Slug: r.Slug, Status: pause.Status(r.Status), PublishedAt: r.PublishedAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
		CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, PublishedBy: r.PublishedBy,
		ScheduledAt: r.ScheduledAt, ScheduledStatus: pause.Status(r.ScheduledStatus), ScheduledBy: r.ScheduledBy,
	}
}

type imageRecord struct {
	URL        string `json:"url"`
	Alt        string `json:"alt,omitempty"`
	Decorative bool   `json:"decorative,omitempty"`
	MediaID    string `json:"mediaId,omitempty"`
	Width      int    `json:"width,omitempty"`
	Height     int    `json:"height,omitempty"`
}

type articleRecord struct {
	metaRecord
	Title              string       `json:"title"`
	Excerpt            string       `json:"excerpt,omitempty"`
	Body               string       `json:"body,omitempty"`
	BodyHTML           string       `json:"bodyHtml,omitempty"`
	AuthorName         string       `json:"authorName"`
	AuthorAvatarURL    string       `json:"authorAvatarUrl,omitempty"`
	Tags               []string     `json:"tags"`
	CoverImage         *imageRecord `json:"coverImage,omitempty"`
	ReadingTimeMinutes int          `json:"readingTimeMinutes,omitempty"`
	RelatedToolIDs     []string     `json:"relatedToolIds"`
	// Draft is the pending edits of a published article (pause.DraftOf), kept whole.
	Draft *articleRecord `json:"draft,omitempty"`
}

func (articleCodec) toRecord(a *pause.Article) articleRecord {
	r := articleRecord{
		metaRecord: toMeta(&a.Meta), Title: a.Title, Excerpt: a.Excerpt, Body: a.Body,
		BodyHTML: a.BodyHTML, AuthorName: a.Author.Name, AuthorAvatarURL: a.Author.AvatarURL,
		Tags: a.Tags, ReadingTimeMinutes: a.ReadingTimeMinutes, RelatedToolIDs: a.RelatedToolIDs,
	}
	if a.CoverImage != nil {
		img := imageRecord(*a.CoverImage)
		r.CoverImage = &img
	}
	if a.Draft != nil {
		d := articleCodec{}.toRecord(a.Draft)
		r.Draft = &d
	}
	return r
}

func (c articleCodec) fromRecord(r articleRecord) *pause.Article {
	a := &pause.Article{
		Meta: r.meta(), Title: r.Title, Excerpt: r.Excerpt, Body: r.Body, BodyHTML: r.BodyHTML,
		Author: pause.Author{Name: r.AuthorName, AvatarURL: r.AuthorAvatarURL},
		Tags:   r.Tags, ReadingTimeMinutes: r.ReadingTimeMinutes, RelatedToolIDs: r.RelatedToolIDs,
	}
	if r.CoverImage != nil {
		img := pause.Image(*r.CoverImage)
		a.CoverImage = &img
	}
	if r.Draft != nil {
		a.Draft = c.fromRecord(*r.Draft)
	}
	return a
}

type benefitRecord struct {
	metaRecord
	Title       string   `json:"title"`
	Summary     string   `json:"summary,omitempty"`
	SummaryHTML string   `json:"summaryHtml,omitempty"`
	Points      []string `json:"points"`
	Icon        string   `json:"icon,omitempty"`
	Position    int      `json:"position"`
	// Draft is the pending edits of a published benefit.
	Draft *benefitRecord `json:"draft,omitempty"`
}

func (benefitCodec) toRecord(b *pause.Benefit) benefitRecord {
	r := benefitRecord{
		metaRecord: toMeta(&b.Meta), Title: b.Title, Summary: b.Summary,
		SummaryHTML: b.SummaryHTML, Points: b.Points, Icon: b.Icon, Position: b.Position,
	}
	if b.Draft != nil {
		d := benefitCodec{}.toRecord(b.Draft)
		r.Draft = &d
	}
	return r
}

func (c benefitCodec) fromRecord(r benefitRecord) *pause.Benefit {
	b := &pause.Benefit{
		Meta: r.meta(), Title: r.Title, Summary: r.Summary, SummaryHTML: r.SummaryHTML,
		Points: r.Points, Icon: r.Icon, Position: r.Position,
	}
	if r.Draft != nil {
		b.Draft = c.fromRecord(*r.Draft)
	}
	return b
}

type toolRecord struct {
	metaRecord
	Name            string   `json:"name"`
	Tagline         string   `json:"tagline,omitempty"`
	Description     string   `json:"description,omitempty"`
	DescriptionHTML string   `json:"descriptionHtml,omitempty"`
	WebsiteURL      string   `json:"websiteUrl"`
	LogoURL         string   `json:"logoUrl,omitempty"`
	Category        string   `json:"category"`
	Pricing         string   `json:"pricing"`
	Platforms       []string `json:"platforms"`
	Tags            []string `json:"tags"`
	Featured        bool     `json:"featured,omitempty"`
	// Draft is the pending edits of a published tool.
	Draft *toolRecord `json:"draft,omitempty"`
}

func (toolCodec) toRecord(t *pause.Tool) toolRecord {
	r := toolRecord{
		metaRecord: toMeta(&t.Meta), Name: t.Name, Tagline: t.Tagline, Description: t.Description,
		DescriptionHTML: t.DescriptionHTML, WebsiteURL: t.WebsiteURL, LogoURL: t.LogoURL,
		Category: t.Category, Pricing: string(t.Pricing), Platforms: t.Platforms, Tags: t.Tags,
		Featured: t.Featured,
	}
	if t.Draft != nil {
		d := toolCodec{}.toRecord(t.Draft)
		r.Draft = &d
	}
	return r
}

func (c toolCodec) fromRecord(r toolRecord) *pause.Tool {
	t := &pause.Tool{
		Meta: r.meta(), Name: r.Name, Tagline: r.Tagline, Description: r.Description,
		DescriptionHTML: r.DescriptionHTML, WebsiteURL: r.WebsiteURL, LogoURL: r.LogoURL,
		Category: r.Category, Pricing: pause.Pricing(r.Pricing), Platforms: r.Platforms,
		Tags: r.Tags, Featured: r.Featured,
	}
	if r.Draft != nil {
		t.Draft = c.fromRecord(*r.Draft)
	}
	return t
}

// toolCategoryRecord is the part of a toolRecord that Categories reads.
type toolCategoryRecord struct {
	Status          string     `json:"status"`
	ScheduledAt     *time.Time `json:"scheduledAt,omitempty"`
	ScheduledStatus string     `json:"scheduledStatus,omitempty"`
	Category        string     `json:"category"`
}

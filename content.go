package pause

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Status is where a content item is in its life. Its values are the GraphQL enum's.
type Status string

// Statuses.
const (
	StatusDraft     Status = "DRAFT"
	StatusPublished Status = "PUBLISHED"
	StatusArchived  Status = "ARCHIVED"
)

// IsValid reports whether s is one of the statuses.
func (s Status) IsValid() bool {
	return s == StatusDraft || s == StatusPublished || s == StatusArchived
}

// Pricing is how a tool is paid for. Its values are the GraphQL enum's.
type Pricing string

// Pricing models.
const (
	PricingFree       Pricing = "FREE"
	PricingFreemium   Pricing = "FREEMIUM"
	PricingPaid       Pricing = "PAID"
	PricingOpenSource Pricing = "OPEN_SOURCE"
)

// IsValid reports whether p is one of the pricing models.
func (p Pricing) IsValid() bool {
	return p == PricingFree || p == PricingFreemium || p == PricingPaid || p == PricingOpenSource
}

// Meta is what every content item has: identity, life cycle and the optimistic version.
type Meta struct {
	ID          string
	Slug        string
	Status      Status
	PublishedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// CreatedBy, UpdatedBy and PublishedBy are the subjects of the viewers who created the
	// item, last changed it, and last published it.
	CreatedBy   string
	UpdatedBy   string
	PublishedBy string
	// ScheduledAt, ScheduledStatus and ScheduledBy are a pending change of status: from
	// ScheduledAt on, the item is ScheduledStatus (PUBLISHED or DRAFT), as the viewer
	// ScheduledBy asked. No job runs at that time: every read compares it with the clock (see
	// StatusAt), and the next write of the item makes the change part of the stored item.
	ScheduledAt     *time.Time
	ScheduledStatus Status
	ScheduledBy     string
	// Change is the revision that a write of the item keeps (see Revision): CMS sets it for
	// the store's write and clears it after. Stores keep it as a revision, not in the item.
	Change *Revision
	// Version starts at 1 and grows by one with every write. Writes name the version they
	// expect, so that concurrent editors never silently overwrite each other.
	Version int
}

// Metadata returns the item's Meta, so that code generic over content types can reach it.
func (m *Meta) Metadata() *Meta { return m }

// Author is who wrote an article.
type Author struct {
	Name      string
	AvatarURL string
}

// Image is a picture with its alternative text.
type Image struct {
	URL string
	Alt string
}

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

// Benefit is one of the benefits of asynchronous communication shown on the page, in order of
// Position, with its bullet points.
type Benefit struct {
	Meta
	Title       string
	Summary     string
	SummaryHTML string
	Points      []string
	Icon        string
	Position    int
	// Draft is the pending edits of a published benefit, or nil; see DraftOf.
	Draft *Benefit
}

// Tool is an asynchronous-communication tool in the directory.
type Tool struct {
	Meta
	Name            string
	Tagline         string
	Description     string
	DescriptionHTML string
	WebsiteURL      string
	LogoURL         string
	Category        string
	Pricing         Pricing
	Platforms       []string
	Tags            []string
	Featured        bool
	// Draft is the pending edits of a published tool, or nil; see DraftOf.
	Draft *Tool
}

// DraftOf returns the item's working draft, or nil if it has none.
//
// A published item that an editor changes keeps its published fields, which are all the public
// ever sees, and carries the changed copy as its Draft: the whole item as it will be once
// published, whose Meta repeats the item's but for its Slug and who changed it when. Publishing
// makes the draft the item; discarding drops it. Stores keep the draft as part of the item, and
// index, count and claim slugs by the published fields only, so a draft changes no list, count,
// category or slug that the public can see; its slug is claimed when it is published. Only
// published items have drafts. A draft has no draft of its own.
func DraftOf[T Item](item T) T {
	var out any
	switch v := any(item).(type) {
	case *Article:
		out = v.Draft
	case *Benefit:
		out = v.Draft
	case *Tool:
		out = v.Draft
	}
	return out.(T)
}

// SetDraft gives the item the draft, or none if draft is nil.
func SetDraft[T Item](item, draft T) {
	switch v := any(item).(type) {
	case *Article:
		v.Draft = any(draft).(*Article)
	case *Benefit:
		v.Draft = any(draft).(*Benefit)
	case *Tool:
		v.Draft = any(draft).(*Tool)
	}
}

// Clone returns a deep copy of the item, its draft included, that shares nothing that can be
// changed in place with it.
func Clone[T Item](item T) T {
	var out any
	switch v := any(item).(type) {
	case *Article:
		if v == nil {
			return item
		}
		c := *v
		c.Meta = v.Meta.clone()
		c.Tags, c.RelatedToolIDs = slices.Clone(v.Tags), slices.Clone(v.RelatedToolIDs)
		if v.CoverImage != nil {
			img := *v.CoverImage
			c.CoverImage = &img
		}
		if v.Draft != nil {
			c.Draft = Clone(v.Draft)
		}
		out = &c
	case *Benefit:
		if v == nil {
			return item
		}
		c := *v
		c.Meta = v.Meta.clone()
		c.Points = slices.Clone(v.Points)
		if v.Draft != nil {
			c.Draft = Clone(v.Draft)
		}
		out = &c
	case *Tool:
		if v == nil {
			return item
		}
		c := *v
		c.Meta = v.Meta.clone()
		c.Platforms, c.Tags = slices.Clone(v.Platforms), slices.Clone(v.Tags)
		if v.Draft != nil {
			c.Draft = Clone(v.Draft)
		}
		out = &c
	}
	return out.(T)
}

func (m Meta) clone() Meta {
	if m.PublishedAt != nil {
		t := *m.PublishedAt
		m.PublishedAt = &t
	}
	if m.ScheduledAt != nil {
		t := *m.ScheduledAt
		m.ScheduledAt = &t
	}
	return m
}

// StatusAt returns the item's status at t: its ScheduledStatus from ScheduledAt on, its Status
// before.
func (m *Meta) StatusAt(t time.Time) Status {
	if m.ScheduledAt != nil && !t.Before(*m.ScheduledAt) {
		return m.ScheduledStatus
	}
	return m.Status
}

// PendingAt reports whether the item has a scheduled change that has not happened at t.
func (m *Meta) PendingAt(t time.Time) bool {
	return m.ScheduledAt != nil && t.Before(*m.ScheduledAt)
}

// settle makes a scheduled change whose time has come at t part of the item, as if it had been
// made at its time: the status, and for a publication who published it and, the first time,
// when.
func (m *Meta) settle(t time.Time) {
	if m.ScheduledAt == nil || t.Before(*m.ScheduledAt) {
		return
	}
	at := *m.ScheduledAt
	m.Status = m.ScheduledStatus
	if m.Status == StatusPublished {
		m.PublishedBy = m.ScheduledBy
		if m.PublishedAt == nil {
			m.PublishedAt = &at
		}
	}
	m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
}

// Item is the constraint satisfied by the content types, for code generic over them.
type Item interface {
	*Article | *Benefit | *Tool
	Metadata() *Meta
}

// Limits on content. Lengths of text are counted in characters, of bodies in bytes.
const (
	MaxTitle       = 200
	MaxSlug        = 100
	MaxExcerpt     = 500
	MaxBody        = 200 << 10
	MaxSummary     = 20 << 10
	MaxDescription = 50 << 10
	MaxName        = 100
	MaxTagline     = 200
	MaxURL         = 2048
	MaxAlt         = 300
	MaxTags        = 20
	MaxTag         = 50
	MaxPoints      = 20
	MaxPoint       = 300
	MaxIcon        = 100
	MaxCategory    = 50
	MaxPlatforms   = 20
	MaxRelated     = 20
)

// Validate reports the first problem with the article, as an EINVALID error naming the field.
func (a *Article) Validate() error {
	v := validator{}
	v.text("title", a.Title, MaxTitle, true)
	v.text("excerpt", a.Excerpt, MaxExcerpt, false)
	v.markdown("body", a.Body, MaxBody)
	v.text("author.name", a.Author.Name, MaxName, true)
	v.url("author.avatarUrl", a.Author.AvatarURL, false)
	v.list("tags", a.Tags, MaxTags, MaxTag)
	if a.CoverImage != nil {
		v.url("coverImage.url", a.CoverImage.URL, true)
		v.text("coverImage.alt", a.CoverImage.Alt, MaxAlt, false)
	}
	v.list("relatedToolIds", a.RelatedToolIDs, MaxRelated, 64)
	v.meta(&a.Meta)
	return v.err
}

// Validate reports the first problem with the benefit, as an EINVALID error naming the field.
func (b *Benefit) Validate() error {
	v := validator{}
	v.text("title", b.Title, MaxTitle, true)
	v.markdown("summary", b.Summary, MaxSummary)
	v.list("points", b.Points, MaxPoints, MaxPoint)
	v.text("icon", b.Icon, MaxIcon, false)
	if b.Position < 0 || b.Position > 1_000_000 {
		v.fail("position", "must be between 0 and 1000000")
	}
	v.meta(&b.Meta)
	return v.err
}

// Validate reports the first problem with the tool, as an EINVALID error naming the field.
func (t *Tool) Validate() error {
	v := validator{}
	v.text("name", t.Name, MaxName, true)
	v.text("tagline", t.Tagline, MaxTagline, false)
	v.markdown("description", t.Description, MaxDescription)
	v.url("websiteUrl", t.WebsiteURL, true)
	v.url("logoUrl", t.LogoURL, false)
	v.text("category", t.Category, MaxCategory, true)
	if !t.Pricing.IsValid() {
		v.fail("pricing", "must be one of FREE, FREEMIUM, PAID, OPEN_SOURCE")
	}
	v.list("platforms", t.Platforms, MaxPlatforms, MaxTag)
	v.list("tags", t.Tags, MaxTags, MaxTag)
	v.meta(&t.Meta)
	return v.err
}

// validator keeps the first failure of a series of checks.
type validator struct{ err error }

func (v *validator) fail(field, format string, args ...any) {
	if v.err == nil {
		v.err = FieldErrorf(field, field+" "+format, args...)
	}
}

func (v *validator) meta(m *Meta) {
	if m.Slug == "" {
		v.fail("slug", "is required (a title with letters or digits makes one)")
	} else if !IsSlug(m.Slug) {
		v.fail("slug", "must be lower-case letters, digits and single hyphens, at most %d characters", MaxSlug)
	}
	if !m.Status.IsValid() {
		v.fail("status", "must be one of DRAFT, PUBLISHED, ARCHIVED")
	}
}

// text checks a single-line text: valid UTF-8, no control characters, at most max characters.
func (v *validator) text(field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.fail(field, "is required")
	case !utf8.ValidString(s):
		v.fail(field, "is not valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		v.fail(field, "is longer than %d characters", max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.fail(field, "must not contain control characters")
	}
}

// markdown checks a Markdown text: valid UTF-8, no NUL or other control characters but tabs
// and line breaks, at most max bytes.
func (v *validator) markdown(field, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		v.fail(field, "is not valid UTF-8")
	case len(s) > max:
		v.fail(field, "is larger than %d KB", max>>10)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		v.fail(field, "must not contain control characters")
	}
}

func (v *validator) url(field, s string, required bool) {
	if s == "" {
		if required {
			v.fail(field, "is required")
		}
		return
	}
	u, err := url.Parse(s)
	switch {
	case len(s) > MaxURL:
		v.fail(field, "is longer than %d characters", MaxURL)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.fail(field, "must be an absolute http or https URL")
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0:
		v.fail(field, "must not contain spaces or control characters")
	}
}

func (v *validator) list(field string, items []string, maxItems, maxItem int) {
	if len(items) > maxItems {
		v.fail(field, "has more than %d entries", maxItems)
		return
	}
	for i, s := range items {
		v.text(fmt.Sprintf("%s[%d]", field, i), s, maxItem, true)
	}
}

// ReadingTime is the minutes an adult needs to read the Markdown text, at 200 words a minute,
// rounded up; 0 for an empty text.
func ReadingTime(markdown string) int {
	words := len(strings.Fields(markdown))
	return (words + 199) / 200
}

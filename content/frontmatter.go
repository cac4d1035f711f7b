package content

import (
	"path"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"pause"
)

// The front-matter shapes of the three content types. They are this package's own: the domain
// types carry no tags. Field order is the order of keys in exported files.

type metaFM struct {
	ID          string `yaml:"id,omitempty"`
	Slug        string `yaml:"slug"`
	Status      string `yaml:"status"`
	PublishedAt stamp  `yaml:"publishedAt,omitempty"`
	CreatedAt   stamp  `yaml:"createdAt,omitempty"`
	UpdatedAt   stamp  `yaml:"updatedAt,omitempty"`
}

type articleFM struct {
	Meta         metaFM   `yaml:",inline"`
	Title        string   `yaml:"title"`
	Excerpt      string   `yaml:"excerpt,omitempty"`
	Author       authorFM `yaml:"author"`
	Tags         []string `yaml:"tags,omitempty,flow"`
	CoverImage   *imageFM `yaml:"coverImage,omitempty"`
	RelatedTools []string `yaml:"relatedTools,omitempty,flow"`
}

type authorFM struct {
	Name      string `yaml:"name"`
	AvatarURL string `yaml:"avatarUrl,omitempty"`
}

type imageFM struct {
	// URL is an http(s) URL, or the path of an image of media/ relative to the file
	// (../media/desk.png).
	URL        string `yaml:"url"`
	Alt        string `yaml:"alt,omitempty"`
	Decorative bool   `yaml:"decorative,omitempty"`
	// Width and Height are a media library image's size in pixels; its id is the store's
	// own, and is not exported.
	Width  int `yaml:"width,omitempty"`
	Height int `yaml:"height,omitempty"`
}

type benefitFM struct {
	Meta     metaFM   `yaml:",inline"`
	Title    string   `yaml:"title"`
	Points   []string `yaml:"points,omitempty"`
	Icon     string   `yaml:"icon,omitempty"`
	Position int      `yaml:"position"`
}

type toolFM struct {
	Meta       metaFM   `yaml:",inline"`
	Name       string   `yaml:"name"`
	Tagline    string   `yaml:"tagline,omitempty"`
	WebsiteURL string   `yaml:"websiteUrl"`
	LogoURL    string   `yaml:"logoUrl,omitempty"`
	Category   string   `yaml:"category"`
	Pricing    string   `yaml:"pricing"`
	Platforms  []string `yaml:"platforms,omitempty,flow"`
	Tags       []string `yaml:"tags,omitempty,flow"`
	Featured   bool     `yaml:"featured,omitempty"`
}

// stamp is an RFC 3339 time as written in front matter. It is read as text, so that a bad time
// is reported with its field's name, and written as a plain YAML timestamp.
type stamp string

// MarshalYAML writes the time unquoted.
func (s stamp) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: string(s)}, nil
}

// parseStamp reads the time in field, or returns nil for an empty one. Times are kept in UTC to
// the microsecond, as the CMS keeps them, so that importing them again changes nothing.
func parseStamp(field string, s stamp) (*time.Time, error) {
	v := strings.TrimSpace(string(s))
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, v); err != nil {
			return nil, pause.FieldErrorf(field, "%s must be an RFC 3339 time such as 2024-11-14T09:00:00Z, not %q", field, v)
		}
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t, nil
}

func formatStamp(t time.Time) stamp {
	if t.IsZero() {
		return ""
	}
	return stamp(t.UTC().Format(time.RFC3339Nano))
}

func formatStampPtr(t *time.Time) stamp {
	if t == nil {
		return ""
	}
	return formatStamp(*t)
}

// toMeta checks and converts the common fields of the file at file. The slug defaults to the
// file's name and must match it; the status defaults to DRAFT.
func (fm *metaFM) toMeta(file string) (pause.Meta, error) {
	var m pause.Meta
	name := strings.TrimSuffix(path.Base(file), ".md")
	m.Slug = strings.TrimSpace(fm.Slug)
	switch {
	case m.Slug == "":
		m.Slug = name
	case m.Slug != name:
		return m, pause.FieldErrorf("slug", "slug %q does not match the file name %s.md", m.Slug, name)
	}
	m.ID = strings.TrimSpace(fm.ID)
	if m.ID != "" && !isID(m.ID) {
		return m, pause.FieldErrorf("id", "id must be 1 to 64 letters, digits, hyphens or underscores (a ULID)")
	}
	m.Status = pause.Status(strings.ToUpper(strings.TrimSpace(fm.Status)))
	if m.Status == "" {
		m.Status = pause.StatusDraft
	}
	var err error
	if m.PublishedAt, err = parseStamp("publishedAt", fm.PublishedAt); err != nil {
		return m, err
	}
	for _, f := range []struct {
		name string
		in   stamp
		out  *time.Time
	}{{"createdAt", fm.CreatedAt, &m.CreatedAt}, {"updatedAt", fm.UpdatedAt, &m.UpdatedAt}} {
		t, err := parseStamp(f.name, f.in)
		if err != nil {
			return m, err
		} else if t != nil {
			*f.out = *t
		}
	}
	return m, nil
}

func isID(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func fromMeta(m *pause.Meta) metaFM {
	return metaFM{
		ID:          m.ID,
		Slug:        m.Slug,
		Status:      string(m.Status),
		PublishedAt: formatStampPtr(m.PublishedAt),
		CreatedAt:   formatStamp(m.CreatedAt),
		UpdatedAt:   formatStamp(m.UpdatedAt),
	}
}

// orNil returns nil for an empty list, so that "tags: []" and no tags are the same thing.
func orNil(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return list
}

// The decoded forms of files. An article keeps its related tools as slugs until the tools are
// stored and their ids known.

type articleFile struct {
	path         string
	item         *pause.Article
	relatedTools []string
	media        []mediaRef
}

type benefitFile struct {
	path string
	item *pause.Benefit
}

type toolFile struct {
	path  string
	item  *pause.Tool
	media []mediaRef
}

// refString reads a URL field that may name an image of media/: if it does, the field holds
// refPlaceholder until the image is stored, and the reference is added to refs.
func refString(file, field string, value *string, refs *[]mediaRef) error {
	p, ok, err := localRef(file, field, *value)
	if err != nil || !ok {
		return err
	}
	*value = refPlaceholder
	*refs = append(*refs, mediaRef{field: field, path: p, set: func(m *pause.Media) { *value = m.URL }})
	return nil
}

func decodeArticle(file string, data []byte) (*articleFile, error) {
	frontMatter, body, err := parse(data)
	if err != nil {
		return nil, err
	}
	var fm articleFM
	if err := decode(frontMatter, &fm); err != nil {
		return nil, err
	}
	m, err := fm.Meta.toMeta(file)
	if err != nil {
		return nil, err
	}
	a := &pause.Article{
		Meta:    m,
		Title:   fm.Title,
		Excerpt: fm.Excerpt,
		Body:    body,
		Author:  pause.Author{Name: fm.Author.Name, AvatarURL: fm.Author.AvatarURL},
		Tags:    orNil(fm.Tags),
	}
	var refs []mediaRef
	if err := refString(file, "author.avatarUrl", &a.Author.AvatarURL, &refs); err != nil {
		return nil, err
	}
	if fm.CoverImage != nil {
		c := fm.CoverImage
		img := &pause.Image{URL: c.URL, Alt: c.Alt, Decorative: c.Decorative, Width: c.Width, Height: c.Height}
		a.CoverImage = img
		p, ok, err := localRef(file, "coverImage.url", c.URL)
		if err != nil {
			return nil, err
		}
		if ok {
			// The image's address and size are the library's, on the stage imported into.
			img.URL = refPlaceholder
			refs = append(refs, mediaRef{field: "coverImage.url", path: p, set: func(m *pause.Media) {
				img.URL, img.MediaID, img.Width, img.Height = m.URL, m.ID, m.Width, m.Height
			}})
		}
	}
	related := orNil(fm.RelatedTools)
	if len(related) > pause.MaxRelated {
		return nil, pause.FieldErrorf("relatedTools", "relatedTools has more than %d entries", pause.MaxRelated)
	}
	for i, slug := range related {
		if !pause.IsSlug(slug) {
			return nil, pause.FieldErrorf("relatedTools", "relatedTools[%d] %q is not a tool slug", i, slug)
		}
	}
	// Check now, before anything is written; the CMS checks again when it stores the article.
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &articleFile{path: file, item: a, relatedTools: related, media: refs}, nil
}

// encodeArticle writes the article; its images of the library are named by their paths in
// media/ (lib).
func encodeArticle(a *pause.Article, toolSlugs map[string]string, lib *exported) ([]byte, error) {
	fm := articleFM{
		Meta:    fromMeta(&a.Meta),
		Title:   a.Title,
		Excerpt: a.Excerpt,
		Author:  authorFM{Name: a.Author.Name, AvatarURL: lib.refOr("", a.Author.AvatarURL)},
		Tags:    a.Tags,
	}
	if a.CoverImage != nil {
		c := a.CoverImage
		fm.CoverImage = &imageFM{URL: lib.refOr(c.MediaID, c.URL), Alt: c.Alt, Decorative: c.Decorative, Width: c.Width, Height: c.Height}
	}
	for _, id := range a.RelatedToolIDs {
		// A deleted tool is no longer shown with the article, and is left out.
		if slug, ok := toolSlugs[id]; ok {
			fm.RelatedTools = append(fm.RelatedTools, slug)
		}
	}
	return encodeFile(&fm, a.Body)
}

func decodeBenefit(file string, data []byte) (*benefitFile, error) {
	frontMatter, body, err := parse(data)
	if err != nil {
		return nil, err
	}
	var fm benefitFM
	if err := decode(frontMatter, &fm); err != nil {
		return nil, err
	}
	m, err := fm.Meta.toMeta(file)
	if err != nil {
		return nil, err
	}
	b := &pause.Benefit{
		Meta:     m,
		Title:    fm.Title,
		Summary:  body,
		Points:   orNil(fm.Points),
		Icon:     fm.Icon,
		Position: fm.Position,
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return &benefitFile{path: file, item: b}, nil
}

func encodeBenefit(b *pause.Benefit) ([]byte, error) {
	fm := benefitFM{
		Meta:     fromMeta(&b.Meta),
		Title:    b.Title,
		Points:   b.Points,
		Icon:     b.Icon,
		Position: b.Position,
	}
	return encodeFile(&fm, b.Summary)
}

func decodeTool(file string, data []byte) (*toolFile, error) {
	frontMatter, body, err := parse(data)
	if err != nil {
		return nil, err
	}
	var fm toolFM
	if err := decode(frontMatter, &fm); err != nil {
		return nil, err
	}
	m, err := fm.Meta.toMeta(file)
	if err != nil {
		return nil, err
	}
	t := &pause.Tool{
		Meta:        m,
		Name:        fm.Name,
		Tagline:     fm.Tagline,
		Description: body,
		WebsiteURL:  fm.WebsiteURL,
		LogoURL:     fm.LogoURL,
		Category:    fm.Category,
		Pricing:     pause.Pricing(strings.ToUpper(strings.TrimSpace(fm.Pricing))),
		Platforms:   orNil(fm.Platforms),
		Tags:        orNil(fm.Tags),
		Featured:    fm.Featured,
	}
	var refs []mediaRef
	if err := refString(file, "logoUrl", &t.LogoURL, &refs); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &toolFile{path: file, item: t, media: refs}, nil
}

// encodeTool writes the tool; a logo of the library is named by its path in media/ (lib).
func encodeTool(t *pause.Tool, lib *exported) ([]byte, error) {
	fm := toolFM{
		Meta:       fromMeta(&t.Meta),
		Name:       t.Name,
		Tagline:    t.Tagline,
		WebsiteURL: t.WebsiteURL,
		LogoURL:    lib.refOr("", t.LogoURL),
		Category:   t.Category,
		Pricing:    string(t.Pricing),
		Platforms:  t.Platforms,
		Tags:       t.Tags,
		Featured:   t.Featured,
	}
	return encodeFile(&fm, t.Description)
}

func encodeFile(fm any, body string) ([]byte, error) {
	frontMatter, err := encode(fm)
	if err != nil {
		return nil, err
	}
	return format(frontMatter, body), nil
}

package content

import (
	"path"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"pause"
)

// The front matter's parts that every content type shares: its meta and images. Each type's
// front matter is made from its declaration (types.go). They are this package's own: the
// domain types carry no tags. Field order is the order of keys in exported files.

type metaFM struct {
	ID          string `yaml:"id,omitempty"`
	Slug        string `yaml:"slug"`
	Status      string `yaml:"status"`
	PublishedAt stamp  `yaml:"publishedAt,omitempty"`
	CreatedAt   stamp  `yaml:"createdAt,omitempty"`
	UpdatedAt   stamp  `yaml:"updatedAt,omitempty"`
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

func encodeFile(fm any, body string) ([]byte, error) {
	frontMatter, err := encode(fm)
	if err != nil {
		return nil, err
	}
	return format(frontMatter, body), nil
}

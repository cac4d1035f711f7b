package pause

import "strings"

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

func (in *ArticleInput) apply(a *Article) {
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
		// An image with no URL removes the cover.
		a.CoverImage = in.CoverImage
		if in.CoverImage.URL == "" {
			a.CoverImage = nil
		}
	}
	if in.RelatedToolIDs != nil {
		a.RelatedToolIDs = in.RelatedToolIDs
	}
}

// BenefitInput is an editor's change to a benefit; see ArticleInput for the patch rules.
type BenefitInput struct {
	Slug     *string
	Title    *string
	Summary  *string
	Points   []string
	Icon     *string
	Position *int
}

func (in *BenefitInput) apply(b *Benefit) {
	set(&b.Slug, in.Slug)
	set(&b.Title, in.Title)
	set(&b.Summary, in.Summary)
	if in.Points != nil {
		b.Points = in.Points
	}
	set(&b.Icon, in.Icon)
	set(&b.Position, in.Position)
}

// ToolInput is an editor's change to a tool; see ArticleInput for the patch rules.
type ToolInput struct {
	Slug        *string
	Name        *string
	Tagline     *string
	Description *string
	WebsiteURL  *string
	LogoURL     *string
	Category    *string
	Pricing     *Pricing
	Platforms   []string
	Tags        []string
	Featured    *bool
}

func (in *ToolInput) apply(t *Tool) {
	set(&t.Slug, in.Slug)
	set(&t.Name, in.Name)
	set(&t.Tagline, in.Tagline)
	set(&t.Description, in.Description)
	set(&t.WebsiteURL, in.WebsiteURL)
	set(&t.LogoURL, in.LogoURL)
	set(&t.Category, in.Category)
	set(&t.Pricing, in.Pricing)
	if in.Platforms != nil {
		t.Platforms = in.Platforms
	}
	if in.Tags != nil {
		t.Tags = in.Tags
	}
	set(&t.Featured, in.Featured)
}

func set[V any](dst *V, src *V) {
	if src != nil {
		*dst = *src
	}
}

// normalizeList trims entries and drops repeats; with lower, it also lower-cases them.
func normalizeList(list []string, lower bool) []string {
	if list == nil {
		return nil
	}
	out := make([]string, 0, len(list))
	seen := make(map[string]bool, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if lower {
			s = strings.ToLower(s)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

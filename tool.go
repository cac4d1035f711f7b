package pause

import (
	"slices"
	"strings"
)

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

// Pricing is how a tool is paid for. Its values are the GraphQL enum's.
type Pricing string

// Pricing models.
const (
	PricingFree       Pricing = "FREE"
	PricingFreemium   Pricing = "FREEMIUM"
	PricingPaid       Pricing = "PAID"
	PricingOpenSource Pricing = "OPEN_SOURCE"
)

// Values returns every pricing model.
func (Pricing) Values() []string {
	return []string{string(PricingFree), string(PricingFreemium), string(PricingPaid), string(PricingOpenSource)}
}

// IsValid reports whether p is one of the pricing models.
func (p Pricing) IsValid() bool { return slices.Contains(p.Values(), string(p)) }

// ToolOrders are the orders tools can be listed in; the first is the default.
var ToolOrders = []Order{OrderName, OrderUpdatedAt}

var toolType = ContentType{
	Name: "tool", Label: "Tool", Plural: "tools", TypeName: "Tool",
	Orders:  ToolOrders,
	Filters: FilterFields[ToolFilter](),
	Fields: []Field{
		{Name: "name", Label: "Name", Kind: KindText, Required: true, MaxLength: MaxName,
			Help: "The tool's name."},
		{Name: "tagline", Label: "Tagline", Kind: KindText, MaxLength: MaxTagline,
			Help: "What it is, in one line."},
		{Name: "description", Label: "Description", Kind: KindMarkdown, MaxBytes: MaxDescription,
			Help: "What it does for asynchronous teams, in Markdown."},
		{Name: "websiteUrl", Label: "Website", Kind: KindURL, Required: true, MaxLength: MaxURL,
			Help: "The tool's https address."},
		{Name: "logoUrl", Label: "Logo", Kind: KindURL, MaxLength: MaxURL,
			Help: "An https URL of its logo."},
		{Name: "category", Label: "Category", Kind: KindText, Required: true, MaxLength: MaxCategory,
			Help: "The directory's section it is listed in. Case and width do not count: \"docs\" joins a published \"Docs\"."},
		{Name: "pricing", Label: "Pricing", Kind: KindEnum, Required: true, Values: PricingFree.Values(),
			Help: "How it is paid for."},
		{Name: "platforms", Label: "Platforms", Kind: KindStringList, MaxItems: MaxPlatforms, MaxLength: MaxTag,
			Help: "Where it runs: web, macOS, iOS…"},
		{Name: "tags", Label: "Tags", Kind: KindStringList, MaxItems: MaxTags, MaxLength: MaxTag,
			Help: "Topics readers can browse by; stored lower-case."},
		{Name: "featured", Label: "Featured", Kind: KindBoolean,
			Help: "Shown first where the site features tools."},
		{Name: "slug", Label: "Slug", Kind: KindSlug, MaxLength: MaxSlug,
			Help: "The tool's address; made from the name when left empty."},
	},
}

// Type returns the description of tools.
func (*Tool) Type() *ContentType { return &toolType }

// Validate reports the first problem with the tool, as an EINVALID error naming the field.
func (t *Tool) Validate() error { return validate(t, &toolType) }

// WorkingDraft returns the tool's draft, or nil.
func (t *Tool) WorkingDraft() *Tool { return t.Draft }

// SetWorkingDraft gives the tool the draft, or none if it is nil.
func (t *Tool) SetWorkingDraft(d *Tool) { t.Draft = d }

// Clone returns a deep copy of the tool and its draft.
func (t *Tool) Clone() *Tool {
	if t == nil {
		return nil
	}
	c := *t
	c.Meta = t.Meta.clone()
	c.Platforms, c.Tags = slices.Clone(t.Platforms), slices.Clone(t.Tags)
	c.Draft = t.Draft.Clone()
	return &c
}

func (t *Tool) label() string { return t.Name }

// vocabulary returns the tool's category, whose values compare case- and width-insensitively:
// a category written as "docs" or "ｄｏｃｓ" where published tools have "Docs" becomes "Docs"
// (Collection.adoptSpelling), so that toolCategories shows one category, not three.
func (t *Tool) vocabulary() *string { return &t.Category }

func (*Tool) sortKey(Order) string { return "" }

func (t *Tool) prepare(r Renderer) (err error) {
	t.Name = strings.TrimSpace(t.Name)
	t.Category = spelling(t.Category)
	t.Tags = normalizeList(t.Tags, true)
	t.Platforms = normalizeList(t.Platforms, false)
	if err := t.Validate(); err != nil {
		return err
	}
	t.DescriptionHTML, err = render(r, "description", t.Description)
	return err
}

// ToolFilter selects tools. Zero fields select everything.
type ToolFilter struct {
	Scope
	// Category matches the category exactly.
	Category string   `field:"category"`
	Pricing  *Pricing `field:"pricing"`
	// Tag matches tools that have the tag (tags are stored lower-case).
	Tag      string `field:"tags"`
	Featured *bool  `field:"featured"`
}

// Match reports whether the tool passes the filter.
func (f ToolFilter) Match(t *Tool) bool {
	return f.Scope.match(&t.Meta) && (f.Category == "" || t.Category == f.Category) &&
		(f.Pricing == nil || t.Pricing == *f.Pricing) && (f.Tag == "" || slices.Contains(t.Tags, f.Tag)) &&
		(f.Featured == nil || t.Featured == *f.Featured)
}

// Scoped returns the filter with the scope, its tag normalized as tags are stored.
func (f ToolFilter) Scoped(s Scope) ToolFilter {
	f.Scope, f.Tag = s, strings.ToLower(strings.TrimSpace(f.Tag))
	return f
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

// Apply applies the change to the tool.
func (in ToolInput) Apply(t *Tool) {
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

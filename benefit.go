package pause

import (
	"fmt"
	"slices"
	"strings"
)

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

// BenefitOrders are the orders benefits can be listed in; the first is the default.
var BenefitOrders = []Order{OrderPosition}

// MaxPosition is the greatest position of a benefit.
const MaxPosition = 1_000_000

var benefitType = ContentType{
	Name: "benefit", Label: "Benefit", Plural: "benefits", TypeName: "Benefit",
	Orders:  BenefitOrders,
	Filters: FilterFields[BenefitFilter](),
	Fields: []Field{
		{Name: "title", Label: "Title", Kind: KindText, Required: true, MaxLength: MaxTitle,
			Help: "The benefit in a few words."},
		{Name: "summary", Label: "Summary", Kind: KindMarkdown, MaxBytes: MaxSummary,
			Help: "A paragraph that explains it, in Markdown."},
		{Name: "points", Label: "Points", Kind: KindStringList, MaxItems: MaxPoints, MaxLength: MaxPoint,
			Help: "The bullet points under it."},
		{Name: "icon", Label: "Icon", Kind: KindText, MaxLength: MaxIcon,
			Help: "The name of the icon shown beside it."},
		{Name: "position", Label: "Position", Kind: KindInt, Min: 0, Max: MaxPosition,
			Help: "Its place on the page, lowest first; reorder benefits to change it."},
		{Name: "slug", Label: "Slug", Kind: KindSlug, MaxLength: MaxSlug,
			Help: "The benefit's address; made from the title when left empty."},
	},
}

// Type returns the description of benefits.
func (*Benefit) Type() *ContentType { return &benefitType }

// Validate reports the first problem with the benefit, as an EINVALID error naming the field.
func (b *Benefit) Validate() error { return validate(b, &benefitType) }

// WorkingDraft returns the benefit's draft, or nil.
func (b *Benefit) WorkingDraft() *Benefit { return b.Draft }

// SetWorkingDraft gives the benefit the draft, or none if it is nil.
func (b *Benefit) SetWorkingDraft(d *Benefit) { b.Draft = d }

// Clone returns a deep copy of the benefit and its draft.
func (b *Benefit) Clone() *Benefit {
	if b == nil {
		return nil
	}
	c := *b
	c.Meta = b.Meta.clone()
	c.Points = slices.Clone(b.Points)
	c.Draft = b.Draft.Clone()
	return &c
}

func (b *Benefit) label() string { return b.Title }

func (b *Benefit) sortKey(o Order) string {
	if o == OrderPosition {
		return fmt.Sprintf("%010d", b.Position)
	}
	return ""
}

func (b *Benefit) prepare(r Renderer) (err error) {
	b.Title = strings.TrimSpace(b.Title)
	for i := range b.Points {
		b.Points[i] = strings.TrimSpace(b.Points[i])
	}
	if err := b.Validate(); err != nil {
		return err
	}
	b.SummaryHTML, err = render(r, "summary", b.Summary)
	return err
}

// BenefitFilter selects benefits by their scope only.
type BenefitFilter struct {
	Scope
}

// Match reports whether the benefit passes the filter.
func (f BenefitFilter) Match(b *Benefit) bool { return f.Scope.match(&b.Meta) }

// Scoped returns the filter with the scope.
func (f BenefitFilter) Scoped(s Scope) BenefitFilter { f.Scope = s; return f }

// BenefitInput is an editor's change to a benefit; see ArticleInput for the patch rules.
type BenefitInput struct {
	Slug     *string
	Title    *string
	Summary  *string
	Points   []string
	Icon     *string
	Position *int
}

// Apply applies the change to the benefit.
func (in BenefitInput) Apply(b *Benefit) {
	set(&b.Slug, in.Slug)
	set(&b.Title, in.Title)
	set(&b.Summary, in.Summary)
	if in.Points != nil {
		b.Points = in.Points
	}
	set(&b.Icon, in.Icon)
	set(&b.Position, in.Position)
}

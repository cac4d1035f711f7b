package pause

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Renderer turns Markdown into sanitized HTML.
type Renderer interface {
	Render(markdown string) (html string, err error)
}

// Config is what a CMS needs.
type Config struct {
	Stores   Stores
	Markdown Renderer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// NewID returns a new unique, sortable, URL-safe id (a ULID).
	NewID func() string
	// Changes, when set, counts the writes to Stores (NewCMS has it watch them), for
	// PublicVersion. Set it only when this process alone writes the stores.
	Changes *Changes
	// KeepRevisions is how many revisions of each item are kept; DefaultKeepRevisions if 0.
	KeepRevisions int
	// PublicURL is where browsers reach the server (such as https://cms.example.com), for
	// the setup links of users.
	PublicURL string
}

// CMS is the domain service: every read and write of content goes through it. It decides who
// may see and change what, validates and completes editors' input (slugs, rendered Markdown,
// reading time, timestamps, versions), and then calls the stores. Resolvers call it and nothing
// else, so that no entry point can skip a rule.
type CMS struct {
	cfg      Config
	articles *kind[*Article, ArticleFilter]
	benefits *kind[*Benefit, BenefitFilter]
	tools    *kind[*Tool, ToolFilter]
}

// NewCMS returns a CMS over the configured stores.
func NewCMS(cfg Config) *CMS {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Changes != nil {
		cfg.Stores = cfg.Changes.Watch(cfg.Stores)
	}
	c := &CMS{cfg: cfg}
	c.articles = &kind[*Article, ArticleFilter]{
		name: "article", store: cfg.Stores.Articles, cms: c, orders: ArticleOrders,
		scope:   func(f ArticleFilter, s *Status) ArticleFilter { f.Status = s; return f },
		asOf:    func(f ArticleFilter, t time.Time) ArticleFilter { f.At = t; return f },
		pending: func(f ArticleFilter, p *bool) ArticleFilter { f.Scheduled = p; return f },
		prepare: c.prepareArticle,
		title:   func(a *Article) string { return a.Title },
	}
	c.benefits = &kind[*Benefit, BenefitFilter]{
		name: "benefit", store: cfg.Stores.Benefits, cms: c, orders: BenefitOrders,
		scope:   func(f BenefitFilter, s *Status) BenefitFilter { f.Status = s; return f },
		asOf:    func(f BenefitFilter, t time.Time) BenefitFilter { f.At = t; return f },
		pending: func(f BenefitFilter, p *bool) BenefitFilter { f.Scheduled = p; return f },
		prepare: c.prepareBenefit,
		title:   func(b *Benefit) string { return b.Title },
	}
	c.tools = &kind[*Tool, ToolFilter]{
		name: "tool", store: cfg.Stores.Tools, cms: c, orders: ToolOrders,
		scope:   func(f ToolFilter, s *Status) ToolFilter { f.Status = s; return f },
		asOf:    func(f ToolFilter, t time.Time) ToolFilter { f.At = t; return f },
		pending: func(f ToolFilter, p *bool) ToolFilter { f.Scheduled = p; return f },
		prepare: c.prepareTool,
		title:   func(t *Tool) string { return t.Name },
	}
	return c
}

// Now returns the CMS clock's time, truncated to microseconds so that every store keeps it
// exactly.
func (c *CMS) Now() time.Time { return c.cfg.Now().UTC().Truncate(time.Microsecond) }

// Article returns the article with the id, or ENOTFOUND if there is none or the viewer may not
// see it (drafts are visible to viewers, editors and admins only).
func (c *CMS) Article(ctx context.Context, id string) (*Article, error) {
	return c.articles.get(ctx, id)
}

// ArticleBySlug is Article by slug.
func (c *CMS) ArticleBySlug(ctx context.Context, slug string) (*Article, error) {
	return c.articles.getBySlug(ctx, slug)
}

// Articles returns a page of the articles the viewer may see. Anonymous viewers see published
// articles only, and get EFORBIDDEN if they ask for another status.
func (c *CMS) Articles(ctx context.Context, q Query[ArticleFilter]) (*Page[*Article], error) {
	q.Filter.Tag = strings.ToLower(strings.TrimSpace(q.Filter.Tag))
	return c.articles.list(ctx, q)
}

// CountArticles counts the articles that match the filter and that the viewer may see.
func (c *CMS) CountArticles(ctx context.Context, f ArticleFilter) (int, error) {
	f.Tag = strings.ToLower(strings.TrimSpace(f.Tag))
	return c.articles.count(ctx, f)
}

// CreateArticle creates a draft article. Editors only.
func (c *CMS) CreateArticle(ctx context.Context, in ArticleInput) (*Article, error) {
	a := &Article{}
	in.apply(a)
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return nil, err
	}
	if err := c.checkRelated(ctx, a.RelatedToolIDs); err != nil {
		return nil, err
	}
	return c.articles.create(ctx, a)
}

// UpdateArticle applies the patch to the article if its version is still version, or returns
// ECONFLICT and changes nothing. The patch of a published article goes to its draft (see
// DraftOf): the public keeps seeing the published article until it is published again.
// Editors only.
func (c *CMS) UpdateArticle(ctx context.Context, id string, version int, in ArticleInput) (*Article, error) {
	return c.articles.update(ctx, id, version, func(a *Article) error {
		in.apply(a)
		if in.RelatedToolIDs != nil {
			return c.checkRelated(ctx, a.RelatedToolIDs)
		}
		return nil
	})
}

// PublishArticle makes the article public: its draft, if it has one, becomes the article.
// Editors only.
func (c *CMS) PublishArticle(ctx context.Context, id string, version int) (*Article, error) {
	return c.articles.setStatus(ctx, id, version, StatusPublished, nil)
}

// PublishArticleAt publishes the article now, or at the time at if it is later: until then the
// public does not see it, and then it does, without anything running at that time. Only
// unpublished articles are published at a time. Editors only.
func (c *CMS) PublishArticleAt(ctx context.Context, id string, version int, at *time.Time) (*Article, error) {
	return c.articles.setStatus(ctx, id, version, StatusPublished, at)
}

// UnpublishArticle takes the article back to draft status; pending edits become its content.
// Editors only.
func (c *CMS) UnpublishArticle(ctx context.Context, id string, version int) (*Article, error) {
	return c.articles.setStatus(ctx, id, version, StatusDraft, nil)
}

// UnpublishArticleAt unpublishes the published article now, or at the time at if it is later.
// Editors only.
func (c *CMS) UnpublishArticleAt(ctx context.Context, id string, version int, at *time.Time) (*Article, error) {
	return c.articles.setStatus(ctx, id, version, StatusDraft, at)
}

// ArticleRevisions returns a page of the article's revisions, newest first, after the cursor
// after. Viewers and up.
func (c *CMS) ArticleRevisions(ctx context.Context, id string, first int, after string) (*RevisionPage, error) {
	return c.articles.revisions(ctx, id, first, after)
}

// RestoreArticleRevision brings back the content of the revision as a new version of the article
// at version: as its draft if it is published. Editors only.
func (c *CMS) RestoreArticleRevision(ctx context.Context, id string, revision, version int) (*Article, error) {
	return c.articles.restore(ctx, id, revision, version)
}

// DiscardArticleDraft drops the pending edits of the published article at version, leaving
// what the public sees as it is. Editors only.
func (c *CMS) DiscardArticleDraft(ctx context.Context, id string, version int) (*Article, error) {
	return c.articles.discardDraft(ctx, id, version)
}

// ArticleDraft returns the pending edits of the article, or nil if it has none or the viewer
// may not read drafts.
func (c *CMS) ArticleDraft(ctx context.Context, a *Article) *Article { return draftFor(ctx, a) }

// draftFor returns the item's draft if the viewer in ctx may read drafts.
func draftFor[T Item](ctx context.Context, item T) T {
	if !ViewerFrom(ctx).CanReadDrafts() {
		return zeroOf(item)
	}
	return DraftOf(item)
}

// ArchiveArticle retires the article: it is no longer public, and it is kept. Editors only.
func (c *CMS) ArchiveArticle(ctx context.Context, id string, version int) (*Article, error) {
	return c.articles.setStatus(ctx, id, version, StatusArchived, nil)
}

// DeleteArticle deletes the article if its version is still version. Admins only: editors
// archive.
func (c *CMS) DeleteArticle(ctx context.Context, id string, version int) error {
	return c.articles.delete(ctx, id, version)
}

// ImportArticle stores an article as given, status and timestamps included, matching it to an
// existing article by slug: it creates it, replaces the stored one, or does nothing if they are
// equal. Admins only. It reports whether anything changed.
func (c *CMS) ImportArticle(ctx context.Context, a *Article) (bool, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return false, err
	}
	if err := c.checkRelated(ctx, a.RelatedToolIDs); err != nil {
		return false, err
	}
	return c.articles.importItem(ctx, a)
}

// Benefit returns the benefit with the id; see Article.
func (c *CMS) Benefit(ctx context.Context, id string) (*Benefit, error) {
	return c.benefits.get(ctx, id)
}

// BenefitBySlug returns the benefit with the slug; see Article.
func (c *CMS) BenefitBySlug(ctx context.Context, slug string) (*Benefit, error) {
	return c.benefits.getBySlug(ctx, slug)
}

// Benefits returns a page of benefits; see Articles.
func (c *CMS) Benefits(ctx context.Context, q Query[BenefitFilter]) (*Page[*Benefit], error) {
	return c.benefits.list(ctx, q)
}

// CountBenefits counts benefits; see CountArticles.
func (c *CMS) CountBenefits(ctx context.Context, f BenefitFilter) (int, error) {
	return c.benefits.count(ctx, f)
}

// CreateBenefit creates a draft benefit. Editors only.
func (c *CMS) CreateBenefit(ctx context.Context, in BenefitInput) (*Benefit, error) {
	b := &Benefit{}
	in.apply(b)
	return c.benefits.create(ctx, b)
}

// UpdateBenefit patches a benefit; see UpdateArticle.
func (c *CMS) UpdateBenefit(ctx context.Context, id string, version int, in BenefitInput) (*Benefit, error) {
	return c.benefits.update(ctx, id, version, func(b *Benefit) error { in.apply(b); return nil })
}

// PublishBenefit makes the benefit public. Editors only.
func (c *CMS) PublishBenefit(ctx context.Context, id string, version int) (*Benefit, error) {
	return c.benefits.setStatus(ctx, id, version, StatusPublished, nil)
}

// PublishBenefitAt publishes the benefit now, or at the time at if it is later: until then the
// public does not see it, and then it does, without anything running at that time. Only
// unpublished benefits are published at a time. Editors only.
func (c *CMS) PublishBenefitAt(ctx context.Context, id string, version int, at *time.Time) (*Benefit, error) {
	return c.benefits.setStatus(ctx, id, version, StatusPublished, at)
}

// UnpublishBenefit takes the benefit back to draft. Editors only.
func (c *CMS) UnpublishBenefit(ctx context.Context, id string, version int) (*Benefit, error) {
	return c.benefits.setStatus(ctx, id, version, StatusDraft, nil)
}

// UnpublishBenefitAt unpublishes the published benefit now, or at the time at if it is later.
// Editors only.
func (c *CMS) UnpublishBenefitAt(ctx context.Context, id string, version int, at *time.Time) (*Benefit, error) {
	return c.benefits.setStatus(ctx, id, version, StatusDraft, at)
}

// BenefitRevisions returns a page of the benefit's revisions, newest first, after the cursor
// after. Viewers and up.
func (c *CMS) BenefitRevisions(ctx context.Context, id string, first int, after string) (*RevisionPage, error) {
	return c.benefits.revisions(ctx, id, first, after)
}

// RestoreBenefitRevision brings back the content of the revision as a new version of the benefit
// at version: as its draft if it is published. Editors only.
func (c *CMS) RestoreBenefitRevision(ctx context.Context, id string, revision, version int) (*Benefit, error) {
	return c.benefits.restore(ctx, id, revision, version)
}

// DiscardBenefitDraft drops the benefit's pending edits; see DiscardArticleDraft.
func (c *CMS) DiscardBenefitDraft(ctx context.Context, id string, version int) (*Benefit, error) {
	return c.benefits.discardDraft(ctx, id, version)
}

// BenefitDraft returns the benefit's pending edits; see ArticleDraft.
func (c *CMS) BenefitDraft(ctx context.Context, b *Benefit) *Benefit { return draftFor(ctx, b) }

// ArchiveBenefit retires the benefit. Editors only.
func (c *CMS) ArchiveBenefit(ctx context.Context, id string, version int) (*Benefit, error) {
	return c.benefits.setStatus(ctx, id, version, StatusArchived, nil)
}

// DeleteBenefit deletes the benefit; see DeleteArticle.
func (c *CMS) DeleteBenefit(ctx context.Context, id string, version int) error {
	return c.benefits.delete(ctx, id, version)
}

// ImportBenefit stores a benefit as given; see ImportArticle.
func (c *CMS) ImportBenefit(ctx context.Context, b *Benefit) (bool, error) {
	return c.benefits.importItem(ctx, b)
}

// ReorderBenefits gives the benefits with the ids the positions 0, 1, 2… in the order of ids,
// in one atomic write: if any of them changes meanwhile, it returns ECONFLICT and changes
// nothing. Benefits not named keep their positions. Editors only.
func (c *CMS) ReorderBenefits(ctx context.Context, ids []string) ([]*Benefit, error) {
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > MaxFirst {
		return nil, FieldErrorf("ids", "ids must name 1 to %d benefits", MaxFirst)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return nil, FieldErrorf("ids", "ids names benefit %s twice", id)
		}
		seen[id] = true
	}
	found, err := c.benefits.store.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Benefit, len(found))
	for _, b := range found {
		byID[b.ID] = b
	}
	now := c.Now()
	out := make([]*Benefit, 0, len(ids))
	var changed []*Benefit
	for i, id := range ids {
		b, ok := byID[id]
		if !ok {
			return nil, Errorf(ENOTFOUND, "No benefit has id %s.", id)
		}
		if b.Position != i {
			before := Clone(b)
			// The order is public at once, and a pending draft keeps it.
			b.Position, b.UpdatedAt, b.UpdatedBy, b.Version = i, now, ViewerFrom(ctx).Subject, b.Version+1
			if b.Draft != nil {
				b.Draft.Position = i
			}
			syncDraft(b)
			c.benefits.revise(ctx, before, b, "reorder")
			changed = append(changed, b)
		}
		out = append(out, b)
	}
	if len(changed) > 0 {
		err := c.benefits.store.Update(ctx, changed...)
		for _, b := range changed {
			b.Change = nil
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Tool returns the tool with the id; see Article.
func (c *CMS) Tool(ctx context.Context, id string) (*Tool, error) {
	return c.tools.get(ctx, id)
}

// ToolBySlug returns the tool with the slug; see Article.
func (c *CMS) ToolBySlug(ctx context.Context, slug string) (*Tool, error) {
	return c.tools.getBySlug(ctx, slug)
}

// Tools returns a page of tools; see Articles.
func (c *CMS) Tools(ctx context.Context, q Query[ToolFilter]) (*Page[*Tool], error) {
	q.Filter.Tag = strings.ToLower(strings.TrimSpace(q.Filter.Tag))
	return c.tools.list(ctx, q)
}

// CountTools counts tools; see CountArticles.
func (c *CMS) CountTools(ctx context.Context, f ToolFilter) (int, error) {
	f.Tag = strings.ToLower(strings.TrimSpace(f.Tag))
	return c.tools.count(ctx, f)
}

// ToolsByIDs returns the tools with the ids that the viewer may see, in the order of ids, in
// one store read. It is how an article's related tools are loaded.
func (c *CMS) ToolsByIDs(ctx context.Context, ids []string) ([]*Tool, error) {
	return c.tools.getMany(ctx, ids)
}

// ToolCategories returns the categories of published tools with their counts, by name.
func (c *CMS) ToolCategories(ctx context.Context) ([]CategoryCount, error) {
	return c.cfg.Stores.Tools.Categories(ctx, c.Now())
}

// CreateTool creates a draft tool. Editors only.
func (c *CMS) CreateTool(ctx context.Context, in ToolInput) (*Tool, error) {
	t := &Tool{}
	in.apply(t)
	return c.tools.create(ctx, t)
}

// UpdateTool patches a tool; see UpdateArticle.
func (c *CMS) UpdateTool(ctx context.Context, id string, version int, in ToolInput) (*Tool, error) {
	return c.tools.update(ctx, id, version, func(t *Tool) error { in.apply(t); return nil })
}

// PublishTool makes the tool public. Editors only.
func (c *CMS) PublishTool(ctx context.Context, id string, version int) (*Tool, error) {
	return c.tools.setStatus(ctx, id, version, StatusPublished, nil)
}

// PublishToolAt publishes the tool now, or at the time at if it is later: until then the
// public does not see it, and then it does, without anything running at that time. Only
// unpublished tools are published at a time. Editors only.
func (c *CMS) PublishToolAt(ctx context.Context, id string, version int, at *time.Time) (*Tool, error) {
	return c.tools.setStatus(ctx, id, version, StatusPublished, at)
}

// UnpublishTool takes the tool back to draft. Editors only.
func (c *CMS) UnpublishTool(ctx context.Context, id string, version int) (*Tool, error) {
	return c.tools.setStatus(ctx, id, version, StatusDraft, nil)
}

// UnpublishToolAt unpublishes the published tool now, or at the time at if it is later.
// Editors only.
func (c *CMS) UnpublishToolAt(ctx context.Context, id string, version int, at *time.Time) (*Tool, error) {
	return c.tools.setStatus(ctx, id, version, StatusDraft, at)
}

// ToolRevisions returns a page of the tool's revisions, newest first, after the cursor
// after. Viewers and up.
func (c *CMS) ToolRevisions(ctx context.Context, id string, first int, after string) (*RevisionPage, error) {
	return c.tools.revisions(ctx, id, first, after)
}

// RestoreToolRevision brings back the content of the revision as a new version of the tool
// at version: as its draft if it is published. Editors only.
func (c *CMS) RestoreToolRevision(ctx context.Context, id string, revision, version int) (*Tool, error) {
	return c.tools.restore(ctx, id, revision, version)
}

// DiscardToolDraft drops the tool's pending edits; see DiscardArticleDraft.
func (c *CMS) DiscardToolDraft(ctx context.Context, id string, version int) (*Tool, error) {
	return c.tools.discardDraft(ctx, id, version)
}

// ToolDraft returns the tool's pending edits; see ArticleDraft.
func (c *CMS) ToolDraft(ctx context.Context, t *Tool) *Tool { return draftFor(ctx, t) }

// ArchiveTool retires the tool. Editors only.
func (c *CMS) ArchiveTool(ctx context.Context, id string, version int) (*Tool, error) {
	return c.tools.setStatus(ctx, id, version, StatusArchived, nil)
}

// DeleteTool deletes the tool; see DeleteArticle. Articles that name it as related simply stop
// showing it.
func (c *CMS) DeleteTool(ctx context.Context, id string, version int) error {
	return c.tools.delete(ctx, id, version)
}

// ImportTool stores a tool as given; see ImportArticle.
func (c *CMS) ImportTool(ctx context.Context, t *Tool) (bool, error) {
	return c.tools.importItem(ctx, t)
}

func (c *CMS) render(field, markdown string) (string, error) {
	html, err := c.cfg.Markdown.Render(markdown)
	if err != nil {
		return "", fmt.Errorf("render %s: %w", field, err)
	}
	return html, nil
}

func (c *CMS) prepareArticle(_ context.Context, a *Article) (err error) {
	a.Title = strings.TrimSpace(a.Title)
	a.Author.Name = strings.TrimSpace(a.Author.Name)
	a.Tags = normalizeList(a.Tags, true)
	a.RelatedToolIDs = normalizeList(a.RelatedToolIDs, false)
	if err := a.Validate(); err != nil {
		return err
	}
	if a.BodyHTML, err = c.render("body", a.Body); err != nil {
		return err
	}
	a.ReadingTimeMinutes = ReadingTime(a.Body)
	return nil
}

// checkRelated returns EINVALID if one of the ids names no tool. It runs when an editor sets
// the related tools, not on every save: a tool deleted later simply stops showing.
func (c *CMS) checkRelated(ctx context.Context, ids []string) error {
	ids = normalizeList(ids, false)
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > MaxRelated {
		return FieldErrorf("relatedToolIds", "relatedToolIds has more than %d entries", MaxRelated)
	}
	found, err := c.cfg.Stores.Tools.GetMany(ctx, ids)
	if err != nil {
		return err
	}
	if len(found) != len(ids) {
		return FieldErrorf("relatedToolIds", "relatedToolIds names a tool that does not exist")
	}
	return nil
}

func (c *CMS) prepareBenefit(_ context.Context, b *Benefit) (err error) {
	b.Title = strings.TrimSpace(b.Title)
	for i := range b.Points {
		b.Points[i] = strings.TrimSpace(b.Points[i])
	}
	if err := b.Validate(); err != nil {
		return err
	}
	b.SummaryHTML, err = c.render("summary", b.Summary)
	return err
}

func (c *CMS) prepareTool(_ context.Context, t *Tool) (err error) {
	t.Name = strings.TrimSpace(t.Name)
	t.Category = strings.TrimSpace(t.Category)
	t.Tags = normalizeList(t.Tags, true)
	t.Platforms = normalizeList(t.Platforms, false)
	if err := t.Validate(); err != nil {
		return err
	}
	t.DescriptionHTML, err = c.render("description", t.Description)
	return err
}

// kind is what CMS does the same way for every content type.
type kind[T Item, F Filter[T]] struct {
	name    string
	store   Store[T, F]
	cms     *CMS
	orders  []Order // the first is the default
	scope   func(F, *Status) F
	asOf    func(F, time.Time) F
	pending func(F, *bool) F // sets the filter's Scheduled
	prepare func(context.Context, T) error
	title   func(T) string
}

func (k *kind[T, F]) notFound(how, key string) error {
	return Errorf(ENOTFOUND, "No %s has %s %s.", k.name, how, key)
}

// visible settles the item's scheduled change if its time has come (see Meta.StatusAt), takes
// its draft away if the viewer in ctx may not see drafts, and reports whether the viewer may see
// the item.
func (k *kind[T, F]) visible(ctx context.Context, item T) bool {
	now := k.cms.Now()
	item.Metadata().settle(now)
	if d := DraftOf(item); d != nil {
		d.Metadata().settle(now)
	}
	if ViewerFrom(ctx).CanReadDrafts() {
		return true
	}
	SetDraft(item, zeroOf(item))
	return item.Metadata().Status == StatusPublished
}

func (k *kind[T, F]) get(ctx context.Context, id string) (T, error) {
	var zero T
	item, err := k.store.Get(ctx, id)
	if err != nil {
		return zero, err
	} else if !k.visible(ctx, item) {
		return zero, k.notFound("id", id)
	}
	return item, nil
}

func (k *kind[T, F]) getBySlug(ctx context.Context, slug string) (T, error) {
	var zero T
	item, err := k.store.GetBySlug(ctx, slug)
	if err != nil {
		return zero, err
	} else if !k.visible(ctx, item) {
		return zero, k.notFound("slug", slug)
	}
	return item, nil
}

func (k *kind[T, F]) getMany(ctx context.Context, ids []string) ([]T, error) {
	items, err := k.store.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := items[:0]
	for _, item := range items {
		if k.visible(ctx, item) {
			out = append(out, item)
		}
	}
	return out, nil
}

// scoped returns the filter restricted to what the viewer may see.
func (k *kind[T, F]) scoped(ctx context.Context, f F) (F, error) {
	f = k.asOf(f, k.cms.Now())
	if ViewerFrom(ctx).CanReadDrafts() {
		return f, nil
	}
	if s := f.StatusIs(); s != nil && *s != StatusPublished {
		return f, Errorf(EFORBIDDEN, "Only signed-in editors may list %ss that are not published.", k.name)
	}
	if f.PendingIs() != nil {
		return f, Errorf(EFORBIDDEN, "Only signed-in editors may list scheduled %ss.", k.name)
	}
	published := StatusPublished
	return k.scope(f, &published), nil
}

func (k *kind[T, F]) list(ctx context.Context, q Query[F]) (*Page[T], error) {
	if q.First < 0 || q.First > MaxFirst {
		return nil, FieldErrorf("first", "first must be between 0 and %d", MaxFirst)
	}
	if q.Order == "" {
		q.Order = k.orders[0]
	}
	if !slices.Contains(k.orders, q.Order) {
		return nil, FieldErrorf("orderBy", "%ss cannot be ordered by %s", k.name, q.Order)
	}
	var err error
	if q.Filter, err = k.scoped(ctx, q.Filter); err != nil {
		return nil, err
	}
	page, err := k.store.List(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, item := range page.Items {
		k.visible(ctx, item)
	}
	return page, nil
}

func (k *kind[T, F]) count(ctx context.Context, f F) (int, error) {
	f, err := k.scoped(ctx, f)
	if err != nil {
		return 0, err
	}
	return k.store.Count(ctx, f)
}

// maxSlugTries bounds the suffixes tried when a slug made from a title is taken.
const maxSlugTries = 20

func (k *kind[T, F]) create(ctx context.Context, item T) (T, error) {
	var zero T
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return zero, err
	}
	m := item.Metadata()
	now, who := k.cms.Now(), ViewerFrom(ctx).Subject
	m.ID, m.Status, m.PublishedAt, m.CreatedAt, m.UpdatedAt, m.Version =
		k.cms.cfg.NewID(), StatusDraft, nil, now, now, 1
	m.CreatedBy, m.UpdatedBy, m.PublishedBy = who, who, ""
	generated := m.Slug == ""
	if generated {
		m.Slug = Slugify(k.title(item))
	}
	if err := k.prepare(ctx, item); err != nil {
		return zero, err
	}
	base := m.Slug
	for try := 2; ; try++ {
		k.revise(ctx, zero, item, "create")
		err := k.store.Create(ctx, item)
		m.Change = nil
		if err == nil {
			return item, nil
		}
		// A slug the editor did not choose gets a number rather than an error.
		if !generated || ErrorField(err) != "slug" || try > maxSlugTries {
			return zero, err
		}
		suffix := fmt.Sprintf("-%d", try)
		m.Slug = strings.TrimRight(base[:min(len(base), MaxSlug-len(suffix))], "-") + suffix
	}
}

// load reads the item for a change at version: it returns ECONFLICT if the item is at another
// version. Editors only.
func (k *kind[T, F]) load(ctx context.Context, id string, version int) (item, before T, err error) {
	var zero T
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return zero, zero, err
	}
	item, err = k.store.Get(ctx, id)
	if err != nil {
		return zero, zero, err
	}
	before = Clone(item)
	if v := item.Metadata().Version; v != version {
		return zero, zero, Errorf(ECONFLICT, "This %s changed since version %d (it is at version %d): reload it and apply your change again.", k.name, version, v)
	}
	// A scheduled change whose time has come becomes part of the stored item with this write;
	// an item it unpublished keeps its pending edits as its content, as unpublish does.
	m := item.Metadata()
	m.settle(k.cms.Now())
	if d := DraftOf(item); d != nil && m.Status != StatusPublished {
		item = promote(item, d)
	}
	return item, before, nil
}

// promote returns the draft as the item: the draft's content and slug with the item's Meta.
func promote[T Item](item, draft T) T {
	m, dm := item.Metadata(), draft.Metadata()
	slug := dm.Slug
	*dm = m.clone()
	dm.Slug = slug
	SetDraft(draft, zeroOf(draft))
	return draft
}

// saveAs writes the item as the next version after version, its draft kept in step, with the
// revision of the action (before is the item as it was stored).
func (k *kind[T, F]) saveAs(ctx context.Context, before, item T, version int, action string) (T, error) {
	var zero T
	item.Metadata().Version = version + 1
	syncDraft(item)
	k.revise(ctx, before, item, action)
	err := k.store.Update(ctx, item)
	item.Metadata().Change = nil
	if err != nil {
		return zero, err
	}
	return item, nil
}

// syncDraft gives the item's draft the item's identity, status, publication and version: a
// draft differs from its item in content, slug and who changed it when only.
func syncDraft[T Item](item T) {
	d := DraftOf(item)
	if d == nil {
		return
	}
	m, dm := item.Metadata(), d.Metadata()
	slug, at, by := dm.Slug, dm.UpdatedAt, dm.UpdatedBy
	*dm = m.clone()
	dm.Slug, dm.UpdatedAt, dm.UpdatedBy = slug, at, by
	var none T
	SetDraft(d, none)
}

// update applies change to the item at version. A published item keeps what the public sees:
// the change goes to its draft (made from the item if it has none), which publishing makes
// public. Other items change in place.
func (k *kind[T, F]) update(ctx context.Context, id string, version int, change func(T) error) (T, error) {
	var zero T
	item, before, err := k.load(ctx, id, version)
	if err != nil {
		return zero, err
	}
	m := item.Metadata()
	target := item
	if m.Status == StatusPublished {
		if target = DraftOf(item); target == nil {
			target = Clone(item)
		}
	}
	if err := change(target); err != nil {
		return zero, err
	}
	tm := target.Metadata()
	if tm.Slug == "" {
		tm.Slug = Slugify(k.title(target))
	}
	if err := k.prepare(ctx, target); err != nil {
		return zero, err
	}
	tm.UpdatedAt, tm.UpdatedBy = k.cms.Now(), ViewerFrom(ctx).Subject
	if target != item {
		// A draft's slug is claimed when it is published; tell the editor now if it is taken.
		if tm.Slug != m.Slug {
			other, err := k.store.GetBySlug(ctx, tm.Slug)
			if err == nil && other.Metadata().ID != m.ID {
				return zero, &Error{Code: ECONFLICT, Field: "slug", Message: fmt.Sprintf("Another %s has the slug %s.", k.name, tm.Slug)}
			} else if err != nil && ErrorCode(err) != ENOTFOUND {
				return zero, err
			}
		}
		SetDraft(item, target)
	}
	return k.saveAs(ctx, before, item, version, "update")
}

// setStatus moves the item at version to the status, now or, if at is after now, at that
// time (see Meta.ScheduledAt). An item that had a draft becomes the draft: publishing
// publishes the pending edits, and unpublishing or archiving keeps them as the item's content,
// since nothing public needs protecting any more. A change now cancels a scheduled one.
func (k *kind[T, F]) setStatus(ctx context.Context, id string, version int, s Status, at *time.Time) (T, error) {
	var zero T
	item, before, err := k.load(ctx, id, version)
	if err != nil {
		return zero, err
	}
	now, who := k.cms.Now(), ViewerFrom(ctx).Subject
	m := item.Metadata()
	action := map[Status]string{StatusPublished: "publish", StatusDraft: "unpublish", StatusArchived: "archive"}[s]
	if at != nil && at.After(now) {
		// What the public sees changes at that time only: nothing else changes now.
		switch {
		case s == StatusPublished && m.Status == StatusPublished:
			return zero, FieldErrorf("at", "This %s is published: publish its draft now, or schedule it to be unpublished.", k.name)
		case s != StatusPublished && m.Status != StatusPublished:
			return zero, FieldErrorf("at", "This %s is not published: there is nothing to unpublish at a time.", k.name)
		}
		t := at.UTC()
		m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = &t, s, who
		return k.saveAs(ctx, before, item, version, "schedule")
	}
	if d := DraftOf(item); d != nil {
		item = promote(item, d)
		m = item.Metadata()
	}
	m.Status, m.UpdatedAt, m.UpdatedBy = s, now, who
	m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
	if s == StatusPublished {
		m.PublishedBy = who
		if m.PublishedAt == nil {
			m.PublishedAt = &now
		}
	}
	return k.saveAs(ctx, before, item, version, action)
}

// discardDraft drops the item's draft, if it has one. Editors only.
func (k *kind[T, F]) discardDraft(ctx context.Context, id string, version int) (T, error) {
	var zero T
	item, before, err := k.load(ctx, id, version)
	if err != nil {
		return zero, err
	}
	if DraftOf(item) == nil {
		return item, nil
	}
	SetDraft(item, zero)
	return k.saveAs(ctx, before, item, version, "discardDraft")
}

func (k *kind[T, F]) delete(ctx context.Context, id string, version int) error {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return err
	}
	return k.store.Delete(ctx, id, version, &Revision{Number: version, At: k.cms.Now(),
		By: ViewerFrom(ctx).Subject, Action: "delete", Fields: []string{}})
}

func (k *kind[T, F]) importItem(ctx context.Context, item T) (bool, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return false, err
	}
	m := item.Metadata()
	if m.Slug == "" {
		m.Slug = Slugify(k.title(item))
	}
	if m.Status == "" {
		m.Status = StatusDraft
	}
	SetDraft(item, zeroOf(item))
	if err := k.prepare(ctx, item); err != nil {
		return false, err
	}
	now, who := k.cms.Now(), ViewerFrom(ctx).Subject
	old, err := k.store.GetBySlug(ctx, m.Slug)
	if ErrorCode(err) == ENOTFOUND {
		m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
		m.CreatedBy = or(m.CreatedBy, who)
		m.UpdatedBy = or(m.UpdatedBy, m.CreatedBy)
		if m.Status == StatusPublished {
			m.PublishedBy = or(m.PublishedBy, m.UpdatedBy)
		}
		if m.ID == "" {
			m.ID = k.cms.cfg.NewID()
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		if m.UpdatedAt.IsZero() {
			m.UpdatedAt = m.CreatedAt
		}
		if m.Status == StatusPublished && m.PublishedAt == nil {
			m.PublishedAt = &now
		}
		m.Version = 1
		k.revise(ctx, zeroOf(item), item, "import")
		err := k.store.Create(ctx, item)
		m.Change = nil
		return true, err
	} else if err != nil {
		return false, err
	}
	// What the file leaves out keeps its stored value, so that importing the same files again
	// changes nothing.
	om := old.Metadata()
	om.settle(now)
	m.ID, m.Version = om.ID, om.Version
	// Files hold no schedule: a pending one stays, unless the file changes the status.
	m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
	if m.Status == om.Status {
		m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = om.ScheduledAt, om.ScheduledStatus, om.ScheduledBy
	}
	// Files hold what is public: a pending draft stays pending, unless the item stops being
	// published (only published items have drafts).
	if m.Status == StatusPublished {
		SetDraft(item, DraftOf(old))
	} else {
		SetDraft(item, zeroOf(item))
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = om.CreatedAt
	}
	if m.PublishedAt == nil && m.Status == StatusPublished {
		m.PublishedAt = om.PublishedAt
		if m.PublishedAt == nil {
			m.PublishedAt = &now
		}
	}
	m.CreatedBy, m.PublishedBy = or(m.CreatedBy, om.CreatedBy), or(m.PublishedBy, om.PublishedBy)
	stamped, signed := !m.UpdatedAt.IsZero(), m.UpdatedBy != ""
	if !stamped {
		m.UpdatedAt = om.UpdatedAt
	}
	if !signed {
		m.UpdatedBy = om.UpdatedBy
	}
	if sameContent(item, old) {
		return false, nil
	}
	if !stamped {
		m.UpdatedAt = now
	}
	if !signed {
		m.UpdatedBy = who
	}
	m.Version = om.Version + 1
	syncDraft(item)
	k.revise(ctx, old, item, "import")
	err = k.store.Update(ctx, item)
	m.Change = nil
	return true, err
}

// sameContent reports whether two items hold the same values, taking an empty list and no
// list as the same (stores need not keep that difference).
func sameContent[T Item](a, b T) bool {
	return reflect.DeepEqual(withEmptyLists(a), withEmptyLists(b))
}

// withEmptyLists returns a copy of the item whose nil lists are empty lists and whose times are
// in UTC.
func withEmptyLists[T Item](item T) any {
	orEmpty := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	utc := func(m *Meta) {
		m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
		if m.PublishedAt != nil {
			t := m.PublishedAt.UTC()
			m.PublishedAt = &t
		}
	}
	switch v := any(item).(type) {
	case *Article:
		c := *v
		c.Tags, c.RelatedToolIDs = orEmpty(c.Tags), orEmpty(c.RelatedToolIDs)
		utc(&c.Meta)
		return c
	case *Benefit:
		c := *v
		c.Points = orEmpty(c.Points)
		utc(&c.Meta)
		return c
	case *Tool:
		c := *v
		c.Tags, c.Platforms = orEmpty(c.Tags), orEmpty(c.Platforms)
		utc(&c.Meta)
		return c
	}
	return item
}

// zeroOf returns the nil item of the item's type.
func zeroOf[T Item](T) T {
	var zero T
	return zero
}

// or returns s, or def if s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

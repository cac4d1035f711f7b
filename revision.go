package pause

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Revision is one saved state of an item. Every write that CMS makes of an item keeps one, in
// the same atomic write, numbered by the version the write made: who, when, what the write did,
// which fields it changed, and the item as it left it (its draft included), which is what a
// restore brings back.
type Revision struct {
	// Number is the version of the item that the write made.
	Number int
	At     time.Time
	By     string
	// Action is what the write did: create, update, publish, schedule, unpublish, archive,
	// discardDraft, restore, reorder, import or settle (a scheduled change made part of the
	// stored item when its time came, by CMS.SettleDue).
	Action string
	// Fields are the names of the fields the write changed, as the API names them; a draft's
	// fields start with "draft." ("draft" alone when the draft appeared or went).
	Fields []string
	// Item is the *Article, *Benefit or *Tool as the write left it. Stores may leave out the
	// HTML renderings, which a restore makes again.
	Item Content
	// Prune is the number of the revision that the same write deletes, the oldest beyond the
	// number CMS keeps, or 0. It is not stored.
	Prune int
	// Before is the item as the write read it from the store, unchanged (its draft and
	// bodies included), or nil when the CMS did not read it. A store may take it for the
	// stored item that it would otherwise read again (its slug, counters, bodies) when its
	// version is the one the write expects: the write's version condition guarantees that the
	// stored item is still that one. It is not stored.
	Before Content
}

// Content is any content item: an *Article, a *Benefit or a *Tool.
type Content interface {
	Metadata() *Meta
}

// DefaultKeepRevisions is how many revisions of an item are kept when Config.KeepRevisions is 0.
const DefaultKeepRevisions = 50

// RevisionPage is one page of an item's revisions, newest first.
type RevisionPage struct {
	Revisions   []*Revision
	HasNextPage bool
}

// EndCursor returns the cursor of the page's last revision, or "" for an empty page.
func (p *RevisionPage) EndCursor() string {
	if len(p.Revisions) == 0 {
		return ""
	}
	return strconv.Itoa(p.Revisions[len(p.Revisions)-1].Number)
}

// changedFields names the fields whose values differ between the items, as the API names them
// (Go field names with a lower-case first letter), leaving out what every write changes.
func changedFields[T Item[T]](old, new T) []string {
	var out []string
	var walk func(prefix string, a, b reflect.Value)
	walk = func(prefix string, a, b reflect.Value) {
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			switch f.Name {
			case "Version", "UpdatedAt", "UpdatedBy":
				continue
			case "Meta":
				walk(prefix, a.Field(i), b.Field(i))
				continue
			case "Draft":
				da, db := a.Field(i), b.Field(i)
				switch {
				case da.IsNil() && db.IsNil():
				case da.IsNil() || db.IsNil():
					out = append(out, "draft")
				default:
					walk("draft.", da.Elem(), db.Elem())
				}
				continue
			}
			if !reflect.DeepEqual(normal(a.Field(i).Interface()), normal(b.Field(i).Interface())) {
				out = append(out, prefix+lowerFirst(f.Name))
			}
		}
	}
	var none T
	switch {
	case old == none:
		return nil
	}
	walk("", reflect.ValueOf(old).Elem(), reflect.ValueOf(new).Elem())
	return out
}

// normal makes an empty list and no list equal, and times comparable as instants.
func normal(v any) any {
	switch x := v.(type) {
	case []string:
		if len(x) == 0 {
			return []string(nil)
		}
	case time.Time:
		return x.UTC()
	case *time.Time:
		if x != nil {
			return x.UTC()
		}
	}
	return v
}

func lowerFirst(s string) string {
	if strings.HasSuffix(s, "HTML") {
		s = strings.TrimSuffix(s, "HTML") + "Html"
	}
	if strings.HasSuffix(s, "URL") {
		s = strings.TrimSuffix(s, "URL") + "Url"
	}
	if strings.HasSuffix(s, "IDs") {
		s = strings.TrimSuffix(s, "IDs") + "Ids"
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// Revisions returns a page of the item's revisions, newest first, after the cursor after.
// Viewers and up.
func (k *Collection[T, F, I]) Revisions(ctx context.Context, id string, first int, after string) (*RevisionPage, error) {
	if err := ViewerFrom(ctx).Require(RoleViewer); err != nil {
		return nil, err
	}
	if first < 0 || first > MaxFirst {
		return nil, FieldErrorf("first", "first must be between 0 and %d", MaxFirst)
	}
	before := 0
	if after != "" {
		n, err := strconv.Atoi(after)
		if err != nil || n < 1 {
			return nil, FieldErrorf("after", "after is not a cursor of this list")
		}
		before = n
	}
	if _, err := k.store.Get(ctx, id); err != nil {
		return nil, err
	}
	revs, more, err := k.store.Revisions(ctx, id, first, before)
	if err != nil {
		return nil, err
	}
	return &RevisionPage{Revisions: revs, HasNextPage: more}, nil
}

// Restore brings back the content of the revision as a new version of the item at version:
// the item's own content, or its draft's if it is published. A revision whose item had a draft
// brings back the draft, the latest content at that time. Editors only.
func (k *Collection[T, F, I]) Restore(ctx context.Context, id string, revision, version int) (T, error) {
	var zero T
	item, before, err := k.load(ctx, id, version)
	if err != nil {
		return zero, err
	}
	revs, _, err := k.store.Revisions(ctx, id, 1, revision+1)
	if err != nil {
		return zero, err
	}
	if len(revs) == 0 || revs[0].Number != revision {
		return zero, Errorf(ENOTFOUND, "This %s has no revision %d (only the last %d are kept).", k.t.Name, revision, k.cms.keep())
	}
	old, ok := revs[0].Item.(T)
	if !ok {
		return zero, Errorf(ENOTFOUND, "This %s has no revision %d.", k.t.Name, revision)
	}
	content := old
	if d := old.WorkingDraft(); d != zero {
		content = d
	}
	content = content.Clone()
	content.SetWorkingDraft(zero)
	m, cm := item.Metadata(), content.Metadata()
	slug := cm.Slug
	*cm = m.clone()
	cm.Slug = slug
	if err := prepareItem(content, k.cms.cfg.Markdown); err != nil {
		return zero, err
	}
	cm.UpdatedAt, cm.UpdatedBy = k.cms.nowFor(ctx), ViewerFrom(ctx).Subject
	if m.Status == StatusPublished {
		item.SetWorkingDraft(content)
		return k.saveAs(ctx, before, item, version, "restore")
	}
	return k.saveAs(ctx, before, content, version, "restore")
}

// keep is how many revisions of an item CMS keeps.
func (c *CMS) keep() int {
	if c.cfg.KeepRevisions > 0 {
		return c.cfg.KeepRevisions
	}
	return DefaultKeepRevisions
}

// revise sets the revision that the write of item, after old, keeps.
func (k *Collection[T, F, I]) revise(ctx context.Context, old, item T, action string) {
	m := item.Metadata()
	r := &Revision{
		Number: m.Version, At: k.cms.nowFor(ctx), By: ViewerFrom(ctx).Subject, Action: action,
		Fields: changedFields(old, item), Item: item.Clone(),
	}
	if r.Fields == nil {
		r.Fields = []string{}
	}
	slices.Sort(r.Fields)
	if n := m.Version - k.cms.keep(); n > 0 {
		r.Prune = n
	}
	m.Change = r
}

package graph

import (
	"context"

	"pause"
	"pause/graph/model"
)

// MediaConnection is a page of the media library. Its fields are methods, not resolvers: they
// run inline, which keeps the Lambda's bootstrap smaller.
type MediaConnection struct {
	Page *pause.Page[*pause.Media]
}

// Edges returns the page's items with their cursors.
func (c *MediaConnection) Edges() []*model.MediaEdge {
	return edges(c.Page, func(cur string, n *pause.Media) *model.MediaEdge { return &model.MediaEdge{Cursor: cur, Node: n} })
}

// Nodes returns the page's items.
func (c *MediaConnection) Nodes() []*pause.Media { return c.Page.Items }

// PageInfo returns where the page is in the list.
func (c *MediaConnection) PageInfo() *model.PageInfo { return pageInfo(c.Page) }

// AuditConnection is a page of the audit log.
type AuditConnection struct {
	Page *pause.Page[*pause.AuditEntry]
}

func edges[T any, E any](p *pause.Page[T], edge func(cursor string, node T) E) []E {
	out := make([]E, len(p.Items))
	for i, item := range p.Items {
		out[i] = edge(p.Cursors[i], item)
	}
	return out
}

func pageInfo[T any](p *pause.Page[T]) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: p.HasNextPage, HasPreviousPage: p.HasPreviousPage}
	if c := p.EndCursor(); c != "" {
		info.EndCursor = &c
	}
	if c := p.StartCursor(); c != "" {
		info.StartCursor = &c
	}
	return info
}

// listQuery turns a Relay connection's arguments into a store query: first/after read
// forward, last/before backward (see pause.Query.Backward); the two directions do not mix.
func listQuery[F any](first *int, after *string, last *int, before *string, filter *F, orderBy *pause.Order) (pause.Query[F], error) {
	switch {
	case first != nil && last != nil:
		return pause.Query[F]{}, pause.FieldErrorf("last", "give first or last, not both")
	case after != nil && before != nil:
		return pause.Query[F]{}, pause.FieldErrorf("before", "give after or before, not both")
	case last == nil && before == nil:
		return query(first, after, filter, orderBy), nil
	case first != nil || after != nil:
		return pause.Query[F]{}, pause.FieldErrorf("before", "last and before page backward: they do not mix with first or after")
	}
	q := query(last, before, filter, orderBy)
	q.Backward = true
	return q, nil
}

// query turns a list field's arguments into a store query; the CMS checks the values.
func query[F any](first *int, after *string, filter *F, orderBy *pause.Order) pause.Query[F] {
	q := pause.Query[F]{First: pause.DefaultFirst}
	if first != nil {
		q.First = *first
	}
	if after != nil {
		q.After = *after
	}
	if filter != nil {
		q.Filter = *filter
	}
	if orderBy != nil {
		q.Order = *orderBy
	}
	return q
}

// one calls byID or bySlug, whichever the arguments name, and turns "not found" into null.
func one[T any](ctx context.Context, id, slug *string, byID, bySlug func(context.Context, string) (*T, error)) (*T, error) {
	var item *T
	var err error
	switch {
	case (id == nil) == (slug == nil):
		return nil, pause.FieldErrorf("id", "give exactly one of id and slug")
	case id != nil:
		item, err = byID(ctx, *id)
	default:
		item, err = bySlug(ctx, *slug)
	}
	if pause.ErrorCode(err) == pause.ENOTFOUND {
		return nil, nil
	}
	return item, err
}

// deref returns the value p points to, or the zero value for nil (an argument not given).
func deref[V any](p *V) V {
	var zero V
	if p == nil {
		return zero
	}
	return *p
}

package graph

import (
	"context"

	"pause"
)

// The generated resolvers (content.generated.resolvers.go, written by tools/contentgen from the
// registry) call these helpers, one per shape of root field, with the type's collection.

// connection is a page of a content type's items and the filter that made it, so that
// totalCount is counted only when a client asks for it. Each type's connection embeds it
// (ArticleConnection, in content.generated.go).
type connection[T, F any] struct {
	Page   *pause.Page[T]
	Filter F
	count  *totalCount // started beside the list, if totalCount is asked for
}

// reader is a content type's collection as an item field reads it.
type reader[T any] interface {
	Get(ctx context.Context, id string) (T, error)
	GetBySlug(ctx context.Context, slug string) (T, error)
	Type() *pause.ContentType
}

// readHooks are what a content type's own code adds to the generated reads, such as reading
// an article's related tools beside it (related.go). readHooksOf holds them by type name.
type readHooks[T any] interface {
	// beforeItem runs before an item field reads; the function it returns gets the item read.
	beforeItem(ctx context.Context, r *Resolver, id, slug *string) func(T)
	// listed gets the items of a page that a list field read.
	listed(ctx context.Context, r *Resolver, items []T)
}

func hooksOf[T any](name string) readHooks[T] {
	h, _ := readHooksOf[name].(readHooks[T])
	return h
}

// itemOf reads an item field: by id or by slug, whichever the arguments name, "not found"
// being null.
func itemOf[T comparable](ctx context.Context, r *Resolver, c reader[T], id, slug *string) (T, error) {
	var zero T
	h := hooksOf[T](c.Type().Name)
	var after func(T)
	if h != nil && (id == nil) != (slug == nil) {
		after = h.beforeItem(ctx, r, id, slug)
	}
	var item T
	var err error
	switch {
	case (id == nil) == (slug == nil):
		return zero, pause.FieldErrorf("id", "give exactly one of id and slug")
	case id != nil:
		item, err = c.Get(ctx, *id)
	default:
		item, err = c.GetBySlug(ctx, *slug)
	}
	if pause.ErrorCode(err) == pause.ENOTFOUND {
		return zero, nil
	}
	if err == nil && item != zero && after != nil {
		after(item)
	}
	return item, err
}

// typedLister is a content type's collection as a list field reads it.
type typedLister[T, F any] interface {
	lister[T, F]
	Type() *pause.ContentType
}

// listOf reads a list field: its page, and its count beside it if the field asks for it.
func listOf[T, F any](ctx context.Context, r *Resolver, c typedLister[T, F], first *int, after *string, last *int, before *string, filter *F, orderBy *pause.Order) (connection[T, F], error) {
	q, err := listQuery(first, after, last, before, filter, orderBy)
	if err != nil {
		return connection[T, F]{}, err
	}
	page, count, err := listAndCount(ctx, c, q)
	if err != nil {
		return connection[T, F]{}, err
	}
	if h := hooksOf[T](c.Type().Name); h != nil {
		h.listed(ctx, r, page.Items)
	}
	return connection[T, F]{Page: page, Filter: q.Filter, count: count}, nil
}

// revisionsOf reads a revisions field.
func revisionsOf(ctx context.Context, c interface {
	Revisions(ctx context.Context, id string, first int, after string) (*pause.RevisionPage, error)
}, id string, first *int, after *string) (*pause.RevisionPage, error) {
	q := query[struct{}](first, after, nil, nil)
	return c.Revisions(ctx, id, q.First, q.After)
}

// deleted is what a delete mutation returns: the id, or null with the error.
func deleted(id string, err error) (*string, error) {
	if err != nil {
		return nil, err
	}
	return &id, nil
}

package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"pause"
)

// lister is a content type's collection as a connection field reads it.
type lister[T, F any] interface {
	List(ctx context.Context, q pause.Query[F]) (*pause.Page[T], error)
	Count(ctx context.Context, f F) (int, error)
	// InProcess says whether the store answers without waiting on a network.
	InProcess() bool
}

// totalCount is a connection's count, started beside its list so that the two reads do not
// wait for each other.
type totalCount struct {
	done chan struct{}
	n    int
	err  error
}

// listAndCount reads what a connection field asks for, at once: the page, and the count if the
// field selects totalCount. With first: 0, no cursor and no pageInfo, the page is empty
// whatever the store holds, and is not read at all: `tools(first: 0) { totalCount }` costs the
// count only. The count is checked as the list would be (the viewer's scope), so that an
// unread list hides no error.
func listAndCount[T, F any](ctx context.Context, c lister[T, F], q pause.Query[F]) (*pause.Page[T], *totalCount, error) {
	if !selectsChild(ctx, "totalCount") {
		page, err := c.List(ctx, q)
		return page, nil, err
	}
	count := &totalCount{done: make(chan struct{})}
	countNow := func() {
		defer close(count.done)
		defer func() {
			if v := recover(); v != nil {
				count.err = fmt.Errorf("graph: count panicked: %v", v)
			}
		}()
		count.n, count.err = c.Count(ctx, q.Filter)
	}
	if q.First == 0 && q.After == "" && !selectsChild(ctx, "pageInfo") {
		countNow() // no list to read beside it: counted here, without handing it to a worker
		return &pause.Page[T]{}, count, nil
	}
	if c.InProcess() {
		countNow() // an embedded store: the handoff would cost more than the wait it saves
	} else {
		pool.Go(countNow)
	}
	page, err := c.List(ctx, q)
	return page, count, err
}

// total returns the count that listAndCount started, or counts now if it started none.
func total[F any](ctx context.Context, started *totalCount, f F, count func(context.Context, F) (int, error)) (int, error) {
	if started == nil {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		return count(ctx, f)
	}
	select {
	case <-started.done:
		return started.n, started.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// selectsChild reports whether the current field's own selection (fragments included, not
// deeper) has a field with the name.
func selectsChild(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return false
	}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

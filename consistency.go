package pause

import "context"

// Reads are strongly consistent unless the CMS says otherwise: a store read whose context
// carries EventuallyConsistent may return what was stored up to about a second before (on
// DynamoDB, an eventually consistent read, at half the read units), and otherwise sees every
// write that returned before it.
//
// The CMS allows it for anonymous viewers only, who read published content and cannot tell a
// write that landed a moment ago from one that lands a moment later. Signed-in viewers, editors
// and admins always read their own writes: after a save, an editor expects to see it, and a
// write's own reads (the version it checks, the slug it claims) are always strongly
// consistent, whatever the viewer. The flag travels in the context, not in each store call's
// arguments, because it is the same for every read of one request (by id, by slug, of many
// ids, lists, counts, categories), the store methods keep their contracts, and stores that are
// always consistent (the embedded one) simply ignore it.

type eventualKey struct{}

// WithEventualConsistency returns a context whose store reads may be eventually consistent.
func WithEventualConsistency(ctx context.Context) context.Context {
	if EventuallyConsistent(ctx) {
		return ctx
	}
	return context.WithValue(ctx, eventualKey{}, true)
}

// WithStrongConsistency returns a context whose store reads must be strongly consistent, for
// reads that a write depends on.
func WithStrongConsistency(ctx context.Context) context.Context {
	if !EventuallyConsistent(ctx) {
		return ctx
	}
	return context.WithValue(ctx, eventualKey{}, false)
}

// EventuallyConsistent reports whether the store reads made with ctx may be eventually
// consistent.
func EventuallyConsistent(ctx context.Context) bool {
	v, _ := ctx.Value(eventualKey{}).(bool)
	return v
}

// readContext is the context of a read for the viewer in ctx: eventually consistent for
// anonymous viewers, strongly consistent for everyone else.
func readContext(ctx context.Context) context.Context {
	if ViewerFrom(ctx).Authenticated() {
		return WithStrongConsistency(ctx)
	}
	return WithEventualConsistency(ctx)
}

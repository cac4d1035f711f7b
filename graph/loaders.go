package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"pause"
)

// loaders batch the reads of relations within one operation: every article's relatedTools in a
// page come from one store read. They live for one operation only, so one viewer's drafts never
// reach another.
type loaders struct {
	tools *dataloadgen.Loader[string, *pause.Tool]
}

type loadersKey struct{}

func newLoaders(cms *pause.CMS) *loaders {
	return &loaders{
		tools: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*pause.Tool, []error) {
			err := ctx.Err() // a request whose time is up reads nothing more (handler.go)
			var found []*pause.Tool
			if err == nil {
				found, err = cms.Tools.GetMany(ctx, ids)
			}
			if err != nil {
				errs := make([]error, len(ids))
				for i := range errs {
					errs[i] = err
				}
				return nil, errs
			}
			byID := make(map[string]*pause.Tool, len(found))
			for _, t := range found {
				byID[t.ID] = t
			}
			out := make([]*pause.Tool, len(ids))
			for i, id := range ids {
				out[i] = byID[id] // nil: missing, or not visible to this viewer
			}
			return out, nil
		}, dataloadgen.WithWait(time.Millisecond), dataloadgen.WithBatchCapacity(pause.MaxFirst)),
	}
}

func withLoaders(ctx context.Context, cms *pause.CMS) context.Context {
	return context.WithValue(ctx, loadersKey{}, newLoaders(cms))
}

func loadersFrom(ctx context.Context, cms *pause.CMS) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	return newLoaders(cms) // outside an operation (tests): no batching, still correct
}

// preloadRelatedTools reads the related tools of the articles in one store call, when the
// operation asks for relatedTools below the current field, and primes the operation's loader
// with them. The relatedTools resolvers, which gqlgen runs concurrently, then find every tool
// there at once: one store call per level does not depend on all of them reaching the loader
// within its wait (a busy machine does not promise that), and a single article does not wait
// at all. On an error it primes nothing: the resolvers load, and report, as they would have.
func preloadRelatedTools(ctx context.Context, cms *pause.CMS, articles ...*pause.Article) {
	if !graphql.HasOperationContext(ctx) || !selects(ctx, "relatedTools") {
		return
	}
	var ids []string
	seen := map[string]bool{}
	for _, a := range articles {
		for _, id := range a.RelatedToolIDs {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return
	}
	found, err := cms.Tools.GetMany(ctx, ids)
	if err != nil {
		return
	}
	byID := make(map[string]*pause.Tool, len(found))
	for _, t := range found {
		byID[t.ID] = t
	}
	l := loadersFrom(ctx, cms)
	for _, id := range ids {
		l.tools.Prime(id, byID[id]) // nil: missing, or not visible to this viewer, as a batch says
	}
}

// selects reports whether the current field's selection has a field with the name, at any
// depth, fragments included.
func selects(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	return fc != nil && selectsIn(graphql.GetOperationContext(ctx), fc.Field.Selections, name)
}

func selectsIn(oc *graphql.OperationContext, set ast.SelectionSet, name string) bool {
	for _, f := range graphql.CollectFields(oc, set, nil) {
		if f.Name == name || selectsIn(oc, f.Selections, name) {
			return true
		}
	}
	return false
}

// relatedTools loads the article's related tools that the viewer may see, through the
// operation's loader: one store read for every article of the operation.
func relatedTools(ctx context.Context, cms *pause.CMS, a *pause.Article) ([]*pause.Tool, error) {
	tools, err := loadersFrom(ctx, cms).tools.LoadAll(ctx, a.RelatedToolIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*pause.Tool, 0, len(tools))
	for _, t := range tools {
		if t != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

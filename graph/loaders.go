package graph

import (
	"context"
	"time"

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
			found, err := cms.ToolsByIDs(ctx, ids)
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

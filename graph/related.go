package graph

import (
	"context"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"pause"
)

// relatedHints remember, per process, which tools each article named as related when it was
// last read, by slug and by id, so that the next read of the article reads those tools at the
// same time as the article instead of after it: an article page costs one round trip on a
// warm instance. They remember ids only, never content: the tools are read for the viewer of
// the request (who may not see them all), and only those that the article just read names are
// used; the others it names are read after it, as they would have been without a hint.
type relatedHints struct {
	mu sync.Mutex
	m  map[string][]string
}

// maxRelatedHints bounds the articles remembered; when full, the hints start again empty.
const maxRelatedHints = 2048

func hintKey(id, slug *string) string {
	if id != nil {
		return "id:" + *id
	}
	if slug != nil {
		return "slug:" + *slug
	}
	return ""
}

func (h *relatedHints) get(key string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[key]
}

func (h *relatedHints) put(a *pause.Article) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil || len(h.m) >= maxRelatedHints {
		h.m = make(map[string][]string)
	}
	ids := append([]string(nil), a.RelatedToolIDs...)
	h.m["id:"+a.ID], h.m["slug:"+a.Slug] = ids, ids
}

// prefetch is a read of the tools that an article named when last read, started before the
// article's own read.
type prefetch struct {
	ids   []string // what the hint named
	done  chan struct{}
	tools map[string]*pause.Tool
	err   error
}

// prefetchRelated starts reading the tools that the article with the id or slug named when it
// was last read, if the operation asks for relatedTools; nil if there is nothing to read.
func (h *relatedHints) prefetchRelated(ctx context.Context, cms *pause.CMS, id, slug *string) *prefetch {
	if !graphql.HasOperationContext(ctx) || !selects(ctx, "relatedTools") {
		return nil
	}
	ids := h.get(hintKey(id, slug))
	if len(ids) == 0 {
		return nil
	}
	p := &prefetch{ids: ids, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer func() {
			if v := recover(); v != nil {
				p.err = fmt.Errorf("graph: prefetch of related tools panicked: %v", v)
			}
		}()
		found, err := cms.Tools.GetMany(ctx, ids)
		p.tools, p.err = make(map[string]*pause.Tool, len(found)), err
		for _, t := range found {
			p.tools[t.ID] = t
		}
	}()
	return p
}

// preloadArticleTools primes the operation's loader with the article's related tools: those
// that the prefetch read (a named id that it did not find is missing or hidden from this
// viewer, as a read now would say), and the others in one more store call
// (preloadRelatedTools) if the article names tools that the hint did not. It remembers what
// the article names for its next read.
func (h *relatedHints) preloadArticleTools(ctx context.Context, cms *pause.CMS, p *prefetch, a *pause.Article) {
	h.put(a)
	if p == nil {
		preloadRelatedTools(ctx, cms, a)
		return
	}
	<-p.done
	if p.err != nil {
		preloadRelatedTools(ctx, cms, a)
		return
	}
	hinted := make(map[string]bool, len(p.ids))
	for _, id := range p.ids {
		hinted[id] = true
	}
	l := loadersFrom(ctx, cms)
	rest := *a
	rest.RelatedToolIDs = nil
	for _, id := range a.RelatedToolIDs {
		if hinted[id] {
			l.tools.Prime(id, p.tools[id]) // nil: missing, or not visible to this viewer
		} else {
			rest.RelatedToolIDs = append(rest.RelatedToolIDs, id)
		}
	}
	if len(rest.RelatedToolIDs) > 0 {
		preloadRelatedTools(ctx, cms, &rest)
	}
}

// readHooksOf are the content types' additions to the generated reads (collections.go), by
// type name.
var readHooksOf = map[string]any{"article": articleReads{}}

// articleReads read an article's related tools beside it: an article page costs one round
// trip on a warm instance.
type articleReads struct{}

func (articleReads) beforeItem(ctx context.Context, r *Resolver, id, slug *string) func(*pause.Article) {
	tools := r.related.prefetchRelated(ctx, r.CMS, id, slug)
	return func(a *pause.Article) { r.related.preloadArticleTools(ctx, r.CMS, tools, a) }
}

func (articleReads) listed(ctx context.Context, r *Resolver, items []*pause.Article) {
	preloadRelatedTools(ctx, r.CMS, items...)
}

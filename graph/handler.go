package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"pause"
)

// Options is what the GraphQL handler needs.
type Options struct {
	CMS *pause.CMS
	// Webhooks is the webhook service of the admin API (events.graphqls); nil: none.
	Webhooks *pause.Webhooks
	// Introspection enables schema introspection and field suggestions ("Did you mean ..."
	// in validation errors), which both reveal the schema: on in development, off in
	// production unless enabled explicitly.
	Introspection bool
	// Limits bound what one request may ask for; zero fields take the defaults.
	Limits Limits
	// PersistedQueries is how many automatic persisted queries (the Apollo APQ protocol) the
	// handler remembers, least recently used first out; 1000 when zero, none (APQ off) when
	// negative.
	PersistedQueries int
	Logger           *slog.Logger
	// RequestID returns the id of the request in ctx, shown with internal errors so that a
	// user's report can be matched with the log line.
	RequestID func(ctx context.Context) string
	// OnOperation, if set, is told the name of each operation (for the request log).
	OnOperation func(ctx context.Context, name string)
}

// DefaultPersistedQueries is how many persisted queries the handler remembers by default.
const DefaultPersistedQueries = 1000

// maxCachedQuery is the longest query, in bytes, that the parsed-query and persisted-query
// caches keep: a few long queries must not fill the memory of a warm Lambda. Longer queries
// still run; they are parsed every time, and a persisted-query hash for one is not found.
const maxCachedQuery = 32 << 10

// NewHandler returns the GraphQL handler, built once: GraphQL over HTTP (httpTransport: GET
// for queries, POST for everything), a parsed-query cache, automatic persisted queries, the
// limits, per-operation loaders, and errors presented with extensions.code. Deadlines come
// from the request's context: the server sets them.
func NewHandler(cfg Options) *handler.Server { return newHandler(cfg, true) }

// newHandler is NewHandler, with the fast read path (fastread.go) in front of gqlgen's
// executor if fast; the differential tests compare the two.
func newHandler(cfg Options, fast bool) *handler.Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RequestID == nil {
		cfg.RequestID = func(context.Context) string { return "" }
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.PersistedQueries == 0 {
		cfg.PersistedQueries = DefaultPersistedQueries
	}
	resolvers := &Resolver{CMS: cfg.CMS, Webhooks: cfg.Webhooks}
	var es graphql.ExecutableSchema = NewExecutableSchema(Config{Resolvers: resolvers})
	if fast {
		// Query operations run through compiled plans where they can, gqlgen otherwise. The
		// plans apply the root field interceptors below; they know no field interceptor
		// (AroundFields): adding one needs the fast path to apply it too.
		es = newFastSchema(es, resolvers, cfg.CMS.InProcess())
	}
	srv := handler.New(es)
	srv.AddTransport(httpTransport{maxBatch: cfg.Limits.MaxBatch})
	srv.SetQueryCache(boundedCache[*ast.QueryDocument]{lru.New[*ast.QueryDocument](1000), func(query string, _ *ast.QueryDocument) bool {
		return len(query) <= maxCachedQuery
	}})
	if cfg.Limits.MaxTokens > 0 {
		srv.SetParserTokenLimit(cfg.Limits.MaxTokens + 1) // tokenLimit answers first, with its own code
	}
	srv.SetDisableSuggestion(!cfg.Introspection)
	srv.SetValidationRulesFn(func() *rules.Rules { return validationRules(cfg.Introspection) })
	if cfg.Introspection {
		srv.Use(introspectionOn{})
	}
	// Extensions that change the parameters run in this order: the persisted query first, so
	// that the token limit sees the query it stands for.
	if cfg.PersistedQueries > 0 {
		srv.Use(persistedQueries{boundedCache[string]{lru.New[string](cfg.PersistedQueries), func(_, query string) bool {
			return len(query) <= maxCachedQuery
		}}})
	}
	if cfg.Limits.MaxTokens > 0 {
		srv.Use(newTokenLimit(cfg.Limits.MaxTokens))
	}
	srv.Use(newShapeLimit(cfg.Limits, cfg.Introspection))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if cfg.OnOperation != nil {
			cfg.OnOperation(ctx, graphql.GetOperationContext(ctx).OperationName)
		}
		return next(withLoaders(ctx, cfg.CMS))
	})
	// A request whose time is up resolves nothing more: each root field, and each deeper
	// resolver that would call the CMS (a count, a batch of related tools: lists.go,
	// loaders.go), gets the context's error (TIMEOUT) instead, whatever the store does with
	// deadlines. Root fields, not every field: a field interceptor costs every field of every
	// list item a closure and a call (about 6% of a 100-item list's allocations).
	srv.AroundRootFields(func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		if err := ctx.Err(); err != nil {
			if rfc := graphql.GetRootFieldContext(ctx); rfc != nil {
				err = gqlerror.WrapPath(ast.Path{ast.PathName(rfc.Field.Alias)}, err)
			}
			graphql.AddError(ctx, err)
			return graphql.Null
		}
		return next(ctx)
	})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		return presentError(ctx, cfg, err)
	})
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		cfg.Logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(v), "request_id", cfg.RequestID(ctx), "stack", string(debug.Stack()))
		return errors.New("panic in resolver")
	})
	return srv
}

// validationRules are GraphQL's validation rules; without suggestions, the five rules that
// would add "Did you mean ..." to their messages are replaced by their quiet versions.
func validationRules(suggest bool) *rules.Rules {
	r := rules.NewDefaultRules()
	if suggest {
		return r
	}
	for _, swap := range [][2]core.Rule{
		{rules.FieldsOnCorrectTypeRule, rules.FieldsOnCorrectTypeRuleWithoutSuggestions},
		{rules.ScalarLeafsRule, rules.ScalarLeafsRuleWithoutSuggestions},
		{rules.ValuesOfCorrectTypeRule, rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
		{rules.KnownArgumentNamesRule, rules.KnownArgumentNamesRuleWithoutSuggestions},
		{rules.KnownTypeNamesRule, rules.KnownTypeNamesRuleWithoutSuggestions},
	} {
		r.RemoveRule(swap[0].Name)
		r.AddRule(swap[1].Name, swap[1].RuleFunc)
	}
	return r
}

// boundedCache is a cache that keeps only the entries that fit.
type boundedCache[T any] struct {
	graphql.Cache[T]
	fits func(key string, value T) bool
}

func (c boundedCache[T]) Add(ctx context.Context, key string, value T) {
	if c.fits(key, value) {
		c.Cache.Add(ctx, key, value)
	}
}

// presentError gives users a code and a sentence, and operators the whole chain in the log.
// Errors that are not the domain's or GraphQL's own input errors show as INTERNAL with the
// request id, and nothing more.
func presentError(ctx context.Context, cfg Options, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	var perr *pause.Error
	switch {
	case timedOut(ctx, err, gerr):
		id := cfg.RequestID(ctx)
		cfg.Logger.WarnContext(ctx, "request timed out", "error", err.Error(), "request_id", id, "path", gerr.Path.String())
		gerr.Message = "The request took longer than its time limit and was stopped. Ask for less, or try again."
		gerr.Extensions = map[string]any{"code": CodeTimeout, "requestId": id}
		gerr.Err = nil
	case errors.As(err, &perr):
		gerr.Message = perr.Message
		gerr.Extensions = map[string]any{"code": perr.Code}
		if perr.Field != "" {
			gerr.Extensions["field"] = perr.Field
		}
		if perr.Code == pause.EUNAVAILABLE || perr.Code == pause.EINTERNAL {
			gerr.Extensions["requestId"] = cfg.RequestID(ctx)
			cfg.Logger.ErrorContext(ctx, "request failed", "error", err.Error(), "request_id", cfg.RequestID(ctx))
		}
	case gerr.Err == nil:
		// gqlgen's own errors about the request (bad arguments, null for a non-null input):
		// the user's to fix.
		if gerr.Extensions == nil || gerr.Extensions["code"] == nil {
			if gerr.Extensions == nil {
				gerr.Extensions = map[string]any{}
			}
			gerr.Extensions["code"] = pause.EINVALID
		}
	default:
		id := cfg.RequestID(ctx)
		cfg.Logger.ErrorContext(ctx, "internal error", "error", err.Error(), "request_id", id, "path", gerr.Path.String())
		gerr.Message = "Internal error. Quote request id " + id + " when you report it."
		gerr.Extensions = map[string]any{"code": pause.EINTERNAL, "requestId": id}
		gerr.Err = nil
	}
	return gerr
}

// timedOut reports whether err is the request's deadline, or an error that is not the user's
// in a request whose deadline has passed (a store that reports it in its own words).
func timedOut(ctx context.Context, err error, gerr *gqlerror.Error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if gerr.Err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return false
	}
	code := pause.ErrorCode(err)
	return code == pause.EINTERNAL || code == pause.EUNAVAILABLE
}

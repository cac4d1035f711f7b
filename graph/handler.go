package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"pause"
)

// Options is what the GraphQL handler needs.
type Options struct {
	CMS *pause.CMS
	// Introspection enables schema introspection (development; off in production).
	Introspection bool
	Logger        *slog.Logger
	// RequestID returns the id of the request in ctx, shown with internal errors so that a
	// user's report can be matched with the log line.
	RequestID func(ctx context.Context) string
	// OnOperation, if set, is told the name of each operation (for the request log).
	OnOperation func(ctx context.Context, name string)
}

// NewHandler returns the GraphQL handler, built once: POST and GET transports (GET runs
// queries only), a parsed-query cache, per-operation loaders, and errors presented with
// extensions.code.
func NewHandler(cfg Options) *handler.Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RequestID == nil {
		cfg.RequestID = func(context.Context) string { return "" }
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{CMS: cfg.CMS}}))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if cfg.OnOperation != nil {
			cfg.OnOperation(ctx, graphql.GetOperationContext(ctx).OperationName)
		}
		return next(withLoaders(ctx, cfg.CMS))
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

// presentError gives users a code and a sentence, and operators the whole chain in the log.
// Errors that are not the domain's or GraphQL's own input errors show as INTERNAL with the
// request id, and nothing more.
func presentError(ctx context.Context, cfg Options, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	var perr *pause.Error
	switch {
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

package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// This file holds the two operation extensions Pause uses, written here rather than taken
// from gqlgen's handler/extension package, which links a generic struct decoder
// (mapstructure, about 70 KB of the Lambda bootstrap) to read one small map.

// persistedQueries is Apollo's automatic persisted queries protocol: a request may send
// extensions.persistedQuery {version: 1, sha256Hash} instead of its query. A hash the server
// knows stands for its query; an unknown one answers PERSISTED_QUERY_NOT_FOUND, and the client
// sends the query with the hash, which is checked and remembered. Malformed extensions and
// hashes that do not match the query are CodeBadRequest.
type persistedQueries struct {
	cache graphql.Cache[string]
}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = persistedQueries{}

func (persistedQueries) ExtensionName() string                   { return "AutomaticPersistedQuery" }
func (persistedQueries) Validate(graphql.ExecutableSchema) error { return nil }

func (p persistedQueries) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	raw, ok := params.Extensions["persistedQuery"]
	if !ok || raw == nil {
		return nil
	}
	ext, _ := raw.(map[string]any)
	hash, _ := ext["sha256Hash"].(string)
	if ext == nil || hash == "" {
		return badRequest("extensions.persistedQuery must be an object with version and sha256Hash.")
	}
	if !isOne(ext["version"]) {
		return badRequest("Only version 1 of persisted queries is supported.")
	}
	if params.Query == "" {
		query, found := p.cache.Get(ctx, hash)
		if !found {
			err := gqlerror.Errorf("PersistedQueryNotFound")
			err.Extensions = map[string]any{"code": CodePersistedQueryNotFound}
			return err
		}
		params.Query = query
		return nil
	}
	sum := sha256.Sum256([]byte(params.Query))
	if hex.EncodeToString(sum[:]) != hash {
		return badRequest("The persisted query's sha256Hash does not match the query.")
	}
	p.cache.Add(ctx, hash, params.Query)
	return nil
}

// isOne tells whether a JSON number, however it was decoded, is 1.
func isOne(v any) bool {
	switch n := v.(type) {
	case float64:
		return n == 1
	case int:
		return n == 1
	case int64:
		return n == 1
	case json.Number:
		return n.String() == "1"
	}
	return false
}

func badRequest(msg string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", msg)
	err.Extensions = map[string]any{"code": CodeBadRequest}
	return err
}

// introspectionOn turns introspection on for every operation (Options.Introspection).
type introspectionOn struct{}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = introspectionOn{}

func (introspectionOn) ExtensionName() string                   { return "Introspection" }
func (introspectionOn) Validate(graphql.ExecutableSchema) error { return nil }

func (introspectionOn) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	op.DisableIntrospection = false
	return nil
}

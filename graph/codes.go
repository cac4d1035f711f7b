package graph

import "github.com/vektah/gqlparser/v2/gqlerror"

// The values of extensions.code that the API adds to the domain's own (pause.EINVALID and the
// others). A request that fails before it runs gets one of these, or one of GraphQL's standard
// codes: GRAPHQL_PARSE_FAILED (the query does not parse) and GRAPHQL_VALIDATION_FAILED (it does
// not validate against the schema, names no operation, or its variables do not fit their
// types). Errors raised while a request runs carry the domain's codes: BAD_USER_INPUT for
// argument values the CMS refuses (first over 100, a forged cursor, an invalid URL...).
const (
	// CodeBadRequest: the HTTP request is not a GraphQL request: invalid JSON or UTF-8, no
	// query, parameters of the wrong type.
	CodeBadRequest = "BAD_REQUEST"
	// CodeUnsupportedMediaType: a POST whose Content-Type is not application/json (415).
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	// CodeNotAcceptable: the Accept header names neither application/graphql-response+json
	// nor application/json (406).
	CodeNotAcceptable = "NOT_ACCEPTABLE"
	// CodeMethodNotAllowed: a mutation over GET, or a method other than GET and POST (405).
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	// CodePayloadTooLarge: the request body is over the limit (413).
	CodePayloadTooLarge = "PAYLOAD_TOO_LARGE"
	// CodeBatchingDisabled: the body is a JSON array and batching is off.
	CodeBatchingDisabled = "BATCHING_NOT_SUPPORTED"
	// CodeBatchTooLarge: the batch holds more operations than Limits.MaxBatch.
	CodeBatchTooLarge = "BATCH_LIMIT_EXCEEDED"
	// CodeTokenLimit: the query has more tokens than Limits.MaxTokens.
	CodeTokenLimit = "TOKEN_LIMIT_EXCEEDED"
	// CodeDepthLimit: the query nests fields deeper than Limits.MaxDepth.
	CodeDepthLimit = "DEPTH_LIMIT_EXCEEDED"
	// CodeComplexityLimit: the query may cost more than Limits.MaxComplexity (the same code
	// as gqlgen's own complexity extension).
	CodeComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED"
	// CodeAliasLimit: the operation uses more aliases than Limits.MaxAliases.
	CodeAliasLimit = "ALIAS_LIMIT_EXCEEDED"
	// CodeRootFieldLimit: the operation selects more root fields than Limits.MaxRootFields.
	CodeRootFieldLimit = "ROOT_FIELD_LIMIT_EXCEEDED"
	// CodeDirectiveLimit: the operation uses more directives than Limits.MaxDirectives.
	CodeDirectiveLimit = "DIRECTIVE_LIMIT_EXCEEDED"
	// CodeTimeout: the request ran out of its time (Options.Timeout, set by the server).
	CodeTimeout = "TIMEOUT"
	// CodePersistedQueryNotFound: an automatic persisted query's hash that this server has
	// not seen (or has forgotten): send the query with the hash again (the APQ protocol).
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
)

// requestError returns a GraphQL error with the code.
func requestError(code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": code}
	return err
}

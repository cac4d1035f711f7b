package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"pause"
	"pause/graph"
)

// DefaultCORSHeaders are the request headers a CORS preflight allows when Config.CORSHeaders
// adds none: what Pause reads, and what browser GraphQL clients send on their own or with one
// line of configuration, so that turning a client feature on never breaks the preflight:
//
//   - Authorization, Content-Type and Accept: credentials and content negotiation (urql
//     sends only these two; an Accept with quotes, like Apollo Client's for @defer, needs the
//     preflight too).
//   - Idempotency-Key: a client's key for a mutation it may have to resend.
//   - apollographql-client-name, apollographql-client-version: Apollo Client's
//     clientAwareness (ClientAwarenessLink), and Apollo iOS and Kotlin.
//   - apollographql-library-name, apollographql-library-version: Apollo Client 4's
//     enhancedClientAwareness when it is sent as headers.
//   - apollo-require-preflight, x-apollo-operation-name, x-apollo-operation-id: what Apollo's
//     CSRF prevention asks of clients (apollo-upload-client users set the first), and what
//     Apollo Kotlin and iOS send.
//   - traceparent, tracestate: W3C Trace Context, which browser tracing (OpenTelemetry,
//     Sentry) adds to requests it follows.
var DefaultCORSHeaders = []string{
	"Authorization", "Content-Type", "Accept", "Idempotency-Key",
	"apollographql-client-name", "apollographql-client-version",
	"apollographql-library-name", "apollographql-library-version",
	"apollo-require-preflight", "x-apollo-operation-name", "x-apollo-operation-id",
	"traceparent", "tracestate",
}

// allowHeaders returns the value of Access-Control-Allow-Headers: the defaults and extra,
// each once (header names compare without case).
func allowHeaders(extra []string) string {
	var out []string
	for _, h := range slices.Concat(DefaultCORSHeaders, extra) {
		if h = strings.TrimSpace(h); h != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, h) }) {
			out = append(out, h)
		}
	}
	return strings.Join(out, ", ")
}

// singleAuthorization refuses, with 400, a request that carries more than one credential:
// several Authorization headers, or one that holds several, comma-separated (which is what
// API Gateway's HTTP API makes of several headers, and what a proxy that joins headers sends).
// The field is a singleton (RFC 9110, 11.6.2), and a bearer token holds no comma (RFC 6750):
// taking the first, as Go's Header.Get does, or the last, as some proxies do, would let a
// proxy and Pause disagree about who the caller is; an empty first header would even make a
// request that carries a token anonymous. It comes before everything that reads the header
// (the public cache, the cache policy, authentication).
func singleAuthorization(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := r.Header.Values("Authorization")
		if len(values) > 1 || len(values) == 1 && strings.Contains(values[0], ",") {
			writeError(w, r, http.StatusBadRequest, pause.Errorf(graph.CodeBadRequest,
				"Send one credential, in one Authorization header: this request has %s.", several(values)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// several says how many Authorization values a refused request had.
func several(values []string) string {
	if len(values) > 1 {
		return fmt.Sprintf("%d Authorization headers", len(values))
	}
	return "several credentials in one Authorization header"
}

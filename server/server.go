// Package server is Pause's HTTP face: New builds the one handler that `pause serve` and the
// API's Lambda bootstrap both serve. It routes /graphql, /healthz, the studio under /studio/
// (package studio), /auth/ when given the accounts' handler and (in development) GraphiQL at /,
// and wraps them with CORS and authentication, behind the edge that the sign-in function shares
// (internal/edge: request ids, a JSON log line per request, panic recovery, the origin secret,
// security headers, the body limit). It imports pause, graph, studio, internal/edge and the
// standard library.
package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"pause"
	"pause/graph"
	"pause/internal/edge"
	"pause/studio"
)

// Authenticator turns a bearer credential (a token or an API key) into a viewer, or returns
// EUNAUTHENTICATED.
type Authenticator interface {
	Authenticate(ctx context.Context, credential string) (*pause.Viewer, error)
}

// Config is every dependency and setting of the handler. Zero values take the defaults.
type Config struct {
	CMS    *pause.CMS
	Auth   Authenticator
	Logger *slog.Logger
	// Development turns on GraphiQL at / (when GraphiQL is set), schema introspection and
	// field suggestions. Production (false) has none of them unless Introspection is set.
	Development bool
	// Introspection turns on introspection, field suggestions and GraphiQL in production too
	// (PAUSE_INTROSPECTION=true): for a staging deployment, never for the public one.
	Introspection bool
	// GraphiQL serves the GraphiQL page at GET / and its assets under GET /graphiql/ (package
	// graphiql's Handler), when Development or Introspection is on. The server does not import
	// it, so that a binary that never serves GraphiQL (the Lambda function) does not carry it.
	GraphiQL http.Handler
	// CORSOrigins are the origins browsers may call the API from; "*" allows any.
	CORSOrigins []string
	// CORSHeaders are request headers that browsers may send, beside DefaultCORSHeaders.
	CORSHeaders []string
	// MaxBodyBytes limits request bodies (413 over it); 1 MiB when zero
	// (PAUSE_MAX_BODY_BYTES).
	MaxBodyBytes int64
	// RequestTimeout is how long one GraphQL request may take (then TIMEOUT); 10s when
	// zero, no limit when negative (PAUSE_REQUEST_TIMEOUT).
	RequestTimeout time.Duration
	// CacheMaxAge is how long shared caches (a CDN in front of the API) may keep the answer
	// to an anonymous GET query without errors; 60s when zero; when negative, no answer is
	// publicly cacheable (PAUSE_CACHE_MAX_AGE, where 0 means that).
	CacheMaxAge time.Duration
	// Limits bound each GraphQL request: depth, complexity, aliases, root fields,
	// directives, tokens and batching (see graph.Limits; zero fields take its defaults;
	// PAUSE_MAX_TOKENS, PAUSE_MAX_DEPTH and the other PAUSE_MAX_* variables).
	Limits graph.Limits
	// PersistedQueries is how many automatic persisted queries are remembered; see
	// graph.Options (PAUSE_PERSISTED_QUERIES, where 0 turns them off).
	PersistedQueries int
	// PublicVersion, when set, turns on the public response cache: the answers to anonymous
	// requests (POST or GET, without errors) are kept, and served again while PublicVersion
	// returns what it returned both before and after the answer was made. It must change
	// whenever what anonymous callers can read may change: with every write of any process,
	// and at every scheduled change (pause.CMS.PublicVersion reads the content generation).
	PublicVersion func(ctx context.Context) (string, error)
	// Idempotency, when set, keeps the answers to requests sent with an Idempotency-Key (see
	// idempotent); without it the header is ignored.
	Idempotency pause.IdempotencyStore
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// PublicCacheSize is how many answers the public response cache keeps;
	// DefaultPublicCacheSize when zero (PAUSE_PUBLIC_CACHE_SIZE).
	PublicCacheSize int
	// Accounts, when set, serves sign-in and sessions under /auth/ (accounts.Service.Handler).
	Accounts http.Handler
	// Media, when set, serves the media library's uploads and files under /media/ (the
	// local backend: media.Disk's Handler); on AWS the bucket and CloudFront serve them.
	Media http.Handler
	// OriginSecrets, when set, are the values of OriginHeader that a CDN in front of Pause
	// sends: every request without one of them is refused (see edge.RequireOrigin).
	OriginSecrets []string
	// Webhooks is the webhook service of the admin API; nil: the API says none is configured.
	Webhooks *pause.Webhooks
}

// Defaults of Config.
const (
	DefaultMaxBody        = 1 << 20
	DefaultRequestTimeout = 10 * time.Second
	DefaultCacheMaxAge    = 60 * time.Second
)

// New returns the handler. Everything is built here, once, not per request.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBody
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.CacheMaxAge == 0 {
		cfg.CacheMaxAge = DefaultCacheMaxAge
	}
	open := cfg.Development || cfg.Introspection
	gql := graph.NewHandler(graph.Options{
		CMS:              cfg.CMS,
		Webhooks:         cfg.Webhooks,
		Introspection:    open,
		Limits:           cfg.Limits,
		PersistedQueries: cfg.PersistedQueries,
		Logger:           cfg.Logger,
		RequestID:        RequestID,
		OnOperation: func(ctx context.Context, name string) {
			if e := edge.EntryFrom(ctx); e != nil {
				e.SetOperation(name)
			}
		},
	})
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	var api http.Handler = authenticate(cfg.Auth, idempotent(cfg.Idempotency, now, cfg.Logger, gql))
	api = timeout(cfg.RequestTimeout, api)
	api = publicCache(cfg.PublicVersion, cfg.PublicCacheSize, api)
	api = cachePolicy(cfg.CacheMaxAge, api)
	api = edge.LimitBody(cfg.MaxBodyBytes, writeError, api)
	api = singleAuthorization(api)

	mux := http.NewServeMux()
	mux.Handle("/graphql", api) // every method: the GraphQL handler answers the wrong ones
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET")
			writeError(w, r, http.StatusMethodNotAllowed, pause.Errorf(graph.CodeMethodNotAllowed, "Use GET."))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, `{"status":"ok"}`)
	})
	if cfg.Media != nil {
		mux.Handle("/media/", cfg.Media)
	}
	// The studio, the editors' UI: the same embedded files locally and on Lambda.
	mux.Handle("/studio/", studio.Handler())
	mux.Handle("/studio", studio.Handler())
	if open && cfg.GraphiQL != nil {
		mux.Handle("GET /{$}", cfg.GraphiQL)
		mux.Handle("GET /graphiql/", cfg.GraphiQL)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, pause.Errorf(pause.ENOTFOUND, "There is nothing at %s: the API is at /graphql.", r.URL.Path))
	})
	var h http.Handler = mux
	h = cors(cfg.CORSOrigins, allowHeaders(cfg.CORSHeaders), h)
	h = withAuthRoutes(cfg.Accounts, cfg.MaxBodyBytes, h)
	return edge.Wrap(edge.Config{Logger: cfg.Logger, Fail: writeError, Production: !cfg.Development,
		OriginSecrets: cfg.OriginSecrets}, h)
}

// RequestID returns the id of the request in ctx, or "".
func RequestID(ctx context.Context) string { return edge.RequestID(ctx) }

// cors answers preflight requests and adds CORS headers for allowed origins only; a foreign
// origin gets no CORS headers, so browsers refuse it. A preflight allows the request headers
// in headers (see allowHeaders).
func cors(origins []string, headers string, next http.Handler) http.Handler {
	any := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		w.Header().Add("Vary", "Origin")
		allowed := origin != "" && (any || slices.Contains(origins, origin))
		if allowed {
			h := w.Header()
			if any {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			h.Set("Access-Control-Expose-Headers", "X-Request-Id")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed {
				h := w.Header()
				h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				h.Set("Access-Control-Allow-Headers", headers)
				h.Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// timeout gives each request at most d: resolvers stop at the deadline and the request gets
// TIMEOUT errors (see graph.NewHandler).
func timeout(d time.Duration, next http.Handler) http.Handler {
	if d < 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// authenticate puts the caller's viewer in the context. A request without credentials is
// anonymous; one with bad credentials is refused whole, never served as anonymous.
func authenticate(a Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" || a == nil {
			writeError(w, r, http.StatusUnauthorized, pause.Errorf(pause.EUNAUTHENTICATED, "Send credentials as Authorization: Bearer <token>."))
			return
		}
		v, err := a.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			status := http.StatusUnauthorized
			if code := pause.ErrorCode(err); code != pause.EUNAUTHENTICATED {
				// The credential could not be checked (the identity provider or the store
				// is down): not the caller's fault, worth a retry.
				status = http.StatusServiceUnavailable
			}
			writeError(w, r, status, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(pause.NewContext(r.Context(), v)))
	})
}

// writeError answers with a GraphQL response that holds one error and no data, in the media
// type the request accepts.
func writeError(w http.ResponseWriter, r *http.Request, status int, err error) {
	ext := map[string]any{"code": pause.ErrorCode(err)}
	if pause.ErrorCode(err) == pause.EINTERNAL {
		ext["requestId"] = RequestID(r.Context())
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="pause"`)
	}
	body, _ := json.Marshal(map[string]any{
		"errors": []map[string]any{{"message": pause.ErrorMessage(err), "extensions": ext}},
	})
	media, ok := graph.Negotiate(r.Header.Values("Accept"))
	if !ok {
		media = graph.MediaJSON
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

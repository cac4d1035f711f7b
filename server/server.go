// Package server is Pause's HTTP face: New builds the one handler that `pause serve` and the
// Lambda bootstrap both serve. It routes /graphql, /healthz and (in development) GraphiQL at /,
// and wraps them with request ids, a JSON log line per request, panic recovery, CORS, a body
// limit and authentication. It imports pause, graph and the standard library.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"

	"pause"
	"pause/graph"
)

// Authenticator turns a bearer credential into a viewer, or returns EUNAUTHENTICATED.
type Authenticator interface {
	Verify(token string) (*pause.Viewer, error)
}

// Config is every dependency and setting of the handler.
type Config struct {
	CMS    *pause.CMS
	Auth   Authenticator
	Logger *slog.Logger
	// Development turns on GraphiQL at / and schema introspection.
	Development bool
	// CORSOrigins are the origins browsers may call the API from; "*" allows any.
	CORSOrigins []string
	// MaxBodyBytes limits request bodies; 1 MiB when zero.
	MaxBodyBytes int64
}

// DefaultMaxBody is the request body limit when Config.MaxBodyBytes is zero.
const DefaultMaxBody = 1 << 20

// New returns the handler. Everything is built here, once, not per request.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBody
	}
	gql := graph.NewHandler(graph.Options{
		CMS:           cfg.CMS,
		Introspection: cfg.Development,
		Logger:        cfg.Logger,
		RequestID:     RequestID,
		OnOperation: func(ctx context.Context, name string) {
			if e := entryFrom(ctx); e != nil {
				e.setOperation(name)
			}
		},
	})
	mux := http.NewServeMux()
	mux.Handle("POST /graphql", authenticate(cfg.Auth, gql))
	mux.Handle("GET /graphql", authenticate(cfg.Auth, gql))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, `{"status":"ok"}`)
	})
	if cfg.Development {
		mux.Handle("GET /{$}", playground.Handler("Pause", "/graphql"))
	}
	var h http.Handler = mux
	h = limitBody(cfg.MaxBodyBytes, h)
	h = cors(cfg.CORSOrigins, h)
	h = recoverPanics(cfg.Logger, h)
	h = logRequests(cfg.Logger, h)
	return h
}

type ctxKey int

const entryKey ctxKey = iota

// entry is what the request log line says about one request.
type entry struct {
	id        string
	mu        sync.Mutex
	operation string
}

func (e *entry) setOperation(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.operation = name
}

func entryFrom(ctx context.Context) *entry {
	e, _ := ctx.Value(entryKey).(*entry)
	return e
}

// RequestID returns the id of the request in ctx, or "".
func RequestID(ctx context.Context) string {
	if e := entryFrom(ctx); e != nil {
		return e.id
	}
	return ""
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// logRequests gives every request an id (also in the X-Request-Id response header) and writes
// one log line for it when it ends.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		e := &entry{id: newRequestID()}
		w.Header().Set("X-Request-Id", e.id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), entryKey, e)))
		e.mu.Lock()
		op := e.operation
		e.mu.Unlock()
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.Int("bytes", sw.bytes),
			slog.String("request_id", e.id),
			slog.String("operation", op),
		)
	})
}

func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				id := RequestID(r.Context())
				log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(v), "request_id", id, "stack", string(debug.Stack()))
				writeError(w, r, http.StatusInternalServerError, pause.Errorf(pause.EINTERNAL, "Internal error. Quote request id %s when you report it.", id))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// cors answers preflight requests and adds CORS headers for allowed origins only; a foreign
// origin gets no CORS headers, so browsers refuse it.
func cors(origins []string, next http.Handler) http.Handler {
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
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept")
				h.Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses bodies over max bytes: at once with 413 when Content-Length says so, and
// by cutting the body off otherwise.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			writeError(w, r, http.StatusRequestEntityTooLarge, pause.Errorf(pause.EINVALID, "The request body is larger than %d bytes.", max))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
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
		v, err := a.Verify(strings.TrimSpace(token))
		if err != nil {
			writeError(w, r, http.StatusUnauthorized, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(pause.NewContext(r.Context(), v)))
	})
}

// writeError answers with a GraphQL response that holds one error.
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
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

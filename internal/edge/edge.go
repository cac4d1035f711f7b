// Package edge holds the HTTP middleware that every Pause handler puts between the network and
// its routes: a request id and one JSON log line per request (Log), panic recovery (Recover),
// the CDN's origin secret (RequireOrigin), the security headers (SecurityHeaders) and the body
// limit (LimitBody). The API's handler (package server) and the sign-in function's handler
// (app/signin, the Lambda function that serves /auth/ alone) share it, so that both answer
// alike at the edge. It imports pause and the standard library only: the sign-in function must
// link neither the GraphQL executor nor the studio.
package edge

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"pause"
)

// ErrorWriter answers a request with an error and its status, in the caller's format (the API
// answers GraphQL errors, /auth/ its own JSON).
type ErrorWriter func(w http.ResponseWriter, r *http.Request, status int, err error)

// The error codes of the edge, beside the domain's: the values graph's CodePayloadTooLarge and
// CodeBadRequest have (server's tests hold them equal).
const (
	CodePayloadTooLarge = "PAYLOAD_TOO_LARGE"
	CodeBadRequest      = "BAD_REQUEST"
)

type ctxKey int

const entryKey ctxKey = iota

// Entry is what the request's log line says about it: its id, and the GraphQL operation that
// the handler names (SetOperation).
type Entry struct {
	id        string
	mu        sync.Mutex
	operation string
}

// SetOperation names the request's operation in its log line.
func (e *Entry) SetOperation(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.operation = name
}

// Operation returns the name SetOperation gave, or "".
func (e *Entry) Operation() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.operation
}

// EntryFrom returns the log entry of the request ctx belongs to, or nil outside Log.
func EntryFrom(ctx context.Context) *Entry {
	e, _ := ctx.Value(entryKey).(*Entry)
	return e
}

// RequestID returns the id of the request in ctx, or "".
func RequestID(ctx context.Context) string {
	if e := EntryFrom(ctx); e != nil {
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

// Log gives every request an id (also in the X-Request-Id response header) and writes one log
// line for it when it ends.
func Log(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		e := &Entry{id: newRequestID()}
		w.Header().Set("X-Request-Id", e.id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), entryKey, e)))
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.Int("bytes", sw.bytes),
			slog.String("request_id", e.id),
			slog.String("operation", e.Operation()),
		)
	})
}

// Recover turns a panic of next into a logged error and an INTERNAL answer that quotes the
// request id, and nothing more.
func Recover(log *slog.Logger, fail ErrorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				id := RequestID(r.Context())
				log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(v), "request_id", id, "stack", string(debug.Stack()))
				fail(w, r, http.StatusInternalServerError, pause.Errorf(pause.EINTERNAL, "Internal error. Quote request id %s when you report it.", id))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// LimitBody refuses bodies over max bytes with 413: at once when Content-Length says so, and
// after reading at most max+1 bytes otherwise (a chunked body has no length). The body is
// read here, whole, so that everything after sees a body that fits.
func LimitBody(max int64, fail ErrorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tooLarge := func() error {
			return pause.Errorf(CodePayloadTooLarge, "The request body is larger than %d bytes.", max)
		}
		if r.ContentLength > max {
			fail(w, r, http.StatusRequestEntityTooLarge, tooLarge())
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
			switch {
			case err != nil:
				fail(w, r, http.StatusBadRequest, pause.Errorf(CodeBadRequest, "The request body could not be read."))
				return
			case int64(len(body)) > max:
				w.Header().Set("Connection", "close") // the rest of the body is not read
				fail(w, r, http.StatusRequestEntityTooLarge, tooLarge())
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// OriginHeader is the request header in which a CDN in front of Pause (the deployment's
// CloudFront distribution) sends the origin secret. With origin secrets set, a request
// without one of them never reached Pause through the CDN: it went around the CDN's cache and
// web application firewall, straight to the origin, and is refused.
const OriginHeader = "X-Pause-Origin-Secret"

// RequireOrigin answers 403 FORBIDDEN to every request whose OriginHeader is none of the
// secrets (trimmed; empty ones ignored), compared in constant time; with no secrets it lets
// everything through. Several secrets are accepted at once while a rotation reaches every CDN
// edge. The header is removed before the request goes on, so that nothing after this can log
// or echo it.
func RequireOrigin(secrets []string, fail ErrorWriter, next http.Handler) http.Handler {
	var keys [][]byte
	for _, s := range secrets {
		if s = strings.TrimSpace(s); s != "" {
			keys = append(keys, []byte(s))
		}
	}
	if len(keys) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get(OriginHeader))
		ok := 0
		for _, k := range keys {
			ok |= subtle.ConstantTimeCompare(got, k)
		}
		r.Header.Del(OriginHeader)
		if ok != 1 {
			fail(w, r, http.StatusForbidden, pause.Errorf(pause.EFORBIDDEN, "Call the API through its public address."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CSP is the Content-Security-Policy of everything but GraphiQL: the API and /auth/ answer
// JSON, which nothing may run, frame or load anything from.
const CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"

// SecurityHeaders puts the headers every response carries: no MIME sniffing, the restrictive
// policy (GraphiQL, package graphiql, replaces it with its own), no framing,
// no referrer, and in production HSTS. Go's server sends no Server banner, and nothing here
// adds one.
func SecurityHeaders(production bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if production {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// Config is what Wrap puts around a handler.
type Config struct {
	Logger *slog.Logger
	// Fail writes the errors of the edge (a panic, a body too large, no origin secret).
	Fail ErrorWriter
	// Production adds HSTS.
	Production bool
	// OriginSecrets are RequireOrigin's; none lets every request through.
	OriginSecrets []string
}

// Wrap returns next inside the edge, outermost first: the log line, the security headers,
// the origin secret and panic recovery. (The body limit is the routes' own: it differs by
// route.)
func Wrap(cfg Config, next http.Handler) http.Handler {
	h := Recover(cfg.Logger, cfg.Fail, next)
	h = RequireOrigin(cfg.OriginSecrets, cfg.Fail, h)
	h = SecurityHeaders(cfg.Production, h)
	return Log(cfg.Logger, h)
}

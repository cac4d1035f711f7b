package server

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"strconv"

	lru "github.com/hashicorp/golang-lru/v2"

	"pause/internal/edge"
)

// The public response cache keeps the answers to anonymous GraphQL requests, and serves them
// again while the content they were read from is unchanged: a public page asks the same
// queries over and over, and the answer costs a GraphQL execution and store reads. It is
// exact, not a time-to-live: an answer is served only while Config.PublicVersion returns the
// value it returned both before and after the answer was made.

// Limits of the public response cache.
const (
	// DefaultPublicCacheSize is how many answers are kept, when Config.PublicCacheSize is 0.
	DefaultPublicCacheSize = 1000
	// maxPublicRequest is the largest request body (or query string) whose answer is kept.
	maxPublicRequest = 16 << 10
	// maxPublicAnswer is the largest answer kept.
	maxPublicAnswer = 256 << 10
)

type publicAnswer struct {
	version   string
	status    int
	header    http.Header
	body      []byte
	length    string // of body, for Content-Length
	operation string
}

// publicCache serves kept answers to anonymous requests, and keeps the answers of the others.
// Requests with credentials, and answers with errors or of another status than 200, pass by.
func publicCache(version func(context.Context) (string, error), size int, next http.Handler) http.Handler {
	if version == nil {
		return next
	}
	if size <= 0 {
		size = DefaultPublicCacheSize
	}
	answers, err := lru.New[string, *publicAnswer](size)
	if err != nil {
		panic(err) // only for a size ≤ 0, excluded above
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := publicKey(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		before, err := version(ctx)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		if a, ok := answers.Get(key); ok && a.version == before {
			if e := edge.EntryFrom(ctx); e != nil {
				e.SetOperation(a.operation)
			}
			maps.Copy(w.Header(), a.header)
			w.Header().Set("Content-Length", a.length) // one write, not chunks
			w.WriteHeader(a.status)
			_, _ = w.Write(a.body)
			return
		}
		rec := &recorder{header: http.Header{}}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		maps.Copy(w.Header(), rec.header)
		w.WriteHeader(rec.status)
		body := rec.body.Bytes()
		_, _ = w.Write(body)

		if rec.status != http.StatusOK || len(body) > maxPublicAnswer || hasErrors(body) {
			return
		}
		after, err := version(ctx)
		if err != nil || after != before {
			return // the content changed while the answer was made: it may mix old and new
		}
		a := &publicAnswer{version: before, status: rec.status, header: rec.header, body: body, length: strconv.Itoa(len(body))}
		if e := edge.EntryFrom(ctx); e != nil {
			a.operation = e.Operation()
		}
		answers.Add(key, a)
	})
}

// publicKey returns what identifies the answer to an anonymous request: its method, the
// headers that choose the answer's form, and its query string or body. Requests with
// credentials, and large ones, have none. It reads the body, and puts it back for the next
// handler.
func publicKey(r *http.Request) (string, bool) {
	if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
		return "", false
	}
	var request string
	switch r.Method {
	case http.MethodGet:
		request = r.URL.RawQuery
	case http.MethodPost:
		if r.Body == nil {
			return "", false
		}
		data, err := io.ReadAll(io.LimitReader(r.Body, maxPublicRequest+1))
		r.Body = readCloser{io.MultiReader(bytes.NewReader(data), r.Body), r.Body}
		if err != nil || len(data) > maxPublicRequest {
			return "", false
		}
		request = string(data)
	default:
		return "", false
	}
	if len(request) > maxPublicRequest {
		return "", false
	}
	return r.Method + "\x00" + r.Header.Get("Accept") + "\x00" + r.Header.Get("Content-Type") + "\x00" + request, true
}

type readCloser struct {
	io.Reader
	io.Closer
}

// recorder keeps a response: its own headers, status and body.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

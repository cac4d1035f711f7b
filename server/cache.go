package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cachePolicy says who may keep the API's answers, so that a CDN in front of the API can
// serve the public site and never one editor's drafts to someone else:
//
//   - a request with an Authorization header: private, no-store (whatever its method);
//   - an anonymous GET (a query, or a persisted query's hash) answered 200 without errors:
//     public, max-age=N, with a strong ETag of the body; If-None-Match with it gets 304;
//   - everything else (POST, errors, other statuses): no-store.
//
// Answers vary with Authorization and Accept (and Origin, which cors adds).
func cachePolicy(maxAge time.Duration, next http.Handler) http.Handler {
	public := "public, max-age=" + strconv.Itoa(int(maxAge/time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Authorization")
		h.Add("Vary", "Accept")
		switch {
		case r.Header.Get("Authorization") != "":
			h.Set("Cache-Control", "private, no-store")
			next.ServeHTTP(w, r)
			return
		case r.Method != http.MethodGet && r.Method != http.MethodHead || maxAge < 0:
			h.Set("Cache-Control", "no-store")
			next.ServeHTTP(w, r)
			return
		}
		buf := &bufferedWriter{w: w}
		next.ServeHTTP(buf, r)
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		body := buf.body.Bytes()
		if buf.status != http.StatusOK || hasErrors(body) {
			h.Set("Cache-Control", "no-store")
			w.WriteHeader(buf.status)
			_, _ = w.Write(body)
			return
		}
		etag := strongETag(h.Get("Content-Type"), body)
		h.Set("Cache-Control", public)
		h.Set("ETag", etag)
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			h.Del("Content-Type")
			h.Del("Content-Length")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
}

// bufferedWriter keeps the status and body of a response, so that its cache headers can be
// chosen from them; headers go to the real writer's map.
type bufferedWriter struct {
	w      http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.w.Header() }

func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// hasErrors reports whether a GraphQL response has errors (or is not a GraphQL response).
func hasErrors(body []byte) bool {
	var resp struct {
		Errors json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return true
	}
	return len(resp.Errors) > 0 && string(resp.Errors) != "null"
}

// strongETag is a hash of the representation: its media type and its bytes.
func strongETag(contentType string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(contentType))
	h.Write([]byte{0})
	h.Write(body)
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}

// etagMatches is If-None-Match's weak comparison of a list of entity tags with etag.
func etagMatches(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

// Package studio serves Pause Studio, the editors' UI, under /studio/: a single-page app
// (Preact and @preact/signals, bundled by esbuild from the packages pinned in
// package-lock.json) that signs editors in through /auth/ and works through /graphql.
//
// `go generate` (build.sh) bundles src/ into content-hashed files and gzips them, with
// index.html, into dist/ (internal/gzipdist: compress/gzip, no timestamps, so the bytes
// depend only on the lockfile and the Go toolchain). dist/ is committed, and make
// check-generate fails when go generate changes it. Only the gzipped files are embedded:
// clients that do not accept gzip (rare) get them decompressed on the fly, which keeps the
// Lambda bootstrap small. The package imports the standard library only.
package studio

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

//go:generate sh build.sh

//go:embed dist/*.gz
var dist embed.FS

// Prefix is the path the studio is served under.
const Prefix = "/studio/"

// CSP is the studio's Content-Security-Policy: its scripts and styles come from this origin
// only (no inline script, no eval), it talks to this origin only, and nothing may frame it.
// Images may come from any https URL (cover images, logos and avatars are links to anywhere)
// and data: URLs. Besides this origin, it may post to S3 (https://*.amazonaws.com): on AWS the
// media library's uploads go from the browser straight to the bucket (a presigned POST).
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
	"connect-src 'self' https://*.amazonaws.com; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
	"frame-ancestors 'none'"

// Cache-Control of the hashed assets (their names change with their bytes) and of index.html.
const (
	CacheImmutable = "public, max-age=31536000, immutable"
	CacheIndex     = "no-cache"
)

// asset is one embedded file, gzipped.
type asset struct {
	name, contentType, etag string
	gz                      []byte
	hashed                  bool
}

var assets = sync.OnceValue(func() map[string]*asset {
	out := map[string]*asset{}
	entries, err := fs.Glob(dist, "dist/*.gz")
	if err != nil {
		panic(err) // the pattern is fixed
	}
	for _, p := range entries {
		gz, err := dist.ReadFile(p)
		if err != nil {
			panic(err) // embedded at build time
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "dist/"), ".gz")
		sum := sha256.Sum256(gz)
		out[name] = &asset{name: name, contentType: contentType(name), gz: gz, hashed: name != "index.html",
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	}
	return out
})

// Assets returns the names of the embedded files (index.html and the hashed assets) and their
// gzipped sizes.
func Assets() map[string]int {
	out := map[string]int{}
	for name, a := range assets() {
		out[name] = len(a.gz)
	}
	return out
}

// Index returns index.html, decompressed.
func Index() []byte {
	b, _ := gunzip(assets()["index.html"].gz)
	return b
}

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".js"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		return "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		return "image/svg+xml"
	case strings.HasSuffix(name, ".html"):
		return "text/html; charset=utf-8"
	}
	return "application/octet-stream"
}

// Handler serves the studio: GET /studio redirects to /studio/; the hashed assets under
// /studio/ are served immutable; any other path under /studio/ without a file extension (a
// page of the app: /studio/articles/ID) gets index.html, revalidated on every load; an unknown
// file is a 404. Every answer is gzipped when the request accepts gzip, and plain otherwise.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "Use GET.", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == strings.TrimSuffix(Prefix, "/") {
			http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, Prefix)
		if !ok {
			http.NotFound(w, r)
			return
		}
		a := assets()[name]
		switch {
		case a != nil && a.hashed:
			h.Set("Cache-Control", CacheImmutable)
		case strings.Contains(name[strings.LastIndex(name, "/")+1:], "."):
			h.Set("Cache-Control", "no-store")
			http.NotFound(w, r) // a file that is not there: never the app in its place
			return
		default:
			a = assets()["index.html"]
			h.Set("Cache-Control", CacheIndex)
		}
		serve(w, r, a)
	})
}

func serve(w http.ResponseWriter, r *http.Request, a *asset) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Vary", "Accept-Encoding")
	h.Set("ETag", a.etag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.gz
	if AcceptsGzip(r.Header.Values("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
	} else {
		plain, err := gunzip(a.gz)
		if err != nil {
			http.Error(w, "The file could not be read.", http.StatusInternalServerError)
			return
		}
		body = plain
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func gunzip(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// AcceptsGzip reports whether Accept-Encoding values accept gzip: gzip or * with a q above
// zero (RFC 9110 12.5.3), and no explicit gzip;q=0.
func AcceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			q := 1.0
			if k, val, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					q = f
				}
			}
			switch coding {
			case "gzip", "x-gzip":
				return q > 0
			case "*":
				star = q > 0
			}
		}
	}
	return star
}

package studio_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"pause/studio"
)

// Budgets of the first load (issue 14): index.html and what it loads, gzipped, in at most
// this many requests. Each request is a Lambda invocation on AWS.
const (
	maxFirstLoadBytes    = 120 << 10
	maxFirstLoadRequests = 6
)

func get(t *testing.T, h http.Handler, path string, headers ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// firstLoad returns the files index.html loads (scripts and stylesheets under /studio/).
func firstLoad(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`(?:src|href)="/studio/([^"]+)"`).FindAllStringSubmatch(string(studio.Index()), -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("index.html loads nothing: %s", studio.Index())
	}
	return out
}

// TestFirstLoadBudget: index.html and the files it loads fit the budget, gzipped as served.
func TestFirstLoadBudget(t *testing.T) {
	sizes := studio.Assets()
	total := sizes["index.html"]
	files := firstLoad(t)
	for _, name := range files {
		n, ok := sizes[name]
		if !ok {
			t.Fatalf("index.html loads %s, which is not embedded", name)
		}
		total += n
	}
	if requests := 1 + len(files); requests > maxFirstLoadRequests {
		t.Errorf("the first load takes %d requests, over the budget of %d", requests, maxFirstLoadRequests)
	}
	if total > maxFirstLoadBytes {
		t.Errorf("the first load is %d bytes gzipped, over the budget of %d", total, maxFirstLoadBytes)
	}
	t.Logf("first load: %d requests, %d bytes gzipped", 1+len(files), total)
}

// TestServing: hashed assets are immutable, index.html is revalidated, both gzipped for
// clients that take gzip and plain for the others, under a strict CSP.
func TestServing(t *testing.T) {
	h := studio.Handler()
	asset := firstLoad(t)[0]

	res := get(t, h, "/studio/", "Accept-Encoding", "gzip, deflate, br")
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Cache-Control") != "no-cache" ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("GET /studio/: %d %v", res.StatusCode, res.Header)
	}
	page := gunzip(t, body(t, res))
	if !bytes.Equal(page, studio.Index()) || !bytes.Contains(page, []byte(`<script type="module" src="/studio/`)) {
		t.Fatalf("index.html: %s", page)
	}
	if bytes.Contains(page, []byte("<script>")) || regexp.MustCompile(`<script(?:\s+type="module")?>`).Match(page) || bytes.Contains(page, []byte("style=")) {
		t.Fatalf("index.html has inline script or style: %s", page)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows unsafe sources", csp)
	}

	// A deep link is the app; an unknown file is not.
	for _, p := range []string{"/studio/articles/01JABC", "/studio/setup?token=x", "/studio/tools/new"} {
		res := get(t, h, p)
		if b := body(t, res); res.StatusCode != 200 || !bytes.Equal(b, studio.Index()) || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: %d %v", p, res.StatusCode, res.Header)
		}
	}
	if res := get(t, h, "/studio/missing-ABC.js"); res.StatusCode != 404 {
		t.Errorf("an unknown file: %d", res.StatusCode)
	}
	if res := get(t, h, "/studio"); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/studio/" {
		t.Errorf("GET /studio: %d %v", res.StatusCode, res.Header)
	}

	// The asset: immutable; gzip, and the same bytes plain without gzip (and with gzip;q=0).
	res = get(t, h, "/studio/"+asset, "Accept-Encoding", "gzip")
	gz := body(t, res)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET %s: %d %v", asset, res.StatusCode, res.Header)
	}
	for _, ae := range []string{"", "identity", "gzip;q=0, identity", "br"} {
		res := get(t, h, "/studio/"+asset, "Accept-Encoding", ae)
		plain := body(t, res)
		if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(plain, gunzip(t, gz)) || res.Header.Get("Content-Length") == "" {
			t.Errorf("Accept-Encoding %q: %v, %d bytes", ae, res.Header, len(plain))
		}
	}
	// Revalidation of index.html: 304 with its ETag.
	etag := get(t, h, "/studio/").Header.Get("ETag")
	if res := get(t, h, "/studio/", "If-None-Match", etag); etag == "" || res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d", etag, res.StatusCode)
	}
	req := httptest.NewRequest(http.MethodPost, "/studio/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"gzip": true, "GZIP": true, "br, gzip;q=0.5": true, "*": true, "x-gzip": true, "deflate, *;q=0.1": true,
		"": false, "identity": false, "gzip;q=0": false, "br": false, "*;q=0": false, "gzip; q=0.0": false,
	} {
		if got := studio.AcceptsGzip([]string{in}); got != want {
			t.Errorf("AcceptsGzip(%q) = %v", in, got)
		}
	}
}

package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/graph"
	"pause/server"
)

func varies(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), name) {
				return true
			}
		}
	}
	return false
}

func TestCachePolicy(t *testing.T) {
	f := newFixture(t, false, "https://app.example")
	token, _ := f.tokens.Issue("alice", pause.RoleEditor, time.Hour)
	q := get("{ viewer { role } }")

	public := f.do(t, request{method: http.MethodGet, path: q})
	etag := public.header.Get("ETag")
	if public.status != 200 || public.header.Get("Cache-Control") != "public, max-age=60" || !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
		t.Fatalf("anonymous GET: %d Cache-Control %q ETag %q", public.status, public.header.Get("Cache-Control"), etag)
	}
	for _, v := range []string{"Authorization", "Accept", "Origin"} {
		if !varies(public.header, v) {
			t.Errorf("an anonymous GET does not vary with %s: %v", v, public.header.Values("Vary"))
		}
	}

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		r := f.do(t, request{method: http.MethodGet, path: q, header: map[string]string{"If-None-Match": inm}})
		if r.status != http.StatusNotModified || len(r.body) != 0 || r.header.Get("ETag") != etag || r.header.Get("Cache-Control") != "public, max-age=60" {
			t.Errorf("If-None-Match %s: %d %q ETag %q Cache-Control %q", inm, r.status, r.body, r.header.Get("ETag"), r.header.Get("Cache-Control"))
		}
	}
	if r := f.do(t, request{method: http.MethodGet, path: q, header: map[string]string{"If-None-Match": `"stale"`}}); r.status != 200 || len(r.body) == 0 {
		t.Errorf("a stale ETag: %d", r.status)
	}
	// The other media type is another representation: another ETag.
	if r := f.do(t, request{method: http.MethodGet, path: q, header: map[string]string{"Accept": acceptGraphQL}}); r.header.Get("ETag") == etag || r.header.Get("ETag") == "" {
		t.Errorf("graphql-response+json has ETag %q, json %q", r.header.Get("ETag"), etag)
	}

	for _, tc := range []struct {
		name string
		rq   request
		want string
	}{
		{"GET with a token", request{method: http.MethodGet, path: q, header: map[string]string{"Authorization": "Bearer " + token}}, "private, no-store"},
		{"GET with a bad token", request{method: http.MethodGet, path: q, header: map[string]string{"Authorization": "Bearer nope"}}, "private, no-store"},
		{"POST with a token", request{body: `{"query":"{ viewer { role } }"}`, header: map[string]string{"Authorization": "Bearer " + token}}, "private, no-store"},
		{"POST", request{body: `{"query":"{ viewer { role } }"}`}, "no-store"},
		{"GET with a request error", request{method: http.MethodGet, path: get("{ nope }")}, "no-store"},
		{"GET with a field error", request{method: http.MethodGet, path: get("{ tools(first: 500) { totalCount } }")}, "no-store"},
		{"GET of a mutation", request{method: http.MethodGet, path: get(`mutation { deleteTool(id: "x", version: 1) }`)}, "no-store"},
		{"GET without a query", request{method: http.MethodGet, path: "/graphql"}, "no-store"},
	} {
		r := f.do(t, tc.rq)
		if got := r.header.Get("Cache-Control"); got != tc.want || r.header.Get("ETag") != "" {
			t.Errorf("%s: %d Cache-Control %q ETag %q, want %q and no ETag", tc.name, r.status, got, r.header.Get("ETag"), tc.want)
		}
	}
}

func TestCacheMaxAge(t *testing.T) {
	for _, tc := range []struct {
		age  time.Duration
		want string
	}{{5 * time.Minute, "public, max-age=300"}, {-1, "no-store"}} {
		f := newFixtureWith(t, func(c *server.Config) { c.CacheMaxAge = tc.age })
		r := f.do(t, request{method: http.MethodGet, path: get("{ viewer { role } }")})
		if got := r.header.Get("Cache-Control"); got != tc.want {
			t.Errorf("CacheMaxAge %v: Cache-Control %q, want %q", tc.age, got, tc.want)
		}
	}
}

// Automatic persisted queries, as Apollo's clients speak them: a GET of the hash alone; if the
// server does not know it, the query with its hash; from then on the hash alone, which a CDN
// caches like any anonymous GET.
func TestPersistedQueries(t *testing.T) {
	f := newFixture(t, false)
	query := "query Tools { tools(first: 2) { totalCount } }"
	sum := sha256.Sum256([]byte(query))
	hash := hex.EncodeToString(sum[:])
	ext := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hash)
	byHash := "/graphql?" + "extensions=" + url.QueryEscape(ext) + "&operationName=Tools"

	r := f.do(t, request{method: http.MethodGet, path: byHash})
	if r.code() != graph.CodePersistedQueryNotFound || r.hasData() || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("unknown hash: %d %s Cache-Control %q", r.status, r.body, r.header.Get("Cache-Control"))
	}
	if r := f.do(t, request{method: http.MethodGet, path: byHash, header: map[string]string{"Accept": acceptGraphQL}}); r.status != 400 || r.hasData() {
		t.Errorf("unknown hash, graphql-response+json: %d %s", r.status, r.body)
	}
	r = f.do(t, request{method: http.MethodGet, path: get(query, "extensions", ext, "operationName", "Tools")})
	if r.status != 200 || r.json["errors"] != nil {
		t.Fatalf("query with its hash: %d %s", r.status, r.body)
	}
	r = f.do(t, request{method: http.MethodGet, path: byHash})
	if r.status != 200 || r.json["errors"] != nil || r.header.Get("Cache-Control") != "public, max-age=60" || r.header.Get("ETag") == "" {
		t.Fatalf("known hash: %d %s %v", r.status, r.body, r.header)
	}
	// POST works the same way.
	r = f.do(t, request{body: fmt.Sprintf(`{"extensions":%s}`, ext)})
	if r.status != 200 || r.json["errors"] != nil {
		t.Errorf("POST of the hash: %d %s", r.status, r.body)
	}

	for name, rq := range map[string]request{
		"hash of another query": {body: fmt.Sprintf(`{"query":"{ viewer { role } }","extensions":%s}`, ext)},
		"version 2":             {body: fmt.Sprintf(`{"extensions":{"persistedQuery":{"version":2,"sha256Hash":%q}}}`, hash)},
		"not an object":         {body: `{"extensions":{"persistedQuery":"abc"}}`},
	} {
		if r := f.do(t, rq); r.code() != graph.CodeBadRequest || r.hasData() {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}

	// A persisted mutation still needs POST.
	mutation := `mutation { deleteTool(id: "x", version: 1) }`
	msum := sha256.Sum256([]byte(mutation))
	mext := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hex.EncodeToString(msum[:]))
	f.do(t, request{body: fmt.Sprintf(`{"query":%q,"extensions":%s}`, mutation, mext)})
	if r := f.do(t, request{method: http.MethodGet, path: "/graphql?extensions=" + url.QueryEscape(mext)}); r.status != 405 || r.code() != graph.CodeMethodNotAllowed {
		t.Errorf("persisted mutation over GET: %d %s", r.status, r.body)
	}
}

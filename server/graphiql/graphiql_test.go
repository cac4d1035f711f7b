package graphiql_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"pause/server/graphiql"
)

func get(t *testing.T, h http.Handler, method, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	resp := rec.Result()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The page names only its own assets, which are served with their types; the policy allows
// scripts and styles from the server only, none inline, and nothing from elsewhere.
func TestPage(t *testing.T) {
	h := graphiql.Handler()
	resp, page := get(t, h, http.MethodGet, "/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") {
		t.Errorf("CSP %q allows inline code or another origin", csp)
	}
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]|\son[a-z]+=|style=`).MatchString(page) {
		t.Errorf("the page has inline script or style:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 2 {
		t.Fatalf("the page loads %d assets", len(refs))
	}
	types := map[string]string{".js": "text/javascript", ".css": "text/css"}
	for _, m := range refs {
		ref := m[1]
		switch {
		case ref == "data:," || ref == "/graphql":
			continue
		case !strings.HasPrefix(ref, graphiql.AssetPrefix):
			t.Errorf("the page refers to %s, outside %s", ref, graphiql.AssetPrefix)
			continue
		}
		resp, body := get(t, h, http.MethodGet, ref)
		ext := ref[strings.LastIndex(ref, "."):]
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), types[ext]) || len(body) < 10_000 {
			t.Errorf("GET %s = %d %s, %d bytes", ref, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		if resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s has no CSP", ref)
		}
	}
	for _, path := range []string{"/graphiql/", "/graphiql/nope.js", "/graphiql/../index.html", "/index.html", "/graphiql/assets/graphiql.js"} {
		if resp, _ := get(t, h, http.MethodGet, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := get(t, h, http.MethodPost, "/"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", resp.StatusCode)
	}
}

// The bundle loads nothing from a CDN: no URL in it is fetched from another origin at run
// time (the links it holds are documentation and licence links, which nothing fetches).
func TestBundleNamesNoCDN(t *testing.T) {
	for _, name := range []string{"assets/graphiql.js", "assets/graphiql.css"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, cdn := range []string{"cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com", "fonts.gstatic.com", "cdnjs.cloudflare.com", "esm.sh"} {
			if strings.Contains(string(b), cdn) {
				t.Errorf("%s names %s", name, cdn)
			}
		}
	}
}

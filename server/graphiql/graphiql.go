// Package graphiql serves GraphiQL, the in-browser GraphQL IDE, for Pause's development server:
// the page at / and its assets under /graphiql/, all embedded in the binary. The assets are
// bundled by `go generate` (build.sh) from the npm packages pinned in package-lock.json, so
// that the page loads nothing from anywhere but the server that serves it, and works offline.
//
// Only cmd/pause imports this package, and server.Config takes its handler: the Lambda
// function, which never serves GraphiQL (production), does not carry the 1.8 MB of assets.
// It imports the standard library only.
package graphiql

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:generate sh build.sh

// files are the page and the bundle build.sh wrote.
//
//go:embed index.html assets/graphiql.js assets/graphiql.css
var files embed.FS

// AssetPrefix is the path under which the page's assets are served.
const AssetPrefix = "/graphiql/"

// CSP is the page's Content-Security-Policy: scripts, styles and requests from this origin
// only (no CDN, no inline script), and the images and fonts that GraphiQL's stylesheet inlines
// as data: URLs.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Handler serves the page at GET / and its assets at GET AssetPrefix+name; anything else is a
// 404.
func Handler() http.Handler {
	assets, err := fs.Sub(files, "assets")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	page, err := files.ReadFile("index.html")
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		// The assets change with every go generate and are small over loopback: revalidate.
		h.Set("Cache-Control", "no-cache")
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "Use GET.", http.StatusMethodNotAllowed)
		case r.URL.Path == "/":
			h.Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(page)
		case strings.HasPrefix(r.URL.Path, AssetPrefix):
			name := strings.TrimPrefix(r.URL.Path, AssetPrefix)
			b, err := fs.ReadFile(assets, name)
			if err != nil || strings.Contains(name, "/") {
				http.NotFound(w, r)
				return
			}
			h.Set("Content-Type", contentType(name))
			_, _ = w.Write(b)
		default:
			http.NotFound(w, r)
		}
	})
}

func contentType(name string) string {
	if strings.HasSuffix(name, ".css") {
		return "text/css; charset=utf-8"
	}
	return "text/javascript; charset=utf-8"
}

package server

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// apiCSP is the Content-Security-Policy of everything but GraphiQL: the API answers JSON,
// which nothing may run, frame or load anything from.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"

// securityHeaders puts the headers every response carries: no MIME sniffing, the restrictive
// policy (GraphiQL replaces it with its own), no framing, no referrer, and in production HSTS.
// Go's server sends no Server banner, and nothing here adds one.
func securityHeaders(production bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", apiCSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if production {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// graphiqlPage is gqlgen's GraphiQL page for /graphql, rendered by `go generate`
// (internal/graphiqlgen says why it is not rendered at run time).
//
//go:generate go run ./internal/graphiqlgen graphiql.html
//go:embed graphiql.html
var graphiqlPage []byte

// graphiQL serves the GraphiQL page with a policy made for it: its one inline script by hash,
// its scripts and styles from their CDN (which the page pins with integrity hashes), inline
// styles (GraphiQL sets them at run time), and requests to this origin only.
func graphiQL() http.Handler {
	// Compiled here, not at package init: production, and so every Lambda cold start, never
	// serves the page.
	inlineScript := regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	remoteOrigin := regexp.MustCompile(`(?:src|href)="(https://[^/"]+)/`)
	html := graphiqlPage
	scripts := []string{}
	for _, m := range inlineScript.FindAllSubmatch(html, -1) {
		sum := sha256.Sum256(m[1])
		scripts = append(scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	var origins []string
	for _, m := range remoteOrigin.FindAllSubmatch(html, -1) {
		if o := string(m[1]); !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	cdn := strings.Join(origins, " ")
	csp := strings.Join([]string{
		"default-src 'none'",
		"script-src " + strings.Join(scripts, " ") + " " + cdn,
		"style-src 'unsafe-inline' " + cdn,
		"img-src 'self' data: " + cdn,
		"font-src data: " + cdn,
		"connect-src 'self'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
		"form-action 'none'",
	}, "; ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		_, _ = w.Write(html)
	})
}

package server

import "net/http"

// apiCSP is the Content-Security-Policy of everything but GraphiQL: the API answers JSON,
// which nothing may run, frame or load anything from.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"

// securityHeaders puts the headers every response carries: no MIME sniffing, the restrictive
// policy (GraphiQL, package graphiql, replaces it with its own), no framing, no referrer, and in
// production HSTS. Go's server sends no Server banner, and nothing here adds one.
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

package server

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"pause"
)

// OriginHeader is the request header in which a CDN in front of Pause (the deployment's
// CloudFront distribution) sends the origin secret. With Config.OriginSecrets set, a request
// without one of them never reached Pause through the CDN: it went around the CDN's cache and
// web application firewall, straight to the origin, and is refused.
const OriginHeader = "X-Pause-Origin-Secret"

// requireOrigin answers 403 FORBIDDEN to every request whose OriginHeader is none of the
// secrets (trimmed; empty ones ignored), compared in constant time; with no secrets it lets
// everything through. Several
// secrets are accepted at once while a rotation reaches every CDN edge. The header is removed
// before the request goes on, so that nothing after this can log or echo it.
func requireOrigin(secrets []string, next http.Handler) http.Handler {
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
			writeError(w, r, http.StatusForbidden, pause.Errorf(pause.EFORBIDDEN, "Call the API through its public address."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

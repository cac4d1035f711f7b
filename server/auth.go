package server

import (
	"net/http"
	"strings"

	"pause/internal/edge"
)

// withAuthRoutes sends the requests under /auth/ (sign-in, sessions: package accounts) to
// accounts, with the body limit, and everything else to next. /auth/ is outside the CORS
// middleware: no origin is ever granted access to it, whatever PAUSE_CORS_ORIGINS says, and
// no response anywhere carries Access-Control-Allow-Credentials.
func withAuthRoutes(accounts http.Handler, maxBody int64, next http.Handler) http.Handler {
	if accounts == nil {
		return next
	}
	accounts = edge.LimitBody(maxBody, writeError, accounts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/auth/") {
			accounts.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

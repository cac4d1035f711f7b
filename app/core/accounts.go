//go:build !noaccounts

package core

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"pause"
	"pause/accounts"
	"pause/auth"
	"pause/ids"
	"pause/internal/edge"
)

// Accounts returns the handler of /auth/: sign-in with the account stores, access tokens
// signed by tokens, and TOTP secrets encrypted with a key derived from the secret.
func (c Config) Accounts(stores pause.Stores, secret []byte, tokens *auth.Tokens, log *slog.Logger) (http.Handler, error) {
	var passkeys accounts.PasskeyConfig
	if u, err := url.Parse(c.PublicBase()); err == nil && u.Hostname() != "" {
		passkeys = accounts.PasskeyConfig{RPID: u.Hostname(), Origins: c.studioOrigins()}
	}
	var oidc accounts.OIDCConfig
	if c.OIDCIssuer != "" {
		oidc = accounts.OIDCConfig{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret,
			RedirectURL: c.PublicBase() + "/auth/oidc/callback", RoleClaim: c.JWTRoleClaim}
	}
	svc, err := accounts.New(accounts.Config{
		Users: stores.Users, Sessions: stores.Sessions, Failures: stores.Failures, Tokens: tokens, Secret: secret,
		NewID: ids.New, Logger: log, Passkeys: passkeys, OIDC: oidc,
	})
	if err != nil {
		return nil, err
	}
	return svc.Handler(accounts.HTTPConfig{Origins: c.studioOrigins()}), nil
}

// AuthHandler returns the handler of the sign-in function: /auth/ (Accounts) over the stores,
// behind the same edge as the API (request ids and log lines, the origin secret, security
// headers, panic recovery) and a body limit of AuthMaxBody. Every other path is NOT_FOUND:
// the API serves them.
func (c Config) AuthHandler(stores pause.Stores, log *slog.Logger) (http.Handler, error) {
	secret, tokens, err := c.Tokens()
	if err != nil {
		return nil, err
	}
	signin, err := c.Accounts(stores, secret, tokens, log)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", edge.LimitBody(AuthMaxBody, accounts.WriteError, signin))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		accounts.WriteError(w, r, http.StatusNotFound, pause.Errorf(pause.ENOTFOUND,
			"There is nothing at %s here: this function serves sign-in under /auth/ only.", r.URL.Path))
	})
	h := c.MeterDynamo(log, mux)
	return edge.Wrap(edge.Config{Logger: log, Fail: accounts.WriteError, Production: !c.Development(),
		OriginSecrets: c.originSecrets()}, h), nil
}

// studioOrigins returns the origin of PublicBase, the one origin (beside the server's own
// host) whose pages may use the session cookie.
func (c Config) studioOrigins() []string {
	u, err := url.Parse(c.PublicBase())
	if err != nil || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}

// originSecrets returns PAUSE_ORIGIN_SECRET's values.
func (c Config) originSecrets() []string { return strings.Split(c.OriginSecret, ",") }

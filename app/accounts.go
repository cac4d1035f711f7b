package app

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"

	"pause"
	"pause/accounts"
	"pause/auth"
	"pause/ids"
)

// PublicBase returns the URL where browsers reach Pause: PAUSE_PUBLIC_URL, or in development
// http://localhost and the port of PAUSE_ADDR. In production without PAUSE_PUBLIC_URL it is
// "", and setup links are paths (/auth/setup?token=...) to put after the API's address.
func (c Config) PublicBase() string {
	if c.PublicURL != "" || !c.Development() {
		return c.PublicURL
	}
	_, port, err := net.SplitHostPort(c.Addr)
	if err != nil || port == "" {
		port = "8080"
	}
	return "http://localhost:" + port
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

// accounts returns the handler of /auth/: sign-in with the stores of cms, access tokens signed
// by tokens, and TOTP secrets encrypted with a key derived from the secret.
func (c Config) accounts(cms *pause.CMS, secret []byte, tokens *auth.Tokens, log *slog.Logger) (http.Handler, error) {
	users, sessions, failures := cms.AccountStores()
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
		Users: users, Sessions: sessions, Failures: failures, Tokens: tokens, Secret: secret,
		NewID: ids.New, Logger: log, Passkeys: passkeys, OIDC: oidc,
	})
	if err != nil {
		return nil, err
	}
	return svc.Handler(accounts.HTTPConfig{Origins: c.studioOrigins()}), nil
}

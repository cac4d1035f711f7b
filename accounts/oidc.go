package accounts

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"pause"
	"pause/auth"
)

// OIDCConfig configures single sign-on with an OpenID Connect provider (an Amazon Cognito user
// pool, Keycloak, Entra ID...).
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (PAUSE_OIDC_ISSUER); its discovery document is
	// fetched on the first sign-in, never at start-up.
	Issuer string
	// ClientID and ClientSecret are Pause's client at the provider (PAUSE_OIDC_CLIENT_ID;
	// the secret from PAUSE_OIDC_CLIENT_SECRET, or SSM on Lambda).
	ClientID, ClientSecret string
	// RedirectURL is where the provider sends the browser back: <public URL>/auth/oidc/callback.
	RedirectURL string
	// RoleClaim is the ID token claim that holds the role (PAUSE_JWT_ROLE_CLAIM, such as
	// cognito:groups); a user without a known role there cannot sign in.
	RoleClaim string
	// HTTPClient calls the provider; a client with a 10 s timeout when nil.
	HTTPClient *http.Client
}

// oidcStateTTL is how long a sign-in at the provider may take.
const oidcStateTTL = 10 * time.Minute

// oidcClient runs the authorization code flow with PKCE, state and nonce, server-side (the
// provider's tokens never reach the browser), and verifies the ID token with auth.JWKS.
type oidcClient struct {
	cfg   OIDCConfig
	state *box
	now   func() time.Time

	mu     sync.Mutex // guards the fields below, set by the first successful discovery
	oauth  *oauth2.Config
	idToks *auth.JWKS
}

func newOIDCClient(cfg OIDCConfig, secret []byte, now func() time.Time) (*oidcClient, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return nil, fmt.Errorf("accounts: PAUSE_OIDC_ISSUER %q must be an https URL", cfg.Issuer)
	}
	if cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("accounts: single sign-on needs PAUSE_OIDC_CLIENT_ID and PAUSE_PUBLIC_URL")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = "role"
	}
	b, err := newBox(secret, "oidc state")
	if err != nil {
		return nil, err
	}
	return &oidcClient{cfg: cfg, state: b, now: now}, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

var errOIDCUnavailable = pause.Errorf(pause.EUNAVAILABLE, "The sign-on provider cannot be reached: try again in a moment.")

// discover fetches the provider's discovery document once (until it succeeds), and sets up the
// OAuth client and the ID token verifier from it.
func (c *oidcClient) discover(ctx context.Context) (*oauth2.Config, *auth.JWKS, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.oauth != nil {
		return c.oauth, c.idToks, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.cfg.Issuer, "/")+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: oidc discovery: %w", err)
	}
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (accounts: oidc discovery: %w)", errOIDCUnavailable, err)
	}
	defer res.Body.Close()
	var doc struct {
		Issuer        string `json:"issuer"`
		Authorization string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
		JWKS          string `json:"jwks_uri"`
	}
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("%w (accounts: oidc discovery: status %d)", errOIDCUnavailable, res.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("%w (accounts: oidc discovery: %w)", errOIDCUnavailable, err)
	}
	if doc.Issuer != c.cfg.Issuer || doc.Authorization == "" || doc.Token == "" || doc.JWKS == "" {
		return nil, nil, fmt.Errorf("%w (accounts: oidc discovery: the document of %s names issuer %q)", errOIDCUnavailable, c.cfg.Issuer, doc.Issuer)
	}
	jwks, err := auth.NewJWKS(ctx, auth.JWKSConfig{URL: doc.JWKS, Issuer: c.cfg.Issuer, Audience: c.cfg.ClientID,
		RoleClaim: c.cfg.RoleClaim, HTTPClient: c.cfg.HTTPClient, Now: c.now})
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: oidc: %w", err)
	}
	c.oauth = &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Scopes: []string{"openid", "email", "profile"}, Endpoint: oauth2.Endpoint{AuthURL: doc.Authorization, TokenURL: doc.Token}}
	c.idToks = jwks
	return c.oauth, c.idToks, nil
}

// oidcState is what the browser keeps, sealed, between the start and the callback.
type oidcState struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Expires  time.Time `json:"e"`
}

// OIDCStart begins a single sign-on: the provider's URL to send the browser to, and the sealed
// state for the callback (state, nonce, PKCE verifier).
func (s *Service) OIDCStart(ctx context.Context) (redirect string, sealed []byte, err error) {
	if s.oidc == nil {
		return "", nil, pause.Errorf(pause.ENOTFOUND, "Single sign-on is not configured (PAUSE_OIDC_ISSUER).")
	}
	oc, _, err := s.oidc.discover(ctx)
	if err != nil {
		return "", nil, err
	}
	st := oidcState{State: pause.NewSecret(24), Nonce: pause.NewSecret(24), Verifier: oauth2.GenerateVerifier(),
		Expires: s.cfg.Now().Add(oidcStateTTL)}
	b, err := json.Marshal(st)
	if err != nil {
		return "", nil, fmt.Errorf("accounts: oidc state: %w", err)
	}
	u := oc.AuthCodeURL(st.State, oauth2.S256ChallengeOption(st.Verifier), oauth2.SetAuthURLParam("nonce", st.Nonce))
	return u, s.oidc.state.seal(b, "oidc"), nil
}

// OIDCCallback finishes a single sign-on: the state must match the sealed one, the code is
// exchanged with the PKCE verifier, the ID token must verify and carry the nonce, and a known
// role in the role claim. The user is found by issuer and subject, or made (never matched to an
// existing account by email); their role follows the claim at every sign-in.
func (s *Service) OIDCCallback(ctx context.Context, sealed []byte, state, code, addr, ua string) (*SignIn, error) {
	if s.oidc == nil {
		return nil, pause.Errorf(pause.ENOTFOUND, "Single sign-on is not configured (PAUSE_OIDC_ISSUER).")
	}
	now := s.now()
	if err := s.throttled(ctx, "", addr, now); err != nil {
		return nil, err
	}
	var st oidcState
	b, err := s.oidc.state.open(sealed, "oidc")
	if err != nil || json.Unmarshal(b, &st) != nil || !s.cfg.Now().Before(st.Expires) ||
		st.State == "" || subtle.ConstantTimeCompare([]byte(st.State), []byte(state)) != 1 || code == "" {
		return nil, s.fail(ctx, "", addr, "oidcState", now)
	}
	oc, verifier, err := s.oidc.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := oc.Exchange(context.WithValue(ctx, oauth2.HTTPClient, s.oidc.cfg.HTTPClient), code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		s.cfg.Logger.InfoContext(ctx, "oidc code exchange refused", "error", err)
		return nil, s.fail(ctx, "", addr, "oidcCode", now)
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := verifier.IDToken(ctx, raw)
	if pause.ErrorCode(err) == pause.EUNAVAILABLE {
		return nil, err
	}
	if err != nil || subtle.ConstantTimeCompare([]byte(id.Nonce), []byte(st.Nonce)) != 1 {
		s.cfg.Logger.InfoContext(ctx, "oidc id token refused", "error", err)
		return nil, s.fail(ctx, "", addr, "oidcToken", now)
	}
	if id.Role == "" {
		s.logFailure(ctx, id.Email, "oidcRole", now)
		return nil, pause.Errorf(pause.EFORBIDDEN, "Your account at the sign-on provider has no Pause role (viewer, editor or admin) in %s.", s.oidc.cfg.RoleClaim)
	}
	u, err := s.oidcUser(ctx, id, now)
	if err != nil {
		return nil, err
	}
	if u.Disabled() {
		return nil, s.fail(ctx, u.Email, addr, "oidcDisabled", now)
	}
	return s.startSession(ctx, u, "oidc", addr, ua, now, nil)
}

// oidcUser returns the user the issuer knows by the subject, made if new, with the name and
// role of the ID token.
func (s *Service) oidcUser(ctx context.Context, id *auth.IDToken, now time.Time) (*pause.User, error) {
	actor := "oidc:" + id.Issuer
	u, err := s.cfg.Users.UserByIdentity(ctx, id.Issuer, id.Subject)
	if pause.ErrorCode(err) == pause.ENOTFOUND {
		email, err := pause.NormalizeEmail(id.Email)
		if err != nil || !id.EmailVerified {
			email = pause.HashSecret(id.Issuer + "\x00" + id.Subject)[:20] + "@sso.invalid"
		}
		name := strings.TrimSpace(id.Name)
		if pause.ValidateUserName(name) != nil {
			name = email
		}
		u = &pause.User{ID: s.cfg.NewID(), Email: email, Name: name, Role: id.Role, Issuer: id.Issuer, Subject: id.Subject,
			CreatedAt: now, UpdatedAt: now, CreatedBy: actor, Version: 1}
		err = s.cfg.Users.CreateUser(ctx, u, pause.UserEntry(u, "createUser", actor, now, "email", "name", "role"))
		if pause.ErrorField(err) == "email" {
			return nil, pause.Errorf(pause.ECONFLICT, "A user with the email %s exists already: ask an admin.", email)
		}
		return u, err
	} else if err != nil {
		return nil, err
	}
	if u.Role == id.Role {
		return u, nil
	}
	next := u.Clone()
	next.Role, next.Version, next.UpdatedAt = id.Role, u.Version+1, now
	return next, s.cfg.Users.UpdateUser(ctx, next, pause.UserEntry(next, "setUserRole", actor, now, "role"))
}

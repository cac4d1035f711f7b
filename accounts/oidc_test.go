package accounts_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"pause"
	"pause/accounts"
)

// fakeIssuer is an OpenID Connect provider on loopback, strict as Cognito: codes are single
// use and bound to their PKCE challenge, and what it signs is up to the test.
type fakeIssuer struct {
	t         *testing.T
	srv       *httptest.Server
	key       *rsa.PrivateKey
	now       func() time.Time
	discovery atomic.Int32

	mu    sync.Mutex
	codes map[string]grant
}

// grant is what a code stands for: the challenge it is bound to and the ID token's claims.
type grant struct {
	challenge string
	claims    jwt.MapClaims
}

func newFakeIssuer(t *testing.T, now func() time.Time) *fakeIssuer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeIssuer{t: t, key: key, now: now, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		f.discovery.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize",
			"token_endpoint": f.srv.URL + "/token", "jwks_uri": f.srv.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256",
			"use": "sig", "n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.FormValue("client_id"), r.FormValue("client_secret")
		}
		f.mu.Lock()
		g, found := f.codes[r.FormValue("code")]
		delete(f.codes, r.FormValue("code"))
		f.mu.Unlock()
		sum := sha256.Sum256([]byte(r.FormValue("code_verifier")))
		if !found || id != "pause-client" || secret != "client-secret" || r.FormValue("grant_type") != "authorization_code" ||
			r.FormValue("code_verifier") == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600,
			"id_token": f.sign(g.claims)})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIssuer) sign(c jwt.MapClaims) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(f.key)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// authorize is the user signing in at the provider: it takes the authorization URL Pause sent
// the browser to, and returns a code for the claims (edited by edit, if not nil), bound to the
// challenge of the URL, with the nonce of the URL.
func (f *fakeIssuer) authorize(authURL string, sub string, edit func(jwt.MapClaims)) (code, state, nonce string) {
	u, err := url.Parse(authURL)
	if err != nil {
		f.t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
		q.Get("client_id") != "pause-client" || q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), "openid") {
		f.t.Fatalf("authorization URL %s lacks PKCE, nonce or the client", authURL)
	}
	now := f.now()
	claims := jwt.MapClaims{"iss": f.srv.URL, "sub": sub, "aud": "pause-client", "iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "nonce": q.Get("nonce"), "email": sub + "@corp.example.com",
		"email_verified": true, "name": "SSO " + sub, "cognito:groups": []string{"editor"}}
	if edit != nil {
		edit(claims)
	}
	code = pause.NewSecret(16)
	f.mu.Lock()
	f.codes[code] = grant{challenge: q.Get("code_challenge"), claims: claims}
	f.mu.Unlock()
	return code, q.Get("state"), q.Get("nonce")
}

// withOIDC configures single sign-on with the issuer.
func withOIDC(f *fakeIssuer) func(*accounts.Config, string) {
	return func(cfg *accounts.Config, localhost string) {
		cfg.OIDC = accounts.OIDCConfig{Issuer: f.srv.URL, ClientID: "pause-client", ClientSecret: "client-secret",
			RedirectURL: localhost + "/auth/oidc/callback", RoleClaim: "cognito:groups"}
	}
}

// start begins a sign-on in the client's browser and returns the provider URL.
func (c *client) start(t *testing.T) string {
	t.Helper()
	res := c.do(http.MethodGet, "/auth/oidc/start", nil, nil)
	if res.StatusCode != http.StatusFound {
		t.Fatalf("start: %d %s", res.StatusCode, res.body)
	}
	sc := res.Header.Get("Set-Cookie")
	for _, flag := range []string{"__Host-pause_oidc=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(sc, flag) {
			t.Fatalf("state cookie %q lacks %s", sc, flag)
		}
	}
	return res.Header.Get("Location")
}

func (c *client) callback(code, state string) *response {
	return c.do(http.MethodGet, "/auth/oidc/callback?"+url.Values{"code": {code}, "state": {state}}.Encode(), nil, nil)
}

// TestOIDC: single sign-on against a fake issuer on loopback: the authorization code flow with
// PKCE, state and nonce signs in, with the role of the claim; a tampered state, a replayed
// nonce, a wrong audience, a code without its PKCE verifier, a token from another key and a
// user without a role are all refused (ASVS 6.8.x, 10.x).
func TestOIDC(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		var f *fakeIssuer
		clock := func() time.Time { return time.Now() }
		f = newFakeIssuer(t, clock)
		r := newRig(t, stores, testParams, withOIDC(f))
		f.now = r.clock.Now
		if n := f.discovery.Load(); n != 0 {
			t.Fatalf("discovery fetched %d times at start-up, want 0 (on first use only)", n)
		}

		// The happy path.
		c := r.newClient()
		code, state, _ := f.authorize(c.start(t), "alice", nil)
		res := c.callback(code, state)
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), ";"), accounts.SessionCookie) {
			t.Fatalf("callback: %d %s %v", res.StatusCode, res.body, res.Header)
		}
		tok := c.token().want(t, 200, "")
		if tok.json["user"].(map[string]any)["role"] != "EDITOR" || tok.json["user"].(map[string]any)["email"] != "alice@corp.example.com" {
			t.Fatalf("token: %s", tok.body)
		}
		u, err := stores.Users.UserByIdentity(context.Background(), f.srv.URL, "alice")
		if err != nil || u.PasswordHash != "" || u.Role != pause.RoleEditor {
			t.Fatalf("user by identity: %+v, %v", u, err)
		}
		if n := f.discovery.Load(); n != 1 {
			t.Fatalf("discovery fetched %d times, want once", n)
		}
		// The same code again is refused (the provider's codes are single use).
		c.callback(code, state).want(t, 401, pause.EUNAUTHENTICATED)

		// A tampered state.
		c = r.newClient()
		code, state, _ = f.authorize(c.start(t), "alice", nil)
		c.callback(code, state+"x").want(t, 401, pause.EUNAUTHENTICATED)
		// ...and a callback without the browser's state cookie.
		c = r.newClient()
		code, state, _ = f.authorize(c.start(t), "alice", nil)
		r.newClient().callback(code, state).want(t, 401, pause.EUNAUTHENTICATED)

		// A replayed nonce: an ID token made for an earlier sign-in.
		c = r.newClient()
		_, _, oldNonce := f.authorize(c.start(t), "alice", nil)
		c = r.newClient()
		code, state, _ = f.authorize(c.start(t), "alice", func(cl jwt.MapClaims) { cl["nonce"] = oldNonce })
		c.callback(code, state).want(t, 401, pause.EUNAUTHENTICATED)

		// A wrong audience.
		c = r.newClient()
		code, state, _ = f.authorize(c.start(t), "alice", func(cl jwt.MapClaims) { cl["aud"] = "another-client" })
		c.callback(code, state).want(t, 401, pause.EUNAUTHENTICATED)

		// An expired ID token, and one of another issuer.
		c = r.newClient()
		code, state, _ = f.authorize(c.start(t), "alice", func(cl jwt.MapClaims) { cl["exp"] = r.clock.Now().Add(-time.Hour).Unix() })
		c.callback(code, state).want(t, 401, pause.EUNAUTHENTICATED)
		c = r.newClient()
		code, state, _ = f.authorize(c.start(t), "alice", func(cl jwt.MapClaims) { cl["iss"] = "https://evil.example.com" })
		c.callback(code, state).want(t, 401, pause.EUNAUTHENTICATED)

		// PKCE: a code exchanged without the verifier is refused by the provider...
		c = r.newClient()
		code, _, _ = f.authorize(c.start(t), "alice", nil)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"pause-client"},
			"client_secret": {"client-secret"}, "redirect_uri": {r.localhost + "/auth/oidc/callback"}}
		direct, err := http.PostForm(f.srv.URL+"/token", form)
		if err != nil {
			t.Fatal(err)
		}
		direct.Body.Close()
		if direct.StatusCode != http.StatusBadRequest {
			t.Fatalf("a code without its verifier: %d", direct.StatusCode)
		}
		// ...and a code stolen from another browser's sign-in (bound to that browser's
		// challenge) does not sign in this one: this browser's verifier does not match it.
		victim, attacker := r.newClient(), r.newClient()
		stolen, _, _ := f.authorize(victim.start(t), "alice", nil)
		_, attackerState, _ := f.authorize(attacker.start(t), "mallory", nil)
		attacker.callback(stolen, attackerState).want(t, 401, pause.EUNAUTHENTICATED)

		// No Pause role at the provider: no sign-in.
		c = r.newClient()
		code, state, _ = f.authorize(c.start(t), "bob", func(cl jwt.MapClaims) { cl["cognito:groups"] = []string{"marketing"} })
		c.callback(code, state).want(t, 403, pause.EFORBIDDEN)

		// The role follows the claim at every sign-in; a disabled user is refused.
		r.clock.Advance(time.Minute)
		c = r.newClient()
		code, state, _ = f.authorize(c.start(t), "alice", func(cl jwt.MapClaims) { cl["cognito:groups"] = []string{"viewer", "admin"} })
		if res := c.callback(code, state); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("second sign-in: %d %s", res.StatusCode, res.body)
		}
		if role := c.token().want(t, 200, "").json["user"].(map[string]any)["role"]; role != "ADMIN" {
			t.Fatalf("role after the claim changed: %v", role)
		}
		if _, err := r.cms.DisableUser(r.admin, u.ID); err != nil {
			t.Fatal(err)
		}
		c.token().want(t, 401, pause.EUNAUTHENTICATED)
		c = r.newClient()
		code, state, _ = f.authorize(c.start(t), "alice", nil)
		c.callback(code, state).want(t, 401, pause.EUNAUTHENTICATED)
		if a := r.auditActions("user"); !strings.Contains(strings.Join(a, ","), "createUser") || !strings.Contains(strings.Join(a, ","), "setUserRole") {
			t.Fatalf("audit = %v", a)
		}
	})
}

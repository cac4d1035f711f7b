package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"pause"
	"pause/auth"
)

const (
	testIssuer   = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TEST"
	testAudience = "pause-client"
)

// signer is a key the test signs with, and the kid it is published under.
type signer struct {
	kid  string
	priv any // *rsa.PrivateKey or *ecdsa.PrivateKey
}

func rsaSigner(t *testing.T, kid string) signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signer{kid: kid, priv: k}
}

func ecSigner(t *testing.T, kid string) signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signer{kid: kid, priv: k}
}

func (s signer) public() any {
	switch k := s.priv.(type) {
	case *rsa.PrivateKey:
		return &k.PublicKey
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	}
	panic("unknown key type")
}

// sign returns a token with the claims, signed by s with RS256 or ES256 as its key calls for.
func (s signer) sign(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	method := jwt.SigningMethod(jwt.SigningMethodRS256)
	if _, ok := s.priv.(*ecdsa.PrivateKey); ok {
		method = jwt.SigningMethodES256
	}
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = s.kid
	out, err := tok.SignedString(s.priv)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// jwksServer serves the public keys of its signers as a JWKS on loopback, counts the requests,
// and can be made to fail.
type jwksServer struct {
	*httptest.Server
	mu   sync.Mutex
	body []byte
	down bool
	hits atomic.Int32
}

func newJWKSServer(t *testing.T, keys ...signer) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body, down := s.body, s.down
		s.mu.Unlock()
		if down {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	s.publish(t, keys...)
	return s
}

// publish replaces the key set the server serves with the public keys of the signers.
func (s *jwksServer) publish(t *testing.T, keys ...signer) {
	t.Helper()
	entries := make([]any, len(keys))
	for i, k := range keys {
		entries[i] = publicJWK(t, k)
	}
	s.publishJWKs(t, entries...)
}

// publishJWKs replaces the key set the server serves with the given JWKs, as they are.
func (s *jwksServer) publishJWKs(t *testing.T, keys ...any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.body, s.down = body, false
	s.mu.Unlock()
}

var b64url = base64.RawURLEncoding.EncodeToString

// publicJWK builds the JWK of a signer's public key by hand, as an identity provider publishes it:
// kty, kid, use "sig", alg, and the key's numbers in base64url (n and e; crv, x and y).
func publicJWK(t *testing.T, s signer) map[string]any {
	t.Helper()
	switch k := s.priv.(type) {
	case *rsa.PrivateKey:
		return map[string]any{"kty": "RSA", "kid": s.kid, "use": "sig", "alg": "RS256",
			"n": b64url(k.N.Bytes()), "e": b64url(big.NewInt(int64(k.E)).Bytes())}
	case *ecdsa.PrivateKey:
		p, err := k.PublicKey.Bytes() // 0x04 || x || y
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"kty": "EC", "kid": s.kid, "use": "sig", "alg": "ES256",
			"crv": "P-256", "x": b64url(p[1:33]), "y": b64url(p[33:])}
	}
	panic("unknown key type")
}

// with returns a copy of a JWK with members changed; nil deletes one.
func with(jwk map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range jwk {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func (s *jwksServer) setDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

// clock is an injectable clock that tests move forward; safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time           { return time.Unix(0, c.ns.Load()) }
func (c *clock) Add(d time.Duration)      { c.ns.Add(int64(d)) }
func (c *clock) at(d time.Duration) int64 { return c.Now().Add(d).Unix() }

// claims returns valid claims at the clock's time; changes are applied on top, nil deleting.
func (c *clock) claims(changes jwt.MapClaims) jwt.MapClaims {
	m := jwt.MapClaims{
		"iss": testIssuer, "aud": testAudience, "sub": "alice",
		"iat": c.at(0), "exp": c.at(time.Hour), "role": "editor",
	}
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func newJWKS(t *testing.T, url string, c *clock, edit func(*auth.JWKSConfig)) *auth.JWKS {
	t.Helper()
	cfg := auth.JWKSConfig{URL: url, Issuer: testIssuer, Audience: testAudience, Now: c.Now}
	if edit != nil {
		edit(&cfg)
	}
	j, err := auth.NewJWKS(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func wantCode(t *testing.T, name string, err error, code string) {
	t.Helper()
	if got := pause.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want %s", name, err, got, code)
	}
}

func TestJWKSVerifies(t *testing.T) {
	rs, es := rsaSigner(t, "rs-1"), ecSigner(t, "es-1")
	srv := newJWKSServer(t, rs, es)
	c := newClock()
	j := newJWKS(t, srv.URL, c, nil)
	ctx := context.Background()

	for name, tc := range map[string]struct {
		token string
		want  pause.Viewer
	}{
		"RS256":              {rs.sign(t, c.claims(jwt.MapClaims{"role": "admin"})), pause.Viewer{Subject: "alice", Role: pause.RoleAdmin}},
		"ES256":              {es.sign(t, c.claims(jwt.MapClaims{"sub": "bob", "role": "Viewer"})), pause.Viewer{Subject: "bob", Role: pause.RoleViewer}},
		"aud array":          {rs.sign(t, c.claims(jwt.MapClaims{"aud": []string{"other", testAudience}})), pause.Viewer{Subject: "alice", Role: pause.RoleEditor}},
		"expired in leeway":  {rs.sign(t, c.claims(jwt.MapClaims{"exp": c.at(-20 * time.Second)})), pause.Viewer{Subject: "alice", Role: pause.RoleEditor}},
		"nbf in leeway":      {rs.sign(t, c.claims(jwt.MapClaims{"nbf": c.at(20 * time.Second)})), pause.Viewer{Subject: "alice", Role: pause.RoleEditor}},
		"Cognito access tok": {rs.sign(t, c.claims(jwt.MapClaims{"aud": nil, "client_id": testAudience, "token_use": "access"})), pause.Viewer{Subject: "alice", Role: pause.RoleEditor}},
	} {
		v, err := j.Verify(ctx, tc.token)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if *v != tc.want {
			t.Errorf("%s: Verify = %+v, want %+v", name, *v, tc.want)
		}
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("the JWKS was fetched %d times, want once (keys are cached)", n)
	}
}

func TestJWKSRoleClaim(t *testing.T) {
	rs := rsaSigner(t, "rs-1")
	srv := newJWKSServer(t, rs)
	c := newClock()
	j := newJWKS(t, srv.URL, c, func(cfg *auth.JWKSConfig) { cfg.RoleClaim = "cognito:groups" })
	for name, tc := range map[string]struct {
		groups any
		want   pause.Role
	}{
		"readers, editor":      {[]string{"readers", "editor"}, pause.RoleEditor},
		"highest wins":         {[]string{"Viewer", "ADMIN", "editor"}, pause.RoleAdmin},
		"a string":             {"viewer", pause.RoleViewer},
		"no known role":        {[]string{"readers", "writers"}, ""},
		"anonymous is no role": {[]string{"anonymous"}, ""},
		"empty":                {[]string{}, ""},
		"not strings":          {[]any{1, true}, ""},
		"missing":              {nil, ""},
	} {
		claims := c.claims(jwt.MapClaims{"role": nil})
		if tc.groups != nil {
			claims["cognito:groups"] = tc.groups
		}
		v, err := j.Verify(context.Background(), rs.sign(t, claims))
		switch {
		case tc.want == "":
			wantCode(t, name, err, pause.EUNAUTHENTICATED)
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case v.Role != tc.want:
			t.Errorf("%s: role %s, want %s", name, v.Role, tc.want)
		}
	}
	// The default claim is "role"; another claim does not count.
	jr := newJWKS(t, srv.URL, c, nil)
	_, err := jr.Verify(context.Background(), rs.sign(t, c.claims(jwt.MapClaims{"role": nil, "cognito:groups": []string{"admin"}})))
	wantCode(t, "groups without RoleClaim", err, pause.EUNAUTHENTICATED)
}

func TestJWKSRefuses(t *testing.T) {
	rs, es := rsaSigner(t, "rs-1"), ecSigner(t, "es-1")
	srv := newJWKSServer(t, rs, es)
	c := newClock()
	j := newJWKS(t, srv.URL, c, nil)

	forger := rsaSigner(t, "rs-1") // another key under a published kid
	der, err := x509.MarshalPKIXPublicKey(rs.public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hs := func(secret []byte) string { // alg confusion: HS256 keyed with the public key
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c.claims(nil))
		tok.Header["kid"] = rs.kid
		s, err := tok.SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	none := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodNone, c.claims(nil))
		tok.Header["kid"] = rs.kid
		s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// An ES256 token whose kid names the RSA key.
	esUnderRSAKid := signer{kid: rs.kid, priv: es.priv}.sign(t, c.claims(nil))
	// A valid signature with the header's alg changed: the signature no longer matches.
	valid := rs.sign(t, c.claims(nil))
	parts := strings.Split(valid, ".")
	algSwapped := jwtHeader(t, map[string]any{"alg": "RS384", "kid": rs.kid}) + "." + parts[1] + "." + parts[2]
	noKid := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c.claims(nil))
		s, err := tok.SignedString(rs.priv)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	for name, tok := range map[string]string{
		"wrong issuer":          rs.sign(t, c.claims(jwt.MapClaims{"iss": "https://evil.example"})),
		"no issuer":             rs.sign(t, c.claims(jwt.MapClaims{"iss": nil})),
		"wrong audience":        rs.sign(t, c.claims(jwt.MapClaims{"aud": "someone-else"})),
		"aud wrong, client ok":  rs.sign(t, c.claims(jwt.MapClaims{"aud": "someone-else", "client_id": testAudience})),
		"no aud, client wrong":  rs.sign(t, c.claims(jwt.MapClaims{"aud": nil, "client_id": "someone-else"})),
		"no aud, no client":     rs.sign(t, c.claims(jwt.MapClaims{"aud": nil})),
		"expired":               rs.sign(t, c.claims(jwt.MapClaims{"exp": c.at(-time.Minute)})),
		"no exp":                rs.sign(t, c.claims(jwt.MapClaims{"exp": nil})),
		"not yet valid (nbf)":   rs.sign(t, c.claims(jwt.MapClaims{"nbf": c.at(time.Minute)})),
		"issued in the future":  rs.sign(t, c.claims(jwt.MapClaims{"iat": c.at(time.Minute)})),
		"ES256 expired":         es.sign(t, c.claims(jwt.MapClaims{"exp": c.at(-time.Minute)})),
		"unknown kid":           rsaSigner(t, "not-on-server").sign(t, c.claims(nil)),
		"no kid":                noKid(),
		"forged signature":      forger.sign(t, c.claims(nil)),
		"alg none":              none(),
		"HS256 with public PEM": hs(pubPEM),
		"HS256 with public DER": hs(der),
		"ES256 under RSA kid":   esUnderRSAKid,
		"alg swapped":           algSwapped,
		"missing role":          rs.sign(t, c.claims(jwt.MapClaims{"role": nil})),
		"unknown role":          rs.sign(t, c.claims(jwt.MapClaims{"role": "owner"})),
		"missing sub":           rs.sign(t, c.claims(jwt.MapClaims{"sub": nil})),
		"garbage":               "not.a.token",
		"empty":                 "",
	} {
		v, err := j.Verify(context.Background(), tok)
		if v != nil {
			t.Errorf("%s: Verify returned viewer %+v", name, *v)
		}
		wantCode(t, name, err, pause.EUNAUTHENTICATED)
		if msg := pause.ErrorMessage(err); strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "kid") {
			t.Errorf("%s: the user's message %q shows internal detail", name, msg)
		}
	}
	if _, err := j.Verify(context.Background(), rs.sign(t, c.claims(jwt.MapClaims{"exp": c.at(-time.Minute)}))); !strings.Contains(pause.ErrorMessage(err), "expired") {
		t.Errorf("expired: message %q does not say so", pause.ErrorMessage(err))
	}
}

func jwtHeader(t *testing.T, h map[string]any) string {
	t.Helper()
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestJWKSPublishedKeys: keys as identity providers publish them. A Cognito/Auth0/Keycloak-style
// key with an X.509 chain and thumbprints verifies with its n and e (the certificate members are
// not read: not even a certificate that does not parse or match refuses the key); private key
// members published by mistake are never read, the key verifying with its public part; a key
// that does not decode (an EC point not on the curve) is skipped, the rest of the set in use.
func TestJWKSPublishedKeys(t *testing.T) {
	cognito, auth0, leaked, leakedBadD, offCurve, es := rsaSigner(t, "cognito"), rsaSigner(t, "auth0"),
		rsaSigner(t, "leaked"), rsaSigner(t, "leaked-bad-d"), ecSigner(t, "off-curve"), ecSigner(t, "es-1")
	cert := func(s signer) []byte {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "idp.example"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, s.public(), s.priv)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	der := cert(cognito)
	sha1Sum, sha256Sum := sha1.Sum(der), sha256.Sum256(der)
	withChain := with(publicJWK(t, cognito), map[string]any{
		"x5c": []string{base64.StdEncoding.EncodeToString(der)}, "x5t": b64url(sha1Sum[:]), "x5t#S256": b64url(sha256Sum[:]),
	})
	// Auth0's certificate is for another key, its thumbprints are wrong and x5u is not https.
	badChain := with(publicJWK(t, auth0), map[string]any{
		"x5c": []string{base64.StdEncoding.EncodeToString(cert(es)), "bm90IGEgY2VydA=="}, "x5t": "AAAA",
		"x5u": "http://idp.example/cert.pem", "key_ops": []string{"verify", "frobnicate"},
	})
	lk := leaked.priv.(*rsa.PrivateKey)
	private := with(publicJWK(t, leaked), map[string]any{
		"d": b64url(lk.D.Bytes()), "p": b64url(lk.Primes[0].Bytes()), "q": b64url(lk.Primes[1].Bytes()),
		"dp": b64url(lk.Precomputed.Dp.Bytes()), "dq": b64url(lk.Precomputed.Dq.Bytes()), "qi": b64url(lk.Precomputed.Qinv.Bytes()),
	})
	privateBadD := with(publicJWK(t, leakedBadD), map[string]any{"d": "not base64!", "p": b64url([]byte{3})})
	good := publicJWK(t, offCurve)
	notOnCurve := with(good, map[string]any{"y": good["x"]})

	srv := newJWKSServer(t)
	srv.publishJWKs(t, withChain, badChain, private, privateBadD, notOnCurve, publicJWK(t, es))
	c := newClock()
	j := newJWKS(t, srv.URL, c, nil)
	for _, s := range []signer{cognito, auth0, leaked, leakedBadD, es} {
		if _, err := j.Verify(context.Background(), s.sign(t, c.claims(nil))); err != nil {
			t.Errorf("%s: %v", s.kid, err)
		}
	}
	_, err := j.Verify(context.Background(), offCurve.sign(t, c.claims(nil)))
	wantCode(t, "the kid of a key not on the curve", err, pause.EUNAUTHENTICATED)

	// A set whose only key is not on the curve has no usable key: it cannot be fetched.
	bad := newJWKSServer(t)
	bad.publishJWKs(t, notOnCurve)
	_, err = newJWKS(t, bad.URL, c, nil).Verify(context.Background(), offCurve.sign(t, c.claims(nil)))
	wantCode(t, "a set with only a key not on the curve", err, pause.EUNAVAILABLE)
	if !strings.Contains(err.Error(), "no RS256 or ES256 signing key with a kid") {
		t.Errorf("the error %q does not say why", err)
	}
}

func TestJWKSRotation(t *testing.T) {
	old, next := rsaSigner(t, "2029"), ecSigner(t, "2030")
	srv := newJWKSServer(t, old)
	c := newClock()
	j := newJWKS(t, srv.URL, c, nil)
	ctx := context.Background()

	oldTok := old.sign(t, c.claims(nil))
	if _, err := j.Verify(ctx, oldTok); err != nil {
		t.Fatalf("old key before rotation: %v", err)
	}
	srv.publish(t, next) // the old key is withdrawn
	if _, err := j.Verify(ctx, next.sign(t, c.claims(nil))); err != nil {
		t.Fatalf("new key after rotation: %v", err)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2 (the first load and one refetch for the new kid)", n)
	}
	_, err := j.Verify(ctx, oldTok)
	wantCode(t, "old key after rotation", err, pause.EUNAUTHENTICATED)

	// Unknown kids do not refetch more than once per interval (30 s by default).
	stranger := rsaSigner(t, "stranger")
	for range 5 {
		_, err := j.Verify(ctx, stranger.sign(t, c.claims(nil)))
		wantCode(t, "unknown kid", err, pause.EUNAUTHENTICATED)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("fetches = %d after unknown kids within the interval, want still 2", n)
	}
	c.Add(31 * time.Second)
	_, err = j.Verify(ctx, stranger.sign(t, c.claims(nil)))
	wantCode(t, "unknown kid after the interval", err, pause.EUNAUTHENTICATED)
	if n := srv.hits.Load(); n != 3 {
		t.Errorf("fetches = %d after the interval, want 3", n)
	}
	// A key published later is picked up once the interval has passed again.
	srv.publish(t, next, stranger)
	c.Add(31 * time.Second)
	if _, err := j.Verify(ctx, stranger.sign(t, c.claims(nil))); err != nil {
		t.Errorf("key published later: %v", err)
	}
	// The still-published key keeps working without fetches.
	before := srv.hits.Load()
	if _, err := j.Verify(ctx, next.sign(t, c.claims(nil))); err != nil {
		t.Errorf("cached key: %v", err)
	}
	if srv.hits.Load() != before {
		t.Errorf("a cached key caused a fetch")
	}
}

func TestJWKSRefetchInterval(t *testing.T) {
	a := rsaSigner(t, "a")
	srv := newJWKSServer(t, a)
	c := newClock()
	j := newJWKS(t, srv.URL, c, nil)
	ctx := context.Background()
	stranger := rsaSigner(t, "stranger")
	j.Verify(ctx, stranger.sign(t, c.claims(nil))) // first load
	j.Verify(ctx, stranger.sign(t, c.claims(nil))) // first refetch: at once
	c.Add(25 * time.Second)
	j.Verify(ctx, stranger.sign(t, c.claims(nil))) // within the 30 s: none
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2", n)
	}
	c.Add(10 * time.Second)
	j.Verify(ctx, stranger.sign(t, c.claims(nil)))
	if n := srv.hits.Load(); n != 3 {
		t.Errorf("fetches = %d after the 30 s, want 3", n)
	}
}

func TestJWKSUnavailable(t *testing.T) {
	rs := rsaSigner(t, "rs-1")
	srv := newJWKSServer(t, rs)
	srv.setDown(true)
	c := newClock()
	j := newJWKS(t, srv.URL, c, nil) // the endpoint being down does not stop the start
	ctx := context.Background()
	tok := rs.sign(t, c.claims(nil))

	_, err := j.Verify(ctx, tok)
	wantCode(t, "JWKS answers 503", err, pause.EUNAVAILABLE)
	if msg := pause.ErrorMessage(err); strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "503") {
		t.Errorf("the user's message %q shows internal detail", msg)
	}
	if !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("the error %q does not carry the cause for the log", err)
	}
	// The first load is retried by the next request, and succeeds once the endpoint is back.
	srv.setDown(false)
	if _, err := j.Verify(ctx, tok); err != nil {
		t.Fatalf("after the endpoint came back: %v", err)
	}

	// Cached keys stay in use when a refresh fails, even past their age.
	srv.setDown(true)
	c.Add(2 * time.Hour)
	hits := srv.hits.Load()
	if _, err := j.Verify(ctx, rs.sign(t, c.claims(nil))); err != nil {
		t.Errorf("stale key while the endpoint is down: %v", err)
	}
	if srv.hits.Load() != hits+1 {
		t.Errorf("an hour-old cache was not refreshed")
	}
	// An unknown kid while the endpoint is down is UNAVAILABLE: the key may exist.
	c.Add(time.Minute)
	_, err = j.Verify(ctx, rsaSigner(t, "new").sign(t, c.claims(nil)))
	wantCode(t, "unknown kid, endpoint down", err, pause.EUNAVAILABLE)

	// A closed endpoint, an endpoint that does not answer JSON, and one with no usable key.
	closed := newJWKSServer(t, rs)
	closed.Close()
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }))
	defer garbage.Close()
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"keys":[]}`)) }))
	defer empty.Close()
	for name, url := range map[string]string{"closed": closed.URL, "not JSON": garbage.URL, "no keys": empty.URL} {
		j := newJWKS(t, url, c, nil)
		_, err := j.Verify(ctx, rs.sign(t, c.claims(nil)))
		wantCode(t, name, err, pause.EUNAVAILABLE)
	}

	// A request that ends while waiting for another's fetch gives up.
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		http.Error(w, "slow", http.StatusServiceUnavailable)
	}))
	defer slow.Close()
	js := newJWKS(t, slow.URL, c, nil)
	first, tok1 := make(chan error), rs.sign(t, c.claims(nil))
	go func() { _, err := js.Verify(ctx, tok1); first <- err }()
	<-arrived // the first request is fetching
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	tok2, start := rs.sign(t, c.claims(nil)), time.Now()
	_, err = js.Verify(cctx, tok2)
	wantCode(t, "cancelled while waiting", err, pause.EUNAVAILABLE)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a cancelled request waited %s for another's fetch", d)
	}
	close(release)
	wantCode(t, "the slow fetch", <-first, pause.EUNAVAILABLE)
}

func TestJWKSConcurrent(t *testing.T) {
	rs, es, next := rsaSigner(t, "rs-1"), ecSigner(t, "es-1"), rsaSigner(t, "rs-2")
	srv := newJWKSServer(t, rs, es)
	c := newClock()
	j := newJWKS(t, srv.URL, c, nil)
	tokens := []string{rs.sign(t, c.claims(nil)), es.sign(t, c.claims(nil))}

	run := func(tokens []string) {
		t.Helper()
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, 20)
		for i := range 20 {
			wg.Go(func() {
				<-start
				_, err := j.Verify(context.Background(), tokens[i%len(tokens)])
				errs <- err
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	}
	run(tokens) // all need the first load at once
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("20 concurrent first uses fetched %d times, want 1", n)
	}
	srv.publish(t, rs, es, next)
	run(append(tokens, next.sign(t, c.claims(nil)))) // a new kid, concurrently with cached ones
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("fetches = %d after a rotation under load, want 2", n)
	}

	// An endpoint that fails slowly: callers that waited for a failed fetch share its result
	// instead of each trying again.
	var hits atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(200 * time.Millisecond)
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer slow.Close()
	js := newJWKS(t, slow.URL, c, nil)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 20 {
		wg.Go(func() {
			<-start
			_, err := js.Verify(context.Background(), tokens[0])
			wantCode(t, "concurrent, endpoint down", err, pause.EUNAVAILABLE)
		})
	}
	close(start)
	wg.Wait()
	if n := hits.Load(); n != 1 {
		t.Errorf("20 concurrent callers fetched a failing endpoint %d times, want 1", n)
	}
}

func TestJWKSAccepts(t *testing.T) {
	rs, es := rsaSigner(t, "rs-1"), ecSigner(t, "es-1")
	c := newClock()
	j := newJWKS(t, "https://idp.example/.well-known/jwks.json", c, nil)
	tokens, err := auth.NewTokens(secret)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := tokens.Issue("alice", pause.RoleEditor, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, c.claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	for tok, want := range map[string]bool{
		rs.sign(t, c.claims(nil)): true,
		es.sign(t, c.claims(nil)): true,
		hs:                        false,
		none:                      false,
		"garbage":                 false,
		"not.a.token":             false,
		"":                        false,
		jwtHeader(t, map[string]any{"alg": "RS256"}) + ".x":       false, // two segments
		jwtHeader(t, map[string]any{"alg": "RS256"}) + ".x.y.z.w": false, // JWE-shaped
		jwtHeader(t, map[string]any{"alg": "RS384"}) + ".x.y":     false,
		jwtHeader(t, map[string]any{"alg": "ES256"}) + ".x.y":     true, // header only: Verify decides
		"pause_" + strings.Repeat("k", 40):                        false,
	} {
		if got := j.Accepts(tok); got != want {
			t.Errorf("Accepts(%.40q...) = %v, want %v", tok, got, want)
		}
	}
}

func TestNewJWKSConfig(t *testing.T) {
	ok := auth.JWKSConfig{URL: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X/.well-known/jwks.json", Issuer: testIssuer, Audience: testAudience}
	if _, err := auth.NewJWKS(context.Background(), ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, edit := range map[string]func(*auth.JWKSConfig){
		"no URL":       func(c *auth.JWKSConfig) { c.URL = "" },
		"relative URL": func(c *auth.JWKSConfig) { c.URL = "/jwks.json" },
		"ftp URL":      func(c *auth.JWKSConfig) { c.URL = "ftp://idp.example/jwks.json" },
		"plain http":   func(c *auth.JWKSConfig) { c.URL = "http://idp.example/jwks.json" },
		"no issuer":    func(c *auth.JWKSConfig) { c.Issuer = " " },
		"no audience":  func(c *auth.JWKSConfig) { c.Audience = "" },
	} {
		cfg := ok
		edit(&cfg)
		if _, err := auth.NewJWKS(context.Background(), cfg); err == nil {
			t.Errorf("%s: NewJWKS accepted %+v", name, cfg)
		}
	}
	for _, url := range []string{"http://127.0.0.1:1/jwks.json", "http://localhost:1/jwks.json", "http://[::1]:1/jwks.json"} {
		cfg := ok
		cfg.URL = url // nothing listens there: NewJWKS makes no request
		if _, err := auth.NewJWKS(context.Background(), cfg); err != nil {
			t.Errorf("loopback %s: %v", url, err)
		}
	}
}

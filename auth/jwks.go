package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"pause"
)

// External identity: tokens that an identity provider (an Amazon Cognito user pool, Auth0,
// Keycloak...) signs with RS256 or ES256 and publishes the public keys of as a JWKS. The keys of
// the JWKS are decoded with MicahParks/jwkset (no dependencies beyond golang.org/x/time, and light
// at init, which matters for the Lambda's cold start); signatures and the registered claims are
// checked with golang-jwt, as for Pause's own tokens.

// Defaults of JWKSConfig, and the limits of a fetch.
const (
	jwksTimeout     = 5 * time.Second  // the default client's timeout, and the bound of any fetch
	jwksRefetch     = 30 * time.Second // least time between two refetches for unknown kids
	jwksMaxAge      = time.Hour        // cached keys are refreshed after this; kept if that fails
	jwksMaxBody     = 1 << 20          // a JWKS larger than this is refused
	jwksLeeway      = 30 * time.Second // clock skew allowed on exp, nbf and iat
	jwksDefaultRole = "role"
)

// JWKSConfig configures verification of an external issuer's tokens.
type JWKSConfig struct {
	URL      string // PAUSE_JWKS_URL: https, or http on a loopback address (tests, local IdPs)
	Issuer   string // PAUSE_JWT_ISSUER: required iss
	Audience string // PAUSE_JWT_AUDIENCE: required aud (for Cognito access tokens, which carry client_id instead of aud, also accept a matching client_id claim)
	// RoleClaim is PAUSE_JWT_ROLE_CLAIM, default "role"; e.g. "cognito:groups". The claim may be
	// a string or an array of strings; the highest role among them is taken.
	RoleClaim  string
	HTTPClient *http.Client     // nil: a client with a 5 s timeout
	Now        func() time.Time // nil: time.Now
}

// JWKS verifies RS256 and ES256 tokens against the keys an issuer publishes at a URL. Keys are
// fetched on first use, cached, and fetched again when a token names a kid that is not cached
// (at most once per 30 s, the first time at once: a rotation is picked up at once, and tokens
// with made-up kids cannot make Pause hammer the issuer) or when they are an hour old (if that
// fetch fails, the cached keys stay in use). It is safe for concurrent use: one fetch runs
// at a time, and callers that waited for it use its result instead of fetching again.
type JWKS struct {
	cfg  JWKSConfig
	keys atomic.Pointer[keyCache] // nil until the first successful fetch
	gen  atomic.Uint64            // counts finished fetches, successful or not
	// fetching is a one-slot semaphore held while the cache is checked and fetched; a channel
	// rather than a mutex so that waiters can give up when their request ends. It guards the
	// fields below.
	fetching  chan struct{}
	refetched time.Time // when the last refetch began; zero before the first one
	lastErr   error     // the last fetch's error; nil after a successful fetch
}

// keyCache is one fetched key set; it is never changed, only replaced.
type keyCache struct {
	keys    map[string]verifyKey // by kid
	fetched time.Time
}

// verifyKey is a public key and the one algorithm it verifies.
type verifyKey struct {
	alg string // "RS256" or "ES256"
	key any    // *rsa.PublicKey or *ecdsa.PublicKey
}

func (c *keyCache) lookup(kid string) (verifyKey, bool) {
	if c == nil {
		return verifyKey{}, false
	}
	k, ok := c.keys[kid]
	return k, ok
}

// NewJWKS checks the configuration and returns a JWKS for it. It makes no request: the keys are
// fetched on first use, so that a start (a Lambda cold start) does not fail or wait because the
// identity provider is slow or down. ctx is not used.
func NewJWKS(_ context.Context, cfg JWKSConfig) (*JWKS, error) {
	cfg.URL = strings.TrimSpace(cfg.URL)
	if cfg.URL == "" {
		return nil, errors.New("auth: PAUSE_JWKS_URL is empty: set it to the issuer's JWKS URL")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("auth: PAUSE_JWKS_URL %q is not an http(s) URL", cfg.URL)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("auth: PAUSE_JWKS_URL %q must use https (http is allowed on loopback only)", cfg.URL)
	}
	if strings.TrimSpace(cfg.Issuer) == "" {
		return nil, errors.New("auth: PAUSE_JWT_ISSUER is empty: external tokens need an issuer to check")
	}
	if strings.TrimSpace(cfg.Audience) == "" {
		return nil, errors.New("auth: PAUSE_JWT_AUDIENCE is empty: external tokens need an audience to check")
	}
	cfg.RoleClaim = strings.TrimSpace(cfg.RoleClaim)
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = jwksDefaultRole
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: jwksTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &JWKS{cfg: cfg, fetching: make(chan struct{}, 1)}, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Accepts reports whether the token's header names RS256 or ES256, the algorithms Verify
// accepts, so that callers can send other tokens (Pause's own HS256 ones) elsewhere. It only
// decodes the header and verifies nothing.
func (j *JWKS) Accepts(token string) bool {
	head, rest, ok := strings.Cut(token, ".")
	if !ok || strings.Count(rest, ".") != 1 || len(head) > 4096 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(b, &h) != nil {
		return false
	}
	return h.Alg == jwt.SigningMethodRS256.Alg() || h.Alg == jwt.SigningMethodES256.Alg()
}

// Verify returns the viewer a token names. The token must be signed with RS256 or ES256 by the
// key its kid names in the JWKS, carry exp (exp, nbf and iat are checked with 30 s of leeway),
// the configured iss and aud (or, without aud, a client_id equal to the audience), a sub, and a
// known role in the role claim. Any failure is EUNAUTHENTICATED, except that a JWKS that cannot
// be fetched when the token needs it is EUNAVAILABLE (the token may be good: the caller should
// retry, not sign in again), with the cause wrapped for the log.
func (j *JWKS) Verify(ctx context.Context, token string) (*pause.Viewer, error) {
	claims, keyErr, err := j.parse(ctx, token, "auth: jwks: token", true)
	switch {
	case keyErr != nil:
		return nil, keyErr
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, fmt.Errorf("%w (auth: jwks: %w)", pause.Errorf(pause.EUNAUTHENTICATED, "The token has expired: get a new one."), err)
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return nil, fmt.Errorf("%w (auth: jwks: %w)", pause.Errorf(pause.EUNAUTHENTICATED, "The token is not valid yet."), err)
	case err != nil:
		return nil, invalid(err)
	}
	if err := j.checkAudience(claims); err != nil {
		return nil, invalid(err)
	}
	sub, _ := claims.GetSubject()
	role, ok := highestRole(claims[j.cfg.RoleClaim])
	if !ok || strings.TrimSpace(sub) == "" {
		return nil, pause.Errorf(pause.EUNAUTHENTICATED, "The token names no known role or subject.")
	}
	return &pause.Viewer{Subject: sub, Role: role}, nil
}

// parse checks the token's signature with the issuer's key named by its kid (RS256 or ES256,
// the key's own algorithm), its issuer and its times (exp required, iat, nbf, with leeway), and
// returns its claims. keyErr is the error of finding the key (EUNAVAILABLE when the keys cannot
// be fetched); err is the parser's. what prefixes the causes for the log; requireKid refuses a
// token that names no key before any fetch. Verify and IDToken add their own checks.
func (j *JWKS) parse(ctx context.Context, token, what string, requireKid bool, opts ...jwt.ParserOption) (claims jwt.MapClaims, keyErr, err error) {
	claims = jwt.MapClaims{}
	opts = append([]jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg()}),
		jwt.WithIssuer(j.cfg.Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(jwksLeeway),
		jwt.WithTimeFunc(j.cfg.Now),
	}, opts...)
	_, err = jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if requireKid && kid == "" {
			keyErr = invalid(fmt.Errorf("%s has no kid", what))
			return nil, keyErr
		}
		k, err := j.key(ctx, kid)
		if err != nil {
			keyErr = err
			return nil, err
		}
		if k.alg != t.Method.Alg() {
			keyErr = invalid(fmt.Errorf("%s alg %s, key %s is for %s", what, t.Method.Alg(), kid, k.alg))
			return nil, keyErr
		}
		return k.key, nil
	}, opts...)
	return claims, keyErr, err
}

// invalid is the error for a token that fails a check: one sentence for the user, the reason for
// the log.
func invalid(cause error) error {
	return fmt.Errorf("%w (%w)", pause.Errorf(pause.EUNAUTHENTICATED, "The token is not valid."), cause)
}

// checkAudience requires aud to hold the audience; a token without aud (a Cognito access token)
// must instead carry the audience as its client_id. A token whose aud names only others is
// refused whatever its client_id.
func (j *JWKS) checkAudience(claims jwt.MapClaims) error {
	if _, has := claims["aud"]; has {
		aud, err := claims.GetAudience()
		if err != nil {
			return fmt.Errorf("auth: jwks: aud: %w", err)
		}
		for _, a := range aud {
			if a == j.cfg.Audience {
				return nil
			}
		}
		return errors.New("auth: jwks: aud does not name the audience")
	}
	if id, _ := claims["client_id"].(string); id != "" && id == j.cfg.Audience {
		return nil
	}
	return errors.New("auth: jwks: no aud, and client_id is not the audience")
}

// highestRole reads a role claim that is a string or an array of strings and returns the
// highest known role among its values.
func highestRole(claim any) (pause.Role, bool) {
	var names []string
	switch v := claim.(type) {
	case string:
		names = []string{v}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				names = append(names, s)
			}
		}
	}
	held := map[pause.Role]bool{}
	for _, n := range names {
		if r, ok := pause.ParseRole(n); ok {
			held[r] = true
		}
	}
	for _, r := range []pause.Role{pause.RoleAdmin, pause.RoleEditor, pause.RoleViewer} {
		if held[r] {
			return r, true
		}
	}
	return "", false
}

// errJWKSUnavailable is what users are told when the keys cannot be fetched.
func errJWKSUnavailable() *pause.Error {
	return pause.Errorf(pause.EUNAVAILABLE, "The identity provider's keys cannot be fetched: try again in a moment.")
}

// key returns the key with the kid, fetching the JWKS when it is not cached yet, when the kid is
// unknown, or when the cache is an hour old; refetches are rate-limited as JWKS describes.
func (j *JWKS) key(ctx context.Context, kid string) (verifyKey, error) {
	c := j.keys.Load()
	k, ok := c.lookup(kid)
	if ok && j.cfg.Now().Sub(c.fetched) < jwksMaxAge {
		return k, nil
	}
	seen := j.gen.Load()
	if ok {
		// Stale: refresh unless another caller is busy fetching; never wait with a key in hand.
		select {
		case j.fetching <- struct{}{}:
		default:
			return k, nil
		}
	} else {
		select {
		case j.fetching <- struct{}{}:
		case <-ctx.Done():
			return verifyKey{}, fmt.Errorf("%w (auth: jwks: wait for the key fetch: %w)", errJWKSUnavailable(), ctx.Err())
		}
	}
	defer func() { <-j.fetching }()

	now := j.cfg.Now()
	c = j.keys.Load()
	k, ok = c.lookup(kid)
	stale := c != nil && now.Sub(c.fetched) >= jwksMaxAge
	// A changed gen means a fetch finished while this caller waited: its result is as fresh as
	// another fetch would be.
	if j.gen.Load() == seen && (!ok || stale) && j.mayFetch(c, now) {
		j.fetch(ctx, now)
		c = j.keys.Load()
		k, ok = c.lookup(kid)
	}
	switch {
	case ok:
		return k, nil // stale keys are kept while the JWKS cannot be fetched
	case j.lastErr != nil:
		return verifyKey{}, fmt.Errorf("%w (%w)", errJWKSUnavailable(), j.lastErr)
	}
	return verifyKey{}, invalid(fmt.Errorf("auth: jwks: no key with kid %q", kid))
}

// mayFetch reports whether a fetch may start now. The first load is never held back (until it
// succeeds, each caller that needs keys tries it, one at a time); refetches are, except the
// first. The caller holds fetching.
func (j *JWKS) mayFetch(c *keyCache, now time.Time) bool {
	if c == nil {
		return true
	}
	if !j.refetched.IsZero() && now.Sub(j.refetched) < jwksRefetch {
		return false
	}
	j.refetched = now
	return true
}

// fetch loads the JWKS and replaces the cache with it, or records why it could not. It is bounded
// by jwksTimeout and not cancelled with the caller's request, whose result other callers may be
// waiting for. The caller holds fetching.
func (j *JWKS) fetch(ctx context.Context, now time.Time) {
	defer j.gen.Add(1)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jwksTimeout)
	defer cancel()
	keys, err := j.load(ctx)
	if err != nil {
		j.lastErr = fmt.Errorf("auth: fetch JWKS %s: %w", j.cfg.URL, err)
		return
	}
	j.lastErr = nil
	j.keys.Store(&keyCache{keys: keys, fetched: now})
}

func (j *JWKS) load(ctx context.Context) (map[string]verifyKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.cfg.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := j.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, jwksMaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	} else if len(body) > jwksMaxBody {
		return nil, fmt.Errorf("larger than %d bytes", jwksMaxBody)
	}
	entries, err := jwksEntries(body)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	return signingKeys(entries)
}

// jwksEntries returns the members of the JWKS's "keys" array, undecoded, so that one malformed
// key is skipped rather than failing the set. A body that is a single JWK (an object with "kty"
// and no "keys") is taken as a set of that one key.
func jwksEntries(body []byte) ([]json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, err
	}
	keys, ok := top["keys"]
	if !ok {
		if _, single := top["kty"]; single {
			return []json.RawMessage{body}, nil
		}
		return nil, errors.New(`no "keys" member`)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(keys, &entries); err != nil || entries == nil {
		return nil, errors.New(`"keys" is not an array`)
	}
	return entries, nil
}

// signingKeys returns the keys of the set that can verify RS256 (RSA of 2048 bits or more) or
// ES256 (EC on P-256) signatures, by kid. Keys without a kid, for encryption (a use other than
// "sig"), with an alg other than the one their type verifies, of another type or curve, or that
// do not decode (bad base64, an EC point not on its curve, an unknown kty, a member of the wrong
// JSON type...) are skipped; of two usable keys with one kid, the first is kept. A set with no
// usable key is an error. A key that does not decode is skipped rather than failing the set, so
// that one odd key published beside good ones does not stop every external sign-in; a token that
// names a skipped kid is refused as having an unknown kid.
func signingKeys(entries []json.RawMessage) (map[string]verifyKey, error) {
	keys := map[string]verifyKey{}
	for _, raw := range entries {
		kid, vk, ok := signingKey(raw)
		if !ok {
			continue
		}
		if _, dup := keys[kid]; dup {
			continue
		}
		keys[kid] = vk
	}
	if len(keys) == 0 {
		return nil, errors.New("no RS256 or ES256 signing key with a kid")
	}
	return keys, nil
}

// stdToURL turns standard base64 into base64url. RFC 7517 requires base64url, but some issuers
// publish the standard alphabet, which jwkset refuses; trailing "=" padding jwkset strips itself.
var stdToURL = strings.NewReplacer("+", "-", "/", "_")

// signingKey decodes one JWK of a set and returns its kid and the key if it is an RS256 or ES256
// signing key (see signingKeys).
//
// Only the public members reach jwkset: private ones (d, p, q, dp, dq, qi, oth, k) that an issuer
// publishes by mistake are dropped unread, and such a key verifies with its public part alone. So
// are key_ops and the X.509 members (x5c, x5t, x5t#S256, x5u): jwkset would parse the certificates
// and refuse the whole key if one did not parse (Go's parser refuses some that IdPs issue, such as
// ones with a negative serial number) or did not match n/e or x/y, or if x5u were not https. The
// certificates are not what Pause trusts (it trusts the JWKS URL, fetched over TLS, and no chain
// is verified), and Pause verifies with n/e or x/y only. jwkset still checks what is kept: that
// n/e and x/y decode, that e is in range and that the EC point is on its curve.
func signingKey(raw json.RawMessage) (string, verifyKey, bool) {
	var m jwkset.JWKMarshal
	if err := json.Unmarshal(raw, &m); err != nil || m.KID == "" {
		return "", verifyKey{}, false
	}
	if m.USE != "" && m.USE != jwkset.UseSig {
		return "", verifyKey{}, false
	}
	pub := jwkset.JWKMarshal{
		KTY: m.KTY, USE: m.USE, ALG: m.ALG, KID: m.KID,
		N: stdToURL.Replace(m.N), E: stdToURL.Replace(m.E), // RSA
		CRV: m.CRV, X: stdToURL.Replace(m.X), Y: stdToURL.Replace(m.Y), // EC (and OKP, skipped below)
	}
	j, err := jwkset.NewJWKFromMarshal(pub, jwkset.JWKMarshalOptions{Private: false}, jwkset.JWKValidateOptions{})
	if err != nil {
		return "", verifyKey{}, false
	}
	var vk verifyKey
	switch k := j.Key().(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return "", verifyKey{}, false
		}
		vk = verifyKey{alg: jwt.SigningMethodRS256.Alg(), key: k}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", verifyKey{}, false
		}
		vk = verifyKey{alg: jwt.SigningMethodES256.Alg(), key: k}
	default: // Ed25519, X25519
		return "", verifyKey{}, false
	}
	if m.ALG != "" && m.ALG.String() != vk.alg {
		return "", verifyKey{}, false
	}
	return m.KID, vk, true
}

// Package auth verifies the credentials that callers send and issues tokens for editors: HS256
// JSON Web Tokens (golang-jwt) signed with the deployment's secret, carrying the subject and a
// role claim; and tokens of an external issuer (RS256/ES256, such as Amazon Cognito's), verified
// against its JWKS. It imports pause, golang-jwt and jwkset.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"pause"
)

// MinSecret is the shortest secret accepted, in bytes: HS256 needs 256 bits.
const MinSecret = 32

// issuer is the iss claim of the tokens Pause issues and accepts.
const issuer = "pause"

// Tokens issues and verifies HS256 tokens with one secret. It is safe for concurrent use.
type Tokens struct {
	secret []byte
	// previous are secrets that still verify tokens (never sign them) during a rotation.
	previous [][]byte
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// NewTokens returns Tokens for the secret, which must be at least MinSecret bytes.
func NewTokens(secret []byte) (*Tokens, error) {
	if len(secret) < MinSecret {
		return nil, fmt.Errorf("auth: the JWT secret must be at least %d bytes, it has %d", MinSecret, len(secret))
	}
	return &Tokens{secret: secret}, nil
}

// AcceptPrevious makes the tokens signed with the secrets verify too, while a rotation lasts:
// tokens issued before it stay valid until they expire (or until the secrets are dropped). New
// tokens are signed with the current secret only. Each secret must be at least MinSecret bytes.
func (t *Tokens) AcceptPrevious(secrets ...[]byte) error {
	for _, s := range secrets {
		if len(s) < MinSecret {
			return fmt.Errorf("auth: a previous JWT secret must be at least %d bytes, it has %d", MinSecret, len(s))
		}
	}
	t.previous = append(t.previous, secrets...)
	return nil
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

type claims struct {
	Role string `json:"role"`
	jwt.RegisteredClaims
}

// Issue returns a token for the subject with the role, valid for ttl.
func (t *Tokens) Issue(subject string, role pause.Role, ttl time.Duration) (string, error) {
	if strings.TrimSpace(subject) == "" {
		return "", errors.New("auth: a token needs a subject")
	}
	if role == pause.RoleAnonymous || !role.IsValid() {
		return "", fmt.Errorf("auth: unknown role %q (use viewer, editor or admin)", role)
	}
	if ttl <= 0 {
		return "", errors.New("auth: a token needs a positive lifetime")
	}
	now := t.now()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Role: strings.ToLower(string(role)),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   subject,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
	})
	return tok.SignedString(t.secret)
}

// Verify returns the viewer a token names, or EUNAUTHENTICATED if the token is malformed,
// expired, not yet valid, signed with another key or algorithm (alg "none" included), or names
// no known role.
func (t *Tokens) Verify(token string) (*pause.Viewer, error) {
	var c claims
	parse := func(secret []byte) error {
		c = claims{}
		_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return secret, nil },
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithExpirationRequired(),
			jwt.WithLeeway(30*time.Second),
			jwt.WithTimeFunc(t.now),
		)
		return err
	}
	err := parse(t.secret)
	for _, prev := range t.previous {
		if !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			break
		}
		err = parse(prev) // signed before the rotation
	}
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, pause.Errorf(pause.EUNAUTHENTICATED, "The token has expired: get a new one.")
	case err != nil:
		return nil, pause.Errorf(pause.EUNAUTHENTICATED, "The token is not valid.")
	}
	role, ok := pause.ParseRole(c.Role)
	if !ok || c.Subject == "" {
		return nil, pause.Errorf(pause.EUNAUTHENTICATED, "The token names no known role or subject.")
	}
	return &pause.Viewer{Subject: c.Subject, Role: role}, nil
}

// LoadOrCreateSecret returns the secret kept in the file, creating the file with a new random
// secret (readable by its owner only) if it does not exist. It is for development, where
// Pause works without any set-up.
func LoadOrCreateSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		secret := strings.TrimSpace(string(b))
		if len(secret) < MinSecret {
			return nil, fmt.Errorf("auth: the secret in %s is shorter than %d bytes", path, MinSecret)
		}
		return []byte(secret), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("auth: read secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("auth: make secret: %w", err)
	}
	secret := hex.EncodeToString(raw)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("auth: make secret dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateSecret(path) // another process made it first
	} else if err != nil {
		return nil, fmt.Errorf("auth: write secret: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(secret + "\n"); err != nil {
		return nil, fmt.Errorf("auth: write secret: %w", err)
	}
	return []byte(secret), f.Close()
}

// Authenticate verifies an HS256 token; see Verify.
func (t *Tokens) Authenticate(_ context.Context, token string) (*pause.Viewer, error) {
	return t.Verify(token)
}

// Authenticator tells the kinds of credential apart and verifies each its own way: API keys
// (by their prefix) against the store, tokens of an external issuer (RS256/ES256) against its
// JWKS, and Pause's own HS256 tokens with the secret.
type Authenticator struct {
	// APIKey verifies API keys; nil refuses them.
	APIKey func(ctx context.Context, secret string) (*pause.Viewer, error)
	// Tokens verifies Pause's own tokens.
	Tokens *Tokens
	// JWKS, if set, verifies an external issuer's tokens.
	JWKS interface {
		Accepts(token string) bool
		Verify(ctx context.Context, token string) (*pause.Viewer, error)
	}
}

// Authenticate returns the viewer the credential stands for, or EUNAUTHENTICATED.
func (a *Authenticator) Authenticate(ctx context.Context, credential string) (*pause.Viewer, error) {
	switch {
	case strings.HasPrefix(credential, pause.APIKeyPrefix):
		if a.APIKey == nil {
			return nil, pause.Errorf(pause.EUNAUTHENTICATED, "API keys are not accepted here.")
		}
		return a.APIKey(ctx, credential)
	case a.JWKS != nil && a.JWKS.Accepts(credential):
		return a.JWKS.Verify(ctx, credential)
	case a.Tokens != nil:
		return a.Tokens.Verify(credential)
	}
	return nil, pause.Errorf(pause.EUNAUTHENTICATED, "The token is not valid.")
}

package pause

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// APIKeyPrefix starts every API key, so that keys are recognisable in code, logs and secret
// scanners, and told apart from JWTs.
const APIKeyPrefix = "pause_"

// APIKey is a credential for machines (builds, scripts): a secret shown once when it is made,
// of which only a hash is kept.
type APIKey struct {
	ID   string
	Name string
	Role Role
	// Hint is the start of the secret, enough for people to tell keys apart; never enough to
	// use one.
	Hint      string
	Hash      string // hex SHA-256 of the secret
	CreatedAt time.Time
	CreatedBy string
	RevokedAt *time.Time
}

// Revoked reports whether the key has been revoked.
func (k *APIKey) Revoked() bool { return k.RevokedAt != nil }

// KeyStore keeps API keys. Every method is safe for concurrent use.
type KeyStore interface {
	// CreateKey stores a new key, and its KeyCreatedEntry in the audit log in the same atomic
	// write; ECONFLICT if the id or the hash exists.
	CreateKey(ctx context.Context, k *APIKey) error
	// KeyByHash returns the key whose secret has the hash, revoked or not, or ENOTFOUND. It
	// reads the store every time: a revoked key must fail at once, on every server.
	KeyByHash(ctx context.Context, hash string) (*APIKey, error)
	// Keys returns every key, revoked ones included, newest first.
	Keys(ctx context.Context) ([]*APIKey, error)
	// RevokeKey marks the key revoked at the time by the subject by, and returns it; ENOTFOUND
	// if there is no such key. Revoking a revoked key keeps its first revocation time. The
	// revocation's KeyRevokedEntry goes in the audit log in the same atomic write.
	RevokeKey(ctx context.Context, id string, at time.Time, by string) (*APIKey, error)
}

// HashAPIKey returns the hash under which a key's secret is stored. The secrets are 160 random
// bits, so a fast hash is enough: nobody can guess one from its hash.
func HashAPIKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newAPIKeySecret() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return APIKeyPrefix + strings.ToLower(keyEncoding.EncodeToString(b))
}

// MaxKeyName is the longest name of an API key.
const MaxKeyName = 100

// CreateAPIKey makes a key with the role and returns it with its secret, which is shown this
// once: only its hash is stored. Admins only.
func (c *CMS) CreateAPIKey(ctx context.Context, name string, role Role) (*APIKey, string, error) {
	v := ViewerFrom(ctx)
	if err := v.Require(RoleAdmin); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	val := validator{}
	val.text("name", name, MaxKeyName, true)
	if val.err != nil {
		return nil, "", val.err
	}
	if role == RoleAnonymous || !role.IsValid() {
		return nil, "", FieldErrorf("role", "role must be VIEWER, EDITOR or ADMIN")
	}
	secret := newAPIKeySecret()
	k := &APIKey{
		ID: c.cfg.NewID(), Name: name, Role: role, Hint: secret[:len(APIKeyPrefix)+4],
		Hash: HashAPIKey(secret), CreatedAt: c.Now(), CreatedBy: v.Subject,
	}
	if err := c.cfg.Stores.Keys.CreateKey(ctx, k); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// APIKeys returns every API key, revoked ones included, newest first. Admins only.
func (c *CMS) APIKeys(ctx context.Context) ([]*APIKey, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	return c.cfg.Stores.Keys.Keys(ctx)
}

// RevokeAPIKey revokes the key: from now on it authenticates nobody. Admins only.
func (c *CMS) RevokeAPIKey(ctx context.Context, id string) (*APIKey, error) {
	v := ViewerFrom(ctx)
	if err := v.Require(RoleAdmin); err != nil {
		return nil, err
	}
	return c.cfg.Stores.Keys.RevokeKey(ctx, id, c.Now(), v.Subject)
}

// AuthenticateAPIKey returns the viewer an API key's secret stands for, or EUNAUTHENTICATED if
// it is no key or a revoked one.
func (c *CMS) AuthenticateAPIKey(ctx context.Context, secret string) (*Viewer, error) {
	bad := Errorf(EUNAUTHENTICATED, "The API key is not valid or has been revoked.")
	if !strings.HasPrefix(secret, APIKeyPrefix) || len(secret) > 100 {
		return nil, bad
	}
	hash := HashAPIKey(secret)
	k, err := c.cfg.Stores.Keys.KeyByHash(ctx, hash)
	if ErrorCode(err) == ENOTFOUND {
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hash)) != 1 || k.Revoked() {
		return nil, bad
	}
	return &Viewer{Subject: "apikey:" + k.ID, Role: k.Role}, nil
}

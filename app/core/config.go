// Package core is the part of Pause's wiring that needs no GraphQL: the settings every process
// shares (the store, the secret, the public address, single sign-on, logging, the collector),
// the stores they open, the access tokens, and the sign-in service under /auth/. Package app
// builds the API on it; the sign-in function (lambda, built with the tag authonly) serves
// /auth/ from it alone, so that its bootstrap links neither pause/graph, gqlgen, the server
// nor the studio, and has room for passkeys. It imports pause, accounts, auth, dynamo, bolt
// (unless built with nobolt), internal/edge and the standard library.
package core

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"pause/auth"
)

// Config holds the settings that the API and the sign-in function share, from the
// environment (FromEnv), overridden by flags.
type Config struct {
	Addr      string // PAUSE_ADDR
	Store     string // PAUSE_STORE: bolt or dynamodb
	Data      string // PAUSE_DATA: the bolt file
	Table     string // PAUSE_TABLE: the DynamoDB table
	Env       string // PAUSE_ENV: development or production
	JWTSecret string // PAUSE_JWT_SECRET
	LogLevel  string // PAUSE_LOG_LEVEL: debug, info, warn, error
	// JWTSecretPrevious is PAUSE_JWT_SECRET_PREVIOUS: during a rotation, the secret before,
	// which still verifies tokens (never signs them). Unset when no rotation is under way.
	JWTSecretPrevious string
	// JWTRoleClaim is PAUSE_JWT_ROLE_CLAIM: the claim that holds the role in an external
	// issuer's tokens and in single sign-on's ID tokens (e.g. cognito:groups).
	JWTRoleClaim string

	// The Go runtime's own settings, when the environment gives them (then TuneGC leaves the
	// collector alone), and the memory of a Lambda function (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, MB).
	GOGC, GOMEMLIMIT string
	LambdaMemoryMB   int

	// PublicURL is where browsers reach Pause (PAUSE_PUBLIC_URL), for setup links and the
	// studio's origin; see PublicBase.
	PublicURL string
	// Single sign-on with an OpenID Connect provider: its issuer URL, Pause's client id and
	// secret there (PAUSE_OIDC_ISSUER, PAUSE_OIDC_CLIENT_ID, PAUSE_OIDC_CLIENT_SECRET; on
	// Lambda the secret comes from SSM, PAUSE_OIDC_CLIENT_SECRET_PARAM). The role comes from
	// the ID token's claim PAUSE_JWT_ROLE_CLAIM.
	OIDCIssuer, OIDCClientID, OIDCClientSecret string
	// AdminEmail is the email of the first admin that `pause serve` creates in a store
	// without users (PAUSE_ADMIN_EMAIL).
	AdminEmail string
	// OriginSecret is PAUSE_ORIGIN_SECRET: comma-separated values of the header a CDN in front
	// of Pause sends (edge.OriginHeader); set, requests without one of them are refused.
	OriginSecret string

	// AWS loads the AWS SDK's configuration (region, credentials, endpoint) for the DynamoDB
	// store; it is not read from the environment here. cmd/pause loads the SDK's default chain
	// (config.LoadDefaultConfig: profiles, SSO, AWS_ENDPOINT_URL_DYNAMODB...); the Lambda
	// functions read only the variables Lambda sets, which keeps the SDK's credential chain,
	// and the time its packages take to initialize, out of their cold starts.
	AWS func(context.Context) (aws.Config, error)
}

// FromEnv reads the shared settings from the environment, with defaults for what is not set.
func FromEnv(getenv func(string) string) Config {
	or := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	mb, _ := strconv.Atoi(strings.TrimSpace(getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")))
	return Config{
		LambdaMemoryMB:    mb,
		Addr:              or("PAUSE_ADDR", ":8080"),
		Store:             or("PAUSE_STORE", "bolt"),
		Data:              or("PAUSE_DATA", "./data/pause.db"),
		Table:             or("PAUSE_TABLE", "pause"),
		Env:               or("PAUSE_ENV", "development"),
		JWTSecret:         getenv("PAUSE_JWT_SECRET"),
		LogLevel:          or("PAUSE_LOG_LEVEL", "info"),
		GOGC:              getenv("GOGC"),
		GOMEMLIMIT:        getenv("GOMEMLIMIT"),
		JWTRoleClaim:      or("PAUSE_JWT_ROLE_CLAIM", "role"),
		AdminEmail:        or("PAUSE_ADMIN_EMAIL", "admin@example.com"),
		OIDCIssuer:        strings.TrimRight(strings.TrimSpace(getenv("PAUSE_OIDC_ISSUER")), "/"),
		OIDCClientID:      strings.TrimSpace(getenv("PAUSE_OIDC_CLIENT_ID")),
		OIDCClientSecret:  strings.TrimSpace(getenv("PAUSE_OIDC_CLIENT_SECRET")),
		PublicURL:         strings.TrimRight(strings.TrimSpace(getenv("PAUSE_PUBLIC_URL")), "/"),
		JWTSecretPrevious: getenv("PAUSE_JWT_SECRET_PREVIOUS"),
		OriginSecret:      getenv("PAUSE_ORIGIN_SECRET"),
	}
}

// StoreFlags adds the flags that choose the store.
func (c *Config) StoreFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Store, "store", c.Store, "store: bolt or dynamodb (PAUSE_STORE)")
	fs.StringVar(&c.Data, "data", c.Data, "bolt store file (PAUSE_DATA)")
	fs.StringVar(&c.Table, "table", c.Table, "DynamoDB table (PAUSE_TABLE)")
}

// Check reports the first shared setting that is not valid.
func (c Config) Check() error {
	if c.Env != "development" && c.Env != "production" {
		return fmt.Errorf("PAUSE_ENV must be development or production, not %q", c.Env)
	}
	if c.Store != "bolt" && c.Store != "dynamodb" {
		return fmt.Errorf("PAUSE_STORE must be bolt or dynamodb, not %q", c.Store)
	}
	return nil
}

// Development reports whether Pause runs in development mode.
func (c Config) Development() bool { return c.Env == "development" }

// Logger returns a JSON logger at the configured level.
func (c Config) Logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// Secret returns the JWT secret: PAUSE_JWT_SECRET, or in development a random secret kept in a
// file beside the data file, made on first use. Production without a secret is an error.
func (c Config) Secret() ([]byte, error) {
	if c.JWTSecret != "" {
		if len(c.JWTSecret) < auth.MinSecret {
			return nil, fmt.Errorf("PAUSE_JWT_SECRET must be at least %d bytes long", auth.MinSecret)
		}
		return []byte(c.JWTSecret), nil
	}
	if !c.Development() {
		return nil, errors.New("PAUSE_JWT_SECRET is not set: production needs a secret of at least 32 bytes (e.g. openssl rand -hex 32)")
	}
	return auth.LoadOrCreateSecret(c.SecretFile())
}

// SecretFile is where the development secret is kept: beside the data file.
func (c Config) SecretFile() string { return filepath.Join(filepath.Dir(c.Data), "jwt-secret") }

// Tokens returns the secret and Pause's access tokens signed with it, which also verify those
// of the previous secret during a rotation.
func (c Config) Tokens() ([]byte, *auth.Tokens, error) {
	secret, err := c.Secret()
	if err != nil {
		return nil, nil, err
	}
	tokens, err := auth.NewTokens(secret)
	if err != nil {
		return nil, nil, err
	}
	if prev := strings.TrimSpace(c.JWTSecretPrevious); prev != "" {
		if err := tokens.AcceptPrevious([]byte(prev)); err != nil {
			return nil, nil, fmt.Errorf("PAUSE_JWT_SECRET_PREVIOUS: %w", err)
		}
	}
	return secret, tokens, nil
}

// GCPercent is the garbage collector's target that TuneGC sets: the heap may grow to five
// times what is live before a collection, instead of Go's default of twice. Serving allocates
// much and keeps little (the content and, on the embedded store, the public answers), so
// collections are most of the cost of a request at the default: make bench measured 388 µs of
// CPU per executed seed-page request at GOGC=100 and 239 µs at 400 (docs/PERFORMANCE.md).
const GCPercent = 400

// TuneGC sets the garbage collector for serving: GCPercent, unless GOGC is set, and in Lambda a
// soft memory limit of 80% of the function's memory, unless GOMEMLIMIT is set, so that the
// larger target never runs the function out of memory (the collector works harder near the
// limit instead).
func (c Config) TuneGC() {
	if c.GOGC == "" {
		debug.SetGCPercent(GCPercent)
	}
	if c.GOMEMLIMIT == "" && c.LambdaMemoryMB > 0 {
		debug.SetMemoryLimit(int64(c.LambdaMemoryMB) << 20 / 10 * 8)
	}
}

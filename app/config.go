// Package app turns Pause's configuration into a running Pause: it reads the settings (through
// a getenv function, so that only cmd/pause and lambda touch the real environment), opens the
// configured stores, and builds the CMS and the HTTP handler. cmd/pause and lambda share it, so
// that the local server and the Lambda function are wired the same way.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"pause"
	"pause/auth"
	"pause/graph"
	"pause/ids"
	"pause/markdown"
	"pause/server"
)

// Config is Pause's configuration: the environment's, overridden by flags.
type Config struct {
	Addr        string // PAUSE_ADDR
	Store       string // PAUSE_STORE: bolt or dynamodb
	Data        string // PAUSE_DATA: the bolt file
	Table       string // PAUSE_TABLE: the DynamoDB table
	Env         string // PAUSE_ENV: development or production
	JWTSecret   string // PAUSE_JWT_SECRET
	CORSOrigins string // PAUSE_CORS_ORIGINS, comma-separated
	CORSHeaders string // PAUSE_CORS_HEADERS, comma-separated, beside server.DefaultCORSHeaders
	LogLevel    string // PAUSE_LOG_LEVEL: debug, info, warn, error
	// PublicCache is PAUSE_PUBLIC_CACHE: on (the default) or off. On, answers to anonymous
	// queries are kept while the content generation is unchanged (server.Config's
	// PublicVersion), on either store: each request reads the generation once (on DynamoDB,
	// one strongly consistent GetItem), which sees the writes of every process.
	PublicCache string

	// The API's limits and caching (server.Config) and the revisions kept (pause.Config): zero
	// values take the defaults. FromEnv reads them (api.go); a malformed one is an error that
	// Check reports, naming the variable.
	Introspection    bool          // PAUSE_INTROSPECTION: true opens the schema in production
	RequestTimeout   time.Duration // PAUSE_REQUEST_TIMEOUT
	CacheMaxAge      time.Duration // PAUSE_CACHE_MAX_AGE; negative: nothing publicly cacheable
	MaxBodyBytes     int64         // PAUSE_MAX_BODY_BYTES
	PersistedQueries int           // PAUSE_PERSISTED_QUERIES; negative: none (APQ off)
	PublicCacheSize  int           // PAUSE_PUBLIC_CACHE_SIZE
	KeepRevisions    int           // PAUSE_KEEP_REVISIONS, for pause.Config
	Limits           graph.Limits  // PAUSE_MAX_TOKENS, PAUSE_MAX_DEPTH... (api.go)
	envErr           error         // the first malformed variable FromEnv met

	// The Go runtime's own settings, when the environment gives them (then TuneGC leaves the
	// collector alone), and the memory of a Lambda function (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, MB).
	GOGC, GOMEMLIMIT string
	LambdaMemoryMB   int

	// An external issuer (e.g. an Amazon Cognito user pool) whose RS256/ES256 tokens are
	// accepted beside Pause's own: its JWKS URL, the iss and aud its tokens must carry, and the
	// claim that holds the role (e.g. cognito:groups).
	JWKSURL      string // PAUSE_JWKS_URL
	JWTIssuer    string // PAUSE_JWT_ISSUER
	JWTAudience  string // PAUSE_JWT_AUDIENCE
	JWTRoleClaim string // PAUSE_JWT_ROLE_CLAIM

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
	// JWTSecretPrevious is PAUSE_JWT_SECRET_PREVIOUS: during a rotation, the secret before,
	// which still verifies tokens (never signs them). Unset when no rotation is under way.
	JWTSecretPrevious string
	// OriginSecret is PAUSE_ORIGIN_SECRET: comma-separated values of the header a CDN in front
	// of Pause sends (server.OriginHeader); set, requests without one of them are refused.
	OriginSecret string

	// AWS loads the AWS SDK's configuration (region, credentials, endpoint) for the DynamoDB
	// store; it is not read from the environment here. cmd/pause loads the SDK's default chain
	// (config.LoadDefaultConfig: profiles, SSO, AWS_ENDPOINT_URL_DYNAMODB...); the Lambda
	// function reads only the variables Lambda sets, which keeps the SDK's credential chain,
	// and the time its packages take to initialize, out of the function's cold start.
	AWS func(context.Context) (aws.Config, error)

	// Media is the media library's storage (PAUSE_MEDIA_*; app/media.go).
	Media mediaConfig
	// DiskMedia opens the media library's files on disk (media.OpenDisk), with the embedded
	// store; it is not read from the environment here. cmd/pause sets it; the Lambda function
	// does not (its files are in S3), so that it never carries the local upload endpoint
	// and file server (about 80 KB of the bootstrap's budget).
	DiskMedia func(dir string, secret []byte, base string, maxBytes int64) (pause.Blobs, error)

	// GraphiQL serves the GraphiQL page and its assets in development (package graphiql's
	// Handler); it is not read from the environment here. cmd/pause sets it; the Lambda
	// function does not, so that it never carries GraphiQL's assets (server.Config.GraphiQL).
	GraphiQL http.Handler
}

// FromEnv reads the configuration from the environment, with defaults for what is not set.
func FromEnv(getenv func(string) string) Config {
	or := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	mb, _ := strconv.Atoi(strings.TrimSpace(getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")))
	c := Config{
		LambdaMemoryMB:    mb,
		Addr:              or("PAUSE_ADDR", ":8080"),
		Store:             or("PAUSE_STORE", "bolt"),
		Data:              or("PAUSE_DATA", "./data/pause.db"),
		Table:             or("PAUSE_TABLE", "pause"),
		Env:               or("PAUSE_ENV", "development"),
		JWTSecret:         getenv("PAUSE_JWT_SECRET"),
		CORSOrigins:       getenv("PAUSE_CORS_ORIGINS"),
		CORSHeaders:       getenv("PAUSE_CORS_HEADERS"),
		LogLevel:          or("PAUSE_LOG_LEVEL", "info"),
		PublicCache:       or("PAUSE_PUBLIC_CACHE", "on"),
		GOGC:              getenv("GOGC"),
		GOMEMLIMIT:        getenv("GOMEMLIMIT"),
		JWKSURL:           getenv("PAUSE_JWKS_URL"),
		JWTIssuer:         getenv("PAUSE_JWT_ISSUER"),
		JWTAudience:       getenv("PAUSE_JWT_AUDIENCE"),
		JWTRoleClaim:      or("PAUSE_JWT_ROLE_CLAIM", "role"),
		AdminEmail:        or("PAUSE_ADMIN_EMAIL", "admin@example.com"),
		OIDCIssuer:        strings.TrimRight(strings.TrimSpace(getenv("PAUSE_OIDC_ISSUER")), "/"),
		OIDCClientID:      strings.TrimSpace(getenv("PAUSE_OIDC_CLIENT_ID")),
		OIDCClientSecret:  strings.TrimSpace(getenv("PAUSE_OIDC_CLIENT_SECRET")),
		PublicURL:         strings.TrimRight(strings.TrimSpace(getenv("PAUSE_PUBLIC_URL")), "/"),
		JWTSecretPrevious: getenv("PAUSE_JWT_SECRET_PREVIOUS"),
		OriginSecret:      getenv("PAUSE_ORIGIN_SECRET"),
	}
	c.readAPI(getenv)
	return c
}

// StoreFlags adds the flags that choose the store.
func (c *Config) StoreFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Store, "store", c.Store, "store: bolt or dynamodb (PAUSE_STORE)")
	fs.StringVar(&c.Data, "data", c.Data, "bolt store file (PAUSE_DATA)")
	fs.StringVar(&c.Table, "table", c.Table, "DynamoDB table (PAUSE_TABLE)")
}

// Check reports the first setting that is not valid.
func (c Config) Check() error {
	if c.envErr != nil {
		return c.envErr
	}
	if c.Env != "development" && c.Env != "production" {
		return fmt.Errorf("PAUSE_ENV must be development or production, not %q", c.Env)
	}
	if c.Store != "bolt" && c.Store != "dynamodb" {
		return fmt.Errorf("PAUSE_STORE must be bolt or dynamodb, not %q", c.Store)
	}
	if c.PublicCache != "on" && c.PublicCache != "off" {
		return fmt.Errorf("PAUSE_PUBLIC_CACHE must be on or off, not %q", c.PublicCache)
	}
	for _, h := range c.AllowedHeaders() {
		if h != "*" && !headerName(h) {
			return fmt.Errorf("PAUSE_CORS_HEADERS must be comma-separated header names: %q is not one", h)
		}
	}
	return nil
}

// headerName reports whether s is an HTTP field name (RFC 9110's token).
func headerName(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return s != ""
}

// Development reports whether Pause runs in development mode.
func (c Config) Development() bool { return c.Env == "development" }

// Origins returns the CORS origins.
func (c Config) Origins() []string {
	var out []string
	for _, o := range strings.Split(c.CORSOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// AllowedHeaders returns the request headers that PAUSE_CORS_HEADERS adds to the CORS
// preflight's defaults.
func (c Config) AllowedHeaders() []string {
	var out []string
	for _, h := range strings.Split(c.CORSHeaders, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

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

// Open opens the configured stores and returns the CMS over them, and a function that closes
// them.
func (c Config) Open(ctx context.Context) (*pause.CMS, func() error, error) {
	if err := c.Check(); err != nil {
		return nil, nil, err
	}
	blobs, err := c.mediaBlobs(ctx)
	if err != nil {
		return nil, nil, err
	}
	var stores pause.Stores
	var closer func() error
	switch c.Store {
	case "bolt":
		var err error
		if stores, closer, err = openBolt(c.Data); err != nil {
			return nil, nil, err
		}
	case "dynamodb":
		s, err := c.openDynamo(ctx)
		if err != nil {
			return nil, nil, err
		}
		stores, closer = s, func() error { return nil }
	}
	cms := pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New, DeriveID: ids.Derive,
		KeepRevisions: c.KeepRevisions, PublicURL: c.PublicBase(), Blobs: blobs, MediaMaxBytes: c.Media.MaxBytes})
	return cms, closer, nil
}

// System returns a context for the CLI's own work (import, export, first-start seeding).
func System(ctx context.Context) context.Context {
	return pause.NewContext(ctx, &pause.Viewer{Subject: "pause-cli", Role: pause.RoleAdmin})
}

// Handler returns the HTTP handler for the configuration: the API over cms, with tokens signed
// by the configured secret.
func (c Config) Handler(cms *pause.CMS, log *slog.Logger) (http.Handler, error) {
	secret, err := c.Secret()
	if err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokens(secret)
	if err != nil {
		return nil, err
	}
	if prev := strings.TrimSpace(c.JWTSecretPrevious); prev != "" {
		if err := tokens.AcceptPrevious([]byte(prev)); err != nil {
			return nil, fmt.Errorf("PAUSE_JWT_SECRET_PREVIOUS: %w", err)
		}
	}
	authn := &auth.Authenticator{APIKey: cms.AuthenticateAPIKey, Tokens: tokens}
	if c.JWKSURL != "" {
		jwks, err := auth.NewJWKS(context.Background(), auth.JWKSConfig{
			URL: c.JWKSURL, Issuer: c.JWTIssuer, Audience: c.JWTAudience, RoleClaim: c.JWTRoleClaim,
		})
		if err != nil {
			return nil, fmt.Errorf("PAUSE_JWKS_URL: %w", err)
		}
		authn.JWKS = jwks
	}
	if c.Introspection && !c.Development() {
		log.Warn("PAUSE_INTROSPECTION=true: introspection, field suggestions and GraphiQL are on in production")
	}
	accounts, err := c.accounts(cms, secret, tokens, log)
	if err != nil {
		return nil, err
	}
	var version func(context.Context) (string, error)
	if c.PublicCache == "on" {
		version = cms.PublicVersion()
	}
	hooks, err := c.Webhooks(cms)
	if err != nil {
		return nil, err
	}
	h := server.New(server.Config{
		CMS: cms, Auth: authn, Logger: log, Development: c.Development(), CORSOrigins: c.Origins(),
		PublicVersion: version, Webhooks: hooks, PublicCacheSize: c.PublicCacheSize,
		CORSHeaders: c.AllowedHeaders(), GraphiQL: c.GraphiQL,
		Introspection: c.Introspection, RequestTimeout: c.RequestTimeout, CacheMaxAge: c.CacheMaxAge,
		MaxBodyBytes: c.MaxBodyBytes, PersistedQueries: c.PersistedQueries, Limits: c.Limits,
		Idempotency: cms.Idempotency(), Accounts: accounts,
		OriginSecrets: strings.Split(c.OriginSecret, ","), Media: mediaHandler(cms),
	})
	if c.Store == "dynamodb" {
		h = meterDynamo(log, h)
	}
	return h, nil
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

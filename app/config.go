// Package app turns Pause's configuration into a running Pause: it reads the settings (through
// a getenv function, so that only cmd/pause and lambda touch the real environment), opens the
// configured stores, and builds the CMS and the HTTP handler. cmd/pause and lambda share it, so
// that the local server and the Lambda function are wired the same way. What needs no GraphQL
// (the shared settings, the stores, the tokens, sign-in under /auth/) is its subpackage core,
// which the sign-in function is built from alone.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"pause"
	"pause/app/core"
	"pause/auth"
	"pause/graph"
	"pause/ids"
	"pause/markdown"
	"pause/server"
)

// Config is Pause's configuration: the environment's, overridden by flags. The settings the
// sign-in function shares (the store, the secret, the public address, single sign-on...) are
// core.Config's; the rest are the API's.
type Config struct {
	core.Config

	CORSOrigins string // PAUSE_CORS_ORIGINS, comma-separated
	CORSHeaders string // PAUSE_CORS_HEADERS, comma-separated, beside server.DefaultCORSHeaders
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

	// An external issuer (e.g. an Amazon Cognito user pool) whose RS256/ES256 tokens are
	// accepted beside Pause's own: its JWKS URL, and the iss and aud its tokens must carry
	// (the claim that holds the role is core.Config's JWTRoleClaim).
	JWKSURL     string // PAUSE_JWKS_URL
	JWTIssuer   string // PAUSE_JWT_ISSUER
	JWTAudience string // PAUSE_JWT_AUDIENCE

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
	c := Config{
		Config:      core.FromEnv(getenv),
		CORSOrigins: getenv("PAUSE_CORS_ORIGINS"),
		CORSHeaders: getenv("PAUSE_CORS_HEADERS"),
		PublicCache: or("PAUSE_PUBLIC_CACHE", "on"),
		JWKSURL:     getenv("PAUSE_JWKS_URL"),
		JWTIssuer:   getenv("PAUSE_JWT_ISSUER"),
		JWTAudience: getenv("PAUSE_JWT_AUDIENCE"),
	}
	c.readAPI(getenv)
	return c
}

// Check reports the first setting that is not valid.
func (c Config) Check() error {
	if c.envErr != nil {
		return c.envErr
	}
	if err := c.Config.Check(); err != nil {
		return err
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
	stores, closer, err := c.OpenStores(ctx)
	if err != nil {
		return nil, nil, err
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
	secret, tokens, err := c.Tokens()
	if err != nil {
		return nil, err
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
	accounts, err := c.Accounts(cms.Stores(), secret, tokens, log)
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
	return c.MeterDynamo(log, h), nil
}

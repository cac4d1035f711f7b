// Command lambda is Pause on AWS Lambda: the bootstrap of a provided.al2023 function behind
// API Gateway. It serves the same handler as `pause serve` (app.Config.Handler), wrapped by
// aws-lambda-go-api-proxy, which turns API Gateway events into http.Requests and responses
// back into events.
//
// Everything is built once, at init: the configuration (from the environment only, AWS's
// included: see aws.go), the JWT secret (from SSM Parameter Store, see secret.go), the store's
// client, the schema and the handler. Each invoke then only runs the handler. In Lambda, production is the default
// (PAUSE_ENV=production) and so is the DynamoDB store (PAUSE_STORE=dynamodb).
//
// The Lambda-specific settings, beside app's PAUSE_* variables:
//
//	PAUSE_LAMBDA_EVENT       v2 (default): API Gateway HTTP API events, payload format 2.0;
//	                         v1: REST API (and HTTP API payload 1.0) proxy events
//	PAUSE_JWT_SECRET_PARAM   name of the SSM SecureString parameter that holds the JWT secret,
//	                         read once at init; instead of PAUSE_JWT_SECRET, which would put the
//	                         secret in the function's configuration in plain text
//	PAUSE_COMMIT             the commit deployed, logged in the "ready" line
//
// It logs JSON lines with the ids of each invocation (logs.go), at AWS_LAMBDA_LOG_LEVEL when
// Lambda sets it, and writes the GraphQL operations' metrics as EMF log lines (metrics.go).
//
// One package, two functions, chosen by a build tag (make lambda builds both). The API's
// (api.go; the tag noaccounts: dist/api/bootstrap in dist/pause-lambda.zip) serves /graphql,
// /healthz and the studio, and the webhook worker; the sign-in function's (auth.go; the tag
// authonly: dist/auth/bootstrap in dist/pause-auth.zip) serves /auth/, passkeys included,
// from app/core alone. A tag rather than a second main package: main, the secrets' read,
// the AWS configuration, the logs and the ready line are the same code in both builds, with
// their tests, and nothing has to move to be shared; each build links only its own
// newHandler's wiring (TestBootstrapImports holds both).
//
// The deployed bootstraps (the tag nobolt) have no embedded store: every instance would have
// its own file, lost when the instance goes. Built without the tags, as the in-process tests
// build it, the API's serves /auth/ too and PAUSE_STORE=bolt works (PAUSE_DATA under /tmp,
// the only writable place).
//
// It imports app (the API's; through it server, graph and the stores) or app/core (the
// sign-in function's), aws-lambda-go, aws-lambda-go-api-proxy and, of the AWS SDK, only the
// DynamoDB client and the request signer: a cold start pays for the initialization of every
// package linked in (docs/PERFORMANCE.md), so neither the SDK's SSM client nor its default
// configuration chain is.
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"pause/app/core"
)

// The environment variables that only the Lambda reads.
const (
	envEvent       = "PAUSE_LAMBDA_EVENT"
	envSecretParam = "PAUSE_JWT_SECRET_PARAM"
	// envCommit is the commit the function was built from (infra/deploy.sh sets it): in the
	// "ready" line, and the reason each deploy of a new commit publishes a new version.
	envCommit = "PAUSE_COMMIT"
	// envRotation marks a rotation of the JWT secret (infra/rotate-secret.sh): its change makes
	// a new version, whose execution environments read the secrets again. It is logged only.
	envRotation = "PAUSE_JWT_SECRET_ROTATION"
)

// Defaults that differ from `pause serve`'s: a Lambda function is a production deployment on
// DynamoDB unless told otherwise.
const (
	defaultEnv   = "production"
	defaultStore = "dynamodb"
)

// processStart is when the process started (close enough: when its package variables were set),
// for the init duration the function logs once it is ready.
var processStart = time.Now()

func main() {
	err := run(context.Background(), os.Getenv, os.Stderr, ssmSecret(os.Getenv), func(handler any) { lambda.Start(handler) })
	if err != nil {
		// The runtime reports the exit as an init error; the message is in the function's log.
		fmt.Fprintln(os.Stderr, "pause-lambda:", err)
		os.Exit(1)
	}
}

// secretFunc returns the values of the secret parameters among names that exist, by name.
type secretFunc func(ctx context.Context, names ...string) (map[string]string, error)

// run builds the event handler from the environment, once, and hands it to start, which
// serves events for as long as the execution environment lives. getenv is the only way it
// reads configuration; secret reads the JWT secret's parameter; logs go to stderr.
func run(ctx context.Context, getenv func(string) string, stderr io.Writer, secret secretFunc, start func(handler any)) error {
	handler, err := newHandler(ctx, getenv, stderr, secret)
	if err != nil {
		return err
	}
	start(handler)
	return nil
}

// serve returns what lambda.Start serves for h, the handler of the function named name (api,
// auth): h measured (metrics.go), behind aws-lambda-go-api-proxy's adapter for the kind of
// event, v1 (REST API) or v2 (HTTP API, the default), once the ready line is written.
func (fn function) serve(h http.Handler, name string) any {
	metrics := &operationMetrics{w: fn.stderr, function: fn.getenv("AWS_LAMBDA_FUNCTION_NAME"), now: time.Now}
	h = metrics.wrap(h)
	logReady(fn.log, fn.getenv, fn.cfg, name, fn.event)
	if fn.event == "v1" {
		return httpadapter.New(h).ProxyWithContext
	}
	return httpadapter.NewV2(h).ProxyWithContext
}

// function is what both functions' newHandler start from: the environment with the secrets
// read (lambdaEnv), the kind of event, the shared settings with the function's AWS
// configuration, and the logger.
type function struct {
	env    func(string) string
	event  string
	cfg    core.Config
	log    *slog.Logger
	getenv func(string) string // the environment as Lambda gave it
	stderr io.Writer
}

// prepare reads the function's configuration, once, at init: the secrets from SSM, the kind
// of event (PAUSE_LAMBDA_EVENT: "" or one of events, described by want), the shared settings
// with the AWS configuration from Lambda's variables (aws.go) and the log level from
// AWS_LAMBDA_LOG_LEVEL over the configured one (logLevel); it tunes the collector, and returns
// the JSON logger on stderr with the invocation's ids on every line (logs.go).
func prepare(ctx context.Context, getenv func(string) string, stderr io.Writer, secret secretFunc, want string, events ...string) (function, error) {
	env, err := lambdaEnv(ctx, getenv, secret)
	if err != nil {
		return function{}, err
	}
	event := strings.ToLower(strings.TrimSpace(getenv(envEvent)))
	if event != "" && !slices.Contains(events, event) {
		return function{}, fmt.Errorf("%s must be %s, not %q", envEvent, want, event)
	}
	cfg := core.FromEnv(env)
	cfg.AWS = func(context.Context) (aws.Config, error) { return awsConfig(env) }
	cfg.LogLevel = logLevel(getenv, cfg.LogLevel)
	log := slog.New(invocationHandler{cfg.Logger(stderr).Handler()})
	cfg.TuneGC()
	if cfg.Store == "bolt" {
		log.Warn("the bolt store in Lambda is for tests only: each instance has its own file, lost with the instance",
			"data", cfg.Data)
	}
	return function{env: env, event: event, cfg: cfg, log: log, getenv: getenv, stderr: stderr}, nil
}

// logReady writes the line that says the function is ready to serve, with the time its init
// took (BenchmarkColdStart reads it) and what it runs: the function (api, worker or auth),
// the environment, the store, the kind of event, the commit and the secret's rotation.
func logReady(log *slog.Logger, getenv func(string) string, cfg core.Config, function, event string) {
	log.Info("ready", "init_ms", float64(time.Since(processStart).Microseconds())/1000, "function", function,
		"env", cfg.Env, "store", cfg.Store, "event", cmp.Or(event, "v2"), "commit", getenv(envCommit), "level", cfg.LogLevel,
		"secret_rotation", getenv(envRotation), "previous_secret", cfg.JWTSecretPrevious != "")
}

// lambdaEnv returns getenv with the Lambda's defaults (production, DynamoDB) and with
// PAUSE_JWT_SECRET read from the parameter named by PAUSE_JWT_SECRET_PARAM, if set, and
// PAUSE_JWT_SECRET_PREVIOUS from that name and "-previous", if that parameter exists (during a
// rotation). Setting both PAUSE_JWT_SECRET and PAUSE_JWT_SECRET_PARAM is refused: one of them
// would be silently ignored.
func lambdaEnv(ctx context.Context, getenv func(string) string, secret secretFunc) (func(string) string, error) {
	var jwtSecret, jwtPrevious string
	if name := strings.TrimSpace(getenv(envSecretParam)); name != "" {
		if getenv("PAUSE_JWT_SECRET") != "" {
			return nil, fmt.Errorf("both PAUSE_JWT_SECRET and %s are set: set only %s", envSecretParam, envSecretParam)
		}
		values, err := secret(ctx, name, name+previousSuffix)
		if err != nil {
			return nil, err
		}
		v, ok := values[name]
		if !ok {
			return nil, fmt.Errorf("the parameter %s (%s) does not exist (ParameterNotFound)", name, envSecretParam)
		}
		jwtSecret = strings.TrimSpace(v)
		if jwtSecret == "" {
			return nil, fmt.Errorf("the parameter %s (%s) is empty", name, envSecretParam)
		}
		jwtPrevious = strings.TrimSpace(values[name+previousSuffix])
	}
	oidcSecret, err := oidcClientSecret(ctx, getenv, secret)
	if err != nil {
		return nil, err
	}
	return func(key string) string {
		v := getenv(key)
		switch {
		case key == "PAUSE_JWT_SECRET" && jwtSecret != "":
			return jwtSecret
		case key == "PAUSE_OIDC_CLIENT_SECRET" && oidcSecret != "":
			return oidcSecret
		case key == "PAUSE_JWT_SECRET_PREVIOUS" && jwtSecret != "":
			return jwtPrevious
		case strings.TrimSpace(v) != "":
			return v
		case key == "PAUSE_ENV":
			return defaultEnv
		case key == "PAUSE_STORE":
			return defaultStore
		}
		return v
	}, nil
}

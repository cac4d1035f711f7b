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
// The deployed bootstrap (make lambda: the tag nobolt) has no embedded store: every instance
// would have its own file, lost when the instance goes. Built without the tag, as the in-process
// tests build it, PAUSE_STORE=bolt works (PAUSE_DATA under /tmp, the only writable place).
//
// Build it with `make lambda`: dist/bootstrap and dist/pause-lambda.zip. It imports app (and
// through it server, graph and the stores), aws-lambda-go, aws-lambda-go-api-proxy and, of the
// AWS SDK, only the DynamoDB client and the request signer: a cold start pays for the
// initialization of every package linked in (docs/PERFORMANCE.md), so neither the SDK's SSM
// client nor its default configuration chain is.
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"pause/app"
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

// newHandler returns the function that lambda.Start serves: the API's http.Handler behind the
// adapter for the configured kind of event.
func newHandler(ctx context.Context, getenv func(string) string, stderr io.Writer, secret secretFunc) (any, error) {
	env, err := lambdaEnv(ctx, getenv, secret)
	if err != nil {
		return nil, err
	}
	event := strings.ToLower(strings.TrimSpace(getenv(envEvent)))
	if event != "" && event != "v1" && event != "v2" && event != "worker" {
		return nil, fmt.Errorf("%s must be v2 (HTTP API), v1 (REST API) or worker (lambda/worker.go), not %q", envEvent, event)
	}
	cfg := app.FromEnv(env)
	cfg.AWS = func(context.Context) (aws.Config, error) { return awsConfig(env) }
	cfg.LogLevel = logLevel(getenv, cfg.LogLevel)
	log := slog.New(invocationHandler{cfg.Logger(stderr).Handler()})
	cfg.TuneGC()
	if cfg.Store == "bolt" {
		log.Warn("the bolt store in Lambda is for tests only: each instance has its own file, lost with the instance",
			"data", cfg.Data)
	}
	// The store lives as long as the execution environment; Lambda gives no chance to close it.
	cms, _, err := cfg.Open(ctx)
	if err != nil {
		return nil, err
	}
	if event == "worker" {
		return newWorker(cfg, cms, log)
	}
	h, err := cfg.Handler(cms, log)
	if err != nil {
		return nil, err
	}
	metrics := &operationMetrics{w: stderr, function: getenv("AWS_LAMBDA_FUNCTION_NAME"), now: time.Now}
	h = metrics.wrap(h)
	log.Info("ready", "init_ms", float64(time.Since(processStart).Microseconds())/1000,
		"env", cfg.Env, "store", cfg.Store, "event", cmp.Or(event, "v2"), "commit", getenv(envCommit), "level", cfg.LogLevel,
		"secret_rotation", getenv(envRotation), "previous_secret", cfg.JWTSecretPrevious != "")
	if event == "v1" {
		return httpadapter.New(h).ProxyWithContext, nil
	}
	return httpadapter.NewV2(h).ProxyWithContext, nil
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

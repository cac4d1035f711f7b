//go:build !authonly

package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"pause/app"
)

// The API's function (make lambda: dist/pause-lambda.zip), and the webhook worker with
// PAUSE_LAMBDA_EVENT=worker: /graphql, /healthz and the studio over app's whole wiring. Built
// with the tag authonly, the bootstrap is the sign-in function instead (auth.go).

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
	log := functionLogger(getenv, &cfg.Config, stderr)
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
	logReady(log, getenv, cfg.Config, "api", event)
	return lambdaAdapter(h, event), nil
}

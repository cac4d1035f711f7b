//go:build !authonly

package main

import (
	"context"
	"io"

	"pause/app"
)

// The API's function (make lambda: dist/pause-lambda.zip), and the webhook worker with
// PAUSE_LAMBDA_EVENT=worker: /graphql, /healthz and the studio over app's whole wiring. Built
// with the tag authonly, the bootstrap is the sign-in function instead (auth.go).

// newHandler returns the function that lambda.Start serves: the API's http.Handler behind the
// adapter for the configured kind of event.
func newHandler(ctx context.Context, getenv func(string) string, stderr io.Writer, secret secretFunc) (any, error) {
	fn, err := prepare(ctx, getenv, stderr, secret, "v2 (HTTP API), v1 (REST API) or worker (lambda/worker.go)", "v2", "v1", "worker")
	if err != nil {
		return nil, err
	}
	cfg := app.FromEnv(fn.env)
	cfg.Config = fn.cfg
	// The store lives as long as the execution environment; Lambda gives no chance to close it.
	cms, _, err := cfg.Open(ctx)
	if err != nil {
		return nil, err
	}
	if fn.event == "worker" {
		return newWorker(cfg, cms, fn.log)
	}
	h, err := cfg.Handler(cms, fn.log)
	if err != nil {
		return nil, err
	}
	return fn.serve(h, "api"), nil
}

//go:build authonly

package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"pause/app/core"
)

// The sign-in function (make lambda: dist/pause-auth.zip): the same main, built with the tag
// authonly, serves /auth/ alone (core.Config.AuthHandler): setup links, password and TOTP,
// passkeys, single sign-on, sessions and access tokens. It is built from app/core, without
// app, so that it links neither the GraphQL executor, the server nor the studio, and has room
// in its 15 MB budget for go-webauthn (the API's bootstrap, built with noaccounts, has none).
// It shares everything else with the API's function: the SSM read of the secrets (secret.go,
// oidc.go), the AWS configuration (aws.go), the JSON logs with the invocation's ids (logs.go)
// and the ready line. The deployment's API routes /auth/ to it; its role reaches only the
// account items of the table (infra/template.yaml's AuthFunctionRole).

// newHandler returns the function that lambda.Start serves: the sign-in handler behind the
// adapter for the configured kind of event.
func newHandler(ctx context.Context, getenv func(string) string, stderr io.Writer, secret secretFunc) (any, error) {
	env, err := lambdaEnv(ctx, getenv, secret)
	if err != nil {
		return nil, err
	}
	event := strings.ToLower(strings.TrimSpace(getenv(envEvent)))
	if event != "" && event != "v1" && event != "v2" {
		return nil, fmt.Errorf("%s must be v2 (HTTP API) or v1 (REST API) for the sign-in function, not %q", envEvent, event)
	}
	cfg := core.FromEnv(env)
	cfg.AWS = func(context.Context) (aws.Config, error) { return awsConfig(env) }
	log := functionLogger(getenv, &cfg, stderr)
	cfg.TuneGC()
	if cfg.Store == "bolt" {
		log.Warn("the bolt store in Lambda is for tests only: each instance has its own file, lost with the instance",
			"data", cfg.Data)
	}
	// The store lives as long as the execution environment; Lambda gives no chance to close it.
	stores, _, err := cfg.OpenStores(ctx)
	if err != nil {
		return nil, err
	}
	h, err := cfg.AuthHandler(stores, log)
	if err != nil {
		return nil, err
	}
	logReady(log, getenv, cfg, "auth", event)
	return lambdaAdapter(h, event), nil
}

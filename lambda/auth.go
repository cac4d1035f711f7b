//go:build authonly

package main

import (
	"context"
	"io"
)

// The sign-in function (make lambda: dist/pause-auth.zip): the same main, built with the tag
// authonly, serves /auth/ alone (core.Config.AuthHandler): setup links, password and TOTP,
// passkeys, single sign-on, sessions and access tokens. It is built from app/core, without
// app, so that it links neither the GraphQL executor, the server nor the studio, and has room
// in its 15 MB budget for go-webauthn (the API's bootstrap, built with noaccounts, has none).
// It shares everything else with the API's function: the SSM read of the secrets (secret.go,
// oidc.go), the AWS configuration (aws.go), the JSON logs with the invocation's ids (logs.go),
// the EMF metrics (metrics.go: its sign-in lines) and the ready line, the configuration
// (prepare). The deployment's API routes /auth/ to it; its role reaches only the account
// items of the table (infra/template.yaml's AuthFunctionRole).

// newHandler returns the function that lambda.Start serves: the sign-in handler behind the
// adapter for the configured kind of event.
func newHandler(ctx context.Context, getenv func(string) string, stderr io.Writer, secret secretFunc) (any, error) {
	fn, err := prepare(ctx, getenv, stderr, secret, "v2 (HTTP API) or v1 (REST API) for the sign-in function", "v2", "v1")
	if err != nil {
		return nil, err
	}
	// The store lives as long as the execution environment; Lambda gives no chance to close it.
	stores, _, err := fn.cfg.OpenStores(ctx)
	if err != nil {
		return nil, err
	}
	h, err := fn.cfg.AuthHandler(stores, fn.log)
	if err != nil {
		return nil, err
	}
	return fn.serve(h, "auth"), nil
}

package main

import (
	"context"
	"errors"
	"testing"
)

// TestOIDCClientSecret: the single sign-on client secret comes from its SSM parameter when
// PAUSE_OIDC_CLIENT_SECRET_PARAM names one, and setting both it and the plain variable is
// refused.
func TestOIDCClientSecret(t *testing.T) {
	env := map[string]string{"PAUSE_OIDC_CLIENT_SECRET_PARAM": "/pause/test/oidc"}
	asked := ""
	secret := func(_ context.Context, names ...string) (map[string]string, error) {
		asked = names[0]
		return map[string]string{names[0]: " s3cret \n"}, nil
	}
	getenv, err := lambdaEnv(context.Background(), func(k string) string { return env[k] }, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got := getenv("PAUSE_OIDC_CLIENT_SECRET"); got != "s3cret" || asked != "/pause/test/oidc" {
		t.Fatalf("client secret %q from %q", got, asked)
	}
	env["PAUSE_OIDC_CLIENT_SECRET"] = "plain"
	if _, err := lambdaEnv(context.Background(), func(k string) string { return env[k] }, secret); err == nil {
		t.Fatal("both the secret and its parameter were accepted")
	}
	delete(env, "PAUSE_OIDC_CLIENT_SECRET")
	failing := func(context.Context, ...string) (map[string]string, error) { return nil, errors.New("ssm down") }
	if _, err := lambdaEnv(context.Background(), func(k string) string { return env[k] }, failing); err == nil {
		t.Fatal("a failed read was ignored")
	}
}

package main

import (
	"context"
	"fmt"
	"strings"
)

// envOIDCSecretParam names the SSM SecureString parameter that holds the single sign-on
// client's secret, read once at init like the JWT secret's, and only when it is set.
const envOIDCSecretParam = "PAUSE_OIDC_CLIENT_SECRET_PARAM"

// oidcClientSecret returns the client secret of the parameter named by
// PAUSE_OIDC_CLIENT_SECRET_PARAM, or "" if it is not set. Setting it and
// PAUSE_OIDC_CLIENT_SECRET both is refused.
func oidcClientSecret(ctx context.Context, getenv func(string) string, secret secretFunc) (string, error) {
	name := strings.TrimSpace(getenv(envOIDCSecretParam))
	if name == "" {
		return "", nil
	}
	if getenv("PAUSE_OIDC_CLIENT_SECRET") != "" {
		return "", fmt.Errorf("both PAUSE_OIDC_CLIENT_SECRET and %s are set: set only %s", envOIDCSecretParam, envOIDCSecretParam)
	}
	values, err := secret(ctx, name)
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(values[name])
	if v == "" {
		return "", fmt.Errorf("the parameter %s (%s) is empty", name, envOIDCSecretParam)
	}
	return v, nil
}

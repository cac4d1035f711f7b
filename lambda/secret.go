package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The JWT secret is a SecureString parameter of SSM Parameter Store, read once at init with
// SSM's GetParameter action (decrypted). The request is made here, signed by the AWS SDK's
// Signature Version 4 signer, rather than with the SDK's SSM client: that client's package
// initializes a schema of every SSM operation and shape at start-up, which cost each cold start
// about 8 ms, and 1.2 MB of bootstrap, for one call (docs/PERFORMANCE.md). The function's role
// needs ssm:GetParameter on that parameter only; with the default key (alias/aws/ssm), KMS
// needs no grant of its own.

const (
	// secretTimeout bounds the read of the secret at init, retries included: a Lambda init
	// phase has 10 s in all.
	secretTimeout = 5 * time.Second
	// secretAttempts is how many times a read that failed for a reason that may pass
	// (throttling, a 5xx, the network) is tried, as the SDK's standard retryer would.
	secretAttempts = 3
)

// ssmSecret returns the secretFunc that reads parameters with the function's AWS
// configuration (awsConfig) from SSM in the function's region, or from AWS_ENDPOINT_URL_SSM (or
// AWS_ENDPOINT_URL) if set, which tests point at a fake.
func ssmSecret(getenv func(string) string) secretFunc {
	return func(ctx context.Context, name string) (string, error) {
		cfg, err := awsConfig(getenv)
		if err != nil {
			return "", err
		}
		endpoint := cmp.Or(strings.TrimSpace(getenv("AWS_ENDPOINT_URL_SSM")), strings.TrimSpace(getenv("AWS_ENDPOINT_URL")),
			ssmEndpoint(cfg.Region))
		ctx, cancel := context.WithTimeout(ctx, secretTimeout)
		defer cancel()
		return getParameter(ctx, http.DefaultClient, cfg, endpoint, name)
	}
}

// ssmEndpoint returns SSM's endpoint in the region: https://ssm.REGION.amazonaws.com, or
// .amazonaws.com.cn in the China regions. Other partitions (GovCloud's names follow the first
// form) need AWS_ENDPOINT_URL_SSM.
func ssmEndpoint(region string) string {
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://ssm." + region + "." + suffix
}

// getParameter returns the decrypted value of the parameter, read from the SSM endpoint with
// the configuration's credentials, in its region. Throttling, 5xx answers and network errors
// are tried again, up to secretAttempts in all, within ctx.
func getParameter(ctx context.Context, client *http.Client, cfg aws.Config, endpoint, name string) (string, error) {
	var err error
	for attempt := range secretAttempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return "", fmt.Errorf("read the JWT secret from the SSM parameter %s: %w (after %v)", name, ctx.Err(), err)
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
		var value string
		var retry bool
		value, retry, err = getParameterOnce(ctx, client, cfg, endpoint, name)
		if err == nil {
			return value, nil
		}
		if !retry {
			break
		}
	}
	return "", fmt.Errorf("read the JWT secret from the SSM parameter %s: %w", name, err)
}

// getParameterOnce makes one GetParameter request, and says whether a failure may pass.
func getParameterOnce(ctx context.Context, client *http.Client, cfg aws.Config, endpoint, name string) (value string, retry bool, err error) {
	body, err := json.Marshal(struct {
		Name           string
		WithDecryption bool
	}{name, true})
	if err != nil {
		return "", false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return "", false, fmt.Errorf("the SSM endpoint %q: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameter")
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", false, fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", cfg.Region, time.Now()); err != nil {
		return "", false, fmt.Errorf("sign the request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", ctx.Err() == nil, fmt.Errorf("read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		code, msg := ssmError(raw)
		retry = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests ||
			strings.Contains(code, "Throttling")
		return "", retry, fmt.Errorf("%s (HTTP %d): %s", code, resp.StatusCode, msg)
	}
	var out struct {
		Parameter *struct{ Value *string }
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", false, fmt.Errorf("the answer is not GetParameter's: %w", err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", false, errors.New("no parameter value in the answer")
	}
	return *out.Parameter.Value, false, nil
}

// ssmError returns the error code and message of an SSM error answer: JSON with __type (e.g.
// ParameterNotFound, sometimes prefixed by a namespace and #) and message (or Message).
func ssmError(raw []byte) (code, msg string) {
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
		Upper   string `json:"Message"`
	}
	if json.Unmarshal(raw, &e) != nil || e.Type == "" {
		return "error", strings.TrimSpace(string(raw[:min(len(raw), 200)]))
	}
	if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
		e.Type = e.Type[i+1:]
	}
	return e.Type, cmp.Or(e.Message, e.Upper)
}

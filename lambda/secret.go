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
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The JWT secret is a SecureString parameter of SSM Parameter Store, read once at init with
// SSM's GetParameters action (decrypted), together with the previous secret's parameter (its
// name and "-previous"), which exists only during a rotation. The request is made here, signed by the AWS SDK's
// Signature Version 4 signer, rather than with the SDK's SSM client: that client's package
// initializes a schema of every SSM operation and shape at start-up, which cost each cold start
// about 8 ms, and 1.2 MB of bootstrap, for one call (docs/PERFORMANCE.md). The function's role
// needs ssm:GetParameters on those two parameters only; with the default key (alias/aws/ssm), KMS
// needs no grant of its own.

const (
	// secretTimeout bounds the read of the secret at init, retries included: a Lambda init
	// phase has 10 s in all.
	secretTimeout = 6 * time.Second
	// previousSuffix names the parameter of the previous secret, accepted during a rotation:
	// the secret's parameter name and this (infra/rotate-secret.sh writes it).
	previousSuffix = "-previous"
)

// secretRetry is how a read that failed for a reason that may pass (throttling, a 5xx, the
// network) is tried again: up to 6 attempts, waiting a random time (full jitter) of up to
// 100 ms, 200 ms, 400 ms, 800 ms, then 1.6 s between them (about 1.5 s in all on average, 3.1 s
// at most): the parameter store's quota is the account's, shared by every cold start at once,
// and instances that retry in step would fail together again.
var secretRetry = retryPolicy{attempts: 6, base: 100 * time.Millisecond, cap: 1600 * time.Millisecond,
	jitter: func(max time.Duration) time.Duration { return rand.N(max) }, wait: waitCtx}

// retryPolicy is capped exponential backoff with full jitter: before attempt n+1 (n >= 1), wait
// jitter(min(cap, base * 2^(n-1))).
type retryPolicy struct {
	attempts  int
	base, cap time.Duration
	// jitter returns a random duration in [0, max); wait waits d or until ctx is done. Tests
	// inject both.
	jitter func(max time.Duration) time.Duration
	wait   func(ctx context.Context, d time.Duration) error
}

// delay returns the wait before the attempt after the n-th (n >= 1).
func (p retryPolicy) delay(n int) time.Duration {
	d := p.cap
	if n-1 < 30 && p.base<<(n-1) < p.cap {
		d = p.base << (n - 1)
	}
	if d <= 0 {
		return 0
	}
	return p.jitter(d)
}

func waitCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ssmSecret returns the secretFunc that reads parameters with the function's AWS
// configuration (awsConfig) from SSM in the function's region, or from AWS_ENDPOINT_URL_SSM (or
// AWS_ENDPOINT_URL) if set, which tests point at a fake.
func ssmSecret(getenv func(string) string) secretFunc {
	return ssmSecretWith(getenv, secretRetry)
}

func ssmSecretWith(getenv func(string) string, retry retryPolicy) secretFunc {
	return func(ctx context.Context, names ...string) (map[string]string, error) {
		cfg, err := awsConfig(getenv)
		if err != nil {
			return nil, err
		}
		endpoint := cmp.Or(strings.TrimSpace(getenv("AWS_ENDPOINT_URL_SSM")), strings.TrimSpace(getenv("AWS_ENDPOINT_URL")),
			ssmEndpoint(cfg.Region))
		ctx, cancel := context.WithTimeout(ctx, secretTimeout)
		defer cancel()
		return getParameters(ctx, http.DefaultClient, cfg, endpoint, names, retry)
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

// getParameters returns the decrypted values of the parameters that exist among names, read
// in one GetParameters request from the SSM endpoint with the configuration's credentials, in
// its region. Throttling, 5xx answers and network errors are tried again as retry says, within
// ctx.
func getParameters(ctx context.Context, client *http.Client, cfg aws.Config, endpoint string, names []string, retry retryPolicy) (map[string]string, error) {
	var err error
	for attempt := 1; attempt <= retry.attempts; attempt++ {
		if attempt > 1 {
			if werr := retry.wait(ctx, retry.delay(attempt-1)); werr != nil {
				return nil, fmt.Errorf("read the JWT secret from SSM (%s): %w (after %v)", strings.Join(names, ", "), werr, err)
			}
		}
		var values map[string]string
		var again bool
		values, again, err = getParametersOnce(ctx, client, cfg, endpoint, names)
		if err == nil {
			return values, nil
		}
		if !again {
			break
		}
	}
	return nil, fmt.Errorf("read the JWT secret from SSM (%s): %w", strings.Join(names, ", "), err)
}

// getParametersOnce makes one GetParameters request, and says whether a failure may pass.
func getParametersOnce(ctx context.Context, client *http.Client, cfg aws.Config, endpoint string, names []string) (values map[string]string, retry bool, err error) {
	body, err := json.Marshal(struct {
		Names          []string
		WithDecryption bool
	}{names, true})
	if err != nil {
		return nil, false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return nil, false, fmt.Errorf("the SSM endpoint %q: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameters")
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", cfg.Region, time.Now()); err != nil {
		return nil, false, fmt.Errorf("sign the request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		code, msg := ssmError(raw)
		retry = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests ||
			strings.Contains(code, "Throttling")
		return nil, retry, fmt.Errorf("%s (HTTP %d): %s", code, resp.StatusCode, msg)
	}
	var out struct {
		Parameters []struct{ Name, Value *string }
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, false, fmt.Errorf("the answer is not GetParameters': %w", err)
	}
	values = map[string]string{}
	for _, p := range out.Parameters {
		if p.Name == nil || p.Value == nil {
			return nil, false, errors.New("a parameter without a name or value in the answer")
		}
		values[*p.Name] = *p.Value
	}
	return values, false, nil
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

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// fakeSSM is SSM Parameter Store's GetParameters, for SecureString parameters (one at first;
// set adds others). It answers what the real one does, in its JSON protocol, checks each
// request's Signature Version 4 with the credentials of awsEnv, and counts the reads.
// Statuses in fail are answered first, one per request, as errors.
type fakeSSM struct {
	*httptest.Server
	mu     sync.Mutex
	reads  int
	tries  int
	fail   []int
	params map[string]string
}

// set adds or changes a parameter.
func (f *fakeSSM) set(name, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.params[name] = value
}

func newFakeSSM(t testing.TB, name, value string, fail ...int) *fakeSSM {
	t.Helper()
	f := &fakeSSM{fail: fail, params: map[string]string{name: value}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		body, _ := io.ReadAll(r.Body)
		var in struct {
			Names          []string
			WithDecryption bool
		}
		if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameters" || json.Unmarshal(body, &in) != nil || len(in.Names) == 0 || len(in.Names) > 10 {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"ValidationException","message":"unexpected request"}`)
			return
		}
		if err := checkSignature(r, body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":"InvalidSignatureException","message":%q}`, err.Error())
			return
		}
		f.mu.Lock()
		f.tries++
		if len(f.fail) > 0 {
			status := f.fail[0]
			f.fail = f.fail[1:]
			f.mu.Unlock()
			w.WriteHeader(status)
			if status == http.StatusBadRequest {
				fmt.Fprint(w, `{"__type":"com.amazonaws.ssm#ThrottlingException","message":"Rate exceeded"}`)
			} else {
				fmt.Fprint(w, `{"__type":"InternalServerError","Message":"try again"}`)
			}
			return
		}
		f.reads++
		var found []map[string]any
		invalid := []string{}
		for _, n := range in.Names {
			v, ok := f.params[n]
			if !ok {
				invalid = append(invalid, n)
				continue
			}
			if !in.WithDecryption {
				v = "AQICAHencrypted"
			}
			found = append(found, map[string]any{"Name": n, "Type": "SecureString", "Value": v, "Version": 1,
				"ARN": "arn:aws:ssm:us-east-1:123456789012:parameter" + n})
		}
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"Parameters": found, "InvalidParameters": invalid})
	}))
	t.Cleanup(f.Close)
	return f
}

// checkSignature signs the request again, as it was received, with awsEnv's credentials for
// SSM in us-east-1 at its X-Amz-Date, and compares the signatures: a request whose body, target,
// region, service or credentials differ from what was signed fails, as on AWS.
func checkSignature(r *http.Request, body []byte) error {
	env := awsEnv()
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %v", err)
	}
	auth := r.Header.Get("Authorization")
	_, signed, ok := strings.Cut(auth, "SignedHeaders=")
	if !ok {
		return fmt.Errorf("no signed headers in %q", auth)
	}
	signed, _, _ = strings.Cut(signed, ",")
	again, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	for _, h := range strings.Split(signed, ";") {
		if h != "host" {
			again.Header.Set(h, r.Header.Get(h))
		}
	}
	creds := aws.Credentials{AccessKeyID: env["AWS_ACCESS_KEY_ID"], SecretAccessKey: env["AWS_SECRET_ACCESS_KEY"],
		SessionToken: env["AWS_SESSION_TOKEN"]}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), "ssm", "us-east-1", at); err != nil {
		return err
	}
	if want := again.Header.Get("Authorization"); auth != want {
		return fmt.Errorf("the signature is %q, not %q", auth, want)
	}
	if r.Header.Get("X-Amz-Security-Token") != creds.SessionToken {
		return fmt.Errorf("X-Amz-Security-Token %q", r.Header.Get("X-Amz-Security-Token"))
	}
	return nil
}

func (f *fakeSSM) Reads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

func (f *fakeSSM) Tries() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tries
}

// ssmEnv is the function's environment with SSM's endpoint at the fake.
func ssmEnv(f *fakeSSM, more map[string]string) func(string) string {
	return mapEnv(merge(awsEnv(), map[string]string{"AWS_ENDPOINT_URL_SSM": f.URL}, more))
}

// TestSSMSecret: the secrets are read in one request signed for SSM, in the function's region,
// with its credentials; parameters that are not there are left out.
func TestSSMSecret(t *testing.T) {
	fake := newFakeSSM(t, "/pause/demo/jwt-secret", unitSecret)
	secret := ssmSecret(ssmEnv(fake, nil))
	got, err := secret(context.Background(), "/pause/demo/jwt-secret", "/pause/demo/jwt-secret-previous")
	if err != nil || len(got) != 1 || got["/pause/demo/jwt-secret"] != unitSecret {
		t.Fatalf("secrets = %q, %v", got, err)
	}
	fake.set("/pause/demo/jwt-secret-previous", "previous-"+unitSecret)
	got, err = secret(context.Background(), "/pause/demo/jwt-secret", "/pause/demo/jwt-secret-previous")
	if err != nil || len(got) != 2 || got["/pause/demo/jwt-secret-previous"] != "previous-"+unitSecret {
		t.Fatalf("secrets = %q, %v", got, err)
	}
	if fake.Tries() != 2 {
		t.Errorf("%d requests, want 2: one per read", fake.Tries())
	}
	// Signed for another region, or with other credentials, the request is refused.
	for name, env := range map[string]map[string]string{
		"region":      {"AWS_REGION": "eu-west-1"},
		"credentials": {"AWS_SECRET_ACCESS_KEY": "other"},
	} {
		_, err := ssmSecret(ssmEnv(fake, env))(context.Background(), "/pause/demo/jwt-secret")
		if err == nil || !strings.Contains(err.Error(), "InvalidSignatureException") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSSMSecretRetries: throttling and 5xx answers are tried again, up to 6 attempts, after
// waits drawn at random (full jitter) below a bound that doubles from 100 ms up to 1.6 s; other
// errors are not.
func TestSSMSecretRetries(t *testing.T) {
	var bounds, waits []time.Duration
	retry := secretRetry
	retry.jitter = func(max time.Duration) time.Duration { bounds = append(bounds, max); return max / 2 }
	retry.wait = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }

	fake := newFakeSSM(t, "/p", unitSecret, http.StatusBadRequest, http.StatusInternalServerError)
	got, err := ssmSecretWith(ssmEnv(fake, nil), retry)(context.Background(), "/p")
	if err != nil || got["/p"] != unitSecret || fake.Tries() != 3 {
		t.Fatalf("secret = %q, %v after %d requests; want the secret on the third", got, err, fake.Tries())
	}
	bounds, waits = nil, nil
	fake = newFakeSSM(t, "/p", unitSecret, 503, 503, 503, 503, 503, 503, 503)
	_, err = ssmSecretWith(ssmEnv(fake, nil), retry)(context.Background(), "/p")
	if err == nil || !strings.Contains(err.Error(), "InternalServerError (HTTP 503): try again") || fake.Tries() != 6 {
		t.Fatalf("err %v after %d requests; want the last error after 6", err, fake.Tries())
	}
	ms := time.Millisecond
	if want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms}; !slices.Equal(bounds, want) {
		t.Errorf("jitter bounds %v, want %v", bounds, want)
	}
	if want := []time.Duration{50 * ms, 100 * ms, 200 * ms, 400 * ms, 800 * ms}; !slices.Equal(waits, want) {
		t.Errorf("waits %v, want the jittered %v", waits, want)
	}
	// The real jitter stays below its bound, and the cap holds however many attempts.
	for n := 1; n < 40; n++ {
		if d := secretRetry.delay(n); d < 0 || d >= secretRetry.cap {
			t.Fatalf("delay(%d) = %v, outside [0, %v)", n, d, secretRetry.cap)
		}
	}
	// A wait cut short by the deadline ends the read with the reason.
	retry.wait = func(context.Context, time.Duration) error { return context.DeadlineExceeded }
	fake = newFakeSSM(t, "/p", unitSecret, 503, 503)
	if _, err = ssmSecretWith(ssmEnv(fake, nil), retry)(context.Background(), "/p"); !errors.Is(err, context.DeadlineExceeded) || fake.Tries() != 1 {
		t.Errorf("err %v after %d requests", err, fake.Tries())
	}
}

// TestSSMSecretConfiguration: without the region or credentials that Lambda sets, the read
// fails with a message that says which; the default endpoint follows the region's partition.
func TestSSMSecretConfiguration(t *testing.T) {
	for name, c := range map[string]struct {
		env  map[string]string
		want string
	}{
		"no region":      {map[string]string{"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, "AWS_REGION"},
		"no credentials": {map[string]string{"AWS_REGION": "us-east-1"}, "AWS_ACCESS_KEY_ID"},
	} {
		_, err := ssmSecret(mapEnv(c.env))(context.Background(), "/p")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %s", name, err, c.want)
		}
	}
	for region, want := range map[string]string{
		"us-east-1":      "https://ssm.us-east-1.amazonaws.com",
		"cn-north-1":     "https://ssm.cn-north-1.amazonaws.com.cn",
		"us-gov-west-1":  "https://ssm.us-gov-west-1.amazonaws.com",
		"ap-southeast-7": "https://ssm.ap-southeast-7.amazonaws.com",
	} {
		if got := ssmEndpoint(region); got != want {
			t.Errorf("ssmEndpoint(%s) = %s, want %s", region, got, want)
		}
	}
}

// TestAWSConfig: the store's configuration comes from Lambda's variables; the DynamoDB
// endpoint may be overridden.
func TestAWSConfig(t *testing.T) {
	cfg, err := awsConfig(mapEnv(merge(awsEnv(), map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000"})))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || cfg.Region != "us-east-1" || creds.AccessKeyID != "local" || creds.SessionToken != "local" ||
		aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:8000" {
		t.Errorf("config %+v, credentials %+v, %v", cfg, creds, err)
	}
	cfg, err = awsConfig(mapEnv(awsEnv()))
	if err != nil || cfg.BaseEndpoint != nil {
		t.Errorf("without an endpoint variable: %v, %v", cfg.BaseEndpoint, err)
	}
}

//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"pause"
	"pause/content"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
	"pause/ids"
	"pause/markdown"
)

// The end-to-end tests run the real bootstrap, built for this machine, under the AWS Lambda
// runtime interface emulator (aws-lambda-rie), as Lambda runs it: the emulator starts the
// bootstrap on the first invoke, which is the cold start, and passes it each event through the
// Runtime API. The emulator serves one invoke at a time (it fails on parallel ones), so the
// tests invoke sequentially.

// rieModule is the emulator, at the version the project verified (shared/TOOLCHAIN.md).
const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// rieVar names an emulator binary to use instead of finding or installing one.
const rieVar = "PAUSE_LAMBDA_RIE"

var (
	rieOnce sync.Once
	riePath string
	rieErr  error
)

// emulatorBinary returns the path of aws-lambda-rie: $PAUSE_LAMBDA_RIE, the one on PATH, the
// one `make tools` installed in bin/, or one installed with `go install` into the user's cache
// (once; about a minute the first time). It never skips: without an emulator the end-to-end tests cannot run, so that fails.
func emulatorBinary(t testing.TB) string {
	t.Helper()
	rieOnce.Do(func() {
		if p := os.Getenv(rieVar); p != "" {
			riePath = p
			return
		}
		if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
			riePath = p
			return
		}
		if p, err := filepath.Abs(filepath.Join("..", "bin", "aws-lambda-rie")); err == nil && fileExists(p) {
			riePath = p // make tools
			return
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		version := rieModule[strings.LastIndex(rieModule, "@")+1:]
		gobin := filepath.Join(cache, "pause", "aws-lambda-rie", version)
		riePath = filepath.Join(gobin, "aws-lambda-rie")
		if _, err := os.Stat(riePath); err == nil {
			return
		}
		cmd := exec.Command(goTool(), "install", rieModule)
		cmd.Env = append(os.Environ(), "GOBIN="+gobin, "CGO_ENABLED=0", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			rieErr = fmt.Errorf("go install %s: %v\n%s", rieModule, err, out)
		}
	})
	if rieErr != nil {
		t.Fatal(rieErr)
	}
	return riePath
}

// goTool is the go command that runs the tests: go test puts its own GOROOT/bin first on the
// PATH of the test binary (since Go 1.19), so "go" is that toolchain, not another one on PATH.
func goTool() string { return "go" }

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// The release builds' build tags (the Makefile's lambda target): no RPC runtime and no
// embedded store (app/core/nobolt.go) in either; the API's function without sign-in
// (app/core/noaccounts.go: the sign-in function serves /auth/), and the sign-in function
// (auth.go) without the API, with passkeys.
const (
	lambdaTags = "lambda.norpc,nobolt,noaccounts"
	authTags   = "lambda.norpc,nobolt,authonly"
)

var (
	bootstrapOnce, authOnce sync.Once
	bootstrapPath, authPath string
	bootstrapErr, authErr   error
	buildDir                string // removed by TestMain
)

// hostBootstrap returns the API's bootstrap built once for this machine, with the release
// flags.
func hostBootstrap(t testing.TB) string {
	t.Helper()
	bootstrapOnce.Do(func() {
		bootstrapPath = filepath.Join(buildDir, "host", "bootstrap")
		bootstrapErr = buildBootstrap(bootstrapPath, ".", runtime.GOOS, runtime.GOARCH)
	})
	if bootstrapErr != nil {
		t.Fatal(bootstrapErr)
	}
	return bootstrapPath
}

// hostAuthBootstrap returns the sign-in function's bootstrap built once for this machine,
// with the release flags.
func hostAuthBootstrap(t testing.TB) string {
	t.Helper()
	authOnce.Do(func() {
		authPath = filepath.Join(buildDir, "host-auth", "bootstrap")
		authErr = buildTagged(authTags, authPath, ".", runtime.GOOS, runtime.GOARCH)
	})
	if authErr != nil {
		t.Fatal(authErr)
	}
	return authPath
}

// buildBootstrap builds the package pkg (this one: ".") to out for the platform, as `make
// lambda` builds the API's function.
func buildBootstrap(out, pkg, goos, goarch string) error {
	return buildTagged(lambdaTags, out, pkg, goos, goarch)
}

// buildTagged builds the package pkg to out for the platform with the build tags and the
// release flags.
func buildTagged(tags, out, pkg, goos, goarch string) error {
	cmd := exec.Command(goTool(), "build", "-o", out, "-tags", tags, "-trimpath", "-ldflags", "-s -w", pkg)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the bootstrap (%s) for %s/%s: %v\n%s", tags, goos, goarch, err, out)
	}
	return nil
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pause-lambda-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer is the emulator's output, written by its process and read by the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// emulator is one aws-lambda-rie process serving one bootstrap: one execution environment.
type emulator struct {
	cmd     *exec.Cmd
	url     string
	out     *syncBuffer
	started time.Time
	done    chan struct{}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startEmulator starts the emulator for the bootstrap with exactly the environment env (the
// function's configuration; nothing is inherited from the test's environment but PATH), and
// waits until it accepts invokes. The bootstrap itself starts on the first invoke. The
// emulator and the bootstrap are stopped when the test ends.
func startEmulator(t testing.TB, bootstrap string, env map[string]string) *emulator {
	t.Helper()
	api, rie := freePort(t), freePort(t)
	cmd := exec.Command(emulatorBinary(t),
		"--runtime-interface-emulator-address", fmt.Sprintf("127.0.0.1:%d", rie),
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", api),
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "AWS_LAMBDA_FUNCTION_TIMEOUT=30", "LOG_LEVEL=error"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so that stopping it stops the bootstrap it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	e := &emulator{cmd: cmd, out: out, done: make(chan struct{}),
		url: fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", rie)}
	e.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the emulator: %v", err)
	}
	go func() { _ = cmd.Wait(); close(e.done) }()
	t.Cleanup(func() {
		e.stop()
		if t.Failed() {
			t.Logf("emulator and bootstrap output:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", rie), time.Second)
		if err == nil {
			conn.Close()
			return e
		}
		select {
		case <-e.done:
			t.Fatalf("the emulator exited at start:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator did not listen within 10 s:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop ends the emulator's process group: the emulator and the bootstrap.
func (e *emulator) stop() {
	pgid := e.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-e.done
	}
	// The group may outlive its leader for a moment: make sure the bootstrap is gone.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// invoke sends one event and returns the function's raw answer.
func (e *emulator) invoke(t testing.TB, event any) []byte {
	t.Helper()
	body, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Post(e.url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("invoke: read the answer: %v", err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("invoke: the emulator answered %s: %s", res.Status, raw)
	}
	return raw
}

var initDurationRE = regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)

// initDuration returns the Init Duration of the emulator's first REPORT line: from the start of
// the bootstrap to its first request for an event.
func (e *emulator) initDuration(t testing.TB) float64 {
	t.Helper()
	m := initDurationRE.FindStringSubmatch(e.out.String())
	if m == nil {
		t.Fatalf("no Init Duration in the emulator's output:\n%s", e.out.String())
	}
	ms, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// response is an API Gateway answer, of either payload version.
type response struct {
	status int
	header http.Header
	body   []byte
}

// request is an HTTP request as API Gateway would pass it on.
type request struct {
	method  string
	path    string
	query   string // raw query string, without '?'
	header  map[string]string
	body    string
	binary  bool // send the body base64-encoded, as API Gateway does for binary media types
	version string
}

// event returns the request as an API Gateway event of the version.
func (r request) event() any {
	body := r.body
	if r.binary {
		body = base64.StdEncoding.EncodeToString([]byte(r.body))
	}
	headers := map[string]string{"host": "api.example.com", "user-agent": "pause-e2e"}
	for k, v := range r.header {
		headers[strings.ToLower(k)] = v
	}
	requestID := newID()
	if r.version == "v1" {
		multi := map[string][]string{}
		for k, v := range headers {
			multi[k] = []string{v}
		}
		var qs map[string]string
		var mqs map[string][]string
		if r.query != "" {
			qs, mqs = map[string]string{}, map[string][]string{}
			for _, kv := range strings.Split(r.query, "&") {
				k, v, _ := strings.Cut(kv, "=")
				k, _ = url.QueryUnescape(k)
				v, _ = url.QueryUnescape(v)
				qs[k] = v
				mqs[k] = append(mqs[k], v)
			}
		}
		return events.APIGatewayProxyRequest{
			Resource: r.path, Path: r.path, HTTPMethod: r.method,
			Headers: headers, MultiValueHeaders: multi,
			QueryStringParameters: qs, MultiValueQueryStringParameters: mqs,
			RequestContext: events.APIGatewayProxyRequestContext{
				AccountID: "123456789012", Stage: "prod", RequestID: requestID,
				ResourcePath: r.path, HTTPMethod: r.method, Path: "/prod" + r.path,
				DomainName: "api.example.com", APIID: "e2e",
				Identity: events.APIGatewayRequestIdentity{SourceIP: "192.0.2.10", UserAgent: "pause-e2e"},
			},
			Body: body, IsBase64Encoded: r.binary,
		}
	}
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: r.method + " " + r.path, RawPath: r.path, RawQueryString: r.query,
		Headers: headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID: "123456789012", APIID: "e2e", DomainName: "api.example.com", Stage: "$default",
			RequestID: requestID, RouteKey: r.method + " " + r.path,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.method, Path: r.path, Protocol: "HTTP/1.1", SourceIP: "192.0.2.10", UserAgent: "pause-e2e",
			},
		},
		Body: body, IsBase64Encoded: r.binary,
	}
}

// do sends the request through the emulator and decodes the function's answer.
func (e *emulator) do(t testing.TB, r request) response {
	t.Helper()
	raw := e.invoke(t, r.event())
	var out struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
		ErrorMessage      string              `json:"errorMessage"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.StatusCode == 0 {
		t.Fatalf("%s %s: not an API Gateway response (%v): %s", r.method, r.path, err, raw)
	}
	res := response{status: out.StatusCode, header: http.Header{}, body: []byte(out.Body)}
	for k, v := range out.Headers {
		res.header.Set(k, v)
	}
	for k, vs := range out.MultiValueHeaders {
		res.header.Del(k)
		for _, v := range vs {
			res.header.Add(k, v)
		}
	}
	if out.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(out.Body)
		if err != nil {
			t.Fatalf("%s %s: body is not base64: %v", r.method, r.path, err)
		}
		res.body = b
	}
	return res
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// testStore makes a store seeded with the sample content (as `pause import content` would)
// and returns the environment that points the function at it: a fresh table on DynamoDB Local
// when PAUSE_TEST_DYNAMODB_ENDPOINT is set (make test), or else a bolt file in a temporary
// folder, like /tmp in Lambda. In CI, DynamoDB Local is required.
func testStore(t testing.TB) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stores pause.Stores
	var env map[string]string
	if endpoint := dynamotest.Endpoint(t); endpoint != "" {
		client, table := dynamotest.Table(t, "pause-lambda-")
		stores = dynamo.New(dynamo.Config{Client: client, Table: table}).Stores()
		env = map[string]string{
			"PAUSE_STORE": "dynamodb", "PAUSE_TABLE": table,
			"AWS_ENDPOINT_URL_DYNAMODB": endpoint,
		}
	} else {
		// dynamotest.Endpoint fails the test in CI; elsewhere it skips, as the bootstrap has no
		// embedded store (lambdaTags).
		t.Skipf("%s is not set: the bootstrap runs on DynamoDB only (make test starts DynamoDB Local)", dynamotest.EndpointVar)
	}
	cms := pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New})
	admin := pause.NewContext(ctx, &pause.Viewer{Subject: "e2e-seed", Role: pause.RoleAdmin})
	if _, err := content.Import(admin, cms, content.Sample); err != nil {
		t.Fatalf("seed the sample content: %v", err)
	}
	return env
}

// awsEnv is what Lambda gives every function: a region and credentials.
func awsEnv() map[string]string {
	return map[string]string{
		"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local",
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

//go:build linux

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/chromedp/chromedp"

	"pause"
	"pause/accounts"
	"pause/auth"
	"pause/internal/browsertest"
)

// The sign-in function end to end: its release bootstrap (authTags) and the API's (lambdaTags),
// each under its own emulator, on one DynamoDB Local table, behind a stand-in for the HTTP API
// (gateway) that routes /auth/ to the first and everything else to the second, as
// infra/template.yaml's routes do, and turns HTTP requests into payload 2.0 events (cookies
// in their own field, as API Gateway sends them) and answers back.

// gateway is the stand-in for API Gateway's HTTP API in front of the two functions, serving
// the accounts tests' sign-in page under /test/ (a stand-in for the studio).
type gateway struct {
	t         testing.TB
	srv       *httptest.Server
	localhost string // the gateway's origin as http://localhost:port: browsers treat it as secure
	auth, api *emulator
	mu        sync.Mutex // the emulator serves one invoke at a time
	// routed counts the requests each function got.
	routed map[string]int
}

// newGateway listens on a free port of the loopback; start starts it once the functions,
// which need its address, have emulators.
func newGateway(t testing.TB) *gateway {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{t: t, routed: map[string]int{},
		localhost: fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)}
	mux := http.NewServeMux()
	mux.Handle("/test/", http.StripPrefix("/test/", http.FileServer(http.Dir("../accounts/testdata"))))
	mux.HandleFunc("/", g.forward)
	g.srv = httptest.NewUnstartedServer(mux)
	g.srv.Listener.Close()
	g.srv.Listener = ln
	return g
}

func (g *gateway) start(auth, api *emulator) {
	g.auth, g.api = auth, api
	g.srv.Start()
	g.t.Cleanup(g.srv.Close)
}

// forward sends the request to the function its route names, as an HTTP API event.
func (g *gateway) forward(w http.ResponseWriter, r *http.Request) {
	fn, route, name := g.api, "ANY /{proxy+}", "api"
	if strings.HasPrefix(r.URL.Path, "/auth/") {
		fn, route, name = g.auth, "ANY /auth/{proxy+}", "auth"
	}
	body, _ := io.ReadAll(r.Body)
	headers := map[string]string{"host": r.Host}
	var cookies []string
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					cookies = append(cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route, RawPath: r.URL.Path, RawQueryString: r.URL.RawQuery,
		Headers: headers, Cookies: cookies,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID: "123456789012", APIID: "e2e", DomainName: r.Host, Stage: "$default",
			RequestID: newID(), RouteKey: route,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: r.UserAgent(),
			},
		},
		Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: len(body) > 0,
	}
	g.mu.Lock()
	g.routed[name]++
	raw, err := fn.invokeErr(ev)
	g.mu.Unlock()
	if err != nil {
		g.t.Errorf("%s %s: %v", r.Method, r.URL.Path, err)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var out events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(raw, &out); err != nil || out.StatusCode == 0 {
		g.t.Errorf("%s %s: not a payload 2.0 answer (%v): %s", r.Method, r.URL.Path, err, raw)
		http.Error(w, "bad answer", http.StatusBadGateway)
		return
	}
	for k, v := range out.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range out.MultiValueHeaders {
		w.Header()[http.CanonicalHeaderKey(k)] = vs
	}
	for _, c := range out.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	b := []byte(out.Body)
	if out.IsBase64Encoded {
		b, _ = base64.StdEncoding.DecodeString(out.Body)
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(out.StatusCode)
	_, _ = w.Write(b)
}

// invokeErr is invoke for other goroutines than the test's: it returns its error.
func (e *emulator) invokeErr(event any) ([]byte, error) {
	body, err := json.Marshal(event)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Post(e.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the emulator answered %s: %s", res.Status, raw)
	}
	return raw, nil
}

// signinClient is a browser-like client of the gateway: a cookie jar, and the studio's Origin
// and header on the requests that use the session.
type signinClient struct {
	t    *testing.T
	g    *gateway
	http *http.Client
}

func (g *gateway) client(t *testing.T) *signinClient {
	jar, _ := cookiejar.New(nil)
	return &signinClient{t: t, g: g, http: &http.Client{Jar: jar, Timeout: time.Minute}}
}

// post sends JSON to the path and returns the answer and its decoded body.
func (c *signinClient) post(path string, body any, studio bool, bearer string) (*http.Response, map[string]any) {
	c.t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(http.MethodPost, c.g.localhost+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if studio {
		req.Header.Set("Origin", c.g.localhost)
		req.Header.Set(accounts.StudioHeader, "1")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("POST %s: %d, not JSON: %s", path, res.StatusCode, raw)
	}
	return res, out
}

// graphql sends a GraphQL request with the bearer token to the gateway (the API function)
// and returns its data, failing on errors.
func (c *signinClient) graphql(token, query string) map[string]any {
	c.t.Helper()
	res, out := c.post("/graphql", map[string]string{"query": query}, false, token)
	if res.StatusCode != http.StatusOK || out["errors"] != nil {
		c.t.Fatalf("%s: %d %v", query, res.StatusCode, out)
	}
	return out["data"].(map[string]any)
}

func wantAuthError(t *testing.T, res *http.Response, body map[string]any, status int, code string) {
	t.Helper()
	got := ""
	if e, ok := body["error"].(map[string]any); ok {
		got, _ = e["code"].(string)
	}
	if res.StatusCode != status || got != code {
		t.Fatalf("%s %s: %d %q, want %d %q: %v", res.Request.Method, res.Request.URL.Path, res.StatusCode, got, status, code, body)
	}
}

func jsonStr(m map[string]any, key string) string { s, _ := m[key].(string); return s }

// TestAuthFunctionEmulator: the sign-in function's release bootstrap, under the emulator and
// behind the HTTP API's routes, signs an editor in from a setup link made by the API
// function's inviteUser (password, TOTP enrolment), trades the session for an access token
// that the API function's /graphql accepts (same secret, from the same SSM parameter), then,
// in chromium, signs in with password and TOTP, registers a passkey with a virtual
// authenticator and signs in with it alone. The API's bootstrap, which has no sign-in,
// answers /auth/ NOT_FOUND when called directly.
func TestAuthFunctionEmulator(t *testing.T) {
	store := testStore(t)
	ctx := browsertest.Browser(t) // before the functions start: skipped without chromium, outside CI
	ssm := newFakeSSM(t, e2eSecretParam, e2eSecret)
	g := newGateway(t)
	env := functionEnv(store, ssm, "")
	env["PAUSE_PUBLIC_URL"] = g.localhost
	// The sign-in function reaches DynamoDB Local through a recorder, whose calls its role in
	// infra/template.yaml must allow (authiam_test.go).
	dynamo := newDynamoRecorder(t, store["AWS_ENDPOINT_URL_DYNAMODB"])
	authEnv := merge(env, map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": dynamo.URL})
	authFn := startEmulator(t, hostAuthBootstrap(t), authEnv)
	apiFn := startEmulator(t, hostBootstrap(t), env) // the same configuration, as the template gives both
	g.start(authFn, apiFn)

	// An admin invites an editor through the API function.
	tokens, err := auth.NewTokens([]byte(e2eSecret))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := tokens.Issue("e2e-admin", pause.RoleAdmin, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c := g.client(t)
	data := c.graphql(admin, `mutation { inviteUser(email: "ed@example.com", name: "Ed", role: EDITOR) { link } }`)
	link := data["inviteUser"].(map[string]any)["link"].(string)
	if !strings.HasPrefix(link, g.localhost+"/auth/setup?token=") {
		t.Fatalf("link %q: want one under PAUSE_PUBLIC_URL", link)
	}
	u, _ := url.Parse(link)
	setupToken := u.Query().Get("token")

	// The API's bootstrap has no sign-in: called directly, it says where sign-in is.
	direct := apiFn.do(t, request{method: "POST", path: "/auth/login", version: "v2",
		header: map[string]string{"Content-Type": "application/json"}, body: `{"email":"ed@example.com","password":"x"}`})
	if direct.status != http.StatusNotFound || !strings.Contains(string(direct.body), `"NOT_FOUND"`) ||
		!strings.Contains(string(direct.body), "sign-in function") {
		t.Fatalf("the API function's /auth/login: %d %s", direct.status, direct.body)
	}

	// The setup link, then the first sign-in, which enrols TOTP.
	const password = "correct horse battery staple"
	res, body := c.post("/auth/setup", map[string]string{"token": setupToken, "password": password}, false, "")
	wantAuthError(t, res, body, http.StatusOK, "")
	res, body = c.post("/auth/setup", map[string]string{"token": setupToken, "password": password}, false, "")
	if res.StatusCode == http.StatusOK {
		t.Fatalf("the setup link worked twice: %v", body)
	}
	res, body = c.post("/auth/login", map[string]string{"email": "ed@example.com", "password": "not the password"}, false, "")
	wantAuthError(t, res, body, http.StatusUnauthorized, "UNAUTHENTICATED")
	res, body = c.post("/auth/login", map[string]string{"email": "ed@example.com", "password": password}, false, "")
	wantAuthError(t, res, body, http.StatusOK, "")
	secret := jsonStr(body, "totpSecret")
	if jsonStr(body, "status") != "totpEnrolmentRequired" || secret == "" {
		t.Fatalf("first sign-in: %v", body)
	}
	code := func(at time.Time) string {
		c, err := accounts.TOTPCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	now := time.Now()
	res, body = c.post("/auth/login", map[string]string{"email": "ed@example.com", "password": password, "code": code(now)}, false, "")
	wantAuthError(t, res, body, http.StatusOK, "")
	if jsonStr(body, "status") != "signedIn" {
		t.Fatalf("enrolment: %v", body)
	}
	cookie := res.Header.Get("Set-Cookie")
	for _, flag := range []string{accounts.SessionCookie + "=", "Path=/", "HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(cookie, flag) {
			t.Errorf("the session cookie %q has no %s", cookie, flag)
		}
	}
	if res.Header.Get("X-Request-Id") == "" || res.Header.Get("Cache-Control") != "no-store" ||
		res.Header.Get("Strict-Transport-Security") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("the sign-in function's answer lacks the edge's headers: %v", res.Header)
	}

	// The session's access token works on the API function's /graphql.
	res, body = c.post("/auth/token", nil, true, "")
	wantAuthError(t, res, body, http.StatusOK, "")
	access := jsonStr(body, "accessToken")
	if access == "" {
		t.Fatalf("/auth/token: %v", body)
	}
	data = c.graphql(access, `{ mySessions { method } }`)
	if s := data["mySessions"].([]any); len(s) != 1 || s[0].(map[string]any)["method"] != "password+totp" {
		t.Fatalf("mySessions with the function's token: %v", data)
	}
	// Without the studio's header, no token (CSRF): the function keeps the accounts' rules.
	res, body = c.post("/auth/token", nil, false, "")
	if res.StatusCode == http.StatusOK {
		t.Fatalf("a token without the studio's header and Origin: %v", body)
	}

	// In a browser: password and TOTP, a passkey registered, then the passkey alone.
	err = chromedp.Do(ctx,
		browsertest.VirtualAuthenticator(),
		chromedp.Navigate(g.localhost+"/test/studio.html"),
		chromedp.Query("Email", browsertest.ByRole("textbox", "Email")),
		chromedp.SendKeys("Email", "ed@example.com", browsertest.ByRole("textbox", "Email")),
		chromedp.SendKeys("Password", password, browsertest.ByRole("textbox", "Password")),
		// The next step's code: each code works once, and the enrolment used this step's.
		chromedp.SendKeys("Code", code(now.Add(30*time.Second)), browsertest.ByRole("textbox", "Code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Press(t, ctx, "Sign in", "Result", "login 200 signedIn")
	browsertest.Press(t, ctx, "Register a passkey", "Result", "register 200 1")
	browsertest.Press(t, ctx, "Sign out", "Result", "logout 204")
	browsertest.Press(t, ctx, "Get a token", "Result", "token 401 UNAUTHENTICATED")
	browsertest.Press(t, ctx, "Sign in with a passkey", "Result", "passkey 200 signedIn")
	browsertest.Press(t, ctx, "Get a token", "Result", "token 200 ed@example.com")

	// The passkey is the user's, in the table, as the API function reads it.
	data = c.graphql(admin, `{ users { email passkeyCount } }`)
	found := false
	for _, u := range data["users"].([]any) {
		if m := u.(map[string]any); m["email"] == "ed@example.com" {
			found = m["passkeyCount"] == float64(1)
		}
	}
	if !found {
		t.Fatalf("users: %v, want ed@example.com with one passkey", data)
	}
	if g.routed["auth"] == 0 || g.routed["api"] == 0 {
		t.Fatalf("routed %v", g.routed)
	}

	// Everything the function asked of DynamoDB, its role allows: the account items only.
	checkRoleAllows(t, "AuthFunctionRole", dynamo.recorded())

	// The function's log: a JSON request line per request, with the invocation's ids.
	// And its sign-in metrics (EMF): the refused password among them.
	for _, want := range []string{`"msg":"ready"`, `"function":"auth"`, `"msg":"request"`, `"path":"/auth/passkey/login/finish"`, `"lambda_request_id":`,
		`"Route":"passkey/login/finish","SignInErrors":0,"SignInRefused":0,"SignInRequests":1`, `"Route":"login","SignInErrors":0,"SignInRefused":1`} {
		if !strings.Contains(authFn.out.String(), want) {
			t.Errorf("the sign-in function's log has no %s:\n%s", want, authFn.out.String())
		}
	}
}

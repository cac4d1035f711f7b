package accounts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/accounts"
	"pause/auth"
	"pause/bolt"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
	"pause/ids"
	"pause/markdown"
	"pause/server"
	"pause/storetest"
)

// testParams are cheap argon2id parameters, so that the tests that sign in many times stay
// fast; TestTiming and TestParamsUpgrade use the real ones.
var testParams = accounts.Params{Memory: 1024, Time: 1, Threads: 1}

const password = "correct horse battery staple"

// forStores runs the test on the embedded store and on DynamoDB Local.
func forStores(t *testing.T, test func(t *testing.T, stores pause.Stores)) {
	t.Run("bolt", func(t *testing.T) {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		test(t, db.Stores())
	})
	t.Run("dynamodb", func(t *testing.T) {
		client, name := dynamotest.Table(t, "pause-accounts-")
		test(t, dynamo.New(dynamo.Config{Client: client, Table: name}).Stores())
	})
}

// rig is a server with accounts on some stores, a clock the test moves, and an admin context.
type rig struct {
	t      *testing.T
	stores pause.Stores
	cms    *pause.CMS
	svc    *accounts.Service
	clock  *storetest.Clock
	srv    *httptest.Server
	admin  context.Context
	secret []byte
	// localhost is the server's origin as http://localhost:port, for browsers.
	localhost string
}

func newRig(t *testing.T, stores pause.Stores, params accounts.Params, options ...func(cfg *accounts.Config, localhost string)) *rig {
	clock := storetest.NewClock()
	clock.Advance(time.Duration(time.Now().Unix()%1000) * time.Hour) // not always the same TOTP steps
	secret := []byte(strings.Repeat("s", 32))
	tokens, err := auth.NewTokens(secret)
	if err != nil {
		t.Fatal(err)
	}
	tokens.Now = clock.Now
	cms := pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New, Now: clock.Now,
		PublicURL: "http://cms.test"})
	// Browsers treat http://localhost as a secure origin (secure cookies, WebAuthn): the
	// browser tests load the test page from there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	localhost := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	cfg := accounts.Config{Users: stores.Users, Sessions: stores.Sessions, Failures: stores.Failures,
		Tokens: tokens, Secret: secret, Now: clock.Now, NewID: ids.New, Params: params,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Passkeys: accounts.PasskeyConfig{RPID: "localhost", Origins: []string{localhost}}}
	for _, o := range options {
		o(&cfg, localhost)
	}
	svc, err := accounts.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, stores: stores, cms: cms, svc: svc, clock: clock, secret: secret, localhost: localhost,
		admin: pause.NewContext(context.Background(), &pause.Viewer{Subject: "root", Role: pause.RoleAdmin})}
	mux := http.NewServeMux()
	mux.Handle("/test/", http.StripPrefix("/test/", http.FileServer(http.Dir("testdata"))))
	mux.Handle("/", server.New(server.Config{CMS: cms, Auth: &auth.Authenticator{Tokens: tokens},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Accounts: svc.Handler(accounts.HTTPConfig{Origins: []string{"https://studio.test", localhost}})}))
	r.srv = httptest.NewUnstartedServer(mux)
	r.srv.Listener.Close()
	r.srv.Listener = ln
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

// origin is the server's own origin, which the studio's requests carry.
func (r *rig) origin() string { return r.srv.URL }

// client is a browser-like client: a cookie jar, and the studio's Origin and header on the
// requests that use the session.
type client struct {
	r    *rig
	http *http.Client
}

func (r *rig) newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{r: r, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is an answer, its body decoded.
type response struct {
	*http.Response
	body []byte
	json map[string]any
}

func (c *client) do(method, path string, body any, headers map[string]string) *response {
	c.r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, c.r.srv.URL+path, rd)
	if err != nil {
		c.r.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.r.t.Fatal(err)
	}
	defer res.Body.Close()
	out := &response{Response: res}
	out.body, _ = io.ReadAll(res.Body)
	_ = json.Unmarshal(out.body, &out.json)
	return out
}

// studio sends a request as the studio does: same Origin, the studio header.
func (c *client) studio(path string, body any) *response {
	return c.do(http.MethodPost, path, body, map[string]string{"Origin": c.r.origin(), accounts.StudioHeader: "1"})
}

func (c *client) login(email, pw, code string) *response {
	return c.do(http.MethodPost, "/auth/login", map[string]string{"email": email, "password": pw, "code": code}, nil)
}

func (c *client) token() *response { return c.studio("/auth/token", nil) }

// cookie returns the session cookie the client holds, or "".
func (c *client) cookie() string {
	u, _ := url.Parse(c.r.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == accounts.SessionCookie {
			return ck.Value
		}
	}
	return ""
}

// want fails unless the response has the status (and, if code is not "", the error code).
func (res *response) want(t *testing.T, status int, code string) *response {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, res.body)
	}
	if code != "" {
		e, _ := res.json["error"].(map[string]any)
		if e == nil || e["code"] != code {
			t.Fatalf("%s %s: body %s, want error code %s", res.Request.Method, res.Request.URL.Path, res.body, code)
		}
	}
	return res
}

func (res *response) str(key string) string {
	s, _ := res.json[key].(string)
	return s
}

// invite creates a user with the role and returns their setup token.
func (r *rig) invite(email string, role pause.Role) (*pause.User, string) {
	r.t.Helper()
	u, link, err := r.cms.InviteUser(r.admin, email, "Test User", role)
	if err != nil {
		r.t.Fatal(err)
	}
	return u, link[strings.Index(link, "token=")+len("token="):]
}

// enrolled creates a user who has set a password and enrolled TOTP, and returns the user's
// TOTP secret and recovery codes, and a client signed in as them.
func (r *rig) enrolled(email string, role pause.Role) (secret string, recovery []string, c *client) {
	r.t.Helper()
	_, token := r.invite(email, role)
	c = r.newClient()
	c.do(http.MethodPost, "/auth/setup", map[string]string{"token": token, "password": password}, nil).want(r.t, 200, "")
	r.clock.Advance(time.Second)
	res := c.login(email, password, "").want(r.t, 200, "")
	if res.str("status") != "totpEnrolmentRequired" || res.str("totpSecret") == "" {
		r.t.Fatalf("first sign-in: %s", res.body)
	}
	secret = res.str("totpSecret")
	res = c.login(email, password, r.code(secret, 0)).want(r.t, 200, "")
	if res.str("status") != "signedIn" {
		r.t.Fatalf("enrolment: %s", res.body)
	}
	for _, x := range res.json["recoveryCodes"].([]any) {
		recovery = append(recovery, x.(string))
	}
	return secret, recovery, c
}

// code returns the TOTP code of the secret at the clock's time plus steps*30s.
func (r *rig) code(secret string, steps int) string {
	r.t.Helper()
	c, err := accounts.TOTPCode(secret, r.clock.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// graphql sends a query with the bearer token.
func (r *rig) graphql(token, query string) map[string]any {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/graphql", strings.NewReader(`{"query":`+quote(query)+`}`))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return out
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// auditActions returns the actions in the audit log, newest first.
func (r *rig) auditActions(itemType string) []string {
	r.t.Helper()
	p, err := r.cms.AuditLog(r.admin, pause.Query[pause.AuditFilter]{First: 100, Filter: pause.AuditFilter{ItemType: itemType}})
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, e := range p.Items {
		out = append(out, e.Action)
	}
	return out
}

// openBolt returns the stores of a new bolt file, for the tests that need only one store.
func openBolt(t *testing.T) pause.Stores {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db.Stores()
}

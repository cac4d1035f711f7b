// Package e2e drives Pause Studio in Debian's chromium (internal/browsertest) against the real
// server (server.New with accounts, as pause serve and the Lambda build it, in production
// mode) on a temporary embedded store with the sample content and an injected clock. Elements
// are found by role and accessible name.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"pause"
	"pause/accounts"
	"pause/auth"
	"pause/bolt"
	"pause/content"
	"pause/ids"
	"pause/internal/browsertest"
	"pause/markdown"
	"pause/media"
	"pause/server"
	"pause/storetest"
)

const password = "correct horse battery staple"

// rig is the server, its CMS and clock, and the origin browsers reach it at.
type rig struct {
	t      *testing.T
	cms    *pause.CMS
	clock  *storetest.Clock
	system context.Context
	// url is http://localhost:PORT: browsers count localhost as secure, so the __Host- session
	// cookie works as it does over https.
	url string
	// totp holds each user's TOTP secret once enrolled.
	totp map[string]string
	// key is an admin API key, for the test's own GraphQL reads of drafts.
	key string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	stores := db.Stores()
	clock := storetest.NewClock()
	// Today, so that the browser's own clock and the server's agree to the minute (the
	// studio's datetime fields are in the browser's time zone), and the TOTP steps vary.
	clock.Advance(time.Now().Truncate(time.Minute).Sub(clock.Now()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	secret := []byte(strings.Repeat("k", 32))
	// The media library's files on disk under the temporary folder, uploads received by the
	// server itself at /media/upload, as pause serve wires them (cmd/pause: media.OpenDisk).
	blobs, err := media.OpenDisk(filepath.Join(t.TempDir(), "media"), secret, url, pause.DefaultMediaMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	cms := pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New, DeriveID: ids.Derive,
		Now: clock.Now, PublicURL: url, Blobs: blobs})
	tokens, err := auth.NewTokens(secret)
	if err != nil {
		t.Fatal(err)
	}
	tokens.Now = clock.Now
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := accounts.New(accounts.Config{Users: stores.Users, Sessions: stores.Sessions, Failures: stores.Failures,
		Tokens: tokens, Secret: secret, Now: clock.Now, NewID: ids.New, Logger: quiet,
		Params: accounts.Params{Memory: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	system := pause.NewContext(context.Background(), &pause.Viewer{Subject: "pause-cli", Role: pause.RoleAdmin})
	if _, err := content.Import(system, cms, content.Sample); err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Config{CMS: cms, Auth: &auth.Authenticator{APIKey: cms.AuthenticateAPIKey, Tokens: tokens},
		Logger: quiet, Now: clock.Now, Idempotency: cms.Idempotency(),
		Accounts: svc.Handler(accounts.HTTPConfig{Origins: []string{url}}),
		Media:    blobs.(interface{ Handler() http.Handler }).Handler()})
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	_, key, err := cms.CreateAPIKey(system, "e2e", pause.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, cms: cms, clock: clock, system: system, url: url, totp: map[string]string{}, key: key}
}

// invite makes a user and returns their setup link.
func (r *rig) invite(email string, role pause.Role) string {
	r.t.Helper()
	_, link, err := r.cms.InviteUser(r.system, email, "Test "+string(role), role)
	if err != nil {
		r.t.Fatal(err)
	}
	return link
}

// enrol makes a user who has chosen a password and enrolled TOTP (over HTTP, as the studio
// does), so that a browser can sign in as them.
func (r *rig) enrol(email string, role pause.Role) {
	r.t.Helper()
	link := r.invite(email, role)
	token := link[strings.Index(link, "token=")+len("token="):]
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path string, body any) map[string]any {
		b, _ := json.Marshal(body)
		res, err := c.Post(r.url+path, "application/json", bytes.NewReader(b))
		if err != nil {
			r.t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode != 200 {
			r.t.Fatalf("POST %s: %d %v", path, res.StatusCode, out)
		}
		return out
	}
	post("/auth/setup", map[string]string{"token": token, "password": password})
	out := post("/auth/login", map[string]string{"email": email, "password": password})
	secret, _ := out["totpSecret"].(string)
	if secret == "" {
		r.t.Fatalf("enrolment: %v", out)
	}
	r.totp[email] = secret
	post("/auth/login", map[string]string{"email": email, "password": password, "code": r.code(email)})
	r.clock.Advance(30 * time.Second) // the next sign-in needs the next code
}

// code returns the user's TOTP code at the clock's time.
func (r *rig) code(email string) string {
	r.t.Helper()
	c, err := accounts.TOTPCode(r.totp[email], r.clock.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// graphql sends a query without credentials (the public's view) and returns its data.
func (r *rig) graphql(query string, vars map[string]any) map[string]any {
	r.t.Helper()
	return r.graphqlAs("", query, vars)
}

// admin sends a query with the admin API key and returns its data.
func (r *rig) admin(query string, vars map[string]any) map[string]any {
	r.t.Helper()
	return r.graphqlAs(r.key, query, vars)
}

func (r *rig) graphqlAs(key, query string, vars map[string]any) map[string]any {
	r.t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, r.url+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		r.t.Fatalf("%s: %v %v", query, err, out.Errors)
	}
	return out.Data
}

// page is one tab of the studio and what it has logged.
type page struct {
	t       *testing.T
	r       *rig
	ctx     context.Context
	console *browsertest.Console
	mu      sync.Mutex
	dialogs []string // the messages of the confirmation dialogs accepted
}

// open returns a tab in a new browser context (its own cookies) of the browser, in the time
// zone America/New_York (the editor's, not the server's UTC). The tab accepts the browser's
// own confirmation dialogs (window.confirm), and keeps their messages.
func (r *rig) open(browser context.Context) *page {
	ctx := browsertest.NewContext(r.t, browser)
	p := &page{t: r.t, r: r, ctx: ctx, console: browsertest.Listen(ctx)}
	_ = chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			p.mu.Lock()
			p.dialogs = append(p.dialogs, ev.Message)
			p.mu.Unlock()
			go func() {
				_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
					return err
				}))
			}()
		}
	})
	p.do("set the time zone", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: Zone})
		return err
	}))
	return p
}

// Zone is the editors' time zone in the browser.
const Zone = "America/New_York"

// do runs actions, failing the test with what after 20 seconds.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v\nthe page says:\n%s\nconsole: %q", what, err, p.body(), p.console.Problems())
	}
}

// body returns the text of the page, for failure messages.
func (p *page) body() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	return s
}

func role(r, name string, scopes ...browsertest.Scope) chromedp.QueryOption {
	return browsertest.ByRole(r, name, scopes...)
}

// click presses the element with the role and name.
func (p *page) click(r, name string, scopes ...browsertest.Scope) {
	p.t.Helper()
	p.do(fmt.Sprintf("click %s %q", r, name), chromedp.Click(name, role(r, name, scopes...)))
}

// fill replaces the value of the textbox (or other field) with the name, as typing does.
func (p *page) fill(r, name, value string) {
	p.t.Helper()
	p.do(fmt.Sprintf("fill %s %q", r, name),
		chromedp.WaitVisible(name, role(r, name)),
		chromedp.Focus(name, role(r, name)),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.value = ""`),
		chromedp.SendKeys(name, value, role(r, name)))
}

// see waits until an element with the role and name is there.
func (p *page) see(r, name string, scopes ...browsertest.Scope) {
	p.t.Helper()
	p.do(fmt.Sprintf("see %s %q", r, name), chromedp.WaitVisible(name, role(r, name, scopes...)))
}

// absent waits (up to 10 seconds) until no element with the role and name is there.
func (p *page) absent(r, name string) {
	p.t.Helper()
	browsertest.Eventually(p.t, 10*time.Second, func() string {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		defer cancel()
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(name, role(r, name), chromedp.AtLeast(0)))
		if err != nil {
			return fmt.Sprintf("query %s %q: %v", r, name, err)
		}
		if len(nodes) > 0 {
			return fmt.Sprintf("%s %q is there", r, name)
		}
		return ""
	})
}

// text returns the text of the element with the role and name.
func (p *page) text(r, name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(name, role(r, name)))
	if err != nil {
		p.t.Fatalf("text of %s %q: %v", r, name, err)
	}
	return s
}

// value returns the value of the form control with the role and name.
func (p *page) value(r, name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(name, role(r, name)))
	if err != nil {
		p.t.Fatalf("value of %s %q: %v", r, name, err)
	}
	return s
}

// status waits until the page's status line says want.
func (p *page) status(want string) {
	p.t.Helper()
	browsertest.Eventually(p.t, 20*time.Second, func() string {
		got, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('[role=status],[role=alert]')].map(e => e.textContent).join(" | ")`))
		if strings.Contains(got, want) {
			return ""
		}
		return fmt.Sprintf("the status says %q, want %q", got, want)
	})
}

// signIn signs the tab in as the enrolled user, through the studio's form.
func (p *page) signIn(email string) {
	p.t.Helper()
	p.do("open the studio", chromedp.Navigate(p.r.url+"/studio/"))
	p.fill("textbox", "Email", email)
	p.fill("textbox", "Password", password)
	p.click("button", "Sign in")
	p.fill("textbox", "Code", p.r.code(email))
	p.click("button", "Sign in")
	p.see("button", "Sign out")
	p.r.clock.Advance(30 * time.Second)
}

// noProblems fails the test with the console's errors (CSP violations among them).
func (p *page) noProblems() {
	p.t.Helper()
	for _, msg := range p.console.Problems() {
		// Signed out, the studio asks for a token and gets 401: how it learns there is no
		// session (the cookie is HttpOnly); and an expired access token gets 401 from
		// /graphql, which makes it ask for a new one. Chromium logs both as failed loads.
		if strings.Contains(msg, "status of 401") && (strings.HasSuffix(msg, "/auth/token") || strings.HasSuffix(msg, "/graphql")) {
			continue
		}
		p.t.Errorf("browser console: %s", msg)
	}
}

// setValue sets the value of a control the keyboard cannot type into simply (a
// datetime-local), as the browser does when a person picks a value: then an input event.
func (p *page) setValue(r, name, value string) {
	p.t.Helper()
	p.do(fmt.Sprintf("set %s %q", r, name),
		chromedp.Focus(name, role(r, name)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.activeElement;
			el.value = %q; el.dispatchEvent(new Event("input", {bubbles: true})); })()`, value)))
}

// create makes an item through the API (as the admin key) and returns its id.
func (r *rig) create(mutation string, vars map[string]any) string {
	r.t.Helper()
	d := r.admin(mutation, vars)
	for _, v := range d {
		return v.(map[string]any)["id"].(string)
	}
	r.t.Fatalf("%s returned nothing", mutation)
	return ""
}

// choose picks the option with the value in the select (combobox) with the name, as a person
// does with the mouse: the value changes, then a change event.
func (p *page) choose(name, value string) {
	p.t.Helper()
	p.do(fmt.Sprintf("choose %q in %q", value, name),
		chromedp.Focus(name, role("combobox", name)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.activeElement;
			el.value = %q; el.dispatchEvent(new Event("change", {bubbles: true})); })()`, value)))
}

// screenshot saves the tab's viewport as name.png: into the folder PAUSE_STUDIO_SCREENSHOTS
// names (the README's pictures: PAUSE_STUDIO_SCREENSHOTS=$PWD/docs/studio go test ./studio/e2e),
// or into the test's temporary folder.
func (p *page) screenshot(name string) {
	p.t.Helper()
	dir := os.Getenv("PAUSE_STUDIO_SCREENSHOTS")
	if dir == "" {
		dir = p.t.TempDir()
	}
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil || len(png) < 1000 {
		p.t.Fatalf("screenshot %s: %v (%d bytes)", name, err, len(png))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

package accounts_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pause"
	"pause/internal/browsertest"
)

// The browser tests drive Debian's chromium (make browser installs it) through chromedp. They
// find elements as a person does, by role and accessible name. Without chromium they skip,
// except in CI (CI=true), where they fail.

func role(r, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Query("", browsertest.ByRole(r, name))
}

// click presses the button with the name, and waits until the status line says want.
func click(t *testing.T, ctx context.Context, button, want string) {
	t.Helper()
	browsertest.Press(t, ctx, button, "Result", want)
}

// TestPasskeyBrowser: a passkey registered with a virtual authenticator (CDP
// WebAuthn.addVirtualAuthenticator, user verification on) signs in alone, with no password
// and no code, and its session gets tokens like any other.
func TestPasskeyBrowser(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		secret, _, _ := r.enrolled("ed@example.com", pause.RoleEditor)
		r.clock.Advance(30 * time.Second)
		ctx := browsertest.Browser(t)
		err := chromedp.Do(ctx,
			browsertest.VirtualAuthenticator(),
			chromedp.Navigate(r.localhost+"/test/studio.html"),
			role("textbox", "Email"),
			chromedp.SendKeys("Email", "ed@example.com", browsertest.ByRole("textbox", "Email")),
			chromedp.SendKeys("Password", password, browsertest.ByRole("textbox", "Password")),
			chromedp.SendKeys("Code", r.code(secret, 0), browsertest.ByRole("textbox", "Code")),
		)
		if err != nil {
			t.Fatal(err)
		}
		click(t, ctx, "Sign in", "login 200 signedIn")
		click(t, ctx, "Register a passkey", "register 200 1")
		click(t, ctx, "Sign out", "logout 204")
		click(t, ctx, "Get a token", "token 401 UNAUTHENTICATED")
		click(t, ctx, "Sign in with a passkey", "passkey 200 signedIn")
		click(t, ctx, "Get a token", "token 200 ed@example.com")

		u, err := stores.Users.UserByEmail(context.Background(), "ed@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Passkeys) != 1 || u.Passkeys[0].Name != "Test key" || u.Passkeys[0].LastUsedAt == nil {
			t.Fatalf("passkeys = %+v", u.Passkeys)
		}
		sessions, _ := stores.Sessions.UserSessions(context.Background(), u.ID)
		if len(sessions) == 0 || sessions[0].Method != "passkey" {
			t.Fatalf("newest session = %+v, want a passkey session", sessions)
		}
		if a := r.auditActions("user"); a[0] != "addPasskey" {
			t.Fatalf("audit = %v", a)
		}
		// With the user disabled, the passkey signs nobody in.
		if _, err := r.cms.DisableUser(r.admin, u.ID); err != nil {
			t.Fatal(err)
		}
		click(t, ctx, "Sign in with a passkey", "passkey 401 UNAUTHENTICATED")
	})
}

// TestOtherOriginBrowser: a page of another origin, in the same browser as a signed-in
// studio, can neither get a token nor end the session: not with fetch (credentials included,
// the studio header set: the preflight is refused), and not with a form post (no JSON, no
// header, and SameSite=Strict keeps the cookie home).
func TestOtherOriginBrowser(t *testing.T) {
	r := newRig(t, openBolt(t), testParams)
	secret, _, _ := r.enrolled("ed@example.com", pause.RoleEditor)
	r.clock.Advance(30 * time.Second)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Elsewhere</title>
<form method="post" action="%[1]s/auth/logout"><button>Post a form</button></form>
<iframe name="sink" title="sink"></iframe>
<form method="post" action="%[1]s/auth/token" target="sink"><button>Post a token form</button></form>`, r.localhost)
	}))
	defer evil.Close()
	ctx := browsertest.Browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(r.localhost+"/test/studio.html"),
		chromedp.SendKeys("Email", "ed@example.com", browsertest.ByRole("textbox", "Email")),
		chromedp.SendKeys("Password", password, browsertest.ByRole("textbox", "Password")),
		chromedp.SendKeys("Code", r.code(secret, 0), browsertest.ByRole("textbox", "Code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "Sign in", "login 200 signedIn")

	if err := chromedp.Do(ctx, chromedp.Navigate(evil.URL)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/auth/token", "/auth/logout"} {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q, {method: "POST", credentials: "include",
			headers: {"Content-Type": "application/json", "X-Pause-Studio": "1"}}).then(r => "status " + r.status, e => "refused")`,
			r.localhost+path), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if got != "refused" {
			t.Fatalf("fetch %s from another origin: %s", path, got)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click("Post a form", browsertest.ByRole("button", "Post a form"))); err != nil {
		t.Fatal(err)
	}
	var body string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		body, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " " + document.body.innerText`))
		if strings.HasPrefix(body, r.localhost) && strings.Contains(body, "error") { // the form's answer has loaded
			break
		}
	}
	if !strings.HasPrefix(body, r.localhost+"/auth/logout") || !strings.Contains(body, "FORBIDDEN") {
		t.Fatalf("a form post from another origin answered %q", body)
	}
	// The session is alive: the studio still gets tokens.
	if err := chromedp.Do(ctx, chromedp.Navigate(r.localhost+"/test/studio.html"), role("button", "Get a token")); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "Get a token", "token 200 ed@example.com")
}

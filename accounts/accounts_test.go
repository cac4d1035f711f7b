package accounts_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/accounts"
)

// TestSetupLinkWorksOnce: a setup link sets a password once, before it expires; a weak
// password leaves it usable (ASVS 6.4.1, 6.2.x).
func TestSetupLinkWorksOnce(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		c := r.newClient()
		_, token := r.invite("ed@example.com", pause.RoleEditor)
		setup := func(tok, pw string) *response {
			return c.do(http.MethodPost, "/auth/setup", map[string]string{"token": tok, "password": pw}, nil)
		}
		setup(token, "short").want(t, 400, pause.EINVALID)
		setup(token, "password1").want(t, 400, pause.EINVALID) // a common one
		setup(token+"x", password).want(t, 401, pause.EUNAUTHENTICATED)
		res := setup(token, password).want(t, 200, "")
		if u := res.json["user"].(map[string]any); u["email"] != "ed@example.com" || u["role"] != "EDITOR" {
			t.Fatalf("setup answered %s", res.body)
		}
		setup(token, password+"!").want(t, 401, pause.EUNAUTHENTICATED)
		// The password that was set is the one that works.
		if got := c.login("ed@example.com", password, "").want(t, 200, ""); got.str("status") != "totpEnrolmentRequired" {
			t.Fatalf("sign-in after setup: %s", got.body)
		}

		_, late := r.invite("late@example.com", pause.RoleViewer)
		r.clock.Advance(pause.SetupLinkTTL)
		setup(late, password).want(t, 401, pause.EUNAUTHENTICATED)
		if a := r.auditActions("user"); a[0] != "setPassword" && !slices.Contains(a, "setPassword") {
			t.Fatalf("audit = %v", a)
		}
	})
}

// TestResetKeepsSecondFactor: a reset link replaces the password only; the account still needs
// its TOTP code (ASVS 6.4.3), and the old password stops working.
func TestResetKeepsSecondFactor(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		secret, _, c := r.enrolled("ed@example.com", pause.RoleEditor)
		u, _ := stores.Users.UserByEmail(context.Background(), "ed@example.com")
		_, link, err := r.cms.ResetUser(r.admin, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		token := link[strings.Index(link, "token=")+6:]
		c.do(http.MethodPost, "/auth/setup", map[string]string{"token": token, "password": "a brand new passphrase"}, nil).want(t, 200, "")
		c.token().want(t, 401, pause.EUNAUTHENTICATED) // a new password ends the sessions
		r.clock.Advance(time.Minute)
		c.login("ed@example.com", password, r.code(secret, 0)).want(t, 401, pause.EUNAUTHENTICATED)
		if res := c.login("ed@example.com", "a brand new passphrase", "").want(t, 200, ""); res.str("status") != "codeRequired" {
			t.Fatalf("after a reset the second factor must stay: %s", res.body)
		}
		c.login("ed@example.com", "a brand new passphrase", r.code(secret, 0)).want(t, 200, "")
		c.token().want(t, 200, "")
		if a := r.auditActions("user"); !slices.Contains(a, "resetPassword") || !slices.Contains(a, "resetUser") {
			t.Fatalf("audit = %v", a)
		}
	})
}

// TestWrongPasswordAndUnknownEmail: the same status and message for an unknown email, a wrong
// password, a wrong code and a disabled account (ASVS 6.3.8).
func TestWrongPasswordAndUnknownEmail(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		secret, _, _ := r.enrolled("ed@example.com", pause.RoleEditor)
		r.enrolled("off@example.com", pause.RoleEditor)
		off, _ := stores.Users.UserByEmail(context.Background(), "off@example.com")
		if _, err := r.cms.DisableUser(r.admin, off.ID); err != nil {
			t.Fatal(err)
		}
		r.clock.Advance(time.Minute)
		c := r.newClient()
		var bodies []string
		for _, try := range [][3]string{
			{"nobody@example.com", password, ""},
			{"ed@example.com", "wrong password!", ""},
			{"ed@example.com", "wrong password!", r.code(secret, 0)},
			{"ed@example.com", password, "000000"},
			{"off@example.com", password, ""},
			{"not an email", password, ""},
		} {
			res := c.login(try[0], try[1], try[2]).want(t, 401, pause.EUNAUTHENTICATED)
			bodies = append(bodies, string(res.body))
			if res.Header.Get("Set-Cookie") != "" {
				t.Fatalf("a failed sign-in set a cookie")
			}
		}
		for _, b := range bodies[1:] {
			if b != bodies[0] {
				t.Fatalf("answers differ:\n%s\n%s", bodies[0], b)
			}
		}
		if a := r.auditActions("signIn"); len(a) != 6 {
			t.Fatalf("audit of failures = %v, want 6", a)
		}
	})
}

// TestTiming: an unknown email takes as long as a wrong password: a password hash is verified
// either way. (Loose bounds: without the dummy hash, an unknown email answers tens of times
// faster.)
func TestTiming(t *testing.T) {
	r := newRig(t, openBolt(t), accounts.DefaultParams)
	_, token := r.invite("ed@example.com", pause.RoleEditor)
	c := r.newClient()
	c.do(http.MethodPost, "/auth/setup", map[string]string{"token": token, "password": password}, nil).want(t, 200, "")
	try := func(email string) time.Duration {
		start := time.Now()
		c.login(email, "wrong password!", "").want(t, 401, "")
		r.clock.Advance(pause.FailureMemory) // no throttling
		return time.Since(start)
	}
	try("warm.up@example.com") // the dummy hash is made on first use
	// Interleaved, so that the load of a shared machine falls on both alike.
	var unknowns, wrongs []time.Duration
	for range 7 {
		unknowns = append(unknowns, try("nobody@example.com"))
		wrongs = append(wrongs, try("ed@example.com"))
	}
	slices.Sort(unknowns)
	slices.Sort(wrongs)
	unknown, wrong := unknowns[3], wrongs[3]
	if unknown*3 < wrong || wrong*3 < unknown {
		t.Fatalf("unknown email %v, wrong password %v: they must take about as long", unknown, wrong)
	}
	t.Logf("unknown email %v, wrong password %v", unknown, wrong)
}

// TestTOTPCodeWorksOnce: a code is accepted once, a later one after it, never an earlier one,
// and codes two steps away are refused (ASVS 6.5.1, 6.5.5).
func TestTOTPCodeWorksOnce(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		secret, _, _ := r.enrolled("ed@example.com", pause.RoleEditor)
		c := r.newClient()
		c.login("ed@example.com", password, r.code(secret, 0)).want(t, 401, pause.EUNAUTHENTICATED) // used at enrolment
		r.clock.Advance(30 * time.Second)
		code := r.code(secret, 0)
		c.login("ed@example.com", password, code).want(t, 200, "")
		c.token().want(t, 200, "")
		other := r.newClient()
		other.login("ed@example.com", password, code).want(t, 401, pause.EUNAUTHENTICATED)
		other.login("ed@example.com", password, r.code(secret, -1)).want(t, 401, pause.EUNAUTHENTICATED)
		other.login("ed@example.com", password, r.code(secret, 2)).want(t, 401, pause.EUNAUTHENTICATED)
		other.login("ed@example.com", password, r.code(secret, 1)).want(t, 200, "") // clock skew
		r.clock.Advance(time.Minute)
		other.login("ed@example.com", password, r.code(secret, -2)).want(t, 401, pause.EUNAUTHENTICATED)
	})
}

// TestRecoveryCodesWorkOnce: each of the ten recovery codes signs in once.
func TestRecoveryCodesWorkOnce(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		_, codes, _ := r.enrolled("ed@example.com", pause.RoleEditor)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes", len(codes))
		}
		c := r.newClient()
		c.login("ed@example.com", password, codes[3]).want(t, 200, "")
		c.login("ed@example.com", password, codes[3]).want(t, 401, pause.EUNAUTHENTICATED)
		c.login("ed@example.com", password, strings.ToUpper(codes[4])).want(t, 200, "")
		c.login("ed@example.com", "wrong password!", codes[5]).want(t, 401, pause.EUNAUTHENTICATED)
		c.login("ed@example.com", password, codes[5]).want(t, 200, "")
		u, _ := stores.Users.UserByEmail(context.Background(), "ed@example.com")
		if len(u.RecoveryCodes) != 7 {
			t.Fatalf("%d recovery codes left, want 7", len(u.RecoveryCodes))
		}
		for _, h := range u.RecoveryCodes {
			for _, code := range codes {
				if strings.Contains(h, code) {
					t.Fatalf("a recovery code is stored in the clear")
				}
			}
		}
		if a := r.auditActions("user"); !slices.Contains(a, "useRecoveryCode") {
			t.Fatalf("audit = %v", a)
		}
	})
}

// TestSecondFactorRequired: a built-in account gets no session, and so no token, with a
// password alone (ASVS 6.3.2).
func TestSecondFactorRequired(t *testing.T) {
	r := newRig(t, openBolt(t), testParams)
	_, token := r.invite("ed@example.com", pause.RoleEditor)
	c := r.newClient()
	c.do(http.MethodPost, "/auth/setup", map[string]string{"token": token, "password": password}, nil).want(t, 200, "")
	r.clock.Advance(time.Second)
	for range 2 {
		res := c.login("ed@example.com", password, "").want(t, 200, "")
		if res.str("status") != "totpEnrolmentRequired" || c.cookie() != "" {
			t.Fatalf("a password alone: %s, cookie %q", res.body, c.cookie())
		}
		c.token().want(t, 401, pause.EUNAUTHENTICATED)
	}
	res := c.login("ed@example.com", password, "").want(t, 200, "")
	secret := res.str("totpSecret")
	u, _ := r.stores.Users.UserByEmail(context.Background(), "ed@example.com")
	if u.PendingTOTP == nil || strings.Contains(string(u.PendingTOTP), secret) {
		t.Fatalf("the pending secret is not stored encrypted")
	}
	c.login("ed@example.com", password, r.code(secret, 0)).want(t, 200, "")
	u, _ = r.stores.Users.UserByEmail(context.Background(), "ed@example.com")
	if u.TOTPSecret == nil || u.PendingTOTP != nil || strings.Contains(string(u.TOTPSecret), secret) {
		t.Fatalf("after enrolment: %+v", u)
	}
	c.token().want(t, 200, "")
}

// TestCookieFlags: the session cookie is __Host- prefixed, Secure, HttpOnly, SameSite=Strict,
// Path=/, with no Domain, and a new secret at every sign-in, whatever cookie came in (ASVS
// 3.3.1-3.3.4, 7.2.4).
func TestCookieFlags(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		secret, _, c := r.enrolled("ed@example.com", pause.RoleEditor)
		first := c.cookie()
		r.clock.Advance(30 * time.Second)
		res := c.do(http.MethodPost, "/auth/login", map[string]string{"email": "ed@example.com", "password": password,
			"code": r.code(secret, 0)}, map[string]string{"Cookie": accounts.SessionCookie + "=attacker-chosen"}).want(t, 200, "")
		sc := res.Header.Get("Set-Cookie")
		parts := strings.Split(sc, "; ")
		name, value, _ := strings.Cut(parts[0], "=")
		if name != "__Host-pause_session" || len(value) < 43 || value == "attacker-chosen" || value == first {
			t.Fatalf("Set-Cookie %q", sc)
		}
		for _, flag := range []string{"Path=/", "Secure", "HttpOnly", "SameSite=Strict"} {
			if !slices.Contains(parts, flag) {
				t.Errorf("Set-Cookie %q lacks %s", sc, flag)
			}
		}
		if strings.Contains(strings.ToLower(sc), "domain") {
			t.Errorf("Set-Cookie %q has a Domain", sc)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
		}
		// The store knows the session by the hash of the secret only.
		se, err := stores.Sessions.SessionByHash(context.Background(), pause.HashSecret(value))
		if err != nil || se.Hash == value {
			t.Fatalf("session by hash: %+v, %v", se, err)
		}
	})
}

// TestOtherOrigin: a request from another origin, or without the studio's header, can neither
// get a token nor end a session; GET changes nothing (ASVS 3.5.1-3.5.3).
func TestOtherOrigin(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		_, _, c := r.enrolled("ed@example.com", pause.RoleEditor)
		for _, h := range []map[string]string{
			{"Origin": "https://evil.test", accounts.StudioHeader: "1"},
			{"Origin": "null", accounts.StudioHeader: "1"},
			{accounts.StudioHeader: "1"},
			{"Origin": r.origin()},
			{"Origin": r.origin(), accounts.StudioHeader: "true"},
		} {
			for _, path := range []string{"/auth/token", "/auth/logout", "/auth/password"} {
				res := c.do(http.MethodPost, path, nil, h).want(t, 403, pause.EFORBIDDEN)
				if res.Header.Get("Access-Control-Allow-Origin") != "" || res.Header.Get("Access-Control-Allow-Credentials") != "" {
					t.Fatalf("CORS headers on %s", path)
				}
			}
		}
		for _, path := range []string{"/auth/token", "/auth/logout", "/auth/login"} {
			c.do(http.MethodGet, path, nil, nil).want(t, 405, "")
		}
		// The configured studio origin works, and the session is still alive.
		c.do(http.MethodPost, "/auth/token", nil, map[string]string{"Origin": "https://studio.test", accounts.StudioHeader: "1"}).want(t, 200, "")
		c.token().want(t, 200, "")
		// A preflight from another origin is not approved.
		pre := c.do(http.MethodOptions, "/auth/token", nil, map[string]string{"Origin": "https://evil.test",
			"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-pause-studio"})
		if pre.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight approved: %v", pre.Header)
		}
		// Sign-in from another origin's page is refused too (login CSRF).
		c.do(http.MethodPost, "/auth/login", map[string]string{"email": "ed@example.com", "password": password},
			map[string]string{"Origin": "https://evil.test"}).want(t, 403, pause.EFORBIDDEN)
		// A form post (not JSON) is refused.
		req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/auth/login", strings.NewReader("email=a&password=b"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("form post: %v %v", res.StatusCode, err)
		}
		res.Body.Close()
	})
}

// TestTokenAndLogout: the token works on /graphql with the user's role; logout ends the
// session (ASVS 7.4.1).
func TestTokenAndLogout(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		_, _, c := r.enrolled("ed@example.com", pause.RoleEditor)
		tok := c.token().want(t, 200, "")
		if tok.json["expiresIn"].(float64) != 300 || tok.str("tokenType") != "Bearer" {
			t.Fatalf("token: %s", tok.body)
		}
		out := r.graphql(tok.str("accessToken"), `mutation { createArticle(input: {title: "By a user", body: "x", author: {name: "Ed"}}) { title } }`)
		if out["errors"] != nil {
			t.Fatalf("editor mutation: %v", out)
		}
		out = r.graphql(tok.str("accessToken"), `{ auditLog(first: 1) { nodes { actor } } }`)
		if out["errors"] == nil {
			t.Fatalf("an editor read the audit log")
		}
		res := c.studio("/auth/logout", nil)
		if res.StatusCode != 204 || !strings.Contains(res.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("logout: %d %v", res.StatusCode, res.Header)
		}
		c.token().want(t, 401, pause.EUNAUTHENTICATED)
		if a := r.auditActions("session"); len(a) < 2 || a[0] != "signOut" {
			t.Fatalf("audit = %v", a)
		}
	})
}

// TestDisablingEndsSessions: disabling a user ends their sessions at once, and they cannot
// sign in (ASVS 7.4.2); enabling them again does not bring old sessions back.
func TestDisablingEndsSessions(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		secret, _, c := r.enrolled("ed@example.com", pause.RoleEditor)
		c.token().want(t, 200, "")
		u, _ := stores.Users.UserByEmail(context.Background(), "ed@example.com")
		if _, err := r.cms.DisableUser(r.admin, u.ID); err != nil {
			t.Fatal(err)
		}
		c.token().want(t, 401, pause.EUNAUTHENTICATED)
		r.clock.Advance(30 * time.Second)
		c.login("ed@example.com", password, r.code(secret, 0)).want(t, 401, pause.EUNAUTHENTICATED)
		if _, err := r.cms.EnableUser(r.admin, u.ID); err != nil {
			t.Fatal(err)
		}
		c.token().want(t, 401, pause.EUNAUTHENTICATED)
		r.clock.Advance(30 * time.Second)
		c.login("ed@example.com", password, r.code(secret, 0)).want(t, 200, "")
		c.token().want(t, 200, "")
	})
}

// TestRoleChangeAtNextToken: a new role shows in the next access token.
func TestRoleChangeAtNextToken(t *testing.T) {
	r := newRig(t, openBolt(t), testParams)
	_, _, c := r.enrolled("ed@example.com", pause.RoleEditor)
	u, _ := r.stores.Users.UserByEmail(context.Background(), "ed@example.com")
	if _, err := r.cms.SetUserRole(r.admin, u.ID, pause.RoleViewer); err != nil {
		t.Fatal(err)
	}
	tok := c.token().want(t, 200, "")
	out := r.graphql(tok.str("accessToken"), `mutation { createArticle(input: {title: "No", body: "x", author: {name: "Ed"}}) { title } }`)
	if out["errors"] == nil {
		t.Fatalf("a viewer created an article")
	}
}

// TestPasswordChange: changing the password needs the current one, ends every session, and
// starts a new one for this client (ASVS 6.2.2, 6.2.3, 7.4.3).
func TestPasswordChange(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		secret, _, a := r.enrolled("ed@example.com", pause.RoleEditor)
		r.clock.Advance(30 * time.Second)
		b := r.newClient()
		b.login("ed@example.com", password, r.code(secret, 0)).want(t, 200, "")
		a.studio("/auth/password", map[string]string{"currentPassword": "not it at all", "newPassword": "another fine passphrase"}).
			want(t, 400, pause.EINVALID)
		a.studio("/auth/password", map[string]string{"currentPassword": password, "newPassword": "qwertyuiop"}).want(t, 400, pause.EINVALID)
		old := a.cookie()
		a.studio("/auth/password", map[string]string{"currentPassword": password, "newPassword": "another fine passphrase"}).want(t, 200, "")
		if a.cookie() == old || a.cookie() == "" {
			t.Fatalf("no new session after a password change")
		}
		a.token().want(t, 200, "")
		b.token().want(t, 401, pause.EUNAUTHENTICATED)
		r.clock.Advance(30 * time.Second)
		b.login("ed@example.com", password, r.code(secret, 0)).want(t, 401, pause.EUNAUTHENTICATED)
		b.login("ed@example.com", "another fine passphrase", r.code(secret, 0)).want(t, 200, "")
	})
}

// TestSessionExpiry: a session ends after 30 idle minutes, and after 12 hours however busy
// (ASVS 7.3.1, 7.3.2).
func TestSessionExpiry(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		secret, _, idle := r.enrolled("ed@example.com", pause.RoleEditor)
		r.clock.Advance(30 * time.Second)
		busy := r.newClient()
		busy.login("ed@example.com", password, r.code(secret, 0)).want(t, 200, "")
		for elapsed := time.Duration(0); elapsed < pause.SessionLifetime-25*time.Minute; elapsed += 25 * time.Minute {
			r.clock.Advance(25 * time.Minute)
			busy.token().want(t, 200, "")
		}
		idle.token().want(t, 401, pause.EUNAUTHENTICATED)
		r.clock.Advance(25 * time.Minute)
		busy.token().want(t, 401, pause.EUNAUTHENTICATED)
	})
}

// TestThrottling: failures per account and per address bring growing delays, then 429 with
// Retry-After; after the delay the right password works: no permanent lockout (ASVS 6.3.1).
func TestThrottling(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		secret, _, _ := r.enrolled("ed@example.com", pause.RoleEditor)
		c := r.newClient()
		for range pause.FreeAccountFailures {
			c.login("ed@example.com", "wrong password!", "").want(t, 401, pause.EUNAUTHENTICATED)
		}
		res := c.login("ed@example.com", password, r.code(secret, 1)).want(t, 429, "TOO_MANY_REQUESTS")
		if res.Header.Get("Retry-After") != "1" {
			t.Fatalf("Retry-After %q, want 1", res.Header.Get("Retry-After"))
		}
		r.clock.Advance(time.Second)
		c.login("ed@example.com", "wrong password!", "").want(t, 401, pause.EUNAUTHENTICATED)
		res = c.login("ed@example.com", password, "").want(t, 429, "")
		if res.Header.Get("Retry-After") != "2" {
			t.Fatalf("Retry-After %q, want 2 (the delay doubles)", res.Header.Get("Retry-After"))
		}
		r.clock.Advance(2 * time.Second)
		c.login("ed@example.com", password, r.code(secret, 1)).want(t, 200, "")
		// Success clears the account's count.
		c.login("ed@example.com", "wrong password!", "").want(t, 401, "")
		c.login("ed@example.com", "wrong password!", "").want(t, 401, "")

		// One address that tries many accounts is slowed down too.
		r.clock.Advance(pause.FailureMemory)
		for i := range pause.FreeAddressFailures {
			c.login("user"+string(rune('a'+i))+"@example.com", "whatever password", "").want(t, 401, "")
		}
		c.login("someone.else@example.com", "whatever password", "").want(t, 429, "TOO_MANY_REQUESTS")
		r.clock.Advance(pause.FailureMemory)
		c.login("someone.else@example.com", "whatever password", "").want(t, 401, "")
	})
}

// TestParamsUpgrade: a hash made with other argon2id parameters is made again with the
// current ones at sign-in.
func TestParamsUpgrade(t *testing.T) {
	stores := openBolt(t)
	old := newRig(t, stores, testParams)
	secret, _, _ := old.enrolled("ed@example.com", pause.RoleEditor)
	u, _ := stores.Users.UserByEmail(context.Background(), "ed@example.com")
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q", u.PasswordHash)
	}
	r := newRig(t, stores, accounts.DefaultParams)
	r.clock.Advance(old.clock.Now().Sub(r.clock.Now()) + time.Minute)
	c := r.newClient()
	c.login("ed@example.com", password, r.code(secret, 0)).want(t, 200, "")
	u, _ = stores.Users.UserByEmail(context.Background(), "ed@example.com")
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash not upgraded: %q", u.PasswordHash)
	}
	r.clock.Advance(time.Minute)
	c.login("ed@example.com", password, r.code(secret, 0)).want(t, 200, "")
}

// TestResetSecondFactors: an admin removes the second factors of a user who lost them; the
// user's sessions end and the next sign-in enrols a new authenticator app, while the old app's
// codes and the old recovery codes stop working.
func TestResetSecondFactors(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		old, codes, c := r.enrolled("ed@example.com", pause.RoleEditor)
		u, _ := stores.Users.UserByEmail(context.Background(), "ed@example.com")
		self := pause.NewContext(context.Background(), &pause.Viewer{Subject: u.ViewerSubject(), Role: pause.RoleAdmin})
		if _, err := r.cms.ResetUserSecondFactors(self, u.ID); pause.ErrorCode(err) != pause.EFORBIDDEN {
			t.Fatalf("a user reset their own second factors: %v", err)
		}
		if _, err := r.cms.ResetUserSecondFactors(r.admin, u.ID); err != nil {
			t.Fatal(err)
		}
		c.token().want(t, 401, pause.EUNAUTHENTICATED)
		r.clock.Advance(time.Minute)
		c.login("ed@example.com", password, codes[0]).want(t, 401, pause.EUNAUTHENTICATED)
		res := c.login("ed@example.com", password, "").want(t, 200, "")
		fresh := res.str("totpSecret")
		if res.str("status") != "totpEnrolmentRequired" || fresh == "" || fresh == old {
			t.Fatalf("after the reset: %s", res.body)
		}
		c.login("ed@example.com", password, r.code(old, 0)).want(t, 401, pause.EUNAUTHENTICATED)
		c.login("ed@example.com", password, r.code(fresh, 0)).want(t, 200, "")
		if a := r.auditActions("user"); !slices.Contains(a, "resetSecondFactors") {
			t.Fatalf("audit = %v", a)
		}
	})
}

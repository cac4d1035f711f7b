package storetest

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"time"

	"pause"
)

// accountCases are the cases of the stores of accounts: users, sessions and failed sign-ins.
func accountCases() []testCase {
	return []testCase{
		{"Invite", testInviteUser},
		{"UserRoundTrip", testUserRoundTrip},
		{"UserVersions", testUserVersions},
		{"UserLinks", testUserLinks},
		{"UserIdentity", testUserIdentity},
		{"UserAdmin", testUserAdmin},
		{"UserPermissions", testUserPermissions},
		{"Sessions", testSessions},
		{"MySessions", testMySessions},
		{"Failures", testFailures},
	}
}

func (e *env) auditActions(itemType string) []string {
	e.Helper()
	p, err := e.cms.AuditLog(e.admin, pause.Query[pause.AuditFilter]{First: pause.MaxFirst, Filter: pause.AuditFilter{ItemType: itemType}})
	e.must(err, "read the audit log")
	var out []string
	for _, a := range p.Items {
		out = append(out, a.Action)
	}
	return out
}

// testInviteUser: an invited user is stored with a case-folded unique email, a link whose
// token is shown once and stored hashed, and an audit entry.
func testInviteUser(e *env) {
	u, link, err := e.cms.InviteUser(e.admin, "  Alice@Example.COM ", " Alice ", pause.RoleEditor)
	e.must(err, "invite")
	if u.Email != "alice@example.com" || u.Name != "Alice" || u.Role != pause.RoleEditor || u.Version != 1 ||
		u.CreatedBy != "root" || u.PasswordHash != "" || u.Link == nil || u.Link.Purpose != pause.LinkSetup {
		e.Fatalf("user = %+v", u)
	}
	e.wantTime(u.Link.ExpiresAt, e.clock.Now().Add(pause.SetupLinkTTL), "link expiry")
	token, ok := strings.CutPrefix(link, pause.SetupLinkPath+"?token=")
	if !ok || len(token) < 40 || u.Link.Hash != pause.HashSecret(token) || strings.Contains(u.Link.Hash, token) {
		e.Fatalf("link %q, hash %q", link, u.Link.Hash)
	}
	got, err := e.stores.Users.UserByEmail(context.Background(), "alice@example.com")
	e.must(err, "by email")
	if got.ID != u.ID {
		e.Fatalf("by email: %+v", got)
	}
	got, err = e.stores.Users.UserByLink(context.Background(), pause.HashSecret(token))
	e.must(err, "by link")
	if got.ID != u.ID {
		e.Fatalf("by link: %+v", got)
	}
	if _, err := e.stores.Users.UserByLink(context.Background(), token); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Fatalf("the token itself found a user: %v", err)
	}
	_, _, err = e.cms.InviteUser(e.admin, "ALICE@example.com", "Other Alice", pause.RoleViewer)
	e.wantCode(err, pause.ECONFLICT, "email", "invite the same email again")
	for _, bad := range []struct{ email, name, field string }{
		{"not an email", "X", "email"}, {"Bob <bob@example.com>", "X", "email"}, {"bob@localhost", "X", "email"},
		{"bob@example.com", " ", "name"}, {"bob@example.com", "a\nb", "name"},
	} {
		_, _, err := e.cms.InviteUser(e.admin, bad.email, bad.name, pause.RoleViewer)
		e.wantCode(err, pause.EINVALID, bad.field, "invite "+bad.email)
	}
	_, _, err = e.cms.InviteUser(e.admin, "bob@example.com", "Bob", pause.RoleAnonymous)
	e.wantCode(err, pause.EINVALID, "role", "invite an anonymous")
	users, err := e.cms.Users(e.admin)
	e.must(err, "list users")
	if len(users) != 1 {
		e.Fatalf("users = %+v: a failed invite left a user", users)
	}
	if a := e.auditActions("user"); !reflect.DeepEqual(a, []string{"inviteUser"}) {
		e.Fatalf("audit = %v", a)
	}
}

// fullUser returns a user with every field set.
func fullUser(e *env, id, email string) *pause.User {
	now := e.clock.Now()
	used := now.Add(-time.Hour)
	disabled := now.Add(-time.Minute)
	return &pause.User{
		ID: id, Email: email, Name: "Zoë Ünïcode", Role: pause.RoleAdmin,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo",
		TOTPSecret:   []byte{0, 1, 2, 255}, PendingTOTP: []byte{9, 8, 7}, TOTPStep: 59_000_123,
		RecoveryCodes: []string{pause.HashSecret("a"), pause.HashSecret("b")},
		Passkeys: []pause.Passkey{
			{ID: []byte{1, 2, 3}, Name: "laptop", Credential: []byte(`{"id":"AQID"}`), CreatedAt: now, LastUsedAt: &used},
			{ID: []byte{4}, Name: "phone", Credential: []byte(`{}`), CreatedAt: now},
		},
		Issuer: "https://idp.example.com", Subject: "sub-" + id,
		Link:       &pause.SetupLink{Hash: pause.HashSecret("t" + id), Purpose: pause.LinkReset, ExpiresAt: now.Add(time.Hour)},
		DisabledAt: &disabled, SessionsValidAfter: now.Add(-time.Second),
		CreatedAt: now, CreatedBy: "root", UpdatedAt: now, Version: 1,
	}
}

// sameUser fails unless got holds what want holds.
func sameUser(e *env, got, want *pause.User, what string) {
	e.Helper()
	if d := diff(reflect.ValueOf(got), reflect.ValueOf(want), ""); d != "" {
		e.Fatalf("%s differs:%s", what, d)
	}
}

// testUserRoundTrip: every field of a user comes back as it went in, byte for byte.
func testUserRoundTrip(e *env) {
	ctx := context.Background()
	u := fullUser(e, "01JUSER0000000000000000001", "zoe@example.com")
	e.must(e.stores.Users.CreateUser(ctx, u, nil), "create")
	got, err := e.stores.Users.User(ctx, u.ID)
	e.must(err, "get")
	sameUser(e, got, u, "user")
	got.Passkeys[0].Name = "changed"
	got.TOTPSecret[0] = 42
	again, _ := e.stores.Users.User(ctx, u.ID)
	sameUser(e, again, u, "user after changing a copy")

	bare := &pause.User{ID: "01JUSER0000000000000000002", Email: "bare@example.com", Name: "B", Role: pause.RoleViewer,
		CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now(), Version: 1}
	e.must(e.stores.Users.CreateUser(ctx, bare, nil), "create bare")
	got, err = e.stores.Users.User(ctx, bare.ID)
	e.must(err, "get bare")
	if got.TOTPSecret != nil || got.PendingTOTP != nil || got.Link != nil || got.DisabledAt != nil || len(got.Passkeys) != 0 || len(got.RecoveryCodes) != 0 {
		e.Fatalf("bare user came back with %+v", got)
	}
	sameUser(e, got, &pause.User{ID: bare.ID, Email: bare.Email, Name: "B", Role: pause.RoleViewer,
		CreatedAt: bare.CreatedAt, UpdatedAt: bare.UpdatedAt, Version: 1, Passkeys: got.Passkeys, RecoveryCodes: got.RecoveryCodes}, "bare")

	users, err := e.stores.Users.Users(ctx)
	e.must(err, "list")
	if len(users) != 2 || users[0].Email != "bare@example.com" || users[1].Email != "zoe@example.com" {
		e.Fatalf("users = %v, want by email", users)
	}
	for _, id := range []string{"", "nobody", strings.Repeat("x", 2000)} {
		if _, err := e.stores.Users.User(ctx, id); pause.ErrorCode(err) != pause.ENOTFOUND {
			e.Errorf("User(%q) = %v, want NOT_FOUND", id, err)
		}
	}
	if _, err := e.stores.Users.UserByEmail(ctx, "ZOE@example.com"); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Errorf("emails are stored normalized; a raw one found a user: %v", err)
	}
	e.wantCode(e.stores.Users.CreateUser(ctx, fullUser(e, u.ID, "other@example.com"), nil), pause.ECONFLICT, "", "same id")
}

// testUserVersions: an update must name the next version; of two updates of the same version
// one wins, whole, and the other changes nothing.
func testUserVersions(e *env) {
	ctx := context.Background()
	u, _, err := e.cms.InviteUser(e.admin, "v@example.com", "V", pause.RoleViewer)
	e.must(err, "invite")
	stale := u.Clone()
	stale.Name = "stale"
	e.wantCode(e.stores.Users.UpdateUser(ctx, stale, nil), pause.ECONFLICT, "", "update with the same version")
	missing := u.Clone()
	missing.ID, missing.Version = "01JNOSUCHUSER0000000000000", 2
	e.wantCode(e.stores.Users.UpdateUser(ctx, missing, nil), pause.ENOTFOUND, "", "update a missing user")

	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := u.Clone()
			c.Version = 2
			c.Name = "writer " + string(rune('a'+i))
			c.Link = nil
			errs[i] = e.stores.Users.UpdateUser(ctx, c, pause.UserEntry(c, "setup", c.ViewerSubject(), e.clock.Now(), "password"))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else if pause.ErrorCode(err) != pause.ECONFLICT {
			e.Fatalf("concurrent update: %v", err)
		}
	}
	if won != 1 {
		e.Fatalf("%d concurrent updates of version 1 succeeded, want 1: a setup link could be used twice", won)
	}
	got, err := e.stores.Users.User(ctx, u.ID)
	e.must(err, "get")
	if got.Version != 2 || !strings.HasPrefix(got.Name, "writer ") || got.Link != nil {
		e.Fatalf("after the race: %+v", got)
	}
	if a := e.auditActions("user"); len(a) != 2 || a[0] != "setup" {
		e.Fatalf("audit = %v, want the winner's entry over the invite", a)
	}
}

// testUserLinks: a user is found by its link's hash exactly as long as it has that link.
func testUserLinks(e *env) {
	ctx := context.Background()
	u, first, err := e.cms.InviteUser(e.admin, "l@example.com", "L", pause.RoleEditor)
	e.must(err, "invite")
	hash := func(link string) string { return pause.HashSecret(link[strings.Index(link, "=")+1:]) }
	e.clock.Advance(time.Minute)
	r, second, err := e.cms.ResetUser(e.admin, u.ID)
	e.must(err, "reset")
	// Never set up, the user gets a setup link again.
	if second == first || r.Link.Purpose != pause.LinkSetup || r.Version != 2 {
		e.Fatalf("reset = %+v, %q", r, second)
	}
	e.wantTime(r.Link.ExpiresAt, e.clock.Now().Add(pause.ResetLinkTTL), "reset link expiry")
	if _, err := e.stores.Users.UserByLink(ctx, hash(first)); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Fatalf("the replaced link still finds the user: %v", err)
	}
	got, err := e.stores.Users.UserByLink(ctx, hash(second))
	e.must(err, "by the new link")
	if got.ID != u.ID {
		e.Fatalf("by link: %+v", got)
	}
	got = got.Clone()
	got.Link, got.Version, got.PasswordHash = nil, got.Version+1, "$argon2id$x"
	e.must(e.stores.Users.UpdateUser(ctx, got, nil), "use the link")
	if _, err := e.stores.Users.UserByLink(ctx, hash(second)); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Fatalf("a used link still finds the user: %v", err)
	}
	if a := e.auditActions("user"); !reflect.DeepEqual(a, []string{"resetUser", "inviteUser"}) {
		e.Fatalf("audit = %v", a)
	}
}

// testUserIdentity: single sign-on users are found by issuer and subject; the same subject
// of another issuer is another user.
func testUserIdentity(e *env) {
	ctx := context.Background()
	a := fullUser(e, "01JUSERA000000000000000000", "a@example.com")
	a.Issuer, a.Subject = "https://one.example.com", "same"
	e.must(e.stores.Users.CreateUser(ctx, a, nil), "create a")
	b := fullUser(e, "01JUSERB000000000000000000", "b@example.com")
	b.Issuer, b.Subject, b.Link = "https://two.example.com", "same", nil
	e.must(e.stores.Users.CreateUser(ctx, b, nil), "create b")
	got, err := e.stores.Users.UserByIdentity(ctx, "https://two.example.com", "same")
	e.must(err, "by identity")
	if got.ID != b.ID {
		e.Fatalf("by identity = %s, want b", got.ID)
	}
	if _, err := e.stores.Users.UserByIdentity(ctx, "https://three.example.com", "same"); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Fatalf("unknown issuer: %v", err)
	}
	c := fullUser(e, "01JUSERC000000000000000000", "c@example.com")
	c.Issuer, c.Subject, c.Link = a.Issuer, a.Subject, nil
	e.wantCode(e.stores.Users.CreateUser(ctx, c, nil), pause.ECONFLICT, "", "same identity")
	if _, err := e.stores.Users.UserByEmail(ctx, "c@example.com"); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Fatalf("a refused user was partly written: %v", err)
	}
}

// testUserAdmin: role changes, disabling (which voids sessions) and enabling are stored and
// audited; admins cannot change themselves.
func testUserAdmin(e *env) {
	u, _, err := e.cms.InviteUser(e.admin, "r@example.com", "R", pause.RoleViewer)
	e.must(err, "invite")
	e.clock.Advance(time.Minute)
	u, err = e.cms.SetUserRole(e.admin, u.ID, pause.RoleEditor)
	e.must(err, "set role")
	if u.Role != pause.RoleEditor || u.Version != 2 {
		e.Fatalf("after set role: %+v", u)
	}
	same, err := e.cms.SetUserRole(e.admin, u.ID, pause.RoleEditor)
	e.must(err, "set the same role")
	if same.Version != 2 {
		e.Fatalf("setting the same role wrote a version: %+v", same)
	}
	e.clock.Advance(time.Minute)
	u, err = e.cms.DisableUser(e.admin, u.ID)
	e.must(err, "disable")
	if !u.Disabled() || !u.DisabledAt.Equal(e.clock.Now()) || !u.SessionsValidAfter.Equal(pause.EndSessionsAt(e.clock.Now())) {
		e.Fatalf("after disable: %+v", u)
	}
	stored, _ := e.stores.Users.User(context.Background(), u.ID)
	sameUser(e, stored, u, "stored after disable")
	u, err = e.cms.EnableUser(e.admin, u.ID)
	e.must(err, "enable")
	if u.Disabled() || u.SessionsValidAfter.IsZero() {
		e.Fatalf("after enable: %+v", u)
	}
	e.clock.Advance(time.Minute)
	u, err = e.cms.EndUserSessions(e.admin, u.ID)
	e.must(err, "end sessions")
	e.wantTime(u.SessionsValidAfter, pause.EndSessionsAt(e.clock.Now()), "sessions valid after")
	if a := e.auditActions("user"); !reflect.DeepEqual(a, []string{"revokeSessions", "enableUser", "disableUser", "setUserRole", "inviteUser"}) {
		e.Fatalf("audit = %v", a)
	}
	_, err = e.cms.SetUserRole(e.admin, "01JNOSUCHUSER0000000000000", pause.RoleViewer)
	e.wantCode(err, pause.ENOTFOUND, "", "role of nobody")
	self := pause.NewContext(context.Background(), &pause.Viewer{Subject: u.ViewerSubject(), Role: pause.RoleAdmin})
	_, err = e.cms.DisableUser(self, u.ID)
	e.wantCode(err, pause.EFORBIDDEN, "", "disable oneself")
	_, err = e.cms.SetUserRole(self, u.ID, pause.RoleViewer)
	e.wantCode(err, pause.EFORBIDDEN, "", "demote oneself")
}

// testUserPermissions: only admins manage users.
func testUserPermissions(e *env) {
	u, _, err := e.cms.InviteUser(e.admin, "p@example.com", "P", pause.RoleViewer)
	e.must(err, "invite")
	for _, ctx := range []context.Context{e.anon, e.viewer, e.editor} {
		want := pause.EFORBIDDEN
		if ctx == e.anon {
			want = pause.EUNAUTHENTICATED
		}
		_, _, err := e.cms.InviteUser(ctx, "q@example.com", "Q", pause.RoleAdmin)
		e.wantCode(err, want, "", "invite")
		_, _, err = e.cms.ResetUser(ctx, u.ID)
		e.wantCode(err, want, "", "reset")
		_, err = e.cms.SetUserRole(ctx, u.ID, pause.RoleAdmin)
		e.wantCode(err, want, "", "role")
		_, err = e.cms.DisableUser(ctx, u.ID)
		e.wantCode(err, want, "", "disable")
		_, err = e.cms.Users(ctx)
		e.wantCode(err, want, "", "list")
	}
}

func newSession(e *env, userID, id string, at time.Time) (*pause.Session, string) {
	secret := pause.NewSecret(32)
	return &pause.Session{ID: id, Hash: pause.HashSecret(secret), UserID: userID, CreatedAt: at, LastSeenAt: at,
		ExpiresAt: at.Add(pause.SessionLifetime), Method: "password+totp", UserAgent: "test/1", Address: "192.0.2.1"}, secret
}

// testSessions: sessions are found by the hash of their secret, touched, listed newest first
// per user, and deleted by their owner only, each write with its audit entry.
func testSessions(e *env) {
	ctx := context.Background()
	t0 := e.clock.Now()
	s1, secret := newSession(e, "U1", "01JSESSION0000000000000001", t0)
	s2, _ := newSession(e, "U1", "01JSESSION0000000000000002", t0.Add(time.Minute))
	s3, _ := newSession(e, "U2", "01JSESSION0000000000000003", t0)
	e.must(e.stores.Sessions.CreateSession(ctx, s1, pause.SessionEntry(s1, "signIn", "user:U1", t0)), "create 1")
	e.must(e.stores.Sessions.CreateSession(ctx, s2, nil), "create 2")
	e.must(e.stores.Sessions.CreateSession(ctx, s3, nil), "create 3")
	dup := *s1
	dup.ID = "01JSESSION0000000000000009"
	e.wantCode(e.stores.Sessions.CreateSession(ctx, &dup, nil), pause.ECONFLICT, "", "same hash")

	got, err := e.stores.Sessions.SessionByHash(ctx, pause.HashSecret(secret))
	e.must(err, "by hash")
	if d := diff(reflect.ValueOf(got), reflect.ValueOf(s1), ""); d != "" {
		e.Fatalf("session differs:%s", d)
	}
	if _, err := e.stores.Sessions.SessionByHash(ctx, secret); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Fatalf("the secret itself found a session: %v", err)
	}
	later := t0.Add(10 * time.Minute)
	e.must(e.stores.Sessions.TouchSession(ctx, s1.Hash, later), "touch")
	e.must(e.stores.Sessions.TouchSession(ctx, s1.Hash, t0), "touch with an earlier time")
	got, _ = e.stores.Sessions.SessionByHash(ctx, s1.Hash)
	e.wantTime(got.LastSeenAt, later, "last seen")
	e.wantCode(e.stores.Sessions.TouchSession(ctx, pause.HashSecret("nothing"), later), pause.ENOTFOUND, "", "touch nothing")

	list, err := e.stores.Sessions.UserSessions(ctx, "U1")
	e.must(err, "list")
	if len(list) != 2 || list[0].ID != s2.ID || list[1].ID != s1.ID {
		e.Fatalf("sessions of U1 = %v, want 2 then 1", list)
	}
	e.wantTime(list[1].LastSeenAt, later, "listed last seen")
	e.wantCode(e.stores.Sessions.DeleteSession(ctx, "U2", s1.ID, nil), pause.ENOTFOUND, "", "delete another user's session")
	e.must(e.stores.Sessions.DeleteSession(ctx, "U1", s1.ID, pause.SessionEntry(s1, "signOut", "user:U1", later)), "delete")
	if _, err := e.stores.Sessions.SessionByHash(ctx, s1.Hash); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Fatalf("a deleted session is found: %v", err)
	}
	e.wantCode(e.stores.Sessions.DeleteSession(ctx, "U1", s1.ID, nil), pause.ENOTFOUND, "", "delete twice")
	list, _ = e.stores.Sessions.UserSessions(ctx, "U1")
	if len(list) != 1 || list[0].ID != s2.ID {
		e.Fatalf("after delete: %v", list)
	}
	if a := e.auditActions("session"); !reflect.DeepEqual(a, []string{"signOut", "signIn"}) {
		e.Fatalf("audit = %v", a)
	}
}

// testMySessions: a signed-in user lists only their live sessions and revokes their own.
func testMySessions(e *env) {
	ctx := context.Background()
	u, _, err := e.cms.InviteUser(e.admin, "s@example.com", "S", pause.RoleEditor)
	e.must(err, "invite")
	now := e.clock.Now()
	live, _ := newSession(e, u.ID, "01JSESSION0000000000000001", now)
	idle, _ := newSession(e, u.ID, "01JSESSION0000000000000002", now.Add(-pause.SessionIdle-time.Second))
	e.must(e.stores.Sessions.CreateSession(ctx, live, nil), "create")
	e.must(e.stores.Sessions.CreateSession(ctx, idle, nil), "create")
	me := pause.NewContext(ctx, &pause.Viewer{Subject: u.ViewerSubject(), Role: pause.RoleEditor})
	list, err := e.cms.MySessions(me)
	e.must(err, "my sessions")
	if len(list) != 1 || list[0].ID != live.ID {
		e.Fatalf("my sessions = %v, want the live one", list)
	}
	if list, err := e.cms.MySessions(e.editor); err != nil || len(list) != 0 {
		e.Fatalf("sessions of a token that is no user: %v, %v", list, err)
	}
	e.wantCode(e.cms.RevokeMySession(e.editor, live.ID), pause.ENOTFOUND, "", "revoke as a token that is no user")
	e.wantCode(e.cms.RevokeMySession(me, "01JSESSIONOFSOMEONEELSE000"), pause.ENOTFOUND, "", "revoke unknown")
	e.must(e.cms.RevokeMySession(me, live.ID), "revoke")
	if list, _ := e.cms.MySessions(me); len(list) != 0 {
		e.Fatalf("after revoke: %v", list)
	}
	_, err = e.cms.DisableUser(e.admin, u.ID)
	e.must(err, "disable")
	_, err = e.cms.MySessions(me)
	e.wantCode(err, pause.EUNAUTHENTICATED, "", "sessions of a disabled user")
}

// testFailures: failures are counted per key, forgotten FailureMemory after the last one, and
// cleared.
func testFailures(e *env) {
	ctx := context.Background()
	f := e.stores.Failures
	t0 := e.clock.Now()
	for i := 1; i <= 3; i++ {
		got, err := f.AddFailure(ctx, "account:a", t0.Add(time.Duration(i)*time.Second))
		e.must(err, "add")
		if got.Count != i || !got.Last.Equal(t0.Add(time.Duration(i)*time.Second)) {
			e.Fatalf("failure %d: %+v", i, got)
		}
	}
	got, err := f.Failures(ctx, "account:a", t0.Add(time.Minute))
	e.must(err, "read")
	if got.Count != 3 {
		e.Fatalf("failures = %+v", got)
	}
	if other, _ := f.Failures(ctx, "account:b", t0); other.Count != 0 {
		e.Fatalf("another key has %+v", other)
	}
	late := t0.Add(3*time.Second + pause.FailureMemory)
	if got, _ := f.Failures(ctx, "account:a", late); got.Count != 0 {
		e.Fatalf("failures not forgotten: %+v", got)
	}
	got, err = f.AddFailure(ctx, "account:a", late)
	e.must(err, "add after forgetting")
	if got.Count != 1 {
		e.Fatalf("a forgotten count went on: %+v", got)
	}
	e.must(f.ClearFailures(ctx, "account:a"), "clear")
	if got, _ := f.Failures(ctx, "account:a", late); got.Count != 0 {
		e.Fatalf("after clear: %+v", got)
	}
	e.must(f.ClearFailures(ctx, "account:none"), "clear nothing")
	e.must(f.LogFailure(ctx, pause.FailureEntry("01JFAIL0000000000000000001", "who@example.com", "password", t0)), "log")
	if a := e.auditActions("signIn"); !reflect.DeepEqual(a, []string{"signInFailed"}) {
		e.Fatalf("audit = %v", a)
	}

	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.AddFailure(ctx, "address:x", t0); err != nil {
				e.Errorf("concurrent add: %v", err)
			}
		}()
	}
	wg.Wait()
	if got, _ := f.Failures(ctx, "address:x", t0); got.Count != 10 {
		e.Fatalf("10 concurrent failures counted as %d", got.Count)
	}
}

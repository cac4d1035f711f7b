package accounts_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"pause"
)

// TestAdminAPI: admins invite and reset users through GraphQL (the link shown once), change
// roles, disable accounts and end sessions; each is in the audit log, and nobody else may do
// any of it. Users list and revoke their own sessions.
func TestAdminAPI(t *testing.T) {
	forStores(t, func(t *testing.T, stores pause.Stores) {
		r := newRig(t, stores, testParams)
		_, _, adminClient := r.enrolled("admin@example.com", pause.RoleAdmin)
		admin := adminClient.token().want(t, 200, "").str("accessToken")
		_, _, edClient := r.enrolled("ed@example.com", pause.RoleEditor)
		editor := edClient.token().want(t, 200, "").str("accessToken")

		out := r.graphql(admin, `mutation { inviteUser(email: "New@Example.com", name: "New", role: EDITOR) { link user { id email role hasPassword hasTotp linkExpiresAt } } }`)
		if out["errors"] != nil {
			t.Fatalf("invite: %v", out)
		}
		inv := out["data"].(map[string]any)["inviteUser"].(map[string]any)
		link := inv["link"].(string)
		user := inv["user"].(map[string]any)
		if !strings.HasPrefix(link, "http://cms.test/auth/setup?token=") || user["email"] != "new@example.com" ||
			user["hasPassword"] != false || user["linkExpiresAt"] == nil {
			t.Fatalf("invite: %v", inv)
		}
		id := user["id"].(string)
		// The link works, once.
		c := r.newClient()
		c.do(http.MethodPost, "/auth/setup", map[string]string{"token": link[strings.Index(link, "=")+1:], "password": password}, nil).want(t, 200, "")

		for _, m := range []string{
			`mutation { resetUser(id: "` + id + `") { link } }`,
			`mutation { setUserRole(id: "` + id + `", role: VIEWER) { role } }`,
			`mutation { endUserSessions(id: "` + id + `") { id } }`,
			`mutation { disableUser(id: "` + id + `") { disabled disabledAt } }`,
			`mutation { enableUser(id: "` + id + `") { disabled } }`,
			`{ users { email role disabled passkeyCount recoveryCodesLeft } }`,
		} {
			if out := r.graphql(editor, m); out["errors"] == nil {
				t.Fatalf("an editor ran %s: %v", m, out)
			} else if code := out["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)["code"]; code != "FORBIDDEN" {
				t.Fatalf("%s by an editor: %v", m, out)
			}
			if out := r.graphql(admin, m); out["errors"] != nil {
				t.Fatalf("%s: %v", m, out)
			}
		}
		out = r.graphql(admin, `{ users { email role } }`)
		users := out["data"].(map[string]any)["users"].([]any)
		if len(users) != 3 || users[2].(map[string]any)["email"] != "new@example.com" || users[2].(map[string]any)["role"] != "VIEWER" {
			t.Fatalf("users: %v", users)
		}
		out = r.graphql(admin, `{ auditLog(first: 20, filter: {itemType: "user", itemId: "`+id+`"}) { nodes { action actor } } }`)
		var actions []string
		for _, n := range out["data"].(map[string]any)["auditLog"].(map[string]any)["nodes"].([]any) {
			actions = append(actions, n.(map[string]any)["action"].(string))
		}
		if strings.Join(actions, ",") != "enableUser,disableUser,revokeSessions,setUserRole,resetUser,setPassword,inviteUser" {
			t.Fatalf("audit: %v", actions)
		}
		// An admin cannot lock themselves out.
		self, _ := stores.Users.UserByEmail(context.Background(), "admin@example.com")
		if out := r.graphql(admin, `mutation { disableUser(id: "`+self.ID+`") { id } }`); out["errors"] == nil {
			t.Fatalf("an admin disabled themselves")
		}

		// Sessions: the editor lists theirs and revokes one; the revoked one gets no token.
		r.clock.Advance(30 * 1e9)
		out = r.graphql(editor, `{ mySessions { id method userAgent } }`)
		sessions := out["data"].(map[string]any)["mySessions"].([]any)
		if len(sessions) != 1 || sessions[0].(map[string]any)["method"] != "password+totp" {
			t.Fatalf("mySessions: %v", out)
		}
		sid := sessions[0].(map[string]any)["id"].(string)
		if out := r.graphql(admin, `mutation { revokeSession(id: "`+sid+`") }`); out["errors"] == nil {
			t.Fatalf("an admin revoked someone else's session as their own")
		}
		if out := r.graphql(editor, `mutation { revokeSession(id: "`+sid+`") }`); out["errors"] != nil {
			t.Fatalf("revoke: %v", out)
		}
		edClient.token().want(t, 401, pause.EUNAUTHENTICATED)
		if a := r.auditActions("session"); a[0] != "revokeSession" {
			t.Fatalf("audit: %v", a)
		}
		// An admin ends all of a user's sessions.
		adminClient.token().want(t, 200, "")
		ed, _ := stores.Users.UserByEmail(context.Background(), "ed@example.com")
		if out := r.graphql(admin, `mutation { endUserSessions(id: "`+ed.ID+`") { id } }`); out["errors"] != nil {
			t.Fatal(out)
		}
	})
}

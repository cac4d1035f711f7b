package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pause"
	"pause/internal/browsertest"
)

// TestAdmin: an admin creates an API key (its secret shown once, and it works), revokes it
// (it stops working), invites a user (the link shown once), and reads the audit log filtered
// by actor. An editor has no Admin page.
func TestAdmin(t *testing.T) {
	r := newRig(t)
	r.enrol("ad@example.com", pause.RoleAdmin)
	var adminID string
	for _, u := range r.admin(`{ users { id email } }`, nil)["users"].([]any) {
		if u.(map[string]any)["email"] == "ad@example.com" {
			adminID = u.(map[string]any)["id"].(string)
		}
	}
	p := r.open(browsertest.Browser(t))
	p.signIn("ad@example.com")
	p.click("link", "Admin", browsertest.Within("navigation", "Content"))
	p.see("heading", "Admin")
	p.accessible("the admin page")

	p.fill("textbox", "Key name", "nightly build")
	p.choose("Key role", "VIEWER")
	p.click("button", "Create key")
	p.see("region", "Secret of nightly build")
	secret := p.value("textbox", "Secret of nightly build")
	if got := r.graphqlAs(secret, `{ viewer { role } }`, nil)["viewer"].(map[string]any)["role"]; got != "VIEWER" {
		t.Fatalf("the new key is %v", got)
	}
	p.see("button", "Revoke: nightly build")
	p.click("button", "Revoke: nightly build")
	p.absent("button", "Revoke: nightly build")
	p.absent("region", "Secret of nightly build")
	if res := r.status(secret); res != 401 {
		t.Fatalf("the revoked key answers %d", res)
	}

	p.fill("textbox", "Email", "new@example.com")
	p.fill("textbox", "Name", "New Editor")
	p.click("button", "Invite")
	p.see("region", "Setup link for new@example.com")
	if link := p.value("textbox", "Setup link for new@example.com"); !strings.HasPrefix(link, r.url+"/auth/setup?token=") {
		t.Fatalf("the setup link is %q", link)
	}

	p.fill("textbox", "Actor", "user:"+adminID)
	p.do("leave the field", chromedp.KeyEvent("\t"))
	browsertest.Eventually(t, 10*time.Second, func() string {
		text := p.text("region", "Audit log")
		if strings.Contains(text, "createApiKey") && strings.Contains(text, "revokeApiKey") && !strings.Contains(text, "pause-cli") {
			return ""
		}
		return "the audit log shows " + text
	})
	p.noProblems()

	r.enrol("ed@example.com", pause.RoleEditor)
	e := r.open(browsertest.Browser(t))
	e.signIn("ed@example.com")
	e.absent("link", "Admin")
}

// status returns the HTTP status of a viewer query sent with the bearer credential.
func (r *rig) status(bearer string) int {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.url+"/graphql", strings.NewReader(`{"query":"{ viewer { role } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bearer)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

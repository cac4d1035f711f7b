package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"pause"
	"pause/internal/browsertest"
)

// TestUnsavedEdits: edits not saved survive a reload (the studio offers them back), leaving
// a dirty form asks first, and signing out forgets them.
func TestUnsavedEdits(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	tool := r.graphql(`{ tools(first: 1) { nodes { id name tagline } } }`, nil)["tools"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	p := r.open(browsertest.Browser(t))
	p.signIn("ed@example.com")
	p.do("open the tool", chromedp.Navigate(r.url+"/studio/tools/"+tool["id"].(string)))
	p.fill("textbox", "Tagline", "Typed, not saved")
	p.do("reload", chromedp.Reload())
	p.see("region", "Unsaved edits")
	if got := p.value("textbox", "Tagline"); got != tool["tagline"] {
		t.Fatalf("before the restore the form shows %q", got)
	}
	p.click("button", "Restore unsaved edits")
	if got := p.value("textbox", "Tagline"); got != "Typed, not saved" {
		t.Fatalf("after the restore the form shows %q", got)
	}

	p.click("link", "Tools", browsertest.Within("navigation", "Content"))
	p.see("heading", "Tools")
	p.mu.Lock()
	asked := strings.Join(p.dialogs, "\n")
	p.mu.Unlock()
	if !strings.Contains(asked, "Leave without saving?") {
		t.Errorf("leaving a dirty form asked %q", asked)
	}
	kept, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`Object.keys(sessionStorage).filter(k => k.startsWith("pause-studio:")).length`))
	if err != nil || kept != 1 {
		t.Fatalf("sessionStorage keeps %d drafts (%v)", kept, err)
	}
	p.click("button", "Sign out")
	p.see("heading", "Sign in to Pause Studio")
	kept, err = chromedp.Run(p.ctx, chromedp.Evaluate[int](`Object.keys(sessionStorage).filter(k => k.startsWith("pause-studio:")).length`))
	if err != nil || kept != 0 {
		t.Fatalf("after sign-out sessionStorage keeps %d drafts (%v)", kept, err)
	}
	p.noProblems()
}

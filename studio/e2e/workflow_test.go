package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pause"
	"pause/internal/browsertest"
)

// publicTitle returns the title of the article as the public sees it ("" when it cannot).
func (r *rig) publicTitle(id string) string {
	r.t.Helper()
	a, _ := r.graphql(`query($id: ID!) { article(id: $id) { title } }`, map[string]any{"id": id})["article"].(map[string]any)
	if a == nil {
		return ""
	}
	return a["title"].(string)
}

// TestWorkingDraft: editing a published article keeps what the public sees until Publish;
// the banner says what the draft changes; Discard draft brings the form back to the public
// version.
func TestWorkingDraft(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	first := r.graphql(`{ articles(first: 1) { nodes { id title } } }`, nil)["articles"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	id, old := first["id"].(string), first["title"].(string)
	p := r.open(browsertest.Browser(t))
	p.signIn("ed@example.com")
	p.click("link", "Articles", browsertest.Within("navigation", "Content"))
	p.click("link", old)
	p.fill("textbox", "Title", "A better title")
	p.click("button", "Save")
	p.status("Saved version")
	p.see("region", "Working draft")
	p.accessible("the editor with a working draft")
	if msg := p.text("region", "Working draft"); !strings.Contains(msg, "changes 1 field: Title") {
		t.Errorf("the banner says %q", msg)
	}
	if got := r.publicTitle(id); got != old {
		t.Fatalf("before Publish the public sees %q", got)
	}
	p.click("button", "Publish")
	p.status("Published.")
	if got := r.publicTitle(id); got != "A better title" {
		t.Fatalf("after Publish the public sees %q", got)
	}
	p.absent("region", "Working draft")

	p.fill("textbox", "Title", "A worse title")
	p.click("button", "Save")
	p.see("region", "Working draft")
	p.click("button", "Discard draft")
	p.status("Draft discarded.")
	p.absent("region", "Working draft")
	if got := p.value("textbox", "Title"); got != "A better title" {
		t.Fatalf("after Discard draft the form says %q", got)
	}
	if got := r.publicTitle(id); got != "A better title" {
		t.Fatalf("after Discard draft the public sees %q", got)
	}
	p.noProblems()
}

// TestSchedule: an editor schedules a publish an hour ahead in their time zone; when the
// server's clock gets there the article is public, without anything running. Another
// schedule, cancelled, changes nothing at its time. The hour ends the editor's idle session:
// the studio signs in again in a dialog and goes on.
func TestSchedule(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	create := `mutation($t: String!) { createArticle(input: {title: $t, author: {name: "Ada"}}) { id } }`
	soon := r.create(create, map[string]any{"t": "Coming soon"})
	never := r.create(create, map[string]any{"t": "Not after all"})
	p := r.open(browsertest.Browser(t))
	p.signIn("ed@example.com")

	zone, err := time.LoadLocation(Zone)
	if err != nil {
		t.Fatal(err)
	}
	at := r.clock.Now().Add(time.Hour).Truncate(time.Minute)
	local := at.In(zone).Format("2006-01-02T15:04")
	for _, id := range []string{soon, never} {
		p.do("open the article", chromedp.Navigate(r.url+"/studio/articles/"+id))
		p.see("", "Publish at ("+Zone+")") // a datetime-local: its role varies by browser
		p.setValue("", "Publish at ("+Zone+")", local)
		p.click("button", "Schedule")
		p.see("region", "Schedule")
		banner := p.text("region", "Schedule")
		if !strings.Contains(banner, at.UTC().Format("2006-01-02 15:04")+" UTC") || !strings.Contains(banner, Zone) {
			t.Fatalf("the schedule banner says %q; want %s UTC", banner, at.UTC().Format("2006-01-02 15:04"))
		}
	}
	p.click("button", "Cancel schedule")
	p.status("Schedule cancelled.")
	p.absent("region", "Schedule")

	// The list of articles, open while the time passes (the editor, which polls, is closed).
	p.click("link", "Articles", browsertest.Within("navigation", "Content"))
	p.see("link", "Coming soon", browsertest.Within("region", "Articles"))

	r.clock.Advance(time.Hour + time.Minute)
	if got := r.publicTitle(soon); got != "Coming soon" {
		t.Fatalf("after its time the public sees %q", got)
	}
	if got := r.publicTitle(never); got != "" {
		t.Fatalf("the cancelled schedule published %q", got)
	}
	// The session has been idle for an hour: the next request asks to sign in again, in a
	// dialog, and then goes on.
	p.choose("Order", "TITLE")
	p.see("dialog", "Sign in to Pause Studio")
	p.accessible("the sign-in dialog")
	p.fill("textbox", "Password", password)
	p.click("button", "Sign in", browsertest.Within("dialog", "Sign in to Pause Studio"))
	p.fill("textbox", "Code", r.code("ed@example.com"))
	p.click("button", "Sign in", browsertest.Within("dialog", "Sign in to Pause Studio"))
	p.absent("dialog", "Sign in to Pause Studio")
	p.see("link", "Coming soon", browsertest.Within("region", "Articles"))
	rows, err := chromedp.Run(p.ctx, chromedp.Text("table", role("table", ""), chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(rows, "\n") {
		switch {
		case strings.HasPrefix(line, "Coming soon") && !strings.Contains(line, "Published"):
			t.Errorf("the list says %q", line)
		case strings.HasPrefix(line, "Not after all") && !strings.Contains(line, "Draft"):
			t.Errorf("the list says %q", line)
		}
	}
	p.noProblems()
}

// TestRoles: a viewer reads but has no Save or Publish; an editor saves and publishes but
// has no Delete; an admin has Delete.
func TestRoles(t *testing.T) {
	r := newRig(t)
	first := r.graphql(`{ tools(first: 1) { nodes { id name } } }`, nil)["tools"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	browser := browsertest.Browser(t)
	for _, tc := range []struct {
		email   string
		role    pause.Role
		has     []string
		hasNot  []string
		canType bool
	}{
		{"vi@example.com", pause.RoleViewer, nil, []string{"Save", "Publish", "Unpublish", "Archive", "Delete", "Discard draft"}, false},
		{"ed@example.com", pause.RoleEditor, []string{"Save", "Unpublish", "Archive"}, []string{"Delete"}, true},
		{"ad@example.com", pause.RoleAdmin, []string{"Save", "Unpublish", "Archive", "Delete"}, nil, true},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			r.t = t
			r.enrol(tc.email, tc.role)
			p := r.open(browser)
			p.t = t
			p.signIn(tc.email)
			p.do("open the tool", chromedp.Navigate(r.url+"/studio/tools/"+first["id"].(string)))
			p.see("heading", first["name"].(string))
			for _, b := range tc.has {
				p.see("button", b)
			}
			for _, b := range tc.hasNot {
				p.absent("button", b)
			}
			readOnly, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.getElementById("f-name").readOnly`))
			if err != nil || readOnly == tc.canType {
				t.Errorf("Name is read-only: %v (%v)", readOnly, err)
			}
			p.absent("link", "New tool")
			p.noProblems()
		})
	}
}

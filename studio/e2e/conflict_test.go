package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"pause"
	"pause/internal/browsertest"
)

// TestConflictMerge: two editors (two browser contexts) edit one tool. A changes the tagline
// and the category and saves; B, who loaded the tool before, changes the tagline and the
// pricing and saves: the merge dialog takes A's category, keeps B's pricing, and asks about
// the tagline, which both changed; B keeps theirs, and the merge is saved against A's version.
// Both editors' changes survive; nothing is lost without a choice.
func TestConflictMerge(t *testing.T) {
	r := newRig(t)
	r.enrol("a@example.com", pause.RoleEditor)
	r.enrol("b@example.com", pause.RoleEditor)
	tool := r.graphql(`{ tools(first: 1) { nodes { id name } } }`, nil)["tools"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	id := tool["id"].(string)
	browser := browsertest.Browser(t)
	a, b := r.open(browser), r.open(browser)
	a.signIn("a@example.com")
	b.signIn("b@example.com")
	for _, p := range []*page{a, b} {
		p.do("open the tool", chromedp.Navigate(r.url+"/studio/tools/"+id))
		p.see("heading", tool["name"].(string))
	}
	a.fill("textbox", "Tagline", "A's tagline")
	a.fill("textbox", "Category", "A's category")
	a.click("button", "Save")
	a.status("Saved version")

	b.fill("textbox", "Tagline", "B's tagline")
	b.choose("Pricing", "PAID")
	b.click("button", "Save")
	b.see("dialog", "Someone else saved this tool")
	if msg := b.text("dialog", "Someone else saved this tool"); !contains(msg, "Taken from their version: Category", "Kept from yours: Pricing") {
		t.Errorf("the dialog says %q", msg)
	}
	b.see("group", "Tagline", browsertest.Within("dialog", "Someone else saved this tool"))
	b.accessible("the merge dialog")
	b.click("radio", "Keep mine", browsertest.Within("group", "Tagline"))
	b.screenshot("merge")
	b.absent("group", "Category")
	b.click("radio", "Keep mine", browsertest.Within("group", "Tagline"))
	b.click("button", "Save merged")
	b.status("Saved version")
	b.absent("dialog", "Someone else saved this tool")

	got := r.admin(`query($id: ID!) { tool(id: $id) { tagline category pricing draft { tagline category pricing } } }`, map[string]any{"id": id})["tool"].(map[string]any)
	saved := got
	if d, ok := got["draft"].(map[string]any); ok && d != nil {
		saved = d // a published tool keeps the edits in its working draft
	}
	if saved["tagline"] != "B's tagline" || saved["category"] != "A's category" || saved["pricing"] != "PAID" {
		t.Fatalf("after the merge: %v", saved)
	}
	if v := b.value("textbox", "Category"); v != "A's category" {
		t.Errorf("B's form shows the category %q", v)
	}
	a.noProblems()
	b.noProblems()
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

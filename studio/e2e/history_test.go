package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"pause"
	"pause/internal/browsertest"
)

// TestHistory: three edits of a published tool; "what changed" of the second edit's revision
// shows only its field (against the revision before it, not against now); restoring the first
// edit's revision asks first, naming the fields it changes, and puts them into the working
// draft: the public keeps the published tool.
func TestHistory(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	tool := r.admin(`{ tools(first: 1) { nodes { id name tagline category version } } }`, nil)["tools"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	id, v0 := tool["id"].(string), int(tool["version"].(float64))
	p := r.open(browsertest.Browser(t))
	p.signIn("ed@example.com")
	p.do("open the tool", chromedp.Navigate(r.url+"/studio/tools/"+id))
	p.see("heading", tool["name"].(string))
	for i, edit := range [][2]string{{"Tagline", "First edit"}, {"Category", "Second edit"}, {"Tagline", "Third edit"}} {
		p.fill("textbox", edit[0], edit[1])
		p.click("button", "Save")
		p.status(fmt.Sprintf("Saved version %d.", v0+i+1))
	}
	p.click("button", "History")
	second, first := v0+2, v0+1
	p.click("button", fmt.Sprintf("What changed in revision %d", second))
	diff := fmt.Sprintf("Revision %d changed", second)
	p.see("group", "Category", browsertest.Within("region", diff))
	p.accessible("the history")
	p.do("show the diff", chromedp.ScrollIntoView("diff", role("region", diff)))
	p.screenshot("history")
	if text := p.text("region", diff); !strings.Contains(text, "Second edit") || !strings.Contains(text, tool["category"].(string)) || strings.Contains(text, "Tagline") {
		t.Fatalf("what revision %d changed: %q", second, text)
	}

	p.click("button", fmt.Sprintf("Restore revision %d", first))
	p.status(fmt.Sprintf("Restored revision %d into the working draft", first))
	p.mu.Lock()
	asked := strings.Join(p.dialogs, "\n")
	p.mu.Unlock()
	if !strings.Contains(asked, fmt.Sprintf("Restore revision %d? It changes Tagline, Category.", first)) {
		t.Fatalf("the confirmation said %q", asked)
	}
	if got := p.value("textbox", "Tagline"); got != "First edit" {
		t.Errorf("after the restore the Tagline is %q", got)
	}
	if got := p.value("textbox", "Category"); got != tool["category"] {
		t.Errorf("after the restore the Category is %q", got)
	}
	public := r.graphql(`query($id: ID!) { tool(id: $id) { tagline } }`, map[string]any{"id": id})["tool"].(map[string]any)
	if public["tagline"] != tool["tagline"] {
		t.Errorf("the public sees the tagline %q", public["tagline"])
	}
	revs := r.admin(`query($id: ID!) { toolRevisions(id: $id, first: 1) { nodes { action } } }`, map[string]any{"id": id})["toolRevisions"].(map[string]any)["nodes"].([]any)
	if revs[0].(map[string]any)["action"] != "restore" {
		t.Errorf("the newest revision: %v", revs[0])
	}
	p.noProblems()
}

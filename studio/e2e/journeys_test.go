package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pause"
	"pause/accounts"
	"pause/internal/browsertest"
)

// TestFirstAdmin: the first admin opens the setup link, chooses a password, enrols TOTP with
// the secret the studio shows, sees the recovery codes, and lands on the studio, which lists
// the sample content. Reusing the link fails.
func TestFirstAdmin(t *testing.T) {
	r := newRig(t)
	link := r.invite("admin@example.com", pause.RoleAdmin)
	p := r.open(browsertest.Browser(t))

	p.do("open the setup link", chromedp.Navigate(link))
	p.see("heading", "Choose your password")
	p.accessible("the setup page")
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(loc); u == nil || u.Path != "/studio/setup" {
		t.Fatalf("the setup link led to %s", loc)
	}
	p.fill("textbox", "New password", password)
	p.fill("textbox", "Repeat the password", password)
	p.click("button", "Set password")
	p.see("heading", "Sign in to Pause Studio")
	r.clock.Advance(10 * time.Second) // a person takes a moment (a frozen clock would put the session at the password's instant)
	if got := p.value("textbox", "Email"); got != "admin@example.com" {
		t.Fatalf("the email field says %q", got)
	}
	p.accessible("the sign-in page")
	p.fill("textbox", "Password", password)
	p.click("button", "Sign in")
	secret := p.value("textbox", "Secret")
	if secret == "" {
		t.Fatal("no TOTP secret shown")
	}
	var code string
	code, err = accounts.TOTPCode(secret, r.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.fill("textbox", "Code", code)
	p.click("button", "Sign in")
	p.see("heading", "Recovery codes")
	p.click("button", "Continue")

	// The studio lists the sample content: each type, with its items.
	p.see("heading", "Content")
	for _, list := range []string{"Articles", "Benefits", "Tools"} {
		p.see("link", list, browsertest.Within("navigation", "Content"))
	}
	articles := r.graphql(`{ articles(first: 1) { nodes { title } } tools(first: 1, orderBy: UPDATED_AT) { nodes { name } } }`, nil)
	title := articles["articles"].(map[string]any)["nodes"].([]any)[0].(map[string]any)["title"].(string)
	p.see("link", title, browsertest.Within("region", "Articles"))
	p.accessible("the content overview")
	p.click("link", "Tools", browsertest.Within("navigation", "Content"))
	p.see("heading", "Tools")
	p.see("combobox", "Pricing")
	p.see("link", "New tool")
	p.accessible("the list of tools")
	p.screenshot("list")
	p.noProblems()

	// The link worked once.
	p2 := r.open(browsertest.Browser(t))
	p2.do("open the link again", chromedp.Navigate(link))
	p2.fill("textbox", "New password", password+"!")
	p2.fill("textbox", "Repeat the password", password+"!")
	p2.click("button", "Set password")
	p2.see("alert", "")
	if msg := p2.text("alert", ""); !strings.Contains(strings.ToLower(msg), "link") {
		t.Errorf("reusing the link says %q", msg)
	}
}

// TestProductionServing: in a real browser, the first load of the studio (signed out) asks
// this server only, for index.html and its hashed assets, within the budget (at most 6
// requests and 120 KB on the wire, gzipped), and nothing breaks the CSP; the assets come back
// gzipped and immutable.
func TestProductionServing(t *testing.T) {
	r := newRig(t)
	p := r.open(browsertest.Browser(t))
	p.do("open the studio", chromedp.Navigate(r.url+"/studio/"))
	p.see("heading", "Sign in to Pause Studio")
	var files, bytes int64
	for _, q := range p.console.Requests() {
		u, err := url.Parse(q.URL)
		if err != nil || u.Host != strings.TrimPrefix(r.url, "http://") {
			t.Errorf("the page asked for %s", q.URL)
			continue
		}
		if strings.HasPrefix(u.Path, "/studio") {
			files++
			bytes += q.Encoded
			if !q.Done {
				t.Errorf("%s did not finish loading", q.URL)
			}
		}
	}
	if files < 3 || files > 6 || bytes > 120<<10 {
		t.Errorf("first load: %d files, %d bytes on the wire; the budget is 6 and 120 KB", files, bytes)
	}
	t.Logf("first load in chromium: %d files, %d bytes on the wire (headers included)", files, bytes)
	// What the browser got: gzip, immutable for the hashed assets.
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]map[string]any](`performance.getEntriesByType("resource").map(e => ({name: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize}))`))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range got {
		name, _ := e["name"].(string)
		if strings.Contains(name, "/studio/main-") && e["encoded"].(float64) >= e["decoded"].(float64) {
			t.Errorf("%s was not compressed: %v", name, e)
		}
	}
	p.noProblems()
}

// location returns the page's URL path.
func (p *page) location() string {
	p.t.Helper()
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	return u.Path
}

// itemID waits until the page is the editor of a saved item of the plural, and returns its id.
func (p *page) itemID(plural string) string {
	p.t.Helper()
	var id string
	browsertest.Eventually(p.t, 20*time.Second, func() string {
		rest, ok := strings.CutPrefix(p.location(), "/studio/"+plural+"/")
		if ok && rest != "" && rest != "new" {
			id = rest
			return ""
		}
		return "the page is at " + p.location()
	})
	return id
}

// TestCreateArticle: an editor writes an article in Markdown; the preview beside the source
// is the HTML the API returns as bodyHtml once saved (Ctrl+S); Publish makes it public.
func TestCreateArticle(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	p := r.open(browsertest.Browser(t))
	p.signIn("ed@example.com")
	p.click("link", "Articles", browsertest.Within("navigation", "Content"))
	p.click("link", "New article")
	p.fill("textbox", "Title", "Meetings we dropped")
	p.fill("textbox", "Author", "Ada Lovelace")
	body := "## Why\n\nWe dropped the *weekly* sync. See [our notes](https://example.com/notes).\n\n- fewer meetings\n- more **focus**\n"
	p.fill("textbox", "Body", body)
	var preview string
	browsertest.Eventually(t, 20*time.Second, func() string {
		preview, _ = chromedp.Run(p.ctx, chromedp.InnerHTML("preview", role("region", "Body preview")))
		if strings.Contains(preview, "<h2") && strings.Contains(preview, "<strong>focus</strong>") {
			return ""
		}
		return "the preview shows " + preview
	})
	p.accessible("the editor of a new article")
	p.screenshot("editor")
	p.do("save with Ctrl+S", chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	id := p.itemID("articles")
	p.see("button", "Publish")
	saved := r.admin(`query($id: ID!) { article(id: $id) { title body bodyHtml status version } }`, map[string]any{"id": id})["article"].(map[string]any)
	if saved["body"] != body || saved["status"] != "DRAFT" || saved["title"] != "Meetings we dropped" {
		t.Fatalf("saved %v", saved)
	}
	if saved["bodyHtml"] != preview {
		t.Fatalf("the preview was\n%s\nbodyHtml is\n%s", preview, saved["bodyHtml"])
	}
	if got := r.graphql(`query($id: ID!) { article(id: $id) { title } }`, map[string]any{"id": id})["article"]; got != nil {
		t.Fatalf("the public sees a draft: %v", got)
	}
	p.click("button", "Publish")
	p.status("Published.")
	public := r.graphql(`query($id: ID!) { article(id: $id) { title bodyHtml } }`, map[string]any{"id": id})["article"]
	if public == nil || public.(map[string]any)["title"] != "Meetings we dropped" || public.(map[string]any)["bodyHtml"] != preview {
		t.Fatalf("the public sees %v", public)
	}
	p.noProblems()
}

// TestValidationError: the server's BAD_USER_INPUT lands on the field it names: focused,
// aria-invalid, its message tied to it by aria-describedby.
func TestValidationError(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	p := r.open(browsertest.Browser(t))
	p.signIn("ed@example.com")
	p.do("open a new tool", chromedp.Navigate(r.url+"/studio/tools/new"))
	p.fill("textbox", "Name", "Broken")
	p.fill("textbox", "Category", "Docs")
	p.fill("textbox", "Website", "ftp://example.com")
	p.click("button", "Save")
	p.status("Website")
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[map[string]any](`(() => {
		const el = document.activeElement;
		const ids = (el.getAttribute("aria-describedby") || "").split(" ");
		return {label: el.labels?.[0]?.textContent, invalid: el.getAttribute("aria-invalid"),
			described: ids.map(id => document.getElementById(id)?.textContent || "").join(" | ")};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	p.accessible("the editor with an error")
	if got["label"] != "Website" || got["invalid"] != "true" || !strings.Contains(strings.ToLower(got["described"].(string)), "url") {
		t.Fatalf("focus and error: %v", got)
	}
	p.noProblems()
}

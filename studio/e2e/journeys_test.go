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
	p.click("link", "Tools", browsertest.Within("navigation", "Content"))
	p.see("heading", "Tools")
	p.see("combobox", "Pricing")
	p.see("link", "New tool")
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

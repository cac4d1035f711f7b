package storetest

import (
	"fmt"
	"time"

	"pause"
)

// testAuditLog: every change is in the audit log, newest first, with who, what, which item
// and when; deletions stay in it; admins only; filters by item type, item and actor; pages.
func testAuditLog(e *env) {
	bob := withSubject(e.editor, "bob")
	step := func() time.Time { e.Helper(); return e.clock.Advance(time.Second) }
	a, err := e.cms.Articles.Create(e.editor, articleInput("Logged"))
	e.must(err, "create article")
	t1 := step()
	a, err = e.cms.Articles.Update(bob, a.ID, a.Version, pause.ArticleInput{Title: ptr("Logged, edited")})
	e.must(err, "update article")
	t2 := step()
	a, err = e.cms.Articles.Publish(e.admin, a.ID, a.Version)
	e.must(err, "publish article")
	t3 := step()
	tool, err := e.cms.Tools.Create(e.editor, toolInput("Gone", "Chat", pause.PricingFree))
	e.must(err, "create tool")
	t4 := step()
	e.must(e.cms.Tools.Delete(e.admin, tool.ID, tool.Version), "delete tool")

	type row struct {
		at            time.Time
		actor, action string
		typ, id       string
		version       int
		fields        string
	}
	all := func(f pause.AuditFilter, first int) []row {
		e.Helper()
		var out []row
		q := pause.Query[pause.AuditFilter]{Filter: f, First: first}
		for i := 0; ; i++ {
			if i > 20 {
				e.Fatalf("audit log: more than 20 pages")
			}
			p, err := e.cms.AuditLog(e.admin, q)
			e.must(err, "audit log")
			for _, x := range p.Items {
				out = append(out, row{x.At.UTC(), x.Actor, x.Action, x.ItemType, x.ItemID, x.Version, fmt.Sprint(x.Fields)})
			}
			if !p.HasNextPage {
				return out
			}
			q.After = p.EndCursor()
		}
	}
	want := []row{
		{t4, "root", "delete", "tool", tool.ID, 1, "[]"},
		{t3, "alice", "create", "tool", tool.ID, 1, "[]"},
		{t2, "root", "publish", "article", a.ID, 3, "[publishedAt publishedBy status]"},
		{t1, "bob", "update", "article", a.ID, 2, "[title]"},
		{Start, "alice", "create", "article", a.ID, 1, "[]"},
	}
	for _, first := range []int{100, 2, 1} {
		if got := all(pause.AuditFilter{}, first); fmt.Sprint(got) != fmt.Sprint(want) {
			e.Fatalf("audit log in pages of %d:\n got %v\nwant %v", first, got, want)
		}
	}
	filters := []struct {
		f    pause.AuditFilter
		want []row
	}{
		{pause.AuditFilter{Actor: "bob"}, want[3:4]},
		{pause.AuditFilter{ItemType: "tool"}, want[:2]},
		{pause.AuditFilter{ItemType: "article", ItemID: a.ID}, want[2:]},
		{pause.AuditFilter{Actor: "nobody"}, nil},
	}
	for _, c := range filters {
		if got := all(c.f, 1); fmt.Sprint(got) != fmt.Sprint(c.want) {
			e.Fatalf("audit log of %+v:\n got %v\nwant %v", c.f, got, c.want)
		}
	}

	// API keys: their creation and revocation, by whom.
	t5 := step()
	k, _, err := e.cms.CreateAPIKey(e.admin, "ci", pause.RoleViewer)
	e.must(err, "create API key")
	t6 := step()
	_, err = e.cms.RevokeAPIKey(e.admin, k.ID)
	e.must(err, "revoke API key")
	step()
	_, err = e.cms.RevokeAPIKey(e.admin, k.ID)
	e.must(err, "revoke API key again")
	keys := []row{
		{t6, "root", "revokeApiKey", "apiKey", k.ID, 2, "[revokedAt]"},
		{t5, "root", "createApiKey", "apiKey", k.ID, 1, "[]"},
	}
	if got := all(pause.AuditFilter{ItemType: "apiKey"}, 1); fmt.Sprint(got) != fmt.Sprint(keys) {
		e.Fatalf("audit log of API keys:\n got %v\nwant %v", got, keys)
	}
	if got := all(pause.AuditFilter{}, 3); len(got) != len(want)+2 {
		e.Fatalf("audit log has %d entries, want %d", len(got), len(want)+2)
	}

	_, err = e.cms.AuditLog(e.editor, pause.Query[pause.AuditFilter]{First: 10})
	e.wantCode(err, pause.EFORBIDDEN, "", "editor reads the audit log")
	_, err = e.cms.AuditLog(e.anon, pause.Query[pause.AuditFilter]{First: 10})
	e.wantCode(err, pause.EUNAUTHENTICATED, "", "anonymous reads the audit log")
	_, err = e.cms.AuditLog(e.admin, pause.Query[pause.AuditFilter]{First: 10, After: pause.EncodeCursor(pause.OrderTitle, "x")})
	e.wantCode(err, pause.EINVALID, "after", "a cursor of another list")
}

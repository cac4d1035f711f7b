package server_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"pause"
)

// clientsDir is where the real client libraries are installed from their lockfile (make test
// runs npm ci there).
func clientsDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "tools", "clients")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@apollo", "client")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the client libraries are not installed (make clients): %v", err)
		}
		t.Skipf("the client libraries are not installed: run make clients (%v)", err)
	}
	return dir
}

// A real normalized cache (Apollo Client's InMemoryCache) shows each state of an item as it is:
// the published article, its working draft and each revision keep their own title and
// version, although they are states of one item with one id.
func TestApolloCacheKeepsStatesApart(t *testing.T) {
	dir := clientsDir(t)
	f := newFixtureWith(t, nil)
	editor := pause.NewContext(t.Context(), &pause.Viewer{Subject: "ed", Role: pause.RoleEditor})
	title, author := "First", pause.Author{Name: "Ada"}
	a, err := f.cms.Articles.Create(editor, pause.ArticleInput{Title: &title, Author: &author})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() (*pause.Article, error){
		func() (*pause.Article, error) {
			return f.cms.Articles.Update(editor, a.ID, a.Version, pause.ArticleInput{Title: ptr("Second")})
		},
		func() (*pause.Article, error) { return f.cms.Articles.Publish(editor, a.ID, a.Version) },
		func() (*pause.Article, error) {
			return f.cms.Articles.Update(editor, a.ID, a.Version, pause.ArticleInput{Title: ptr("Third")})
		},
	} {
		if a, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	tok, _ := f.tokens.Issue("ed", pause.RoleEditor, time.Hour)
	cmd := exec.CommandContext(t.Context(), "node", "cache.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GRAPHQL_URL="+f.srv.URL+"/graphql", "GRAPHQL_TOKEN="+tok, "ITEM_ID="+a.ID)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node cache.mjs: %v\n%s%s", err, out, stderr)
	}
	type state struct {
		Title   string
		Version int
	}
	var shown struct {
		Item struct {
			Title   string
			Version int
			Draft   *state
		}
		Revisions []struct {
			Number int
			Item   struct {
				ItemID  string
				Title   string
				Version int
				Draft   *state
			}
		}
	}
	if err := json.Unmarshal(out, &shown); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if shown.Item.Title != "Second" || shown.Item.Version != 4 || shown.Item.Draft == nil || shown.Item.Draft.Title != "Third" {
		t.Errorf("the cache shows the article as %+v (draft %+v), want Second v4 with the draft Third", shown.Item, shown.Item.Draft)
	}
	want := map[int]string{1: "First", 2: "Second", 3: "Second", 4: "Second"}
	if len(shown.Revisions) != len(want) {
		t.Fatalf("%d revisions: %s", len(shown.Revisions), out)
	}
	for _, r := range shown.Revisions {
		if r.Item.Title != want[r.Number] || r.Item.Version != r.Number || r.Item.ItemID != a.ID {
			t.Errorf("revision %d shows %+v, want %q at version %d", r.Number, r.Item, want[r.Number], r.Number)
		}
	}
	if d := shown.Revisions[0].Item.Draft; shown.Revisions[0].Number != 4 || d == nil || d.Title != "Third" {
		t.Errorf("revision 4's draft: %+v, want Third", d)
	}
}

func ptr[V any](v V) *V { return &v }

// @graphql-eslint's Relay rules pass on the schema (schema.graphqls and the content types' parts,
// content.generated.graphqls), and fail on a schema that breaks them (so
// that the lint is known to run).
func TestRelayLint(t *testing.T) {
	dir := clientsDir(t)
	lint := func(schema ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), "node", append([]string{"relay-lint.mjs"}, schema...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := lint(filepath.Join("..", "..", "schema.graphqls"), filepath.Join("..", "..", "content.generated.graphqls")); err != nil {
		t.Errorf("schema.graphqls and content.generated.graphqls fail the Relay lint: %v\n%s", err, out)
	}
	out, err := lint(filepath.Join("..", "..", "server", "testdata", "relay-broken.graphqls"))
	if err == nil || !strings.Contains(out, "relay-connection-types") || !strings.Contains(out, "relay-page-info") {
		t.Errorf("a schema without edges and hasPreviousPage passes the lint: %v\n%s", err, out)
	}
}

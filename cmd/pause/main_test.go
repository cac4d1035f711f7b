package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pause/dynamo/dynamotest"
)

// instance is a `pause serve` started through run, as a user starts it.
type instance struct {
	t    *testing.T
	url  string
	env  map[string]string
	stop func()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (in *instance) getenv(k string) string { return in.env[k] }

func start(t *testing.T, env map[string]string) *instance {
	t.Helper()
	in := &instance{t: t, env: env, url: "http://" + env["PAUSE_ADDR"]}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, in.getenv, io.Discard, io.Discard) }()
	in.stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop within 15s of its context ending")
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v", err)
		default:
		}
		resp, err := http.Get(in.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return in
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not answer /healthz within 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	status int
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (in *instance) query(token, q string, vars map[string]any) gqlResponse {
	in.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, in.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		in.t.Fatalf("decode response: %v", err)
	}
	out.status = resp.StatusCode
	return out
}

// must runs a query that must succeed and decodes its data into v.
func (in *instance) must(token, q string, vars map[string]any, v any) {
	in.t.Helper()
	r := in.query(token, q, vars)
	if len(r.Errors) > 0 {
		in.t.Fatalf("query failed: %+v\n%s", r.Errors, q)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		in.t.Fatal(err)
	}
}

func (in *instance) token(role string) string {
	in.t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "--role", role, "--sub", "alice", "--ttl", "1h"}, in.getenv, &out, io.Discard); err != nil {
		in.t.Fatal(err)
	}
	return strings.TrimSpace(out.String())
}

// pageQuery is the query a frontend sends for the seed page (also in the README).
const pageQuery = `query Page {
  article(slug: "what-is-asynchronous-communication-really") {
    title excerpt bodyHtml updatedAt readingTimeMinutes author { name }
  }
  benefits { nodes { title summaryHtml points position } }
  tools(first: 0) { totalCount }
}`

type page struct {
	Article *struct {
		Title, BodyHTML string
		Author          struct{ Name string }
	}
	Benefits struct {
		Nodes []struct {
			Title    string
			Points   []string
			Position int
		}
	}
	Tools struct{ TotalCount int }
}

func TestNewUser(t *testing.T) {
	dir := t.TempDir()
	newUser(t, map[string]string{
		"PAUSE_ADDR": freeAddr(t), "PAUSE_DATA": filepath.Join(dir, "data", "pause.db"), "PAUSE_ENV": "development",
	})
}

// TestNewUserDynamoDB walks the same path with PAUSE_STORE=dynamodb against DynamoDB Local,
// the table made by `pause table create`.
func TestNewUserDynamoDB(t *testing.T) {
	endpoint := dynamotest.Endpoint(t) // fails in CI without DynamoDB Local
	if endpoint == "" {
		t.Skip("PAUSE_TEST_DYNAMODB_ENDPOINT is not set (make test sets it)")
	}
	// The AWS SDK reads its own variables from the process environment.
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	env := map[string]string{
		"PAUSE_ADDR": freeAddr(t), "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"), "PAUSE_ENV": "development",
		"PAUSE_STORE": "dynamodb", "PAUSE_TABLE": fmt.Sprintf("cli-test-%d", time.Now().UnixNano()),
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"table", "create"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("table create: %v", err)
	}
	newUser(t, env)
}

func newUser(t *testing.T, env map[string]string) {
	in := start(t, env)

	// The seed page from the sample content.
	var p page
	in.must("", pageQuery, nil, &p)
	if p.Article == nil || p.Article.Author.Name != "Arjun Rajkumar" || !strings.Contains(p.Article.BodyHTML, "<p>") {
		t.Fatalf("seed article = %+v", p.Article)
	}
	if len(p.Benefits.Nodes) != 5 {
		t.Fatalf("benefits = %d, want 5", len(p.Benefits.Nodes))
	}
	for i, b := range p.Benefits.Nodes {
		if b.Position != i || len(b.Points) == 0 {
			t.Errorf("benefit %d = %+v, want position %d with points", i, b, i)
		}
	}
	if p.Benefits.Nodes[0].Title != "Your People Get Their Lives Back" || p.Benefits.Nodes[4].Title != "Employee Retention Skyrockets" {
		t.Errorf("benefits out of page order: %q … %q", p.Benefits.Nodes[0].Title, p.Benefits.Nodes[4].Title)
	}
	if p.Tools.TotalCount < 15 {
		t.Errorf("tools totalCount = %d, want ≥ 15", p.Tools.TotalCount)
	}

	// Anonymous callers may not write.
	create := `mutation($in: CreateArticleInput!) { createArticle(input: $in) { id slug version status } }`
	vars := map[string]any{"in": map[string]any{"title": "Async Standups That Work", "body": "Write it *down*.", "author": map[string]any{"name": "Alice"}}}
	if r := in.query("", create, vars); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous createArticle: %+v, want UNAUTHENTICATED", r.Errors)
	}
	if r := in.query("not-a-token", `{ viewer { role } }`, nil); r.code() != "UNAUTHENTICATED" || r.status != http.StatusUnauthorized {
		t.Fatalf("forged token: %d %+v, want 401 UNAUTHENTICATED", r.status, r.Errors)
	}

	// An editor: create → update → publish.
	tok := in.token("editor")
	var viewer struct {
		Viewer struct{ Role, Subject string }
	}
	in.must(tok, `{ viewer { role subject } }`, nil, &viewer)
	if viewer.Viewer.Role != "EDITOR" || viewer.Viewer.Subject != "alice" {
		t.Fatalf("viewer = %+v", viewer.Viewer)
	}
	var created struct {
		CreateArticle struct {
			ID, Slug, Status string
			Version          int
		}
	}
	in.must(tok, create, vars, &created)
	a := created.CreateArticle
	if a.Slug != "async-standups-that-work" || a.Version != 1 || a.Status != "DRAFT" {
		t.Fatalf("created = %+v", a)
	}
	draftHidden(t, in, a.ID, a.Slug, "Async Standups That Work")

	update := `mutation($id: ID!, $v: Int!, $in: UpdateArticleInput!) { updateArticle(id: $id, version: $v, input: $in) { version excerpt title } }`
	var updated struct {
		UpdateArticle struct {
			Version        int
			Excerpt, Title string
		}
	}
	in.must(tok, update, map[string]any{"id": a.ID, "v": 1, "in": map[string]any{"excerpt": "Short and written."}}, &updated)
	if updated.UpdateArticle.Version != 2 || updated.UpdateArticle.Title != "Async Standups That Work" {
		t.Fatalf("updated = %+v", updated.UpdateArticle)
	}
	// A stale version changes nothing.
	if r := in.query(tok, update, map[string]any{"id": a.ID, "v": 1, "in": map[string]any{"title": "Lost update"}}); r.code() != "CONFLICT" {
		t.Fatalf("stale update: %+v, want CONFLICT", r.Errors)
	}
	var publish struct {
		PublishArticle struct{ Status, PublishedAt string }
	}
	in.must(tok, `mutation($id: ID!) { publishArticle(id: $id, version: 2) { status publishedAt } }`, map[string]any{"id": a.ID}, &publish)
	if publish.PublishArticle.Status != "PUBLISHED" || publish.PublishArticle.PublishedAt == "" {
		t.Fatalf("published = %+v", publish.PublishArticle)
	}
	var list struct {
		Articles struct {
			Nodes []struct{ ID, Title string }
		}
	}
	in.must("", `{ articles(first: 100) { nodes { id title } } }`, nil, &list)
	found := false
	for _, n := range list.Articles.Nodes {
		if n.ID == a.ID {
			found = n.Title == "Async Standups That Work"
		}
	}
	if !found {
		t.Fatalf("published article not in the anonymous list with its title: %+v", list.Articles.Nodes)
	}

	// An admin makes an API key for a build; it works until it is revoked, then at once not.
	admin := in.token("admin")
	var key struct {
		CreateApiKey struct {
			Secret string
			Key    struct{ ID, Hint string }
		}
	}
	in.must(admin, `mutation { createApiKey(name: "site build", role: VIEWER) { secret key { id hint } } }`, nil, &key)
	in.must(key.CreateApiKey.Secret, `{ viewer { role } }`, nil, &viewer)
	if viewer.Viewer.Role != "VIEWER" {
		t.Fatalf("API key viewer = %+v", viewer.Viewer)
	}
	if r := in.query(tok, `{ apiKeys { id } }`, nil); r.code() != "FORBIDDEN" {
		t.Fatalf("editor lists API keys: %+v, want FORBIDDEN", r.Errors)
	}
	in.must(admin, fmt.Sprintf(`mutation { revokeApiKey(id: %q) { revoked } }`, key.CreateApiKey.Key.ID), nil, &struct{}{})
	if r := in.query(key.CreateApiKey.Secret, `{ viewer { role } }`, nil); r.code() != "UNAUTHENTICATED" || r.status != http.StatusUnauthorized {
		t.Fatalf("revoked API key: %d %+v, want 401 UNAUTHENTICATED", r.status, r.Errors)
	}

	// The admin reads who did what to the article, newest first.
	var audit struct {
		AuditLog struct {
			Nodes []struct{ Actor, Action string }
		}
	}
	in.must(admin, `query($id: ID!) { auditLog(first: 10, filter: {itemId: $id}) { nodes { actor action } } }`, map[string]any{"id": a.ID}, &audit)
	if got := fmt.Sprint(audit.AuditLog.Nodes); got != "[{alice publish} {alice update} {alice create}]" {
		t.Fatalf("audit log of the article: %s", got)
	}

	// Restarting keeps everything, and does not import the sample content again.
	var before struct{ Tools struct{ TotalCount int } }
	in.must(tok, `{ tools(first: 0) { totalCount } }`, nil, &before)
	in.stop()
	in = start(t, env)
	defer in.stop()
	var again struct {
		Article *struct {
			Title   string
			Version int
		}
		Tools struct{ TotalCount int }
	}
	in.must(tok, fmt.Sprintf(`{ article(id: %q) { title version } tools(first: 0) { totalCount } }`, a.ID), nil, &again)
	if again.Article == nil || again.Article.Version != 3 || again.Tools.TotalCount != before.Tools.TotalCount {
		t.Fatalf("after restart: %+v, tools %d (before %d)", again.Article, again.Tools.TotalCount, before.Tools.TotalCount)
	}
}

// draftHidden checks that a draft article is invisible to anonymous callers everywhere.
func draftHidden(t *testing.T, in *instance, id, slug, title string) {
	t.Helper()
	var r struct {
		ByID   *struct{ ID string } `json:"byId"`
		BySlug *struct{ ID string } `json:"bySlug"`
		List   struct {
			TotalCount int
			Nodes      []struct{ ID string }
		} `json:"list"`
	}
	q := fmt.Sprintf(`{ byId: article(id: %q) { id } bySlug: article(slug: %q) { id } list: articles(first: 100) { totalCount nodes { id } } }`, id, slug)
	in.must("", q, nil, &r)
	if r.ByID != nil || r.BySlug != nil {
		t.Errorf("draft %s visible to anonymous callers by id or slug", title)
	}
	for _, n := range r.List.Nodes {
		if n.ID == id {
			t.Errorf("draft %s in the anonymous list", title)
		}
	}
	if r.List.TotalCount != len(r.List.Nodes) {
		t.Errorf("anonymous totalCount %d counts drafts (list has %d)", r.List.TotalCount, len(r.List.Nodes))
	}
}

func TestProductionNeedsSecret(t *testing.T) {
	env := map[string]string{"PAUSE_ENV": "production", "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"), "PAUSE_ADDR": freeAddr(t)}
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), []string{"serve"}, getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PAUSE_JWT_SECRET") {
		t.Fatalf("serve in production without a secret: %v, want an error naming PAUSE_JWT_SECRET", err)
	}
	err = run(context.Background(), []string{"token", "--sub", "a"}, getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PAUSE_JWT_SECRET") {
		t.Fatalf("token in production without a secret: %v", err)
	}
}

func TestUnknownCommand(t *testing.T) {
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/app"
	"pause/dynamo/dynamotest"
)

// TestUserCreate: `pause user create` prints a one-time setup link, and the README's flow works
// from it: setup, TOTP enrolment, /auth/login, /auth/token, an editor mutation.
func TestUserCreate(t *testing.T) {
	userCreate(t, map[string]string{"PAUSE_ADDR": freeAddr(t), "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"),
		"PAUSE_ENV": "development"})
}

// TestUserCreateDynamoDB: the same against DynamoDB Local, as `pause import` works there: the
// first admin of a deployed stage is one command.
func TestUserCreateDynamoDB(t *testing.T) {
	endpoint := dynamotest.Endpoint(t)
	if endpoint == "" {
		t.Skip("PAUSE_TEST_DYNAMODB_ENDPOINT is not set (make test sets it)")
	}
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	env := map[string]string{"PAUSE_ADDR": freeAddr(t), "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"),
		"PAUSE_ENV": "development", "PAUSE_STORE": "dynamodb", "PAUSE_TABLE": fmt.Sprintf("cli-user-%d", time.Now().UnixNano())}
	if err := run(context.Background(), []string{"table", "create"}, func(k string) string { return env[k] }, io.Discard, io.Discard); err != nil {
		t.Fatalf("table create: %v", err)
	}
	userCreate(t, env)
}

var linkPattern = regexp.MustCompile(`http://localhost:\d+/auth/setup\?token=([A-Za-z0-9_-]{43})`)

func userCreate(t *testing.T, env map[string]string) {
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	err := run(context.Background(), []string{"user", "create", "--email", "Admin@Example.com", "--name", "Admin", "--role", "admin"}, getenv, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := linkPattern.FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "admin@example.com (admin)") {
		t.Fatalf("user create printed %q", out.String())
	}
	_, port, _ := strings.Cut(env["PAUSE_ADDR"], ":")
	if !strings.Contains(m[0], "localhost:"+port) {
		t.Fatalf("the link %s is not on the server's port %s", m[0], port)
	}
	if err := run(context.Background(), []string{"user", "create", "--email", "admin@example.com", "--name", "Again", "--role", "admin"}, getenv, io.Discard, io.Discard); err == nil {
		t.Fatal("a second user with the same email was created")
	}
	if err := run(context.Background(), []string{"user", "create", "--email", "x@example.com", "--name", "X", "--role", "owner"}, getenv, io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown role was accepted")
	}
	out.Reset()
	if err := run(context.Background(), []string{"user", "list"}, getenv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "admin@example.com\tadmin\tinvited") {
		t.Fatalf("user list: %q, %v", out.String(), err)
	}

	in := start(t, env)
	defer in.stop()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path string, body any, studio bool) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, in.url+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if studio {
			req.Header.Set("Origin", in.url)
			req.Header.Set("X-Pause-Studio", "1")
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(res.Body).Decode(&v)
		v["httpStatus"] = res.StatusCode
		return v
	}
	const pw = "correct horse battery staple"
	if r := post("/auth/setup", map[string]string{"token": m[1], "password": pw}, false); r["httpStatus"] != 200 {
		t.Fatalf("setup: %v", r)
	}
	if r := post("/auth/setup", map[string]string{"token": m[1], "password": pw}, false); r["httpStatus"] != 401 {
		t.Fatalf("setup again: %v", r)
	}
	r := post("/auth/login", map[string]string{"email": "admin@example.com", "password": pw}, false)
	secret, _ := r["totpSecret"].(string)
	if r["status"] != "totpEnrolmentRequired" || secret == "" {
		t.Fatalf("first sign-in: %v", r)
	}
	var code bytes.Buffer
	if err := run(context.Background(), []string{"totp", secret}, getenv, &code, io.Discard); err != nil {
		t.Fatal(err)
	}
	if r := post("/auth/login", map[string]string{"email": "admin@example.com", "password": pw, "code": strings.TrimSpace(code.String())}, false); r["status"] != "signedIn" {
		t.Fatalf("enrolment: %v", r)
	}
	tok := post("/auth/token", nil, true)
	access, _ := tok["accessToken"].(string)
	if access == "" {
		t.Fatalf("token: %v", tok)
	}
	res := in.query(access, `mutation { createArticle(input: {title: "Signed in", body: "x", author: {name: "Admin"}}) { version } }`, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("editor mutation: %+v", res.Errors)
	}
}

// TestFirstAdmin: a store without users gets a first admin and a logged setup link; a link
// still valid is left alone; once someone has a password, nothing happens.
func TestFirstAdmin(t *testing.T) {
	cfg := app.FromEnv(func(k string) string {
		return map[string]string{"PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db")}[k]
	})
	cms, closeStore, err := cfg.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	var logged []string
	logf := func(msg string, args ...any) { logged = append(logged, fmt.Sprint(append([]any{msg}, args...)...)) }
	if err := firstAdmin(context.Background(), cms, "boss@example.com", logf); err != nil {
		t.Fatal(err)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "boss@example.com") || !strings.Contains(logged[0], "/auth/setup?token=") {
		t.Fatalf("logged %q", logged)
	}
	users, _ := cms.Users(app.System(context.Background()))
	if len(users) != 1 || users[0].Role != pause.RoleAdmin || users[0].Email != "boss@example.com" {
		t.Fatalf("users = %+v", users)
	}
	first := users[0].Link.Hash
	if err := firstAdmin(context.Background(), cms, "boss@example.com", logf); err != nil {
		t.Fatal(err)
	}
	users, _ = cms.Users(app.System(context.Background()))
	if len(users) != 1 || users[0].Link.Hash != first || strings.Contains(logged[1], "token=") {
		t.Fatalf("a second start replaced a valid link: %q", logged)
	}
}

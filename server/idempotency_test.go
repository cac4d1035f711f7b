package server_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/bolt"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
	"pause/server"
)

// A mutation sent with an Idempotency-Key happens once: its repeat gets the first answer and
// writes nothing; the key with another request is refused; other callers' keys are their own.

func TestIdempotencyKeyBolt(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	testIdempotencyKey(t, db.Stores())
}

func TestIdempotencyKeyDynamoDB(t *testing.T) {
	client, table := dynamotest.Table(t, "pause-idem-")
	testIdempotencyKey(t, dynamo.New(dynamo.Config{Client: client, Table: table}).Stores())
}

func testIdempotencyKey(t *testing.T, stores pause.Stores) {
	f := newFixtureOn(t, stores, nil, func(c *server.Config) { c.Idempotency = stores.Idempotency })
	ed, _ := f.tokens.Issue("ed", pause.RoleEditor, time.Hour)
	other, _ := f.tokens.Issue("other", pause.RoleEditor, time.Hour)
	create := gql(`mutation { createTool(input: {name: "Once", websiteUrl: "https://example.com", category: "Chat", pricing: FREE}) { id name } }`, nil)
	send := func(tok, key, body string) reply {
		t.Helper()
		h := map[string]string{"Authorization": "Bearer " + tok}
		if key != "" {
			h["Idempotency-Key"] = key
		}
		return f.do(t, request{body: body, header: h})
	}
	tools := func() int {
		t.Helper()
		n, err := f.cms.Tools.Total(pause.NewContext(t.Context(), &pause.Viewer{Subject: "v", Role: pause.RoleViewer}))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	id := func(r reply) string {
		t.Helper()
		var out struct {
			Data struct{ CreateTool *struct{ ID string } }
		}
		if err := json.Unmarshal(r.body, &out); err != nil || out.Data.CreateTool == nil {
			t.Fatalf("%d: %s", r.status, r.body)
		}
		return out.Data.CreateTool.ID
	}

	first := send(ed, "3f1c-create-once", create)
	if first.status != http.StatusOK || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %v: %s", first.status, first.header, first.body)
	}
	again := send(ed, "3f1c-create-once", create)
	if again.status != http.StatusOK || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
		t.Errorf("repeat: %d %v: %s, want the first answer again: %s", again.status, again.header, again.body, first.body)
	}
	if n := tools(); n != 1 {
		t.Errorf("%d tools after a repeat with the key, want 1", n)
	}
	if r := send(ed, "3f1c-create-once", gql(`mutation { createTool(input: {name: "Twice", websiteUrl: "https://example.com", category: "Chat", pricing: FREE}) { id } }`, nil)); r.status != http.StatusUnprocessableEntity || r.code() != server.CodeIdempotencyKeyReused {
		t.Errorf("the key with another request: %d %q: %s", r.status, r.code(), r.body)
	}
	// Another caller's key is theirs: the same key makes their own tool.
	if r := send(other, "3f1c-create-once", create); r.status != http.StatusOK || id(r) == id(first) {
		t.Errorf("another caller, the same key: %d: %s", r.status, r.body)
	}
	// Without a key, the same request is a new one.
	if r := send(ed, "", create); id(r) == id(first) {
		t.Errorf("without a key: the first tool again: %s", r.body)
	}
	if n := tools(); n != 3 {
		t.Errorf("%d tools, want 3", n)
	}
	// A refused write keeps its answer too: the repeat is refused the same way, and writes
	// nothing.
	bad := gql(`mutation { createTool(input: {name: "Bad", websiteUrl: "javascript:x", category: "Chat", pricing: FREE}) { id } }`, nil)
	r1, r2 := send(ed, "bad-1", bad), send(ed, "bad-1", bad)
	if r1.code() != pause.EINVALID || string(r2.body) != string(r1.body) || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("refused write: %s / %s", r1.body, r2.body)
	}
	for _, key := range []string{"clé", strings.Repeat("k", 256)} {
		if r := send(ed, key, create); r.status != http.StatusBadRequest || r.code() != pause.EINVALID {
			t.Errorf("key %q: %d %q", key, r.status, r.code())
		}
	}
	if n := tools(); n != 3 {
		t.Errorf("%d tools at the end, want 3", n)
	}
}

package server_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"pause"
	"pause/bolt"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
)

// A document with several mutation fields reports every change it made: a field that fails is
// null with its error, and the fields that committed keep their results, whatever the order.
// Every committed change is then checked in the store.

func TestMixedMutationsBolt(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	testMixedMutations(t, db.Stores())
}

func TestMixedMutationsDynamoDB(t *testing.T) {
	client, table := dynamotest.Table(t, "pause-mixed-")
	testMixedMutations(t, dynamo.New(dynamo.Config{Client: client, Table: table}).Stores())
}

func testMixedMutations(t *testing.T, stores pause.Stores) {
	f := newFixtureOn(t, stores, nil, nil)
	tok, _ := f.tokens.Issue("ed", pause.RoleEditor, time.Hour)
	asEditor := map[string]string{"Authorization": "Bearer " + tok}
	type result struct {
		Data map[string]*struct {
			ID, Name string
			Version  int
		}
		Errors []struct {
			Path       []string
			Extensions struct{ Code string }
		}
	}
	send := func(query string) result {
		t.Helper()
		r := f.do(t, request{body: gql(query, nil), header: asEditor})
		var out result
		if err := json.Unmarshal(r.body, &out); err != nil || r.status != 200 {
			t.Fatalf("%d %v: %s", r.status, err, r.body)
		}
		if out.Data == nil {
			t.Fatalf("no data at all, so committed changes go unreported: %s", r.body)
		}
		return out
	}
	create := func(alias, name string) string {
		return fmt.Sprintf(`%s: createTool(input: {name: %q, websiteUrl: "https://example.com", category: "Chat", pricing: FREE}) { id name version }`, alias, name)
	}
	refused := `bad: createTool(input: {name: "Bad", websiteUrl: "javascript:alert(1)", category: "Chat", pricing: FREE}) { id name version }`
	stored := func(id, name string, version int) {
		t.Helper()
		ctx := pause.NewContext(t.Context(), &pause.Viewer{Subject: "v", Role: pause.RoleViewer})
		tool, err := f.cms.Tools.Get(ctx, id)
		if err != nil || tool.Name != name || tool.Version != version {
			t.Errorf("stored tool %s: %+v %v, want %q at version %d", id, tool, err, name, version)
		}
	}
	failed := func(out result, field, code string) {
		t.Helper()
		if out.Data[field] != nil {
			t.Errorf("%s = %+v, want null", field, out.Data[field])
		}
		for _, e := range out.Errors {
			if len(e.Path) == 1 && e.Path[0] == field && e.Extensions.Code == code {
				return
			}
		}
		t.Errorf("no %s error for %s: %+v", code, field, out.Errors)
	}

	// Allowed, then refused.
	out := send(`mutation { ` + create("ok", "First") + ` ` + refused + ` }`)
	if out.Data["ok"] == nil || out.Data["ok"].ID == "" {
		t.Fatalf("the committed create is not in the answer: %+v", out)
	}
	failed(out, "bad", pause.EINVALID)
	stored(out.Data["ok"].ID, "First", 1)
	first := out.Data["ok"]

	// Refused, then allowed.
	out = send(`mutation { ` + refused + ` ` + create("ok", "Second") + ` }`)
	failed(out, "bad", pause.EINVALID)
	if out.Data["ok"] == nil {
		t.Fatalf("the committed create is not in the answer: %+v", out)
	}
	stored(out.Data["ok"].ID, "Second", 1)

	// Allowed, then stale: the second update names the version the first one replaced.
	out = send(fmt.Sprintf(`mutation { a: updateTool(id: %q, version: 1, input: {name: "Renamed"}) { id name version }
		b: updateTool(id: %q, version: 1, input: {name: "Lost"}) { id name version } }`, first.ID, first.ID))
	if out.Data["a"] == nil || out.Data["a"].Version != 2 || out.Data["a"].Name != "Renamed" {
		t.Fatalf("the committed update is not in the answer: %+v", out)
	}
	failed(out, "b", pause.ECONFLICT)
	stored(first.ID, "Renamed", 2)

	// Refused for the role, then allowed: a delete needs an admin, the create goes through.
	out = send(fmt.Sprintf(`mutation { d: deleteTool(id: %q, version: 2) ok: %s }`, first.ID, create("", "Third")[2:]))
	if out.Data["ok"] == nil {
		t.Fatalf("the committed create is not in the answer: %+v", out)
	}
	failed(out, "d", pause.EFORBIDDEN)
	stored(first.ID, "Renamed", 2)
}

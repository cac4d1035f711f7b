package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"pause"
)

// Relay, complete: node and nodes find items of any type, connections page backward with
// last/before, and every connection has edges and a full pageInfo.
func TestRelay(t *testing.T) {
	cms, h := newTestAPI(t)
	editor := pause.NewContext(context.Background(), &pause.Viewer{Subject: "e", Role: pause.RoleEditor})
	var toolIDs []string
	for i := range 5 {
		name, site, cat, pricing := fmt.Sprintf("Tool %d", i), "https://example.com", "Chat", pause.PricingFree
		tool, err := cms.Tools.Create(editor, pause.ToolInput{Name: &name, WebsiteURL: &site, Category: &cat, Pricing: &pricing})
		if err != nil {
			t.Fatal(err)
		}
		if tool, err = cms.Tools.Publish(editor, tool.ID, tool.Version); err != nil {
			t.Fatal(err)
		}
		toolIDs = append(toolIDs, tool.ID)
	}
	title, author := "Draft", pause.Author{Name: "Ann"}
	article, err := cms.Articles.Create(editor, pause.ArticleInput{Title: &title, Author: &author})
	if err != nil {
		t.Fatal(err)
	}
	do := func(role pause.Role, q string, vars map[string]any) map[string]any {
		t.Helper()
		body := post(t, h, role, q, vars)
		var out map[string]any
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		return out
	}
	jsonOf := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	// Backward: the last two tools, then the two before them.
	page := `query($b: String) { tools(last: 2, before: $b) { nodes { name } edges { cursor node { id } }
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	out := do(pause.RoleAnonymous, page, nil)
	tools := out["data"].(map[string]any)["tools"].(map[string]any)
	if got := jsonOf(tools["nodes"]); got != `[{"name":"Tool 3"},{"name":"Tool 4"}]` {
		t.Errorf("last 2: %s", got)
	}
	info := tools["pageInfo"].(map[string]any)
	if info["hasPreviousPage"] != true || info["startCursor"] == nil {
		t.Fatalf("last 2: pageInfo %s", jsonOf(info))
	}
	if edges := tools["edges"].([]any); edges[0].(map[string]any)["cursor"] != info["startCursor"] {
		t.Errorf("the first edge's cursor is not startCursor: %s", jsonOf(tools))
	}
	out = do(pause.RoleAnonymous, page, map[string]any{"b": info["startCursor"]})
	if got := jsonOf(out["data"].(map[string]any)["tools"].(map[string]any)["nodes"]); got != `[{"name":"Tool 1"},{"name":"Tool 2"}]` {
		t.Errorf("the 2 before: %s", got)
	}
	out = do(pause.RoleAnonymous, `{ tools(first: 1, last: 1) { nodes { name } } }`, nil)
	if got := jsonOf(out["errors"]); !bytes.Contains([]byte(got), []byte(pause.EINVALID)) {
		t.Errorf("first and last: %s", got)
	}

	// node and nodes: any type by id, null where there is none the viewer may see.
	q := `query($id: ID!, $ids: [ID!]!) { node(id: $id) { __typename id ... on Tool { name } }
		nodes(ids: $ids) { __typename id } }`
	vars := map[string]any{"id": toolIDs[0], "ids": []string{toolIDs[1], "nope", article.ID}}
	out = do(pause.RoleAnonymous, q, vars)
	if got := jsonOf(out["data"]); got != fmt.Sprintf(`{"node":{"__typename":"Tool","id":%q,"name":"Tool 0"},"nodes":[{"__typename":"Tool","id":%q},null,null]}`, toolIDs[0], toolIDs[1]) {
		t.Errorf("anonymous node/nodes: %s", got)
	}
	out = do(pause.RoleViewer, q, vars)
	if got := jsonOf(out["data"].(map[string]any)["nodes"]); got != fmt.Sprintf(`[{"__typename":"Tool","id":%q},null,{"__typename":"Article","id":%q}]`, toolIDs[1], article.ID) {
		t.Errorf("viewer's nodes (the draft article too): %s", got)
	}

	// Revisions have edges too.
	out = do(pause.RoleViewer, `query($id: ID!) { toolRevisions(id: $id) { edges { cursor node { number } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, map[string]any{"id": toolIDs[0]})
	if got := jsonOf(out["data"]); got != `{"toolRevisions":{"edges":[{"cursor":"2","node":{"number":2}},{"cursor":"1","node":{"number":1}}],"pageInfo":{"endCursor":"1","hasNextPage":false,"hasPreviousPage":false,"startCursor":"2"}}}` {
		t.Errorf("revision edges: %s", got)
	}
}

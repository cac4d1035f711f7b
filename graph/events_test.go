package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"pause"
	"pause/bolt"
	"pause/graph"
	"pause/ids"
	"pause/markdown"
	"pause/webhook"
)

// webhooksOf returns the webhook service over the stores, as the server wires it.
func webhooksOf(t *testing.T, cms *pause.CMS, stores pause.Stores) *pause.Webhooks {
	t.Helper()
	sealer, err := webhook.NewSealer([]byte("a graph test secret, long enough"))
	if err != nil {
		t.Fatal(err)
	}
	return pause.NewWebhooks(pause.WebhookConfig{Store: stores.Webhooks, Events: stores.Events,
		Sender: webhook.NewSender(&webhook.Guard{}), Sealer: sealer, Types: pause.EventTypes(cms), NewID: ids.New})
}

// TestWebhookAPI: an admin creates an endpoint (the secret is in that answer only), lists it
// with its deliveries, changes it at its version and deletes it; a forbidden URL is a clear
// EINVALID on url, with nothing written.
func TestWebhookAPI(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	h := graph.NewHandler(graph.Options{CMS: cms, Webhooks: webhooksOf(t, cms, db.Stores())})
	do := func(q string, vars map[string]any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req = req.WithContext(pause.NewContext(req.Context(), &pause.Viewer{Subject: "root", Role: pause.RoleAdmin}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
		return out
	}
	out := do(`mutation { createWebhookEndpoint(url: "https://169.254.169.254/latest/meta-data", eventTypes: ["article.published"]) { secret } }`, nil)
	errs, _ := out["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("metadata address: %v", out)
	}
	ext := errs[0].(map[string]any)["extensions"].(map[string]any)
	if ext["code"] != pause.EINVALID || ext["field"] != "url" {
		t.Fatalf("metadata address: %v", ext)
	}
	if out := do(`{ webhookEndpoints { id } }`, nil); len(out["data"].(map[string]any)["webhookEndpoints"].([]any)) != 0 {
		t.Fatalf("a refused endpoint was written: %v", out)
	}
	out = do(`mutation { createWebhookEndpoint(url: "https://93.184.215.14/hook", description: "Site", eventTypes: ["article.published", "tool.published"]) { secret endpoint { id version enabled eventTypes secretHint deliveredThrough } } }`, nil)
	created := out["data"].(map[string]any)["createWebhookEndpoint"].(map[string]any)
	secret := created["secret"].(string)
	ep := created["endpoint"].(map[string]any)
	if !strings.HasPrefix(secret, "whsec_") || ep["secretHint"] != secret[len(secret)-4:] || ep["enabled"] != true {
		t.Fatalf("created: %v", created)
	}
	list, _ := json.Marshal(do(`{ webhookEndpoints { id url description eventTypes enabled secretHint deliveries { id } } eventTypes }`, nil))
	if strings.Contains(string(list), secret) || !strings.Contains(string(list), `"article.published","tool.published"`) || !strings.Contains(string(list), "benefit.reordered") {
		t.Fatalf("list: %s", list)
	}
	out = do(`mutation($id: ID!) { updateWebhookEndpoint(id: $id, version: 1, input: {enabled: false}) { version enabled disabledReason } }`, map[string]any{"id": ep["id"]})
	upd := out["data"].(map[string]any)["updateWebhookEndpoint"].(map[string]any)
	if upd["enabled"] != false || upd["version"] != float64(2) || !strings.Contains(upd["disabledReason"].(string), "root") {
		t.Fatalf("update: %v", out)
	}
	out = do(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, map[string]any{"id": ep["id"]})
	if out["data"].(map[string]any)["deleteWebhookEndpoint"] != true {
		t.Fatalf("delete: %v", out)
	}
}

package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"pause"
	"pause/bolt"
	"pause/graph"
	"pause/ids"
	"pause/markdown"
)

// newTestAPI returns a CMS on a fresh embedded store and the GraphQL handler over it.
func newTestAPI(t *testing.T) (*pause.CMS, http.Handler) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	return cms, graph.NewHandler(graph.Options{CMS: cms})
}

// post sends the query as the role (no viewer for RoleAnonymous) and returns the raw answer.
func post(t *testing.T, h http.Handler, role pause.Role, q string, vars map[string]any) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if role != pause.RoleAnonymous {
		req = req.WithContext(pause.NewContext(req.Context(), &pause.Viewer{Subject: "s", Role: role}))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

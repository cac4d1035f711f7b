package graph_test

import (
	"net/http"
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
	return graph.PostAs(h, role, q, vars)
}

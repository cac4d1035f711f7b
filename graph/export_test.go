package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"

	"pause"
)

// PostAs sends the GraphQL query with its variables to h as the role (no viewer for
// RoleAnonymous), and returns the raw answer. Exported for the tests of package graph_test too.
func PostAs(h http.Handler, role pause.Role, query string, vars map[string]any) []byte {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if role != pause.RoleAnonymous {
		req = req.WithContext(pause.NewContext(req.Context(), &pause.Viewer{Subject: "s", Role: role}))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

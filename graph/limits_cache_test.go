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
)

// TestLimitsRemembered: the token and shape limits remember the queries that passed, and
// that never lets through what they would refuse: an operation with variables is measured
// with each request's values, each operation of a document on its own, and a refusal
// stays a refusal.
func TestLimitsRemembered(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	h := graph.NewHandler(graph.Options{CMS: cms, Limits: graph.Limits{MaxComplexity: 221, MaxTokens: 40}})
	code := func(query, operation string, vars map[string]any) string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "operationName": operation, "variables": vars})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out struct {
			Errors []struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
		if len(out.Errors) == 0 {
			return ""
		}
		c, _ := out.Errors[0].Extensions["code"].(string)
		return c
	}
	const (
		fits     = `{ articles(first: 10) { nodes { relatedTools { id } } } }`
		tooDear  = `{ articles(first: 11) { nodes { relatedTools { id } } } }`
		variable = `query($n: Int) { articles(first: $n) { nodes { relatedTools { id } } } }`
		two      = `query A { articles(first: 10) { nodes { relatedTools { id } } } } query B { articles(first: 11) { nodes { relatedTools { id } } } }`
	)
	long := "{ viewer { " + strings.Repeat("role ", 40) + "} }"
	for round := range 3 {
		for _, tc := range []struct {
			query, operation string
			vars             map[string]any
			want             string
		}{
			{fits, "", nil, ""},
			{tooDear, "", nil, graph.CodeComplexityLimit},
			{variable, "", map[string]any{"n": 10}, ""},
			{variable, "", map[string]any{"n": 11}, graph.CodeComplexityLimit},
			{two, "A", nil, ""},
			{two, "B", nil, graph.CodeComplexityLimit},
			{long, "", nil, graph.CodeTokenLimit},
		} {
			if got := code(tc.query, tc.operation, tc.vars); got != tc.want {
				t.Errorf("round %d: %s %s %v: code %q, want %q", round, tc.query, tc.operation, tc.vars, got, tc.want)
			}
		}
	}
}

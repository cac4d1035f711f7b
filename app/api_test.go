package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/graph"
	"pause/server/graphiql"
)

// newAPI returns the handler that `pause serve` would build from the environment vars: in
// production, on a bolt file of its own.
func newAPI(t *testing.T, vars map[string]string) http.Handler {
	t.Helper()
	all := map[string]string{
		"PAUSE_ENV":        "production",
		"PAUSE_JWT_SECRET": strings.Repeat("k", 32),
		"PAUSE_DATA":       filepath.Join(t.TempDir(), "pause.db"),
	}
	maps.Copy(all, vars)
	cfg := FromEnv(env(all))
	cfg.GraphiQL = graphiql.Handler() // as cmd/pause sets it
	cms, closeStore, err := cfg.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeStore() })
	h, err := cfg.Handler(cms, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type answer struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

// code is the first error's extensions.code, or "".
func (a answer) code() string {
	errs, _ := a.json["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	ext, _ := e["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

func (a answer) hasData() bool { return a.json["data"] != nil }

func send(t *testing.T, h http.Handler, r *http.Request) answer {
	t.Helper()
	r.Header.Set("Accept", graph.MediaGraphQLResponse)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	a := answer{status: w.Code, header: w.Header(), body: string(body)}
	_ = json.Unmarshal(body, &a.json) // a batch's answer is an array: json stays nil
	return a
}

func post(t *testing.T, h http.Handler, body string) answer {
	t.Helper()
	return postAs(t, h, "", body)
}

// postAs posts body with the bearer token, if any.
func postAs(t *testing.T, h http.Handler, token, body string) answer {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, h, r)
}

func query(t *testing.T, h http.Handler, q string) answer {
	t.Helper()
	return post(t, h, fmt.Sprintf(`{"query":%q}`, q))
}

// PAUSE_INTROSPECTION=true opens the schema of a production server (introspection and
// GraphiQL); without it, or with false, production refuses introspection.
func TestIntrospectionFromEnv(t *testing.T) {
	for _, tc := range []struct {
		value string
		open  bool
	}{{"", false}, {"false", false}, {"true", true}} {
		t.Run("PAUSE_INTROSPECTION="+tc.value, func(t *testing.T) {
			h := newAPI(t, map[string]string{"PAUSE_INTROSPECTION": tc.value})
			a := query(t, h, `{ __schema { queryType { name } } }`)
			if tc.open {
				data, _ := a.json["data"].(map[string]any)
				schema, _ := data["__schema"].(map[string]any)
				qt, _ := schema["queryType"].(map[string]any)
				if a.status != http.StatusOK || a.code() != "" || qt["name"] != "Query" {
					t.Errorf("introspection refused: %d %.300s", a.status, a.body)
				}
			} else if a.status != http.StatusBadRequest || a.code() != "GRAPHQL_VALIDATION_FAILED" || a.hasData() {
				t.Errorf("introspection answered: %d %.300s", a.status, a.body)
			}
			page := send(t, h, httptest.NewRequest(http.MethodGet, "/", nil))
			if served := page.status == http.StatusOK && strings.Contains(page.body, "graphiql"); served != tc.open {
				t.Errorf("GraphiQL served: %v, want %v (%d)", served, tc.open, page.status)
			}
		})
	}
}

// Each of the API's variables reaches the handler: the same request is answered one way with
// the default and the other way with the variable set.
func TestAPISettingsFromEnv(t *testing.T) {
	aliases2 := `{ a: __typename b: __typename }`
	for _, tc := range []struct {
		name     string
		vars     map[string]string
		request  func(t *testing.T, h http.Handler) answer
		defaults string // the code with the defaults ("" for success)
		set      string // the code with vars
	}{
		{"PAUSE_MAX_DEPTH", map[string]string{"PAUSE_MAX_DEPTH": "2"},
			func(t *testing.T, h http.Handler) answer {
				return query(t, h, `{ tools(first: 1) { nodes { name } } }`)
			}, "", graph.CodeDepthLimit},
		{"PAUSE_MAX_COMPLEXITY", map[string]string{"PAUSE_MAX_COMPLEXITY": "5"},
			func(t *testing.T, h http.Handler) answer {
				return query(t, h, `{ tools(first: 10) { nodes { name } } }`)
			}, "", graph.CodeComplexityLimit},
		{"PAUSE_MAX_TOKENS", map[string]string{"PAUSE_MAX_TOKENS": "5"},
			func(t *testing.T, h http.Handler) answer {
				return query(t, h, `{ viewer { role subject } }`)
			}, "", graph.CodeTokenLimit},
		{"PAUSE_MAX_ALIASES", map[string]string{"PAUSE_MAX_ALIASES": "1"},
			func(t *testing.T, h http.Handler) answer { return query(t, h, aliases2) }, "", graph.CodeAliasLimit},
		{"PAUSE_MAX_ROOT_FIELDS", map[string]string{"PAUSE_MAX_ROOT_FIELDS": "1"},
			func(t *testing.T, h http.Handler) answer { return query(t, h, `{ __typename viewer { role } }`) },
			"", graph.CodeRootFieldLimit},
		{"PAUSE_MAX_DIRECTIVES", map[string]string{"PAUSE_MAX_DIRECTIVES": "1"},
			func(t *testing.T, h http.Handler) answer {
				return query(t, h, `{ viewer { role @include(if: true) subject @skip(if: false) } }`)
			}, "", graph.CodeDirectiveLimit},
		{"PAUSE_MAX_BATCH", map[string]string{"PAUSE_MAX_BATCH": "2"},
			func(t *testing.T, h http.Handler) answer {
				a := post(t, h, `[{"query":"{ __typename }"},{"query":"{ __typename }"}]`)
				if a.status == http.StatusOK && !strings.HasPrefix(a.body, "[") {
					t.Errorf("a batch answered with %s", a.body)
				}
				return a
			}, graph.CodeBatchingDisabled, ""},
		{"PAUSE_MAX_BODY_BYTES", map[string]string{"PAUSE_MAX_BODY_BYTES": "1024"},
			func(t *testing.T, h http.Handler) answer {
				return query(t, h, "{ __typename }"+strings.Repeat(" ", 2000))
			}, "", graph.CodePayloadTooLarge},
		{"PAUSE_PERSISTED_QUERIES", map[string]string{"PAUSE_PERSISTED_QUERIES": "0"},
			func(t *testing.T, h http.Handler) answer {
				q := `{ viewer { role } }`
				sum := sha256.Sum256([]byte(q))
				ext := fmt.Sprintf(`"extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hex.EncodeToString(sum[:]))
				if a := post(t, h, fmt.Sprintf(`{"query":%q,%s}`, q, ext)); a.code() != "" {
					t.Fatalf("the query with its hash: %d %s", a.status, a.body)
				}
				a := post(t, h, "{"+ext+"}") // the hash alone
				if a.code() == "" && !a.hasData() {
					t.Errorf("the hash alone: neither data nor error: %s", a.body)
				}
				return a
			}, "", "any"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, run := range []struct {
				vars map[string]string
				want string
			}{{nil, tc.defaults}, {tc.vars, tc.set}} {
				a := tc.request(t, newAPI(t, run.vars))
				switch got := a.code(); {
				case run.want == "any" && got != "":
				case got != run.want:
					t.Errorf("with %v: code %q, want %q: %d %.300s", run.vars, got, run.want, a.status, a.body)
				}
			}
		})
	}
}

// PAUSE_CACHE_MAX_AGE sets how long shared caches may keep an anonymous GET's answer; 0
// makes none publicly cacheable.
func TestCacheMaxAgeFromEnv(t *testing.T) {
	for value, want := range map[string]string{
		"":   "public, max-age=60",
		"5m": "public, max-age=300",
		"0":  "no-store",
	} {
		h := newAPI(t, map[string]string{"PAUSE_CACHE_MAX_AGE": value})
		a := send(t, h, httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("{ __typename }"), nil))
		if got := a.header.Get("Cache-Control"); a.status != http.StatusOK || got != want {
			t.Errorf("PAUSE_CACHE_MAX_AGE=%q: %d, Cache-Control %q, want %q", value, a.status, got, want)
		}
	}
}

// The values FromEnv reads, as server.Config takes them; unset is zero (server's default).
func TestAPISettingsParsed(t *testing.T) {
	got := FromEnv(env(map[string]string{
		"PAUSE_INTROSPECTION":     "true",
		"PAUSE_REQUEST_TIMEOUT":   "2500ms",
		"PAUSE_CACHE_MAX_AGE":     "1h",
		"PAUSE_MAX_BODY_BYTES":    " 2048 ",
		"PAUSE_PERSISTED_QUERIES": "10",
		"PAUSE_PUBLIC_CACHE_SIZE": "50",
		"PAUSE_KEEP_REVISIONS":    "8",
		"PAUSE_MAX_TOKENS":        "1",
		"PAUSE_MAX_DEPTH":         "2",
		"PAUSE_MAX_COMPLEXITY":    "3",
		"PAUSE_MAX_ALIASES":       "4",
		"PAUSE_MAX_ROOT_FIELDS":   "5",
		"PAUSE_MAX_DIRECTIVES":    "6",
		"PAUSE_MAX_BATCH":         "7",
	}))
	if err := got.Check(); err != nil {
		t.Fatal(err)
	}
	if !got.Introspection || got.RequestTimeout != 2500*time.Millisecond || got.CacheMaxAge != time.Hour ||
		got.MaxBodyBytes != 2048 || got.PersistedQueries != 10 || got.PublicCacheSize != 50 || got.KeepRevisions != 8 ||
		got.Limits != (graph.Limits{MaxTokens: 1, MaxDepth: 2, MaxComplexity: 3, MaxAliases: 4, MaxRootFields: 5, MaxDirectives: 6, MaxBatch: 7}) {
		t.Errorf("read %+v", got)
	}
	zero := FromEnv(env(nil))
	if zero.Introspection || zero.RequestTimeout != 0 || zero.CacheMaxAge != 0 || zero.MaxBodyBytes != 0 ||
		zero.PersistedQueries != 0 || zero.PublicCacheSize != 0 || zero.KeepRevisions != 0 || zero.Limits != (graph.Limits{}) {
		t.Errorf("unset, read %+v", zero)
	}
	off := FromEnv(env(map[string]string{"PAUSE_CACHE_MAX_AGE": "0s", "PAUSE_PERSISTED_QUERIES": "0", "PAUSE_MAX_BATCH": "0"}))
	if off.CacheMaxAge >= 0 || off.PersistedQueries >= 0 || off.Limits.MaxBatch != 0 || off.Check() != nil {
		t.Errorf("0 should turn public caching and APQ off, batching stays off: %+v", off)
	}
}

// A malformed or out-of-range value stops Pause at start-up (Check, and Open, which the
// Lambda function calls) with an error that names the variable.
func TestAPISettingsRefused(t *testing.T) {
	for key, values := range map[string][]string{
		"PAUSE_INTROSPECTION":     {"yes", "1", "TRUE"},
		"PAUSE_REQUEST_TIMEOUT":   {"10", "0s", "-1s", "31s", "soon"},
		"PAUSE_CACHE_MAX_AGE":     {"60", "-1s", "1.5s", "500ms"},
		"PAUSE_MAX_BODY_BYTES":    {"1023", "1MiB", "67108865", "-1"},
		"PAUSE_PERSISTED_QUERIES": {"-1", "many", "1000001"},
		"PAUSE_PUBLIC_CACHE_SIZE": {"0", "-5", "1e3"},
		"PAUSE_KEEP_REVISIONS":    {"0", "10001", "all"},
		"PAUSE_MAX_TOKENS":        {"0", "x"},
		"PAUSE_MAX_DEPTH":         {"0", "2.5"},
		"PAUSE_MAX_COMPLEXITY":    {"0", "-1"},
		"PAUSE_MAX_ALIASES":       {"0", "99999999999999999999"},
		"PAUSE_MAX_ROOT_FIELDS":   {"0", " - "},
		"PAUSE_MAX_DIRECTIVES":    {"0", "ten"},
		"PAUSE_MAX_BATCH":         {"-1", "on"},
	} {
		for _, v := range values {
			cfg := FromEnv(env(map[string]string{key: v, "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db")}))
			err := cfg.Check()
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("%s=%q: Check says %v, want an error naming %s", key, v, err, key)
				continue
			}
			if _, _, err := cfg.Open(context.Background()); err == nil {
				t.Errorf("%s=%q: Open opened the store", key, v)
			}
		}
	}
}

// PAUSE_KEEP_REVISIONS sets how many revisions of each item the CMS keeps.
func TestKeepRevisionsFromEnv(t *testing.T) {
	tokens, err := auth.NewTokens([]byte(strings.Repeat("k", 32))) // newAPI's PAUSE_JWT_SECRET
	if err != nil {
		t.Fatal(err)
	}
	editor, err := tokens.Issue("alice", pause.RoleEditor, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for value, want := range map[string]int{"": pause.DefaultKeepRevisions, "2": 2} {
		h := newAPI(t, map[string]string{"PAUSE_KEEP_REVISIONS": value})
		gql := func(q string, vars map[string]any) map[string]any {
			t.Helper()
			body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
			a := postAs(t, h, editor, string(body))
			if a.code() != "" || !a.hasData() {
				t.Fatalf("%s: %d %s", q, a.status, a.body)
			}
			return a.json["data"].(map[string]any)
		}
		created := gql(`mutation { createArticle(input: {title: "Kept", author: {name: "A"}}) { id version } }`, nil)["createArticle"].(map[string]any)
		id, version := created["id"], created["version"]
		for i := range 3 {
			updated := gql(`mutation($id: ID!, $v: Int!, $e: String) { updateArticle(id: $id, version: $v, input: {excerpt: $e}) { version } }`,
				map[string]any{"id": id, "v": version, "e": fmt.Sprint(i)})["updateArticle"].(map[string]any)
			version = updated["version"]
		}
		revs := gql(`query($id: ID!) { articleRevisions(id: $id, first: 100) { nodes { number } } }`, map[string]any{"id": id})
		nodes := revs["articleRevisions"].(map[string]any)["nodes"].([]any)
		if got := min(want, 4); len(nodes) != got { // four writes: one create, three updates
			t.Errorf("PAUSE_KEEP_REVISIONS=%q: %d revisions kept, want %d", value, len(nodes), got)
		}
	}
}

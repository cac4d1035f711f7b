package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pause/graph"
	"pause/server"
)

// request is one HTTP request to the fixture.
type request struct {
	method string
	path   string // with the query string; /graphql when empty
	header map[string]string
	body   string
}

// reply is what came back.
type reply struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r reply) code() string { return firstCode(r.json) }

func (r reply) hasData() bool { _, ok := r.json["data"]; return ok }

func (f *fixture) do(t *testing.T, rq request) reply {
	t.Helper()
	if rq.method == "" {
		rq.method = http.MethodPost
	}
	if rq.path == "" {
		rq.path = "/graphql"
	}
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	req, err := http.NewRequest(rq.method, f.srv.URL+rq.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if rq.method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range rq.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := reply{status: resp.StatusCode, header: resp.Header, body: b}
	_ = json.Unmarshal(b, &out.json)
	return out
}

// get is the path of a GET of the query.
func get(query string, params ...string) string {
	v := url.Values{"query": {query}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return "/graphql?" + v.Encode()
}

const acceptGraphQL = "application/graphql-response+json"

func TestMediaTypesAndStatuses(t *testing.T) {
	f := newFixture(t, false)
	gr := map[string]string{"Accept": acceptGraphQL}
	for _, tc := range []struct {
		name       string
		rq         request
		status     int
		media      string
		code       string
		data       bool
		allow      string
		noErrors   bool
		wantInBody string
	}{
		{name: "query, json", rq: request{body: `{"query":"{ viewer { role } }"}`}, status: 200, media: graph.MediaJSON, data: true, noErrors: true},
		{name: "query, graphql-response", rq: request{body: `{"query":"{ viewer { role } }"}`, header: gr}, status: 200, media: acceptGraphQL, data: true, noErrors: true},
		{name: "GET query", rq: request{method: "GET", path: get("{ viewer { role } }")}, status: 200, media: graph.MediaJSON, data: true, noErrors: true},
		{name: "parse error, json", rq: request{body: `{"query":"{"}`}, status: 200, media: graph.MediaJSON, code: "GRAPHQL_PARSE_FAILED"},
		{name: "parse error, graphql-response", rq: request{body: `{"query":"{"}`, header: gr}, status: 400, media: acceptGraphQL, code: "GRAPHQL_PARSE_FAILED"},
		{name: "validation error, graphql-response", rq: request{body: `{"query":"{ nope }"}`, header: gr}, status: 400, media: acceptGraphQL, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "validation error, json", rq: request{body: `{"query":"{ nope }"}`}, status: 200, media: graph.MediaJSON, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "field error runs", rq: request{body: `{"query":"{ tools(first: 101) { totalCount } }"}`, header: gr}, status: 200, media: acceptGraphQL, code: "BAD_USER_INPUT", data: true},
		{name: "GET mutation", rq: request{method: "GET", path: get("mutation { deleteTool(id: \"x\", version: 1) }"), header: gr}, status: 405, media: acceptGraphQL, code: graph.CodeMethodNotAllowed, allow: "POST"},
		{name: "GET mutation by operationName", rq: request{method: "GET", path: get("query Q { viewer { role } } mutation M { deleteTool(id: \"x\", version: 1) }", "operationName", "M")}, status: 405, media: graph.MediaJSON, code: graph.CodeMethodNotAllowed, allow: "POST"},
		{name: "GET query by operationName", rq: request{method: "GET", path: get("query Q { viewer { role } } mutation M { deleteTool(id: \"x\", version: 1) }", "operationName", "Q")}, status: 200, media: graph.MediaJSON, data: true, noErrors: true},
		{name: "PUT", rq: request{method: "PUT", body: `{"query":"{ viewer { role } }"}`}, status: 405, media: graph.MediaJSON, code: graph.CodeMethodNotAllowed, allow: "GET, POST"},
		{name: "DELETE", rq: request{method: "DELETE"}, status: 405, media: graph.MediaJSON, code: graph.CodeMethodNotAllowed, allow: "GET, POST"},
		{name: "text/plain", rq: request{body: `{"query":"{ viewer { role } }"}`, header: map[string]string{"Content-Type": "text/plain"}}, status: 415, media: graph.MediaJSON, code: graph.CodeUnsupportedMediaType},
		{name: "no content type", rq: request{body: `{"query":"{ viewer { role } }"}`, header: map[string]string{"Content-Type": ""}}, status: 415, media: graph.MediaJSON, code: graph.CodeUnsupportedMediaType},
		{name: "latin1", rq: request{body: `{"query":"{ viewer { role } }"}`, header: map[string]string{"Content-Type": "application/json; charset=latin1"}}, status: 415, media: graph.MediaJSON, code: graph.CodeUnsupportedMediaType},
		{name: "utf-8 charset", rq: request{body: `{"query":"{ viewer { role } }"}`, header: map[string]string{"Content-Type": "application/json; charset=UTF-8"}}, status: 200, media: graph.MediaJSON, data: true, noErrors: true},
		{name: "not acceptable", rq: request{body: `{"query":"{ viewer { role } }"}`, header: map[string]string{"Accept": "text/html"}}, status: 406, media: graph.MediaJSON, code: graph.CodeNotAcceptable},
		{name: "no query", rq: request{body: `{"operationName":"x"}`, header: gr}, status: 400, media: acceptGraphQL, code: graph.CodeBadRequest},
		{name: "GET without query", rq: request{method: "GET", path: "/graphql"}, status: 400, media: graph.MediaJSON, code: graph.CodeBadRequest},
		{name: "batch", rq: request{body: `[{"query":"{ viewer { role } }"}]`}, status: 400, media: graph.MediaJSON, code: graph.CodeBatchingDisabled, wantInBody: "one operation per request"},
		{name: "unknown key ignored", rq: request{body: `{"query":"{ viewer { role } }","something":1}`}, status: 200, media: graph.MediaJSON, data: true, noErrors: true},
		{name: "keys are case-sensitive", rq: request{body: `{"QUERY":"{ viewer { role } }"}`}, status: 400, media: graph.MediaJSON, code: graph.CodeBadRequest},
		{name: "trailing garbage", rq: request{body: `{"query":"{ viewer { role } }"} {}`}, status: 400, media: graph.MediaJSON, code: graph.CodeBadRequest},
		{name: "unknown path", rq: request{method: "GET", path: "/nope"}, status: 404, media: graph.MediaJSON, code: "NOT_FOUND"},
		{name: "POST healthz", rq: request{path: "/healthz", body: "{}"}, status: 405, media: graph.MediaJSON, code: graph.CodeMethodNotAllowed, allow: "GET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, tc.rq)
			if r.status != tc.status {
				t.Errorf("status %d, want %d (%s)", r.status, tc.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, tc.media) || !strings.Contains(ct, "charset=utf-8") {
				t.Errorf("Content-Type %q, want %s; charset=utf-8", ct, tc.media)
			}
			if tc.code != "" && r.code() != tc.code {
				t.Errorf("code %q, want %q (%s)", r.code(), tc.code, r.body)
			}
			if tc.noErrors && r.json["errors"] != nil {
				t.Errorf("errors: %s", r.body)
			}
			if r.hasData() != tc.data {
				t.Errorf("data entry present: %v, want %v (%s)", r.hasData(), tc.data, r.body)
			}
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if tc.wantInBody != "" && !strings.Contains(string(r.body), tc.wantInBody) {
				t.Errorf("body %s lacks %q", r.body, tc.wantInBody)
			}
		})
	}
}

// A batch, when allowed, runs each operation and answers with an array; over the limit it is
// refused whole.
func TestBatching(t *testing.T) {
	f := newFixtureWith(t, func(c *server.Config) { c.Limits.MaxBatch = 2 })
	r := f.do(t, request{body: `[{"query":"{ viewer { role } }"},{"query":"{ nope }"}]`})
	var items []map[string]any
	if err := json.Unmarshal(r.body, &items); err != nil || r.status != 200 || len(items) != 2 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	if items[0]["data"] == nil || firstCode(items[1]) != "GRAPHQL_VALIDATION_FAILED" || items[1]["data"] != nil {
		t.Errorf("batch items: %s", r.body)
	}
	r = f.do(t, request{body: `[{"query":"{ viewer { role } }"},{"query":"{ viewer { role } }"},{"query":"{ viewer { role } }"}]`})
	if r.status != 400 || r.code() != graph.CodeBatchTooLarge {
		t.Errorf("batch of 3: %d %s", r.status, r.body)
	}
	r = f.do(t, request{body: `[]`})
	if r.status != 400 || r.code() != graph.CodeBadRequest {
		t.Errorf("empty batch: %d %s", r.status, r.body)
	}
}

package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/bolt"
	"pause/content"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
	"pause/graph"
	"pause/server"
)

// The bad-input catalogue: hostile and malformed requests, each with the status and the
// extensions.code it must get. None may get a 5xx or panic, and none of those that must not
// write may change the store: it is exported before and after, and the files compared byte
// for byte. Then Markdown with scripts and javascript: links is stored, and read back
// sanitized. It runs on bolt always, and on DynamoDB Local when PAUSE_TEST_DYNAMODB_ENDPOINT
// is set (by tools/dynamodb-local/with-dynamodb.sh; in CI it must be).

func TestBadInputBolt(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	runCatalogue(t, db.Stores())
}

func TestBadInputDynamoDB(t *testing.T) {
	client, table := dynamotest.Table(t, "pause-badinput-")
	runCatalogue(t, dynamo.New(dynamo.Config{Client: client, Table: table}).Stores())
}

// badCase is one entry of the catalogue.
type badCase struct {
	name   string
	rq     request
	raw    string // a raw HTTP request, sent as it is, instead of rq
	status int
	code   string // "" when the request must succeed without errors
	// check, if set, looks further at the reply.
	check func(t *testing.T, r reply)
}

// gql is the JSON body of a GraphQL request.
func gql(query string, vars map[string]any) string {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// hs256 signs claims with the secret, as any JWT library would: for tokens that auth.Tokens
// refuses to issue.
func hs256(header, claims string, secret []byte) string {
	signing := b64(header) + "." + b64(claims)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// admin is the context of an administrator, for exports and seeding.
func admin() context.Context {
	return pause.NewContext(context.Background(), &pause.Viewer{Role: pause.RoleAdmin, Subject: "t"})
}

// readTree returns every file under dir by its path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// snapshot exports the whole store into a new directory and reads it back.
func snapshot(t *testing.T, cms *pause.CMS) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	if _, err := content.Export(admin(), cms, dir); err != nil {
		t.Fatal(err)
	}
	files := readTree(t, dir)
	if len(files) == 0 {
		t.Fatal("the export is empty")
	}
	return files
}

func runCatalogue(t *testing.T, stores pause.Stores) {
	f := newFixtureOn(t, stores, nil, func(c *server.Config) { c.Idempotency = stores.Idempotency }) // production, default limits and body size
	if _, err := content.Import(admin(), f.cms, content.Sample); err != nil {
		t.Fatal(err)
	}
	secret := []byte(strings.Repeat("s", 32)) // the fixture's
	editor, _ := f.tokens.Issue("ed", pause.RoleEditor, time.Hour)
	viewer, _ := f.tokens.Issue("vi", pause.RoleViewer, time.Hour)
	past := &auth.Tokens{}
	*past = *f.tokens
	past.Now = func() time.Time { return time.Now().Add(-3 * time.Hour) }
	expired, _ := past.Issue("ed", pause.RoleEditor, time.Hour)
	other, _ := auth.NewTokens([]byte(strings.Repeat("o", 32)))
	forged, _ := other.Issue("ed", pause.RoleAdmin, time.Hour)
	exp := time.Now().Add(time.Hour).Unix()
	claims := fmt.Sprintf(`{"iss":"pause","sub":"ed","role":"admin","exp":%d}`, exp)
	algNone := b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(claims) + "."
	algNoneSigned := hs256(`{"alg":"none","typ":"JWT"}`, claims, secret)
	hs512 := b64(`{"alg":"HS512","typ":"JWT"}`) + "." + b64(claims) + "." + b64(strings.Repeat("x", 64))
	superuser := hs256(`{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(`{"iss":"pause","sub":"ed","role":"superuser","exp":%d}`, exp), secret)
	noExp := hs256(`{"alg":"HS256","typ":"JWT"}`, `{"iss":"pause","sub":"ed","role":"admin"}`, secret)

	// What the store holds, for requests that name real items.
	var seed struct {
		Data struct {
			Tools struct {
				Nodes []struct {
					ID, Slug string
					Version  int
				}
				PageInfo struct{ EndCursor string }
			}
			Articles struct {
				Nodes []struct {
					ID      string
					Version int
				}
			}
			Benefits struct{ Nodes []struct{ ID string } }
		}
	}
	r := f.do(t, request{body: gql(`{ tools(first: 2) { nodes { id slug version } pageInfo { endCursor } } articles(first: 1) { nodes { id version } } benefits { nodes { id } } }`, nil)})
	if err := json.Unmarshal(r.body, &seed); err != nil || len(seed.Data.Tools.Nodes) < 2 || len(seed.Data.Articles.Nodes) == 0 {
		t.Fatalf("seed: %s", r.body)
	}
	tool, tool2, article := seed.Data.Tools.Nodes[0], seed.Data.Tools.Nodes[1], seed.Data.Articles.Nodes[0]
	cursor := seed.Data.Tools.PageInfo.EndCursor

	gr := func(h map[string]string) map[string]string {
		out := map[string]string{"Accept": acceptGraphQL}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	asEditor := gr(map[string]string{"Authorization": "Bearer " + editor})
	adminToken, _ := f.tokens.Issue("root", pause.RoleAdmin, time.Hour)
	asAdmin := gr(map[string]string{"Authorization": "Bearer " + adminToken})
	bearer := func(tok string) map[string]string { return gr(map[string]string{"Authorization": "Bearer " + tok}) }
	q := func(query string) request { return request{body: gql(query, nil), header: gr(nil)} }
	qv := func(query string, vars map[string]any) request {
		return request{body: gql(query, vars), header: gr(nil)}
	}
	ed := func(query string, vars map[string]any) request {
		return request{body: gql(query, vars), header: asEditor}
	}
	adm := func(query string, vars map[string]any) request { // deletes need an admin
		return request{body: gql(query, vars), header: asAdmin}
	}
	names := func(field string) func(t *testing.T, r reply) {
		return func(t *testing.T, r reply) {
			t.Helper()
			errs, _ := r.json["errors"].([]any)
			if len(errs) == 0 {
				t.Fatalf("no errors: %s", r.body)
			}
			ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
			if ext["field"] != field {
				t.Errorf("extensions.field = %v, want %s: %s", ext["field"], field, r.body)
			}
		}
	}
	nothing := func(field string) func(t *testing.T, r reply) {
		return func(t *testing.T, r reply) {
			t.Helper()
			data, _ := r.json["data"].(map[string]any)
			if data == nil {
				t.Errorf("no data: %s", r.body)
				return
			}
			if v, ok := data[field]; !ok || v != nil && fmt.Sprint(v) != "map[totalCount:0]" {
				t.Errorf("%s = %v, want nothing", field, v)
			}
		}
	}
	validToolInput := func(change map[string]any) map[string]any {
		in := map[string]any{"name": "Hostile Tool", "websiteUrl": "https://example.com", "category": "Test", "pricing": "FREE"}
		for k, v := range change {
			in[k] = v
		}
		return map[string]any{"in": in}
	}
	createTool := `mutation($in: CreateToolInput!) { createTool(input: $in) { id } }`
	validArticleInput := func(change map[string]any) map[string]any {
		in := map[string]any{"title": "Hostile Article", "body": "text", "author": map[string]any{"name": "Eve"}}
		for k, v := range change {
			in[k] = v
		}
		return map[string]any{"in": in}
	}
	createArticle := `mutation($in: CreateArticleInput!) { createArticle(input: $in) { id } }`
	aliases := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "a%d: %s ", i, field)
		}
		return b.String() + "}"
	}
	deep := func(n int) string { return strings.Repeat("{ viewer ", n) + "{ role }" + strings.Repeat(" }", n) }
	var bomb strings.Builder
	bomb.WriteString("query { tools { nodes { ...F0a ...F0b } } }\n")
	for i := range 25 {
		for _, side := range []string{"a", "b"} {
			if i == 24 {
				fmt.Fprintf(&bomb, "fragment F%d%s on Tool { id }\n", i, side)
			} else {
				fmt.Fprintf(&bomb, "fragment F%d%s on Tool { ...F%da ...F%db }\n", i, side, i+1, i+1)
			}
		}
	}
	chunked := func(body string) string {
		var b strings.Builder
		for rest := body; rest != ""; {
			n := min(len(rest), 64<<10)
			fmt.Fprintf(&b, "%x\r\n%s\r\n", n, rest[:n])
			rest = rest[n:]
		}
		return b.String() + "0\r\n\r\n"
	}
	huge := `{"query":"{ viewer { role } }","variables":{"x":"` + strings.Repeat("a", server.DefaultMaxBody) + `"}}`
	nestedJSON := `{"query":"{ viewer { role } }","variables":{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}}`

	const (
		ok      = 200
		bad     = 400
		refused = 400 // a request error with application/graphql-response+json
		parse   = "GRAPHQL_PARSE_FAILED"
		invalid = "GRAPHQL_VALIDATION_FAILED"
	)
	catalogue := []badCase{
		// Not GraphQL requests at all.
		{name: "invalid JSON", rq: request{body: `{"query":`, header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "JSON string", rq: request{body: `"{ viewer { role } }"`, header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "JSON null", rq: request{body: `null`, header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "empty body", rq: request{header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "query is a number", rq: request{body: `{"query":42}`, header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "query is an object", rq: request{body: `{"query":{"$gt":""}}`, header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "variables is a string", rq: request{body: `{"query":"{ viewer { role } }","variables":"{}"}`, header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "variables is an array", rq: request{body: `{"query":"{ viewer { role } }","variables":[1]}`, header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "extensions is a number", rq: request{body: `{"query":"{ viewer { role } }","extensions":1}`, header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "JSON nested 10001 deep", rq: request{body: nestedJSON, header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "raw NUL byte in the JSON", rq: request{body: "{\"query\":\"{ viewer\x00 { role } }\"}", header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "invalid UTF-8 in the body", rq: request{body: "{\"query\":\"{ tool(slug: \\\"\xff\xfe\\\") { id } }\"}", header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "invalid UTF-8 in a GET", rq: request{method: http.MethodGet, path: "/graphql?query=%7B%20tool(slug%3A%20%22%FF%22)%20%7B%20id%20%7D%20%7D", header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "malformed query string", rq: request{method: http.MethodGet, path: "/graphql?query=%zz", header: gr(nil)}, status: bad, code: graph.CodeBadRequest},
		{name: "batched array", rq: request{body: `[{"query":"{ viewer { role } }"},{"query":"{ viewer { role } }"}]`, header: gr(nil)}, status: bad, code: graph.CodeBatchingDisabled},
		{name: "text/plain", rq: request{body: gql("{ viewer { role } }", nil), header: gr(map[string]string{"Content-Type": "text/plain"})}, status: 415, code: graph.CodeUnsupportedMediaType},
		{name: "form-encoded mutation (CSRF)", rq: request{body: "query=mutation%7BdeleteTool(id%3A%22x%22%2Cversion%3A1)%7D", header: gr(map[string]string{"Content-Type": "application/x-www-form-urlencoded"})}, status: 415, code: graph.CodeUnsupportedMediaType},
		{name: "multipart", rq: request{body: "--b\r\n\r\n--b--", header: gr(map[string]string{"Content-Type": "multipart/form-data; boundary=b"})}, status: 415, code: graph.CodeUnsupportedMediaType},
		{name: "no content type", rq: request{body: gql("{ viewer { role } }", nil), header: gr(map[string]string{"Content-Type": ""})}, status: 415, code: graph.CodeUnsupportedMediaType},
		{name: "UTF-16 charset", rq: request{body: gql("{ viewer { role } }", nil), header: gr(map[string]string{"Content-Type": "application/json; charset=utf-16"})}, status: 415, code: graph.CodeUnsupportedMediaType},
		{name: "accepts only HTML", rq: request{body: gql("{ viewer { role } }", nil), header: map[string]string{"Accept": "text/html"}}, status: 406, code: graph.CodeNotAcceptable},
		{name: "oversized body", rq: request{body: huge, header: gr(nil)}, status: 413, code: graph.CodePayloadTooLarge},
		{name: "oversized chunked body", raw: "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: application/graphql-response+json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(huge), status: 413, code: graph.CodePayloadTooLarge},
		{name: "mutation over GET", rq: request{method: http.MethodGet, path: get(fmt.Sprintf(`mutation { deleteTool(id: %q, version: %d) }`, tool.ID, tool.Version)), header: asEditor}, status: 405, code: graph.CodeMethodNotAllowed},
		{name: "PUT", rq: request{method: http.MethodPut, body: gql("{ viewer { role } }", nil), header: gr(nil)}, status: 405, code: graph.CodeMethodNotAllowed},

		// Documents that do not parse or validate, or exceed a limit.
		{name: "syntax error", rq: q(`{ viewer { role }`), status: refused, code: parse},
		{name: "syntax error, application/json", rq: request{body: gql(`{ viewer { role }`, nil)}, status: ok, code: parse},
		{name: "NUL in the query", rq: q("{ viewer\x00 { role } }"), status: refused, code: parse},
		{name: "unknown field", rq: q(`{ viewer { password } }`), status: refused, code: invalid},
		{name: "unknown root field", rq: q(`{ customers { email } }`), status: refused, code: invalid},
		{name: "deep nesting", rq: q(deep(600)), status: refused, code: graph.CodeTokenLimit},
		{name: "deep nesting under the token limit", rq: q(deep(150)), status: refused, code: invalid},
		{name: "alias flood", rq: q("{ viewer { " + aliasList(100) + "} }"), status: refused, code: graph.CodeAliasLimit},
		{name: "alias flood of lists", rq: q(aliases(16, "tools(first: 100) { totalCount }")), status: refused, code: graph.CodeRootFieldLimit},
		{name: "field flood", rq: q("{ viewer { " + strings.Repeat("role ", 2000) + "} }"), status: refused, code: graph.CodeTokenLimit},
		{name: "directive flood", rq: q("{ viewer { " + strings.Repeat("role @include(if: true) ", 60) + "} }"), status: refused, code: graph.CodeDirectiveLimit},
		{name: "repeated directive flood", rq: q("{ viewer { role " + strings.Repeat("@skip(if: false) ", 100) + "} }"), status: refused, code: invalid, check: func(t *testing.T, r reply) {
			if errs, _ := r.json["errors"].([]any); len(errs) > 21 {
				t.Errorf("%d errors: a flood of errors is cut short", len(errs))
			}
		}},
		{name: "unknown directive flood", rq: q("{ viewer { role " + strings.Repeat("@x ", 300) + "} }"), status: refused, code: invalid},
		{name: "circular fragments", rq: q(`{ viewer { ...A } } fragment A on Viewer { role ...B } fragment B on Viewer { subject ...A }`), status: refused, code: invalid},
		{name: "self-spreading fragment", rq: q(`{ viewer { ...A } } fragment A on Viewer { ...A }`), status: refused, code: invalid},
		{name: "fragment bomb", rq: q(bomb.String()), status: refused, code: graph.CodeComplexityLimit},
		{name: "expensive page", rq: q(`{ articles(first: 100) { nodes { relatedTools { id name slug tagline } } } }`), status: refused, code: graph.CodeComplexityLimit},
		{name: "introspection in production", rq: q(`{ __schema { types { name fields { name } } } }`), status: refused, code: invalid},
		{name: "two anonymous operations", rq: q(`{ viewer { role } } { viewer { role } }`), status: refused, code: invalid},
		{name: "unknown operationName", rq: request{body: `{"query":"query A { viewer { role } }","operationName":"B"}`, header: gr(nil)}, status: refused, code: invalid},
		{name: "subscription", rq: q(`subscription { viewer { role } }`), status: refused, code: invalid},
		{name: "unknown persisted query", rq: request{body: `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + strings.Repeat("0", 64) + `"}}}`, header: gr(nil)}, status: refused, code: graph.CodePersistedQueryNotFound},

		// Variables and arguments of the wrong type or out of range.
		{name: "string for Int variable", rq: qv(`query($n: Int) { tools(first: $n) { totalCount } }`, map[string]any{"n": "ten"}), status: refused, code: invalid},
		{name: "float for Int variable", rq: qv(`query($n: Int) { tools(first: $n) { totalCount } }`, map[string]any{"n": 1.5}), status: refused, code: invalid},
		{name: "Int variable out of range", rq: qv(`query($n: Int) { tools(first: $n) { totalCount } }`, map[string]any{"n": 1e40}), status: refused, code: invalid},
		{name: "Int literal over 32 bits", rq: q(`{ tools(first: 99999999999) { totalCount } }`), status: ok, code: pause.EINVALID},
		{name: "Int literal over 64 bits", rq: q(`{ tools(first: 99999999999999999999999) { totalCount } }`), status: refused, code: invalid},
		{name: "String variable for Int argument", rq: qv(`query($n: String) { tools(first: $n) { totalCount } }`, map[string]any{"n": "1"}), status: refused, code: invalid},
		{name: "missing required variable", rq: q(`query($id: ID!) { tool(id: $id) { name } }`), status: refused, code: invalid},
		{name: "null for a non-null variable", rq: qv(`query($id: ID!) { tool(id: $id) { name } }`, map[string]any{"id": nil}), status: refused, code: invalid},
		{name: "object for a String filter ($gt)", rq: qv(`query($c: String) { tools(filter: {category: $c}) { totalCount } }`, map[string]any{"c": map[string]any{"$gt": ""}}), status: refused, code: invalid},
		{name: "invalid enum literal", rq: q(`{ articles(orderBy: SIDEWAYS) { totalCount } }`), status: refused, code: invalid},
		{name: "invalid enum variable", rq: qv(`query($p: Pricing) { tools(filter: {pricing: $p}) { totalCount } }`, map[string]any{"p": "CHEAP"}), status: refused, code: invalid},
		{name: "enum as a string", rq: q(`{ tools(filter: {pricing: "FREE"}) { totalCount } }`), status: refused, code: invalid},
		{name: "unknown input field", rq: q(`{ tools(filter: {owner: "x"}) { totalCount } }`), status: refused, code: invalid},
		{name: "negative first", rq: q(`{ tools(first: -1) { totalCount } }`), status: ok, code: pause.EINVALID},
		{name: "huge first", rq: q(`{ tools(first: 1000000) { totalCount } }`), status: ok, code: pause.EINVALID},
		{name: "huge first in a variable", rq: qv(`query($n: Int) { articles(first: $n) { totalCount } }`, map[string]any{"n": 2147483647}), status: ok, code: pause.EINVALID},
		{name: "forged cursor", rq: q(`{ tools(after: "bm9wZQ") { totalCount } }`), status: ok, code: pause.EINVALID},
		{name: "cursor of another order", rq: qv(`query($c: String) { tools(after: $c, orderBy: UPDATED_AT) { totalCount } }`, map[string]any{"c": cursor}), status: ok, code: pause.EINVALID},
		{name: "cursor of another type", rq: qv(`query($c: String) { articles(after: $c) { totalCount } }`, map[string]any{"c": cursor}), status: ok, code: pause.EINVALID},
		{name: "tampered cursor", rq: qv(`query($c: String) { tools(after: $c) { totalCount } }`, map[string]any{"c": cursor[:len(cursor)-2] + "zz"}), status: ok, code: pause.EINVALID},
		{name: "huge cursor", rq: qv(`query($c: String) { tools(after: $c) { totalCount } }`, map[string]any{"c": strings.Repeat("QUFB", 20000)}), status: ok, code: pause.EINVALID},
		{name: "both id and slug", rq: q(`{ tool(id: "x", slug: "y") { id } }`), status: ok, code: pause.EINVALID},

		// Injection-looking values are data: they match nothing.
		{name: "SQL injection in a filter", rq: q(`{ tools(filter: {category: "' OR 1=1 --"}) { totalCount } }`), status: ok, check: nothing("tools")},
		{name: "NoSQL operator as a string", rq: q(`{ tools(filter: {category: "{\"$gt\": \"\"}"}) { totalCount } }`), status: ok, check: nothing("tools")},
		{name: "regex in a tag", rq: q(`{ articles(filter: {tag: ".*"}) { totalCount } }`), status: ok, check: nothing("articles")},
		{name: "wildcard in an author", rq: q(`{ articles(filter: {author: "%"}) { totalCount } }`), status: ok, check: nothing("articles")},
		{name: "path traversal in a slug", rq: q(`{ article(slug: "../../etc/passwd") { id } }`), status: ok, check: nothing("article")},
		{name: "NUL in a slug", rq: q(`{ tool(slug: "asana\u0000") { id } }`), status: ok, check: nothing("tool")},
		{name: "DynamoDB key syntax in an id", rq: q(`{ tool(id: "TOOL#x") { id } }`), status: ok, check: nothing("tool")},
		{name: "over-long slug", rq: qv(`query($s: String) { tool(slug: $s) { id } }`, map[string]any{"s": strings.Repeat("a", 100000)}), status: ok, check: nothing("tool")},
		{name: "over-long id", rq: qv(`query($s: ID) { tool(id: $s) { id } }`, map[string]any{"s": strings.Repeat("a", 100000)}), status: ok, check: nothing("tool")},
		{name: "over-long filter", rq: qv(`query($s: String) { articles(filter: {tag: $s, author: $s}) { totalCount } }`, map[string]any{"s": strings.Repeat("é", 100000)}), status: ok, check: nothing("articles")},

		// Credentials that are not valid: refused whole, never served as anonymous.
		{name: "expired token", rq: request{body: gql("{ viewer { role } }", nil), header: bearer(expired)}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "token of another secret", rq: request{body: gql("{ viewer { role } }", nil), header: bearer(forged)}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "alg none", rq: request{body: gql("{ viewer { role } }", nil), header: bearer(algNone)}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "alg none, signed anyway", rq: request{body: gql("{ viewer { role } }", nil), header: bearer(algNoneSigned)}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "alg HS512", rq: request{body: gql("{ viewer { role } }", nil), header: bearer(hs512)}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "unknown role", rq: request{body: gql("{ viewer { role } }", nil), header: bearer(superuser)}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "no expiry", rq: request{body: gql("{ viewer { role } }", nil), header: bearer(noExp)}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "garbage token", rq: request{body: gql("{ viewer { role } }", nil), header: bearer("a.b.c")}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "huge token", rq: request{body: gql("{ viewer { role } }", nil), header: bearer(strings.Repeat("A", 16000))}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "Basic credentials", rq: request{body: gql("{ viewer { role } }", nil), header: gr(map[string]string{"Authorization": "Basic ZWQ6c2VjcmV0"})}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "forged token on a mutation", rq: request{body: gql(fmt.Sprintf(`mutation { deleteTool(id: %q, version: %d) }`, tool.ID, tool.Version), nil), header: bearer(forged)}, status: 401, code: pause.EUNAUTHENTICATED},
		{name: "anonymous mutation", rq: q(fmt.Sprintf(`mutation { deleteTool(id: %q, version: %d) }`, tool.ID, tool.Version)), status: ok, code: pause.EUNAUTHENTICATED},
		{name: "viewer's mutation", rq: request{body: gql(fmt.Sprintf(`mutation { deleteTool(id: %q, version: %d) }`, tool.ID, tool.Version), nil), header: bearer(viewer)}, status: ok, code: pause.EFORBIDDEN},

		// Editors' input that the CMS refuses: nothing is written.
		{name: "javascript: URL", rq: ed(createTool, validToolInput(map[string]any{"websiteUrl": "javascript:alert(1)"})), status: ok, code: pause.EINVALID},
		{name: "data: URL", rq: ed(createTool, validToolInput(map[string]any{"logoUrl": "data:image/svg+xml,<svg onload=alert(1)>"})), status: ok, code: pause.EINVALID},
		{name: "file: URL", rq: ed(createTool, validToolInput(map[string]any{"websiteUrl": "file:///etc/passwd"})), status: ok, code: pause.EINVALID},
		{name: "ftp URL", rq: ed(createTool, validToolInput(map[string]any{"websiteUrl": "ftp://example.com/x"})), status: ok, code: pause.EINVALID},
		{name: "URL without a host", rq: ed(createTool, validToolInput(map[string]any{"websiteUrl": "https:///x"})), status: ok, code: pause.EINVALID},
		{name: "URL with a space", rq: ed(createTool, validToolInput(map[string]any{"websiteUrl": "https://example.com/a b"})), status: ok, code: pause.EINVALID},
		{name: "over-long URL", rq: ed(createTool, validToolInput(map[string]any{"websiteUrl": "https://example.com/" + strings.Repeat("a", 3000)})), status: ok, code: pause.EINVALID},
		{name: "over-long title", rq: ed(createArticle, validArticleInput(map[string]any{"title": strings.Repeat("t", 201)})), status: ok, code: pause.EINVALID},
		{name: "over-long body", rq: ed(createArticle, validArticleInput(map[string]any{"body": strings.Repeat("b", 210<<10)})), status: ok, code: pause.EINVALID},
		{name: "NUL in a title", rq: ed(createArticle, validArticleInput(map[string]any{"title": "a\x00b"})), status: ok, code: pause.EINVALID},
		{name: "control characters in a name", rq: ed(createTool, validToolInput(map[string]any{"name": "a\u202eb\x1b[31m"})), status: ok, code: pause.EINVALID},
		{name: "blank title", rq: ed(createArticle, validArticleInput(map[string]any{"title": "   "})), status: ok, code: pause.EINVALID},
		{name: "malformed slug", rq: ed(createArticle, validArticleInput(map[string]any{"slug": "../etc"})), status: ok, code: pause.EINVALID},
		{name: "too many tags", rq: ed(createArticle, validArticleInput(map[string]any{"tags": numbered("tag", pause.MaxTags+1)})), status: ok, code: pause.EINVALID},
		{name: "too many related tools", rq: ed(createArticle, validArticleInput(map[string]any{"relatedToolIds": numbered("id", pause.MaxRelated+1)})), status: ok, code: pause.EINVALID},
		{name: "taken slug", rq: ed(createTool, validToolInput(map[string]any{"slug": tool.Slug})), status: ok, code: pause.ECONFLICT},
		{name: "stale version", rq: ed(`mutation($id: ID!, $v: Int!) { updateTool(id: $id, version: $v, input: {name: "Changed"}) { id } }`, map[string]any{"id": tool.ID, "v": tool.Version - 1}), status: ok, code: pause.ECONFLICT},
		{name: "future version", rq: ed(`mutation($id: ID!, $v: Int!) { publishArticle(id: $id, version: $v) { id } }`, map[string]any{"id": article.ID, "v": article.Version + 1}), status: ok, code: pause.ECONFLICT},
		{name: "schedule at a time that is not one", rq: ed(`mutation($id: ID!) { publishTool(id: $id, version: 1, at: "next tuesday") { version } }`, map[string]any{"id": tool2.ID}), status: ok, code: pause.EINVALID},
		{name: "schedule at a time variable that is not one", rq: ed(`mutation($id: ID!, $at: Time) { publishTool(id: $id, version: 1, at: $at) { version } }`, map[string]any{"id": tool2.ID, "at": "2026-13-45T99:00:00Z"}), status: ok, code: pause.EINVALID},
		{name: "negative version", rq: adm(`mutation($id: ID!) { deleteTool(id: $id, version: -1) }`, map[string]any{"id": tool2.ID}), status: ok, code: pause.ECONFLICT},
		{name: "delete of a missing id", rq: adm(`mutation { deleteTool(id: "01ZZZZZZZZZZZZZZZZZZZZZZZZ", version: 1) }`, nil), status: ok, code: pause.ENOTFOUND},
		{name: "reorder of 101 benefits", rq: ed(`mutation($ids: [ID!]!) { reorderBenefits(ids: $ids) { id } }`, map[string]any{"ids": numbered("id", pause.MaxFirst+1)}), status: ok, code: pause.EINVALID},
		{name: "reorder of unknown benefits", rq: ed(`mutation { reorderBenefits(ids: ["nope"]) { id } }`, nil), status: ok, code: pause.ENOTFOUND},
		// Text hygiene: invisible format characters in one-line fields, URLs that do not read
		// back as written.
		{name: "right-to-left override in a name", rq: ed(createTool, validToolInput(map[string]any{"name": "Slack\u202egol"})), status: ok, code: pause.EINVALID, check: names("name")},
		{name: "bidi isolate in an author name", rq: ed(createArticle, validArticleInput(map[string]any{"author": map[string]any{"name": "Ada\u2066 Lovelace"}})), status: ok, code: pause.EINVALID, check: names("author.name")},
		{name: "zero-width space in a tag", rq: ed(createArticle, validArticleInput(map[string]any{"tags": []string{"as\u200bync"}})), status: ok, code: pause.EINVALID, check: names("tags[0]")},
		{name: "byte-order mark in a category", rq: ed(createTool, validToolInput(map[string]any{"category": "\ufeffDocs"})), status: ok, code: pause.EINVALID, check: names("category")},
		{name: "left-to-right mark in a title", rq: ed(createArticle, validArticleInput(map[string]any{"title": "Async\u200e"})), status: ok, code: pause.EINVALID, check: names("title")},
		{name: "zero-width joiner at the end of a title", rq: ed(createArticle, validArticleInput(map[string]any{"title": "Async\u200d"})), status: ok, code: pause.EINVALID, check: names("title")},
		{name: "quote in a URL", rq: ed(createTool, validToolInput(map[string]any{"websiteUrl": `https://example.com/"onmouseover="x`})), status: ok, code: pause.EINVALID, check: names("websiteUrl")},
		{name: "angle brackets in a URL", rq: ed(createTool, validToolInput(map[string]any{"logoUrl": "https://example.com/<script>"})), status: ok, code: pause.EINVALID, check: names("logoUrl")},
		{name: "backslash in a URL", rq: ed(createArticle, validArticleInput(map[string]any{"author": map[string]any{"name": "A", "avatarUrl": `https://example.com\@evil.example/a.png`}})), status: ok, code: pause.EINVALID, check: names("author.avatarUrl")},
		// Relay paging that mixes directions, and too many node ids.
		{name: "first and last", rq: q(`{ tools(first: 1, last: 1) { totalCount } }`), status: ok, code: pause.EINVALID},
		{name: "after and before", rq: qv(`query($c: String) { tools(after: $c, before: $c) { totalCount } }`, map[string]any{"c": cursor}), status: ok, code: pause.EINVALID},
		{name: "last with after", rq: qv(`query($c: String) { tools(last: 2, after: $c) { totalCount } }`, map[string]any{"c": cursor}), status: ok, code: pause.EINVALID},
		{name: "negative last", rq: q(`{ tools(last: -1) { totalCount } }`), status: ok, code: pause.EINVALID},
		{name: "forged before cursor", rq: q(`{ tools(last: 2, before: "bm9wZQ") { totalCount } }`), status: ok, code: pause.EINVALID},
		{name: "101 node ids", rq: qv(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": numbered("id", pause.MaxFirst+1)}), status: ok, code: pause.EINVALID},
		// Idempotency keys that cannot be one.
		{name: "over-long Idempotency-Key", rq: request{body: gql(createTool, validToolInput(nil)), header: gr(map[string]string{"Authorization": "Bearer " + editor, "Idempotency-Key": strings.Repeat("k", 256)})}, status: 400, code: pause.EINVALID},
		{name: "non-ASCII Idempotency-Key", rq: request{body: gql(createTool, validToolInput(nil)), header: gr(map[string]string{"Authorization": "Bearer " + editor, "Idempotency-Key": "clé"})}, status: 400, code: pause.EINVALID},
		{name: "second mutation fails, first is refused too", rq: adm(`mutation { a: deleteTool(id: "01ZZZZZZZZZZZZZZZZZZZZZZZZ", version: 1) b: createTool(input: {name: "x", websiteUrl: "javascript:x", category: "c", pricing: FREE}) { id } }`, nil), status: ok, code: pause.ENOTFOUND},
	}

	catalogue = append(catalogue, authorizationCases(adminToken, editor, tool2.ID, tool2.Version)...)

	before := snapshot(t, f.cms)
	counts := map[int]int{}
	for _, c := range catalogue {
		t.Run(c.name, func(t *testing.T) {
			var r reply
			if c.raw != "" {
				resp, out := f.raw(t, c.raw)
				r = reply{status: resp.StatusCode, header: resp.Header, json: out}
			} else {
				r = f.do(t, c.rq)
			}
			counts[r.status]++
			if r.status >= 500 {
				t.Fatalf("status %d: %.500s", r.status, r.body)
			}
			if r.status != c.status || r.code() != c.code {
				t.Errorf("%d %q, want %d %q: %.500s", r.status, r.code(), c.status, c.code, r.body)
			}
			if c.code == "" && r.json["errors"] != nil {
				t.Errorf("errors: %.500s", r.body)
			}
			if r.code() == pause.EINTERNAL {
				t.Errorf("an internal error: %.500s", r.body)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
	after := snapshot(t, f.cms)
	compareTrees(t, before, after)
	if logs := f.logs.String(); strings.Contains(logs, "panic") || strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("the catalogue logged panics or errors:\n%s", logs)
	}
	t.Logf("%d hostile requests, statuses %v; the store is unchanged", len(catalogue), counts)

	t.Run("hostile Markdown is stored and sanitized", func(t *testing.T) { storedButSanitized(t, f, asEditor) })
}

// numbered returns n distinct strings: prefix0, prefix1...
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(prefix, i)
	}
	return out
}

func compareTrees(t *testing.T, before, after map[string][]byte) {
	t.Helper()
	for path, b := range before {
		a, ok := after[path]
		switch {
		case !ok:
			t.Errorf("%s is gone from the store", path)
		case !bytes.Equal(a, b):
			t.Errorf("%s changed:\nbefore:\n%s\nafter:\n%s", path, b, a)
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok {
			t.Errorf("%s appeared in the store", path)
		}
	}
}

// hostileMarkdown is Markdown that tries every way to run script in a reader's browser.
const hostileMarkdown = "Hello <script>alert(1)</script>\n\n" +
	"[click](javascript:alert(2)) [also](JaVaScRiPt:alert(3)) [enc](jav&#x61;script:alert(4))\n\n" +
	"<a href=\"javascript:alert(5)\">raw</a> <img src=x onerror=alert(6)> <svg onload=alert(7)></svg>\n\n" +
	"<iframe src=\"https://evil.example\"></iframe> <div style=\"background:url(javascript:alert(8))\" onmouseover=\"alert(9)\">x</div>\n\n" +
	"![img](javascript:alert(10)) <https://ok.example/> [fine](https://ok.example/page)"

// storedButSanitized creates an article, a benefit and a tool with hostile Markdown, and reads
// them back: the Markdown is kept as written, the HTML has nothing that runs.
func storedButSanitized(t *testing.T, f *fixture, asEditor map[string]string) {
	r := f.do(t, request{body: gql(`mutation($a: CreateArticleInput!, $b: CreateBenefitInput!, $t: CreateToolInput!) {
		a: createArticle(input: $a) { id }
		b: createBenefit(input: $b) { id }
		t: createTool(input: $t) { id }
	}`, map[string]any{
		"a": map[string]any{"title": "Hostile Markdown", "body": hostileMarkdown, "author": map[string]any{"name": "Eve"}},
		"b": map[string]any{"title": "Hostile Benefit", "summary": hostileMarkdown},
		"t": map[string]any{"name": "Hostile Tool", "description": hostileMarkdown, "websiteUrl": "https://example.com", "category": "Test", "pricing": "FREE"},
	}), header: asEditor})
	var created struct {
		Data struct{ A, B, T struct{ ID string } }
	}
	if err := json.Unmarshal(r.body, &created); err != nil || r.json["errors"] != nil || created.Data.T.ID == "" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	r = f.do(t, request{body: gql(`query($a: ID, $b: ID, $t: ID) {
		article(id: $a) { body bodyHtml }
		benefit(id: $b) { summary summaryHtml }
		tool(id: $t) { description descriptionHtml }
	}`, map[string]any{"a": created.Data.A.ID, "b": created.Data.B.ID, "t": created.Data.T.ID}), header: asEditor})
	var read struct {
		Data struct {
			Article struct{ Body, BodyHTML string }
			Benefit struct{ Summary, SummaryHTML string }
			Tool    struct{ Description, DescriptionHTML string }
		}
	}
	if err := json.Unmarshal(r.body, &read); err != nil || r.json["errors"] != nil {
		t.Fatalf("read: %s", r.body)
	}
	for _, item := range []struct{ name, markdown, html string }{
		{"article", read.Data.Article.Body, read.Data.Article.BodyHTML},
		{"benefit", read.Data.Benefit.Summary, read.Data.Benefit.SummaryHTML},
		{"tool", read.Data.Tool.Description, read.Data.Tool.DescriptionHTML},
	} {
		if item.markdown != hostileMarkdown {
			t.Errorf("%s: the Markdown was not kept as written: %q", item.name, item.markdown)
		}
		if msg := unsafeHTML(item.html); msg != "" {
			t.Errorf("%s: the HTML %s:\n%s", item.name, msg, item.html)
		}
		if !strings.Contains(item.html, `href="https://ok.example/page"`) {
			t.Errorf("%s: a safe link was lost:\n%s", item.name, item.html)
		}
	}
}

// onAttr finds an event handler attribute (onload=, onerror= ...) in lower-case HTML.
var onAttr = regexp.MustCompile(`\son[a-z]+\s*=`)

// unsafeHTML says what in html could run script, or "".
func unsafeHTML(html string) string {
	lower := strings.ToLower(html)
	for _, bad := range []string{"<script", "javascript:", "<iframe", "<svg", "style=", "&#x61;script"} {
		if strings.Contains(lower, bad) {
			return "contains " + bad
		}
	}
	if onAttr.MatchString(lower) {
		return "has an event handler attribute"
	}
	return ""
}

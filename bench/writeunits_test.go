package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
	"pause/ids"
	"pause/markdown"
	"pause/server"
)

// TestWriteUnits measures the write request units each content mutation consumes on DynamoDB
// (Local), through the whole handler, with dynamo's Meter (ReturnConsumedCapacity TOTAL: the
// table and its indexes; a transaction's items count twice). infra/README.md's write costs come
// from these figures (go test -run TestWriteUnits -v ./bench/ prints them); the test fails if a
// mutation leaves the range that README states (see writeUnitRange), so that the costs there
// cannot drift from the code.
func TestWriteUnits(t *testing.T) {
	client, table := dynamotest.Table(t, "pause-wcu-")
	cms := pause.NewCMS(pause.Config{Stores: dynamo.New(dynamo.Config{Client: client, Table: table}).Stores(),
		Markdown: markdown.New(), NewID: ids.New})
	tokens, err := auth.NewTokens([]byte("bench-secret-bench-secret-bench-secret"))
	if err != nil {
		t.Fatal(err)
	}
	editor, err := tokens.Issue("admin", pause.RoleAdmin, time.Hour) // deleteArticle needs an admin
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Config{CMS: cms, Auth: tokens, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})

	// gql runs one operation as an admin and returns its data and the write units it cost.
	gql := func(query string, vars map[string]any) (map[string]json.RawMessage, float64) {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		ctx, meter := dynamo.WithMeter(context.Background())
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+editor)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out struct {
			Data   map[string]json.RawMessage
			Errors []any
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Errors) > 0 {
			t.Fatalf("%s: %v %s", query, err, rec.Body)
		}
		return out.Data, meter.Usage().WriteUnits
	}
	type ref struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	field := func(data map[string]json.RawMessage, name string) ref {
		var r ref
		if err := json.Unmarshal(data[name], &r); err != nil {
			t.Fatal(err)
		}
		return r
	}

	report := map[string][]float64{}
	var order []string
	measure := func(name string, wcu float64) {
		if _, ok := report[name]; !ok {
			order = append(order, name)
		}
		report[name] = append(report[name], wcu)
	}
	for _, size := range []int{500, 6000, 20000} {
		body := prose(size)
		label := func(op string) string { return fmt.Sprintf("%s (body %d B)", op, len(body)) }
		data, w := gql(`mutation($in: CreateArticleInput!) { createArticle(input: $in) { id version } }`,
			map[string]any{"in": map[string]any{"title": "Write units " + fmt.Sprint(size), "body": body, "author": map[string]any{"name": "Ada"}}})
		a := field(data, "createArticle")
		measure(label("createArticle"), w)
		data, w = gql(`mutation($id: ID!, $v: Int!) { publishArticle(id: $id, version: $v) { id version } }`, map[string]any{"id": a.ID, "v": a.Version})
		a = field(data, "publishArticle")
		measure(label("publishArticle"), w)
		data, w = gql(`mutation($id: ID!, $v: Int!, $in: UpdateArticleInput!) { updateArticle(id: $id, version: $v, input: $in) { id version } }`,
			map[string]any{"id": a.ID, "v": a.Version, "in": map[string]any{"title": "Write units, edited " + fmt.Sprint(size)}})
		a = field(data, "updateArticle")
		measure(label("updateArticle (draft of a published article)"), w)
		data, w = gql(`mutation($id: ID!, $v: Int!) { publishArticle(id: $id, version: $v) { id version } }`, map[string]any{"id": a.ID, "v": a.Version})
		a = field(data, "publishArticle")
		measure(label("publishArticle (the edit)"), w)
		data, w = gql(`mutation($id: ID!, $v: Int!) { unpublishArticle(id: $id, version: $v) { id version } }`, map[string]any{"id": a.ID, "v": a.Version})
		a = field(data, "unpublishArticle")
		measure(label("unpublishArticle"), w)
		_, w = gql(`mutation($id: ID!, $v: Int!) { deleteArticle(id: $id, version: $v) }`, map[string]any{"id": a.ID, "v": a.Version})
		measure(label("deleteArticle"), w)
	}
	data, w := gql(`mutation($in: CreateToolInput!) { createTool(input: $in) { id version } }`, map[string]any{"in": map[string]any{
		"name": "Measured", "websiteUrl": "https://example.com", "category": "Testing", "pricing": "FREE"}})
	tool := field(data, "createTool")
	measure("createTool", w)
	_, w = gql(`mutation($id: ID!, $v: Int!) { publishTool(id: $id, version: $v) { id } }`, map[string]any{"id": tool.ID, "v": tool.Version})
	measure("publishTool", w)

	lo, hi := writeUnitRange(t)
	var total float64
	var n int
	for _, name := range order {
		for _, w := range report[name] {
			t.Logf("%-60s %5.1f WCU", name, w)
			if w < lo || w > hi {
				t.Errorf("%s cost %.1f write units, outside the %g-%g that infra/README.md states: measure again and correct the README", name, w, lo, hi)
			}
			total += w
			n++
		}
	}
	t.Logf("mean %.1f WCU per mutation over %d mutations", total/float64(n), n)
}

// prose returns about n bytes of Markdown that compresses about as well as an article does
// (the store gzips bodies: a repeated sentence would cost nothing): words drawn from a
// vocabulary of a hundred, with a fixed seed, in sentences and paragraphs.
func prose(n int) string {
	words := strings.Fields(`the a of to and in is it that for on with as was by this be are from at or an
		content editor publish draft article benefit tool page version store table write read cost unit
		serverless function request response cache query mutation schema field type value index key item
		lambda dynamo gateway cloud front edge secret token role viewer admin public private user team
		time date day week month year build deploy test measure record change update delete create list
		good fast small large simple clear exact safe open close start end first last new old next`)
	r := rand.New(rand.NewPCG(17, 2026))
	var b strings.Builder
	for b.Len() < n {
		for i, k := 0, 8+r.IntN(12); i < k; i++ {
			w := words[r.IntN(len(words))]
			if i == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
		b.WriteString(". ")
		if r.IntN(5) == 0 {
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

// writeUnitRange returns the range of write units per mutation that infra/README.md states, in
// its sentence "Measured write units per mutation: LO-HI".
func writeUnitRange(t *testing.T) (lo, hi float64) {
	t.Helper()
	b, err := os.ReadFile("../infra/README.md")
	if err != nil {
		t.Fatal(err)
	}
	const phrase = "Measured write units per mutation: "
	for _, line := range strings.Split(string(b), "\n") {
		if _, rest, ok := strings.Cut(line, phrase); ok {
			if _, err := fmt.Sscanf(rest, "%g-%g", &lo, &hi); err == nil {
				return lo, hi
			}
		}
	}
	t.Fatalf("infra/README.md does not say %q followed by LO-HI", phrase)
	return 0, 0
}

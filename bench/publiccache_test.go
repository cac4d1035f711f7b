package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"pause"
	"pause/bench"
	"pause/content"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
	"pause/ids"
	"pause/markdown"
	"pause/server"
)

// The public cache on DynamoDB: a warm instance answers an anonymous query on unchanged
// content with one strongly consistent GetItem of the generation (one read unit), and two
// instances on one table never serve an answer older than a write the other acknowledged.

// instance is one Pause "process" on the table: its own stores, CMS, cache and handler,
// sharing no state in memory with another instance (as two Lambda instances; they share the
// SDK's client, which keeps no content).
type instance struct {
	cms *pause.CMS
	h   http.Handler
}

func newInstance(client *dynamodb.Client, table string) *instance {
	cms := pause.NewCMS(pause.Config{Stores: dynamo.New(dynamo.Config{Client: client, Table: table}).Stores(),
		Markdown: markdown.New(), NewID: ids.New})
	h := server.New(server.Config{CMS: cms, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		PublicVersion: cms.PublicVersion()})
	return &instance{cms: cms, h: h}
}

// metered sends the request and returns the response and the DynamoDB usage it cost.
func metered(h http.Handler, req *http.Request) (*httptest.ResponseRecorder, dynamo.Usage) {
	ctx, m := dynamo.WithMeter(req.Context())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req.WithContext(ctx))
	return rec, m.Usage()
}

func getQuery(q, etag string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(q), nil)
	req.Header.Set("Accept", "application/json")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	return req
}

func postQuery(q string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body(bench.Query{Text: q}))))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return req
}

// TestPublicCacheDynamoDB: every benchmarked public query, warm, on unchanged content, costs
// one DynamoDB request and at most one read unit, whether POSTed or revalidated with
// If-None-Match (then 304); a write makes the next answer new, and exact.
func TestPublicCacheDynamoDB(t *testing.T) {
	client, table := dynamotest.Table(t, "pause-cache-")
	a := newInstance(client, table)
	admin := pause.NewContext(context.Background(), &pause.Viewer{Subject: "bench", Role: pause.RoleAdmin})
	if _, err := content.Import(admin, a.cms, content.Sample); err != nil {
		t.Fatal(err)
	}
	for _, q := range bench.Queries {
		cold, coldUse := metered(a.h, postQuery(q.Text))
		if cold.Code != http.StatusOK || strings.Contains(cold.Body.String(), `"errors"`) {
			t.Fatalf("%s: %d %s", q.Name, cold.Code, cold.Body)
		}
		warm, warmUse := metered(a.h, postQuery(q.Text))
		if warm.Body.String() != cold.Body.String() {
			t.Fatalf("%s: the warm answer differs", q.Name)
		}
		if warmUse.Requests != 1 || warmUse.Operations["GetItem"] != 1 || warmUse.ReadUnits > 1 {
			t.Errorf("%s: a warm request cost %s, want 1 GetItem and at most 1 read unit", q.Name, warmUse)
		}
		// A CDN's revalidation: the ETag of the GET answer, then If-None-Match.
		first, _ := metered(a.h, getQuery(q.Text, ""))
		etag := first.Header().Get("ETag")
		if first.Code != http.StatusOK || etag == "" {
			t.Fatalf("%s: GET %d, ETag %q", q.Name, first.Code, etag)
		}
		revalidated, revalidateUse := metered(a.h, getQuery(q.Text, etag))
		if revalidated.Code != http.StatusNotModified || revalidated.Body.Len() != 0 {
			t.Errorf("%s: revalidation answered %d with %d bytes, want 304", q.Name, revalidated.Code, revalidated.Body.Len())
		}
		if revalidateUse.Requests != 1 || revalidateUse.ReadUnits > 1 {
			t.Errorf("%s: a revalidation cost %s, want 1 request", q.Name, revalidateUse)
		}
		t.Logf("%-8s cold: %s; warm: %s; revalidation: %s", q.Name, coldUse, warmUse, revalidateUse)
	}

	// A write: the next answer is made again, with the change, and then kept.
	seed, err := a.cms.Articles.GetBySlug(admin, bench.SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	seed, err = a.cms.Articles.Update(admin, seed.ID, seed.Version, pause.ArticleInput{Title: ptr("Changed title")})
	if err == nil {
		_, err = a.cms.Articles.Publish(admin, seed.ID, seed.Version)
	}
	if err != nil {
		t.Fatal(err)
	}
	after, afterUse := metered(a.h, postQuery(bench.Queries[0].Text))
	if !strings.Contains(after.Body.String(), "Changed title") {
		t.Fatalf("after a write: %s", after.Body)
	}
	_, warmUse := metered(a.h, postQuery(bench.Queries[0].Text))
	t.Logf("seed after a write: %s; then warm: %s", afterUse, warmUse)
	if afterUse.Requests <= 1 || warmUse.Requests != 1 {
		t.Errorf("after a write: %d requests, then %d", afterUse.Requests, warmUse.Requests)
	}
}

// TestPublicCacheTwoInstances races writers on one instance against readers on both: a
// reader never gets an answer older than the last write acknowledged before its request
// began, whichever instance made the write or serves the read.
func TestPublicCacheTwoInstances(t *testing.T) {
	client, table := dynamotest.Table(t, "pause-race-")
	a, b := newInstance(client, table), newInstance(client, table)
	admin := pause.NewContext(context.Background(), &pause.Viewer{Subject: "racer", Role: pause.RoleAdmin})
	art, err := a.cms.Articles.Create(admin, pause.ArticleInput{Title: ptr("Round 0"), Slug: ptr("raced"), Author: &pause.Author{Name: "R"}})
	if err != nil {
		t.Fatal(err)
	}
	if art, err = a.cms.Articles.Publish(admin, art.ID, art.Version); err != nil {
		t.Fatal(err)
	}
	const query = `{ article(slug: "raced") { title } tools(first: 0) { totalCount } }`
	read := func(h http.Handler) (int, int) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, postQuery(query))
		var resp struct {
			Data struct {
				Article struct{ Title string }
				Tools   struct{ TotalCount int }
			}
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &resp) != nil {
			t.Errorf("read: %d %s", rec.Code, rec.Body)
			return -1, -1
		}
		var n int
		fmt.Sscanf(resp.Data.Article.Title, "Round %d", &n)
		return n, resp.Data.Tools.TotalCount
	}

	var acked, ackedTools atomic.Int64 // the last round, and tool count, acknowledged
	const rounds = 12
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var reads atomic.Int64
	for _, in := range []*instance{a, b, a, b} {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				wantRound, wantTools := acked.Load(), ackedTools.Load()
				got, tools := read(in.h)
				reads.Add(1)
				if int64(got) < wantRound || int64(tools) < wantTools {
					t.Errorf("served round %d with %d tools after round %d with %d tools was acknowledged", got, tools, wantRound, wantTools)
				}
			}
		})
	}
	// The writers alternate instances: a write through b must be seen through a at once.
	for i := 1; i <= rounds; i++ {
		w := []*instance{a, b}[i%2]
		cur, err := w.cms.Articles.Get(admin, art.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur, err = w.cms.Articles.Update(admin, cur.ID, cur.Version, pause.ArticleInput{Title: ptr(fmt.Sprintf("Round %d", i))})
		if err == nil {
			_, err = w.cms.Articles.Publish(admin, cur.ID, cur.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		acked.Store(int64(i))
		// A write elsewhere: a tool, which the same query counts.
		tool, err := w.cms.Tools.Create(admin, pause.ToolInput{Name: ptr(fmt.Sprintf("Tool %d", i)), WebsiteURL: ptr("https://example.com"),
			Category: ptr("Chat"), Pricing: ptr(pause.PricingFree)})
		if err == nil {
			_, err = w.cms.Tools.Publish(admin, tool.ID, tool.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		ackedTools.Store(int64(i))
		// Right after the acknowledgement, the other instance serves the write.
		other := []*instance{b, a}[i%2]
		if got, tools := read(other.h); got != i || tools != i {
			t.Errorf("round %d: the other instance served round %d with %d tools", i, got, tools)
		}
		time.Sleep(10 * time.Millisecond) // let the readers warm their caches between writes
	}
	close(stop)
	wg.Wait()
	t.Logf("%d reads raced %d rounds of writes on two instances", reads.Load(), rounds)
}

func ptr[V any](v V) *V { return &v }

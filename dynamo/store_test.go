package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// snapshot reads what a failed write must leave untouched: every counter of the type and the
// slug markers of the slugs, straight from the table.
func snapshot(t *testing.T, client *dynamodb.Client, table string, k kindKey, slugs ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	res, err := client.Query(ctx, &dynamodb.QueryInput{
		TableName: &table, KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(counterPK(k))},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.LastEvaluatedKey != nil {
		t.Fatal("counter partition larger than one page")
	}
	for _, av := range res.Items {
		var c counterItem
		if err := attributevalue.UnmarshalMap(av, &c); err != nil {
			t.Fatal(err)
		}
		out["count "+c.SK] = fmt.Sprint(c.N)
	}
	for _, slug := range slugs {
		got, err := client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &table, Key: key(slugPK(k, slug), skSlug), ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		var m markerItem
		if got.Item != nil {
			if err := attributevalue.UnmarshalMap(got.Item, &m); err != nil {
				t.Fatal(err)
			}
		}
		out["slug "+slug] = m.ID
	}
	return out
}

func sameSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("%s changed the table:\nbefore %v\nafter  %v", what, before, after)
	}
}

// TestFailedWritesLeaveNothing forces every kind of cancelled transaction and checks that no
// counter moved and no slug marker appeared, moved or vanished: a TransactWriteItems is all
// or nothing, and this is the proof on the real server. (Together with the fault test, which
// shows that an unreachable server gives UNAVAILABLE, this is the "never half-written"
// argument: every write is exactly one transaction.)
func TestFailedWritesLeaveNothing(t *testing.T) {
	s, client, table := openTestTable(t)
	cms, ctx := newCMS(s)
	st := s.Stores().Articles
	a := must[*pause.Article](t)(cms.Articles.Create(ctx, pause.ArticleInput{
		Slug: ptr("first"), Title: ptr("First"), Body: ptr("One *body*."),
		Author: &pause.Author{Name: "Ann"}, Tags: []string{"go", "async"},
	}))
	a = must[*pause.Article](t)(cms.Articles.Publish(ctx, a.ID, a.Version))
	b := must[*pause.Article](t)(cms.Articles.Create(ctx, pause.ArticleInput{
		Slug: ptr("second"), Title: ptr("Second"), Author: &pause.Author{Name: "Bob"}, Tags: []string{"go"},
	}))
	slugs := []string{"first", "second", "third"}
	before := snapshot(t, client, table, kindArticle, slugs...)
	if before["slug first"] != a.ID || before["slug second"] != b.ID || before["slug third"] != "" {
		t.Fatalf("markers: %v", before)
	}
	if before["count PUBLISHED"] != "1" || before["count DRAFT"] != "1" || before["count PUBLISHED#TAG#go"] != "1" {
		t.Fatalf("counters: %v", before)
	}

	// Create: the slug marker's condition fails inside the transaction.
	c := &pause.Article{Meta: pause.Meta{ID: "c1", Slug: "first", Status: pause.StatusDraft, Version: 1},
		Title: "C", Body: "body", Author: pause.Author{Name: "Cy"}, Tags: []string{"new"}}
	wantCode(t, st.Create(ctx, c), pause.ECONFLICT, "slug")
	// Create: the content item's condition fails (the id exists), with a free slug.
	c2 := *c
	c2.ID, c2.Slug = a.ID, "third"
	wantCode(t, st.Create(ctx, &c2), pause.ECONFLICT, "")
	// Update: the new slug is taken.
	b2 := *b
	b2.Slug, b2.Status, b2.Version = "first", pause.StatusPublished, b.Version+1
	wantCode(t, st.Update(ctx, &b2), pause.ECONFLICT, "slug")
	// Update of two items, one of them at a stale version.
	a2, b3 := *a, *b
	a2.Slug, a2.Version = "third", a.Version+1
	b3.Status, b3.Version = pause.StatusArchived, b.Version
	wantCode(t, st.Update(ctx, &a2, &b3), pause.ECONFLICT, "")
	// Update of an item that does not exist, with one that does.
	ghost := *b
	ghost.ID, ghost.Slug, ghost.Version = "ghost", "ghost", 2
	a3 := *a
	a3.Version++
	wantCode(t, st.Update(ctx, &a3, &ghost), pause.ENOTFOUND, "")
	// Delete at a stale version, and of nothing.
	wantCode(t, st.Delete(ctx, a.ID, a.Version-1, nil), pause.ECONFLICT, "")
	wantCode(t, st.Delete(ctx, "ghost", 1, nil), pause.ENOTFOUND, "")

	sameSnapshot(t, "failed writes", before, snapshot(t, client, table, kindArticle, slugs...))
	if _, err := st.Get(ctx, "c1"); pause.ErrorCode(err) != pause.ENOTFOUND {
		t.Fatalf("the article of a failed create exists: %v", err)
	}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key(itemPK(kindArticle, "c1"), skBody)})
	if err != nil || got.Item != nil {
		t.Fatalf("the body of a failed create exists: %v %v", got.Item, err)
	}
	for _, want := range []*pause.Article{a, b} {
		if got := must[*pause.Article](t)(st.Get(ctx, want.ID)); got.Version != want.Version || got.Slug != want.Slug || got.Status != want.Status {
			t.Fatalf("%s changed: %+v", want.ID, got.Meta)
		}
	}

	// And a successful slug change moves the marker.
	// (a is published: the slug change is a draft, and moves the marker when it is published.)
	a4 := must[*pause.Article](t)(cms.Articles.Update(ctx, a.ID, a.Version, pause.ArticleInput{Slug: ptr("third")}))
	if after := snapshot(t, client, table, kindArticle, slugs...); after["slug first"] != a4.ID || after["slug third"] != "" {
		t.Fatalf("markers after a draft slug change: %v", after)
	}
	a4 = must[*pause.Article](t)(cms.Articles.Publish(ctx, a4.ID, a4.Version))
	after := snapshot(t, client, table, kindArticle, slugs...)
	if after["slug first"] != "" || after["slug third"] != a4.ID {
		t.Fatalf("markers after a slug change: %v", after)
	}
}

// TestUpdateTradesSlugs: items of one update may swap slugs, and an item may be named twice,
// one version ahead the second time; the transaction writes each marker once.
func TestUpdateTradesSlugs(t *testing.T) {
	s, client, table := openTestTable(t)
	cms, ctx := newCMS(s)
	st := s.Stores().Benefits
	x := must[*pause.Benefit](t)(cms.Benefits.Create(ctx, pause.BenefitInput{Slug: ptr("x"), Title: ptr("X")}))
	y := must[*pause.Benefit](t)(cms.Benefits.Create(ctx, pause.BenefitInput{Slug: ptr("y"), Title: ptr("Y")}))
	x2, y2 := *x, *y
	x2.Slug, x2.Version = "y", x.Version+1
	y2.Slug, y2.Version = "x", y.Version+1
	x3 := x2
	x3.Title, x3.Version = "X again", x2.Version+1
	if err := st.Update(ctx, &x2, &y2, &x3); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, client, table, kindBenefit, "x", "y")
	if got["slug x"] != y.ID || got["slug y"] != x.ID || got["count DRAFT"] != "2" {
		t.Fatalf("after the trade: %v", got)
	}
	bx := must[*pause.Benefit](t)(st.GetBySlug(ctx, "y"))
	if bx.ID != x.ID || bx.Title != "X again" || bx.Version != x.Version+2 {
		t.Fatalf("x after the trade: %+v", bx)
	}
	// Two items claiming one slug in the same update.
	x4, y4 := *bx, must[*pause.Benefit](t)(st.Get(ctx, y.ID))
	x4.Slug, x4.Version = "z", bx.Version+1
	y4.Slug, y4.Version = "z", y4.Version+1
	wantCode(t, st.Update(ctx, &x4, y4), pause.ECONFLICT, "slug")
	// An item named twice must be one version ahead the second time.
	x5 := *bx
	x5.Version = bx.Version + 1
	wantCode(t, st.Update(ctx, &x5, &x5), pause.ECONFLICT, "")
}

// TestBodies: an article's body lives in its own item, gzipped: a body of the maximum size
// fits, Get and GetMany return it, list pages do not read it.
func TestBodies(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	var b strings.Builder
	for i := 0; b.Len() < pause.MaxBody-200; i++ {
		fmt.Fprintf(&b, "Paragraph %d of a long article: *asynchronous* work, with a [link](https://example.com/%d).\n\n", i, i)
	}
	long := b.String()
	a := must[*pause.Article](t)(cms.Articles.Create(ctx, pause.ArticleInput{
		Title: ptr("Long"), Body: &long, Author: &pause.Author{Name: "Ann"},
	}))
	if len(a.BodyHTML) <= len(long) {
		t.Fatalf("the HTML (%d bytes) should be larger than the Markdown (%d)", len(a.BodyHTML), len(long))
	}
	got := must[*pause.Article](t)(cms.Articles.Get(ctx, a.ID))
	if got.Body != long || got.BodyHTML != a.BodyHTML {
		t.Fatal("the body did not come back as it went in")
	}
	many := must[[]*pause.Article](t)(s.Stores().Articles.GetMany(ctx, []string{a.ID}))
	if len(many) != 1 || many[0].Body != long {
		t.Fatal("GetMany left out the body")
	}
	page := must[*pause.Page[*pause.Article]](t)(cms.Articles.List(ctx, pause.Query[pause.ArticleFilter]{First: 5}))
	if len(page.Items) != 1 || page.Items[0].Body != "" || page.Items[0].BodyHTML != "" || page.Items[0].Title != "Long" {
		t.Fatalf("list page: %+v", page.Items)
	}
	// Emptying the body deletes the body item; other changes leave it alone.
	a = must[*pause.Article](t)(cms.Articles.Update(ctx, a.ID, a.Version, pause.ArticleInput{Title: ptr("Still long")}))
	if got := must[*pause.Article](t)(cms.Articles.Get(ctx, a.ID)); got.Body != long {
		t.Fatal("a title change lost the body")
	}
	a = must[*pause.Article](t)(cms.Articles.Update(ctx, a.ID, a.Version, pause.ArticleInput{Body: ptr("")}))
	if got := must[*pause.Article](t)(cms.Articles.Get(ctx, a.ID)); got.Body != "" || got.BodyHTML != "" {
		t.Fatalf("emptied body: %q %q", got.Body, got.BodyHTML)
	}
}

// TestGetManyChunks: more than 100 keys take several BatchGetItem requests; order, repeats
// and unknown ids follow the contract.
func TestGetManyChunks(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	var ids []string
	for i := range 130 {
		tool := must[*pause.Tool](t)(cms.Tools.Create(ctx, pause.ToolInput{
			Name: ptr(fmt.Sprintf("Tool %d", i)), WebsiteURL: ptr("https://example.com"),
			Category: ptr("Chat"), Pricing: ptr(pause.PricingFree),
		}))
		ids = append(ids, tool.ID)
	}
	ask := slices.Clone(ids)
	slices.Reverse(ask)
	ask = append(ask, "nope", ids[0], ids[5], "")
	mctx, meter := WithMeter(ctx)
	got := must[[]*pause.Tool](t)(s.Stores().Tools.GetMany(mctx, ask))
	if len(got) != len(ids) {
		t.Fatalf("got %d tools, want %d", len(got), len(ids))
	}
	for i, tool := range got {
		if tool.ID != ids[len(ids)-1-i] {
			t.Fatalf("tool %d is %s, want %s", i, tool.ID, ids[len(ids)-1-i])
		}
	}
	if u := meter.Usage(); u.Requests != 2 || u.Operations["BatchGetItem"] != 2 {
		t.Fatalf("130 tools should take 2 BatchGetItem requests: %v", u)
	}
}

// TestCursors: a cursor is a position inside the query's own partition. Forged ones get
// BAD_USER_INPUT (field after); a well-formed position taken from a draft moves a public
// list to that position but never into the drafts' partition.
func TestCursors(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	var drafts, published []*pause.Article
	for i := range 6 {
		a := must[*pause.Article](t)(cms.Articles.Create(ctx, pause.ArticleInput{
			Title: ptr(fmt.Sprintf("Article %c", 'a'+i)), Author: &pause.Author{Name: "Ann"},
		}))
		if i%2 == 0 {
			a = must[*pause.Article](t)(cms.Articles.Publish(ctx, a.ID, a.Version))
			published = append(published, a)
		} else {
			drafts = append(drafts, a)
		}
	}
	title := pause.OrderTitle
	bad := []string{
		"garbage!",
		pause.EncodeCursor(pause.OrderPublishedAt, pause.SortKey(published[0], pause.OrderPublishedAt)),
		pause.EncodeCursor(title, "no separator"),
		pause.EncodeCursor(title, "ends with a separator\x00"),
		pause.EncodeCursor(title, "x\x00"+strings.Repeat("i", maxID+1)),
		pause.EncodeCursor(title, strings.Repeat("long ", 220)+"\x00id"),
	}
	for _, after := range bad {
		_, err := cms.Articles.List(anonymous(), pause.Query[pause.ArticleFilter]{Order: title, First: 2, After: after})
		wantCode(t, err, pause.EINVALID, "after")
	}
	// The position of draft "Article b", in the public list: the page starts after it, with
	// published articles only.
	after := pause.EncodeCursor(title, pause.SortKey(drafts[0], title))
	page := must[*pause.Page[*pause.Article]](t)(cms.Articles.List(anonymous(), pause.Query[pause.ArticleFilter]{Order: title, First: 10, After: after}))
	var got []string
	for _, a := range page.Items {
		got = append(got, a.Title)
	}
	if want := []string{"Article c", "Article e"}; !slices.Equal(got, want) || page.HasNextPage {
		t.Fatalf("public page after a draft's position: %v (next %v), want %v", got, page.HasNextPage, want)
	}
}

// TestUnicodeOrder: DynamoDB orders sort keys by their UTF-8 bytes, as pause.SortKey demands,
// including characters outside the Basic Multilingual Plane (whose UTF-16 order differs).
func TestUnicodeOrder(t *testing.T) {
	s, _, _ := openTestTable(t)
	cms, ctx := newCMS(s)
	titles := []string{"zebra", "Ärger", "éclair", "日本語", "😀 emoji", "Ａ fullwidth", "apple", "Zoo", "ﬁ ligature", "𝔘 fraktur"}
	var items []*pause.Tool
	for _, title := range titles {
		items = append(items, must[*pause.Tool](t)(cms.Tools.Create(ctx, pause.ToolInput{
			Name: ptr(title), Slug: ptr(fmt.Sprintf("t%d", len(items))), WebsiteURL: ptr("https://example.com"),
			Category: ptr("Chat"), Pricing: ptr(pause.PricingFree),
		})))
	}
	slices.SortFunc(items, func(a, b *pause.Tool) int {
		return strings.Compare(pause.SortKey(a, pause.OrderName), pause.SortKey(b, pause.OrderName))
	})
	var want, got []string
	for _, it := range items {
		want = append(want, it.Name)
	}
	after := ""
	for {
		page := must[*pause.Page[*pause.Tool]](t)(cms.Tools.List(ctx, pause.Query[pause.ToolFilter]{Order: pause.OrderName, First: 3, After: after}))
		for _, it := range page.Items {
			got = append(got, it.Name)
		}
		if !page.HasNextPage {
			break
		}
		after = page.EndCursor()
	}
	if !slices.Equal(got, want) {
		t.Fatalf("order by name:\n got %q\nwant %q", got, want)
	}
}

// TestCreateTable: creating an existing table is fine; a table of another design is an
// error.
func TestCreateTable(t *testing.T) {
	_, client, name := openTestTable(t)
	ctx := context.Background()
	if err := CreateTable(ctx, client, name); err != nil {
		t.Fatalf("second CreateTable: %v", err)
	}
	other := randomName("pause-other-")
	def := TableDefinition(other)
	def.GlobalSecondaryIndexes = def.GlobalSecondaryIndexes[:1]
	def.AttributeDefinitions = def.AttributeDefinitions[:4] // PK, SK, LPK and the first index's sort key
	if _, err := client.CreateTable(ctx, def); err != nil {
		t.Fatal(err)
	}
	defer client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &other})
	if err := CreateTable(ctx, client, other); err == nil || !strings.Contains(err.Error(), "has no index") {
		t.Fatalf("CreateTable on a table without the indexes: %v", err)
	}
}

// TestNewClient: NewClient's client uses the configuration's region, credentials and
// endpoint, and keeps the SDK's retryer behind its own HTTP timeouts.
func TestNewClient(t *testing.T) {
	ep := testEndpoint(t)
	client := NewClient(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(ep),
	})
	name := randomName("pause-client-")
	if err := CreateTable(context.Background(), client, name); err != nil {
		t.Fatal(err)
	}
	defer client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name})
	out, err := client.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if err != nil || !slices.Contains(out.TableNames, name) {
		t.Fatalf("the table made through the configured endpoint is not there: %v %v", out, err)
	}
	o := client.Options()
	if hc, ok := o.HTTPClient.(*awshttp.BuildableClient); !ok || hc.GetTimeout() != 10*time.Second {
		t.Errorf("the client's HTTP client is %T, not one with a 10 s timeout", o.HTTPClient)
	}
	if o.Retryer == nil {
		t.Error("the client has no retryer")
	} else if n := o.Retryer.MaxAttempts(); n < 3 {
		t.Errorf("the client makes %d attempts, not the SDK standard retryer's", n)
	}
}

// TestAPIKeyConflicts: a key's id and its hash are both unique; a refused key leaves nothing.
func TestAPIKeyConflicts(t *testing.T) {
	s, _, _ := openTestTable(t)
	ks := s.Stores().Keys
	ctx := context.Background()
	k := &pause.APIKey{ID: "k1", Name: "CI", Role: pause.RoleEditor, Hint: "pause_abcd", Hash: pause.HashAPIKey("pause_secret1"),
		CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := ks.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	sameHash := *k
	sameHash.ID = "k2"
	wantCode(t, ks.CreateKey(ctx, &sameHash), pause.ECONFLICT, "")
	sameID := *k
	sameID.Hash = pause.HashAPIKey("pause_secret2")
	wantCode(t, ks.CreateKey(ctx, &sameID), pause.ECONFLICT, "")
	if _, err := ks.KeyByHash(ctx, sameID.Hash); pause.ErrorCode(err) != pause.ENOTFOUND {
		t.Fatalf("a refused key can be found by its hash: %v", err)
	}
	keys := must[[]*pause.APIKey](t)(ks.Keys(ctx))
	if len(keys) != 1 || keys[0].ID != "k1" || !keys[0].CreatedAt.Equal(k.CreatedAt) {
		t.Fatalf("keys: %+v", keys)
	}
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	revoked := must[*pause.APIKey](t)(ks.RevokeKey(ctx, "k1", at, "root"))
	byHash := must[*pause.APIKey](t)(ks.KeyByHash(ctx, k.Hash))
	if !revoked.RevokedAt.Equal(at) || byHash.RevokedAt == nil || !byHash.RevokedAt.Equal(at) {
		t.Fatalf("revoked %+v, by hash %+v", revoked, byHash)
	}
}

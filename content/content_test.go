package content_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"pause"
	"pause/bolt"
	"pause/content"
	"pause/ids"
	"pause/markdown"
)

// The tests run Import and Export against the real CMS on the bbolt store, in a fresh file each.

var update = flag.Bool("update", false, "rewrite the sample files in the exported form")

var epoch = time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)

func newCMS(t *testing.T) *pause.CMS {
	t.Helper()
	return newCMSAt(t, func() time.Time { return epoch })
}

func newCMSAt(t *testing.T, now func() time.Time) *pause.CMS {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return pause.NewCMS(pause.Config{
		Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New,
		Now: now,
	})
}

func admin() context.Context {
	return pause.NewContext(context.Background(), &pause.Viewer{Subject: "import", Role: pause.RoleAdmin})
}

func must[V any](t *testing.T) func(V, error) V {
	return func(v V, err error) V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func importOK(t *testing.T, cms *pause.CMS, fsys fs.FS) content.Report {
	t.Helper()
	return must[content.Report](t)(content.Import(admin(), cms, fsys))
}

// everything lists every item of every status, as an admin.
func everything(t *testing.T, cms *pause.CMS) ([]*pause.Tool, []*pause.Benefit, []*pause.Article) {
	t.Helper()
	ctx := admin()
	tools := must[*pause.Page[*pause.Tool]](t)(cms.Tools.List(ctx, pause.Query[pause.ToolFilter]{First: pause.MaxFirst}))
	benefits := must[*pause.Page[*pause.Benefit]](t)(cms.Benefits.List(ctx, pause.Query[pause.BenefitFilter]{First: pause.MaxFirst}))
	articles := must[*pause.Page[*pause.Article]](t)(cms.Articles.List(ctx, pause.Query[pause.ArticleFilter]{First: pause.MaxFirst}))
	return tools.Items, benefits.Items, articles.Items
}

func TestImportSample(t *testing.T) {
	cms := newCMS(t)
	r := importOK(t, cms, content.Sample)
	if r.Of("tools").Created < 15 || r.Of("benefits").Created != 5 || r.Of("articles").Created < 4 ||
		r.Of("tools").Total() != r.Of("tools").Created || r.Of("benefits").Total() != 5 || r.Of("articles").Total() != r.Of("articles").Created {
		t.Fatalf("first import: %v, want everything created: ≥15 tools, 5 benefits, ≥4 articles", r)
	}

	// What the public sees: everything in the sample is published.
	public := context.Background()
	articles := must[*pause.Page[*pause.Article]](t)(cms.Articles.List(public, pause.Query[pause.ArticleFilter]{First: 50}))
	if len(articles.Items) != r.Of("articles").Created {
		t.Errorf("public articles: %d, want %d", len(articles.Items), r.Of("articles").Created)
	}
	a := must[*pause.Article](t)(cms.Articles.GetBySlug(public, "what-is-asynchronous-communication-really"))
	if a.Title != "What is Asynchronous Communication, Really?" || a.Author.Name != "Arjun Rajkumar" ||
		a.Status != pause.StatusPublished || a.PublishedAt == nil || a.Excerpt == "" || len(a.Tags) == 0 {
		t.Errorf("seed article: %+v", a)
	}
	if y, m, d := a.UpdatedAt.Date(); y != 2024 || m != time.November || d != 14 {
		t.Errorf("seed article updatedAt = %v, want 2024-11-14", a.UpdatedAt)
	}
	if !strings.Contains(a.BodyHTML, "<h2>") || a.ReadingTimeMinutes < 1 {
		t.Errorf("seed article body was not rendered: %d minutes, %.80q", a.ReadingTimeMinutes, a.BodyHTML)
	}
	related := must[[]*pause.Tool](t)(cms.Tools.GetMany(public, a.RelatedToolIDs))
	if len(related) == 0 || len(related) != len(a.RelatedToolIDs) || related[0].Slug != "loom" {
		t.Errorf("seed article's related tools: %v", related)
	}
	for _, a := range articles.Items {
		if a.PublishedAt == nil || a.Excerpt == "" || a.Author.Name == "" || len(a.Tags) == 0 || len(a.RelatedToolIDs) == 0 {
			t.Errorf("article %s lacks a publishedAt, excerpt, author, tags or related tools", a.Slug)
		}
	}

	benefits := must[*pause.Page[*pause.Benefit]](t)(cms.Benefits.List(public, pause.Query[pause.BenefitFilter]{First: 50}))
	wantTitles := []string{
		"Your People Get Their Lives Back",
		"The Quality of Communication Actually Improves",
		"Deep Work Becomes Possible Again",
		"Planning Gets Better (And Stress Gets Lower)",
		"Employee Retention Skyrockets",
	}
	var titles []string
	for i, b := range benefits.Items {
		titles = append(titles, b.Title)
		if b.Position != i || len(b.Points) < 2 || b.Summary == "" || b.SummaryHTML == "" {
			t.Errorf("benefit %d %q: position %d, %d points, summary %q", i, b.Title, b.Position, len(b.Points), b.Summary)
		}
	}
	if !slices.Equal(titles, wantTitles) {
		t.Errorf("benefits in order: %q, want %q", titles, wantTitles)
	}

	tools := must[*pause.Page[*pause.Tool]](t)(cms.Tools.List(public, pause.Query[pause.ToolFilter]{First: 50}))
	if len(tools.Items) < 15 {
		t.Errorf("public tools: %d, want at least 15", len(tools.Items))
	}
	categories := must[[]pause.CategoryCount](t)(cms.ToolCategories(public))
	if len(categories) < 5 {
		t.Errorf("tool categories: %v, want at least 5", categories)
	}
	featured := 0
	for _, tool := range tools.Items {
		if tool.Featured {
			featured++
		}
		if !strings.HasPrefix(tool.WebsiteURL, "https://") || tool.Tagline == "" || tool.DescriptionHTML == "" ||
			len(tool.Platforms) == 0 || len(tool.Tags) == 0 {
			t.Errorf("tool %s lacks an https URL, tagline, description, platforms or tags", tool.Slug)
		}
	}
	if featured < 4 || featured > 6 {
		t.Errorf("%d featured tools, want 4 to 6", featured)
	}

	// Importing again changes nothing.
	again := importOK(t, cms, content.Sample)
	want := unchanged(r)
	if again.String() != want.String() {
		t.Errorf("second import: %v, want %v", again, want)
	}
	ts, bs, as := everything(t, cms)
	for _, m := range metas(ts, bs, as) {
		if m.Version != 1 {
			t.Errorf("%s is at version %d after importing twice, want 1", m.Slug, m.Version)
		}
	}
}

func metas(tools []*pause.Tool, benefits []*pause.Benefit, articles []*pause.Article) []*pause.Meta {
	var out []*pause.Meta
	for _, x := range tools {
		out = append(out, &x.Meta)
	}
	for _, x := range benefits {
		out = append(out, &x.Meta)
	}
	for _, x := range articles {
		out = append(out, &x.Meta)
	}
	return out
}

// readTree returns the files under dir by their slash-separated relative paths.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameTree(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s is missing", name)
		} else if !bytes.Equal(g, w) {
			t.Errorf("%s differs:\n got: %s\nwant: %s", name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s is extra", name)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	a := newCMS(t)
	first := importOK(t, a, content.Sample)
	dir1 := t.TempDir()
	exported := must[content.Report](t)(content.Export(admin(), a, dir1))
	if exported.String() != first.String() {
		t.Errorf("export into an empty dir: %v, want a file created for each item imported: %v", exported, first)
	}

	b := newCMS(t)
	if r := importOK(t, b, os.DirFS(dir1)); r.String() != first.String() {
		t.Errorf("import of the export into a fresh store: %v, want %v", r, first)
	}
	dir2 := t.TempDir()
	must[content.Report](t)(content.Export(admin(), b, dir2))
	tree1 := readTree(t, dir1)
	sameTree(t, readTree(t, dir2), tree1)

	// The same items, with the same ids, in both stores.
	ta, ba, aa := everything(t, a)
	tb, bb, ab := everything(t, b)
	if !reflect.DeepEqual(ta, tb) || !reflect.DeepEqual(ba, bb) || !reflect.DeepEqual(aa, ab) {
		t.Error("stores A and B hold different items")
	}

	// Re-importing the export into its source changes nothing, and exporting again writes
	// nothing.
	same := unchanged(first)
	if r := importOK(t, a, os.DirFS(dir1)); r.String() != same.String() {
		t.Errorf("re-import into A: %v, want %v", r, same)
	}
	if r := must[content.Report](t)(content.Export(admin(), a, dir1)); r.String() != same.String() {
		t.Errorf("export over the same files: %v, want %v", r, same)
	}

	// The sample files are in the exported form, less the ids and creation times that the CMS
	// gives items when it first stores them.
	for name, data := range tree1 {
		var kept []string
		for _, line := range strings.SplitAfter(string(data), "\n") {
			if !strings.HasPrefix(line, "id: ") && !strings.HasPrefix(line, "createdAt: ") {
				kept = append(kept, line)
			}
		}
		want := strings.Join(kept, "")
		if *update {
			if err := os.WriteFile(filepath.FromSlash(name), []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		sample, err := fs.ReadFile(content.Sample, name)
		if err != nil {
			t.Error(err)
		} else if string(sample) != want {
			t.Errorf("sample %s is not in the exported form (go test -run TestRoundTrip -update rewrites it):\n got: %s\nwant: %s", name, sample, want)
		}
	}
}

func TestImportChanges(t *testing.T) {
	cms := newCMS(t)
	tool := "---\nslug: acme\nname: Acme\nwebsiteUrl: https://acme.example\ncategory: Team chat\npricing: free\n---\n\nA tool.\n"
	fsys := fstest.MapFS{
		"tools/acme.md":      {Data: []byte(tool)},
		"tools/README.txt":   {Data: []byte("not content")},
		"tools/old/x.md":     {Data: []byte("not read: in a subdirectory")},
		"notes.md":           {Data: []byte("not read: outside the type directories")},
		"articles/draft.md":  {Data: []byte("---\ntitle: A draft\nauthor: {name: Someone}\nrelatedTools: [acme]\n---\nBody.")},
		"benefits/.keep":     {Data: nil},
		"benefits/.hidden.x": {Data: nil},
	}
	r := importOK(t, cms, fsys)
	if want := (report(content.Counts{}, "tools", content.Counts{Created: 1}, "articles", content.Counts{Created: 1})); r.String() != want.String() {
		t.Fatalf("import: %v, want %v", r, want)
	}
	ctx := admin()
	draft := must[*pause.Article](t)(cms.Articles.GetBySlug(ctx, "draft"))
	acme := must[*pause.Tool](t)(cms.Tools.GetBySlug(ctx, "acme"))
	if draft.Status != pause.StatusDraft || draft.PublishedAt != nil || draft.Body != "Body." ||
		!slices.Equal(draft.RelatedToolIDs, []string{acme.ID}) || !draft.CreatedAt.Equal(epoch) {
		t.Errorf("draft: %+v", draft)
	}
	if acme.Pricing != pause.PricingFree || acme.Description != "A tool." {
		t.Errorf("tool: %+v", acme)
	}
	if _, err := cms.Articles.GetBySlug(context.Background(), "draft"); pause.ErrorCode(err) != pause.ENOTFOUND {
		t.Errorf("the public can see the draft: %v", err)
	}

	// A change updates the item in place: same id, next version.
	fsys["tools/acme.md"] = &fstest.MapFile{Data: []byte(strings.Replace(tool, "A tool.", "A better tool.", 1))}
	r = importOK(t, cms, fsys)
	if want := (report(content.Counts{}, "tools", content.Counts{Updated: 1}, "articles", content.Counts{Unchanged: 1})); r.String() != want.String() {
		t.Fatalf("import of a change: %v, want %v", r, want)
	}
	changed := must[*pause.Tool](t)(cms.Tools.GetBySlug(ctx, "acme"))
	if changed.ID != acme.ID || changed.Version != 2 || changed.Description != "A better tool." {
		t.Errorf("changed tool: %+v", changed)
	}

	// Drafts are exported too, in the form that was imported plus what the CMS added.
	dir := t.TempDir()
	must[content.Report](t)(content.Export(ctx, cms, dir))
	got := must[[]byte](t)(os.ReadFile(filepath.Join(dir, "articles", "draft.md")))
	want := "---\nid: " + draft.ID + "\nslug: draft\nstatus: DRAFT\ncreatedAt: 2025-01-06T10:00:00Z\n" +
		"updatedAt: 2025-01-06T10:00:00Z\ntitle: A draft\nauthor:\n  name: Someone\nrelatedTools: [acme]\n---\n\nBody.\n"
	if string(got) != want {
		t.Errorf("exported draft:\n%s\nwant:\n%s", got, want)
	}
}

// A published item whose file gives no publishedAt is stamped when first imported, and keeps
// that time: importing it again later is no change.
func TestImportKeepsPublishedAt(t *testing.T) {
	var mu sync.Mutex
	now := epoch
	cms := newCMSAt(t, func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Minute)
		return now
	})
	fsys := fstest.MapFS{"benefits/b.md": {Data: []byte("---\nstatus: published\ntitle: B\npoints: []\n---\n")}}
	importOK(t, cms, fsys)
	first := must[*pause.Benefit](t)(cms.Benefits.GetBySlug(admin(), "b"))
	if r := importOK(t, cms, fsys); r.String() != report(content.Counts{}, "benefits", content.Counts{Unchanged: 1}).String() {
		t.Errorf("second import: %v", r)
	}
	second := must[*pause.Benefit](t)(cms.Benefits.GetBySlug(admin(), "b"))
	if first.PublishedAt == nil || !first.PublishedAt.Equal(*second.PublishedAt) || second.Version != 1 {
		t.Errorf("publishedAt %v, then %v at version %d", first.PublishedAt, second.PublishedAt, second.Version)
	}
}

func TestExportPages(t *testing.T) {
	cms := newCMS(t)
	fsys := fstest.MapFS{}
	const n = pause.MaxFirst + 5
	for i := range n {
		slug := fmt.Sprintf("tool-%03d", i)
		fsys["tools/"+slug+".md"] = &fstest.MapFile{Data: []byte("---\nname: " + slug +
			"\nwebsiteUrl: https://example.com\ncategory: C\npricing: PAID\n---\n")}
	}
	fsys["articles/a.md"] = &fstest.MapFile{Data: []byte("---\ntitle: A\nauthor: {name: W}\nrelatedTools: [tool-104, tool-000]\n---\n")}
	importOK(t, cms, fsys)
	dir := t.TempDir()
	r := must[content.Report](t)(content.Export(admin(), cms, dir))
	if want := (report(content.Counts{}, "tools", content.Counts{Created: n}, "articles", content.Counts{Created: 1})); r.String() != want.String() {
		t.Errorf("export: %v, want %v", r, want)
	}
	a := must[[]byte](t)(os.ReadFile(filepath.Join(dir, "articles", "a.md")))
	if !bytes.Contains(a, []byte("relatedTools: [tool-104, tool-000]\n")) {
		t.Errorf("exported article:\n%s", a)
	}
}

func TestImportBadFiles(t *testing.T) {
	good := "---\nslug: good\nname: Good\nwebsiteUrl: https://good.example\ncategory: Docs\npricing: FREE\n---\n"
	tool := func(front string) string {
		return "---\nname: Bad\nwebsiteUrl: https://bad.example\ncategory: Docs\npricing: FREE\n" + front + "---\nText.\n"
	}
	article := func(front string) string {
		return "---\nstatus: PUBLISHED\nauthor: {name: A. Writer}\n" + front + "---\nText.\n"
	}
	for _, tc := range []struct {
		name, file, data string
		field            string // the field the error names, if any
		says             string // a part of the error's text
	}{
		{"unknown key", "tools/bad.md", tool("colour: red\n"), "colour", "unknown key"},
		{"misspelt key", "articles/bad.md", article("title: T\nrelated_tools: [good]\n"), "related_tools", "unknown key"},
		{"bad YAML", "tools/bad.md", tool("tags: [one, two\n"), "", "not valid YAML"},
		{"repeated key", "tools/bad.md", tool("name: Again\n"), "name", "already defined"},
		{"wrong type", "benefits/bad.md", "---\ntitle: T\nposition: first\n---\n", "position", "wrong type"},
		{"wrong nested type", "articles/bad.md", "---\ntitle: T\nauthor:\n  name: [A, B]\n---\n", "author", "wrong type"},
		{"no front matter", "tools/bad.md", "# Just Markdown\n", "", "must start with"},
		{"CRLF", "tools/bad.md", strings.ReplaceAll(tool(""), "\n", "\r\n"), "", "CRLF"},
		{"unterminated front matter", "tools/bad.md", "---\nname: Bad\n", "", "no closing"},
		{"two documents", "tools/bad.md", tool("--- {name: x}\n"), "", ""},
		{"title too long", "articles/bad.md", article("title: " + strings.Repeat("t", 201) + "\n"), "title", "longer than 200"},
		{"title missing", "articles/bad.md", article(""), "title", "required"},
		{"bad URL", "tools/bad.md", strings.Replace(tool(""), "https://bad.example", "bad.example", 1), "websiteUrl", "URL"},
		{"bad pricing", "tools/bad.md", strings.Replace(tool(""), "FREE", "CHEAP", 1), "pricing", "FREEMIUM"},
		{"bad status", "tools/bad.md", tool("status: LIVE\n"), "status", "PUBLISHED"},
		{"bad time", "articles/bad.md", article("title: T\npublishedAt: last tuesday\n"), "publishedAt", "RFC 3339"},
		{"slug not the file name", "tools/bad.md", tool("slug: other\n"), "slug", "file name"},
		{"bad slug", "tools/Bad_Name.md", tool(""), "slug", "lower-case"},
		{"bad id", "tools/bad.md", tool("id: ../x\n"), "id", "ULID"},
		{"unknown related tool", "articles/bad.md", article("title: T\nrelatedTools: [good, nope]\n"), "relatedTools", `"nope"`},
		{"too many points", "benefits/bad.md", "---\ntitle: T\npoints: [" + strings.Repeat("p, ", 20) + "p]\n---\n", "points", "more than 20"},
		{"control character", "benefits/bad.md", "---\ntitle: T\n---\nNUL \x00 here\n", "summary", "control"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cms := newCMS(t)
			fsys := fstest.MapFS{
				"tools/good.md": {Data: []byte(good)},
				tc.file:         {Data: []byte(tc.data)},
			}
			r, err := content.Import(admin(), cms, fsys)
			if err == nil {
				t.Fatalf("import succeeded: %v", r)
			}
			t.Log(err)
			if code := pause.ErrorCode(err); code != pause.EINVALID {
				t.Errorf("code %s, want %s", code, pause.EINVALID)
			}
			if field := pause.ErrorField(err); field != tc.field {
				t.Errorf("field %q, want %q", field, tc.field)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.file) || !strings.Contains(msg, tc.says) {
				t.Errorf("error %q does not name %s or say %q", msg, tc.file, tc.says)
			}
			if r.String() != report(content.Counts{}).String() {
				t.Errorf("report of a failed import: %v", r)
			}
			// Files are checked before anything is written: not even the good tool is stored.
			if n := must[int](t)(cms.Tools.Count(admin(), pause.ToolFilter{})); n != 0 {
				t.Errorf("%d tools stored", n)
			}
			if n := must[int](t)(cms.Articles.Count(admin(), pause.ArticleFilter{})); n != 0 {
				t.Errorf("%d articles stored", n)
			}
			if n := must[int](t)(cms.Benefits.Count(admin(), pause.BenefitFilter{})); n != 0 {
				t.Errorf("%d benefits stored", n)
			}
		})
	}
}

func TestNeedsAdmin(t *testing.T) {
	cms := newCMS(t)
	editor := pause.NewContext(context.Background(), &pause.Viewer{Subject: "e", Role: pause.RoleEditor})
	for name, ctx := range map[string]context.Context{"anonymous": context.Background(), "editor": editor} {
		if _, err := content.Import(ctx, cms, content.Sample); err == nil {
			t.Errorf("%s may import", name)
		}
		if _, err := content.Export(ctx, cms, t.TempDir()); err == nil {
			t.Errorf("%s may export", name)
		}
	}
	if n := must[int](t)(cms.Tools.Count(admin(), pause.ToolFilter{})); n != 0 {
		t.Errorf("%d tools stored", n)
	}
}

// TestExportCoversRegistry: every content type the CMS registers is exported, one file per
// item in a folder of its own, and comes back by Import: a type added to the registry and
// forgotten here would be lost by `pause export` and `pause import` without an error.
func TestExportCoversRegistry(t *testing.T) {
	cms := newCMS(t)
	importOK(t, cms, content.Sample)
	dir := t.TempDir()
	must[content.Report](t)(content.Export(admin(), cms, dir))
	again := newCMS(t)
	importOK(t, again, os.DirFS(dir))
	for _, col := range cms.Collections() {
		name := col.Type().Name
		want := must[int](t)(col.Total(admin()))
		if want == 0 {
			t.Errorf("the sample has no %s: the test needs one of each type", name)
			continue
		}
		plural := col.Type().Plural
		files, _ := filepath.Glob(filepath.Join(dir, plural, "*.md"))
		if len(files) != want {
			t.Errorf("export wrote %d files under %s/ for %d %s", len(files), plural, want, plural)
		}
		if got := must[int](t)(again.Collection(name).Total(admin())); got != want {
			t.Errorf("export then import: %d %ss, want %d", got, name, want)
		}
	}
}

// TestCoverImageRoundTrip: a cover image's alternative text, whether it is decorative, and its
// size in pixels survive an export and an import (a decorative image has no alt, which import
// must not refuse).
func TestCoverImageRoundTrip(t *testing.T) {
	a := newCMS(t)
	for _, img := range []*pause.Image{
		{URL: "https://cdn.example/rule.png", Decorative: true},
		{URL: "https://cdn.example/desk.png", Alt: "A desk", Width: 640, Height: 480},
	} {
		title := "Cover " + img.URL[20:24]
		_, err := a.Articles.Create(admin(), pause.ArticleInput{Title: &title,
			Author: &pause.Author{Name: "Ada"}, CoverImage: img})
		if err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	must[content.Report](t)(content.Export(admin(), a, dir))
	b := newCMS(t)
	importOK(t, b, os.DirFS(dir))
	_, _, before := everything(t, a)
	_, _, after := everything(t, b)
	if len(after) != 2 || !reflect.DeepEqual(before, after) {
		t.Fatalf("after the round trip:\n%+v\nwant\n%+v", after, before)
	}
}

// report makes a Report: the media's counts, then each content type's plural and counts.
func report(media content.Counts, items ...any) content.Report {
	r := content.Report{Media: media}
	for i := 0; i+1 < len(items); i += 2 {
		if r.Items == nil {
			r.Items = map[string]*content.Counts{}
		}
		c := items[i+1].(content.Counts)
		r.Items[items[i].(string)] = &c
	}
	return r
}

// unchanged is the report of doing again what made r: every item (but the media) unchanged.
func unchanged(r content.Report) content.Report {
	out := content.Report{Items: map[string]*content.Counts{}}
	for k, c := range r.Items {
		out.Items[k] = &content.Counts{Unchanged: c.Total()}
	}
	return out
}

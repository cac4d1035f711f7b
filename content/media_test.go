package content_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"pause"
	"pause/bolt"
	"pause/content"
	"pause/ids"
	"pause/markdown"
	"pause/media"
	"pause/storetest"
)

// A stage whose media library keeps its files on disk and serves them from base, as `pause
// serve` does.
type stage struct {
	cms  *pause.CMS
	disk *media.Disk
}

func newStage(t *testing.T, base string) *stage {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	d := &media.Disk{Dir: t.TempDir(), Key: media.DiskKey([]byte("a server secret of 32 bytes or more")),
		Base: base, MaxBytes: pause.DefaultMediaMaxBytes}
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New,
		Now: func() time.Time { return epoch }, Blobs: d})
	return &stage{cms: cms, disk: d}
}

// upload adds an image to the stage's library as an editor's browser does: a ticket, the
// file posted to the upload endpoint with it, and completeUpload.
func (s *stage) upload(t *testing.T, filename string, data []byte, alt string) *pause.Media {
	t.Helper()
	ctx := admin()
	tk, err := s.cms.CreateUpload(ctx, filename, "image/png", int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	// The upload endpoint's effect: the file at the ticket's key (its policy is tested in
	// package media).
	if err := os.MkdirAll(filepath.Join(s.disk.Dir, filepath.Dir(tk.Key)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.disk.Dir, tk.Key), data, 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := s.cms.CompleteUpload(ctx, tk.Key, alt, false)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (s *stage) library(t *testing.T) []*pause.Media {
	t.Helper()
	p, err := s.cms.MediaItems(admin(), pause.Query[pause.MediaFilter]{First: pause.MaxFirst})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// stored lists the files of the stage's media storage.
func (s *stage) stored(t *testing.T) []string {
	t.Helper()
	var files []string
	_ = filepath.WalkDir(s.disk.Dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	return files
}

// siteWithImages is a stage with three images (two uploaded as desk.png), a tool whose logo
// is one of them and an article whose cover image and author's avatar are the others.
func siteWithImages(t *testing.T) (s *stage, desk, desk2, logo *pause.Media) {
	s = newStage(t, "https://stage-a.example")
	desk = s.upload(t, "Desk.png", storetest.PNG(64, 48), "A desk by a window")
	desk2 = s.upload(t, "desk.png", storetest.PNG(20, 10), "Another desk")
	logo = s.upload(t, "logo.png", storetest.PNG(16, 16), "Loom's logo")
	ctx := admin()
	str := func(s string) *string { return &s }
	pricing := pause.PricingFree
	if _, err := s.cms.Tools.Create(ctx, pause.ToolInput{Name: str("Loom"), WebsiteURL: str("https://loom.com"),
		LogoURL: str(logo.URL), Category: str("Video"), Pricing: &pricing}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.cms.Articles.Create(ctx, pause.ArticleInput{Title: str("Desks"), Body: str("On desks."),
		Author:     &pause.Author{Name: "Ada", AvatarURL: desk2.URL},
		CoverImage: &pause.Image{MediaID: desk.ID, Alt: "A desk by a window, seen from the door"}}); err != nil {
		t.Fatal(err)
	}
	return s, desk, desk2, logo
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestMediaExportImport(t *testing.T) {
	a, desk, desk2, logo := siteWithImages(t)
	dir := t.TempDir()
	r := must[content.Report](t)(content.Export(admin(), a.cms, dir))
	if r.Media != (content.Counts{Created: 3}) {
		t.Fatalf("export: %v", r)
	}
	// The files as they are stored, each with its sidecar; the second desk.png gets its id.
	desk2Name := "desk-" + strings.ToLower(desk2.ID) + ".png"
	for name, want := range map[string][]byte{"desk.png": storetest.PNG(64, 48), desk2Name: storetest.PNG(20, 10),
		"logo.png": storetest.PNG(16, 16)} {
		if got := readFile(t, filepath.Join(dir, "media", name)); got != string(want) {
			t.Errorf("media/%s: %d bytes, want the %d uploaded", name, len(got), len(want))
		}
	}
	side := readFile(t, filepath.Join(dir, "media", "desk.png.yaml"))
	for _, want := range []string{"id: " + desk.ID, "filename: desk.png", "alt: A desk by a window", "width: 64",
		"height: 48", "contentType: image/png", "createdAt: 2025-01-06T10:00:00Z", "createdBy: import"} {
		if !strings.Contains(side, want) {
			t.Errorf("media/desk.png.yaml lacks %q:\n%s", want, side)
		}
	}
	article := readFile(t, filepath.Join(dir, "articles", "desks.md"))
	tool := readFile(t, filepath.Join(dir, "tools", "loom.md"))
	for _, want := range []string{"url: ../media/desk.png", "avatarUrl: ../media/" + desk2Name} {
		if !strings.Contains(article, want) {
			t.Errorf("the article lacks %q:\n%s", want, article)
		}
	}
	if !strings.Contains(tool, "logoUrl: ../media/logo.png") {
		t.Errorf("the tool does not name its logo by path:\n%s", tool)
	}
	if strings.Contains(article+tool, "stage-a.example") {
		t.Errorf("the files name stage A's URLs:\n%s\n%s", article, tool)
	}

	// A fresh stage B gets the images back, and the items show B's.
	b := newStage(t, "https://stage-b.example")
	r = importOK(t, b.cms, os.DirFS(dir))
	want := report(content.Counts{Created: 3}, "tools", content.Counts{Created: 1}, "articles", content.Counts{Created: 1})
	if r.String() != want.String() {
		t.Fatalf("import into B: %v, want %v", r, want)
	}
	lib := map[string]*pause.Media{}
	for _, m := range b.library(t) {
		lib[m.ID] = m
	}
	for _, orig := range []*pause.Media{desk, desk2, logo} {
		m := lib[orig.ID]
		if m == nil {
			t.Fatalf("B has no image %s", orig.ID)
		}
		data, err := b.cms.MediaFile(admin(), m)
		if err != nil {
			t.Fatal(err)
		}
		origData, _ := a.cms.MediaFile(admin(), orig)
		if !bytes.Equal(data, origData) || m.Alt != orig.Alt || m.Width != orig.Width || m.Height != orig.Height ||
			m.Bytes != orig.Bytes || m.ContentType != orig.ContentType || m.Filename != orig.Filename ||
			!m.CreatedAt.Equal(orig.CreatedAt) || m.CreatedBy != orig.CreatedBy || m.URL != "https://stage-b.example/"+m.Key {
			t.Errorf("B's image %+v, A's %+v", m, orig)
		}
	}
	got := must[*pause.Article](t)(b.cms.Articles.GetBySlug(admin(), "desks"))
	c := got.CoverImage
	if c == nil || c.MediaID != desk.ID || c.URL != lib[desk.ID].URL || c.Width != 64 || c.Height != 48 ||
		c.Alt != "A desk by a window, seen from the door" {
		t.Fatalf("B's cover image %+v, want B's %s", c, lib[desk.ID].URL)
	}
	if got.Author.AvatarURL != lib[desk2.ID].URL {
		t.Errorf("B's avatar %s, want %s", got.Author.AvatarURL, lib[desk2.ID].URL)
	}
	if l := must[*pause.Tool](t)(b.cms.Tools.GetBySlug(admin(), "loom")).LogoURL; l != lib[logo.ID].URL {
		t.Errorf("B's logo %s, want %s", l, lib[logo.ID].URL)
	}
	// The reference is real: B refuses to delete the image its article shows.
	err := b.cms.DeleteMedia(admin(), desk.ID, lib[desk.ID].Version)
	if pause.ErrorCode(err) != pause.ECONFLICT || !strings.Contains(err.Error(), `article "Desks"`) {
		t.Errorf("delete B's cover image: %v", err)
	}

	// Twice is idempotent: nothing changes, in B or in the files B exports.
	files := b.stored(t)
	unchanged := report(content.Counts{Unchanged: 3}, "tools", content.Counts{Unchanged: 1}, "articles", content.Counts{Unchanged: 1})
	if r := importOK(t, b.cms, os.DirFS(dir)); r.String() != unchanged.String() {
		t.Fatalf("import again: %v, want %v", r, unchanged)
	}
	if again := b.stored(t); strings.Join(again, "\n") != strings.Join(files, "\n") {
		t.Errorf("B's storage changed on the second import:\n%v\n%v", files, again)
	}
	if r := must[content.Report](t)(content.Export(admin(), b.cms, dir)); r.String() != unchanged.String() {
		t.Errorf("B exported over A's files: %v, want them unchanged", r)
	}

	// A sidecar's new alternative text updates the image, and only that.
	sidecar := filepath.Join(dir, "media", "logo.png.yaml")
	if err := os.WriteFile(sidecar, []byte(strings.Replace(readFile(t, sidecar), "alt: Loom's logo", "alt: The Loom logo", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r = importOK(t, b.cms, os.DirFS(dir))
	if r.Media != (content.Counts{Updated: 1, Unchanged: 2}) {
		t.Errorf("import a new alt: %v", r)
	}
	if m := must[*pause.Media](t)(b.cms.Media(admin(), logo.ID)); m.Alt != "The Loom logo" || m.Version != 2 {
		t.Errorf("after a new alt: %+v", m)
	}
}

// folder reads an exported folder into memory, to change it.
func folder(t *testing.T, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		m[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMediaImportRefused: a folder with a bad image, or an item naming an image it lacks, is
// refused with an error naming the file, and nothing is written: no item, no image, no file.
func TestMediaImportRefused(t *testing.T) {
	a, _, _, _ := siteWithImages(t)
	dir := t.TempDir()
	must[content.Report](t)(content.Export(admin(), a.cms, dir))
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>`)
	for _, c := range []struct {
		name   string
		change func(fstest.MapFS)
		says   []string
	}{
		{"missing image", func(f fstest.MapFS) { delete(f, "media/desk.png") },
			[]string{"media/desk.png.yaml", "media/desk.png, which is missing"}},
		{"image without sidecar", func(f fstest.MapFS) { delete(f, "media/logo.png.yaml") },
			[]string{"media/logo.png", "no sidecar media/logo.png.yaml"}},
		{"path to no image", func(f fstest.MapFS) {
			f["articles/desks.md"].Data = bytes.Replace(f["articles/desks.md"].Data, []byte("../media/desk.png"), []byte("../media/chair.png"), 1)
		}, []string{"articles/desks.md", "coverImage.url names media/chair.png, which is not in the folder"}},
		{"path outside media", func(f fstest.MapFS) {
			f["tools/loom.md"].Data = bytes.Replace(f["tools/loom.md"].Data, []byte("../media/logo.png"), []byte("../../etc/logo.png"), 1)
		}, []string{"tools/loom.md", "logoUrl must be an http or https URL, or the path of an image in media/"}},
		{"too large", func(f fstest.MapFS) {
			f["media/desk.png"].Data = append(bytes.Clone(f["media/desk.png"].Data), make([]byte, 11<<20)...)
		}, []string{"media/desk.png", "the largest allowed is 10 MiB"}},
		{"SVG as PNG", func(f fstest.MapFS) { f["media/desk.png"].Data = svg },
			[]string{"media/desk.png", "SVG images are refused"}},
		{"SVG", func(f fstest.MapFS) {
			f["media/evil.svg"] = &fstest.MapFile{Data: svg}
			f["media/evil.svg.yaml"] = &fstest.MapFile{Data: []byte("id: 01JDQ8Z7C1V9X3M4N5P6R7S8T9\nalt: Evil\n")}
		}, []string{"media/evil.svg", "SVG images are refused"}},
		{"renamed JPEG", func(f fstest.MapFS) {
			f["media/photo.jpg"] = &fstest.MapFile{Data: storetest.PNG(8, 8)}
			f["media/photo.jpg.yaml"] = &fstest.MapFile{Data: []byte("id: 01JDQ8Z7C1V9X3M4N5P6R7S8T9\nalt: A photo\n")}
		}, []string{"media/photo.jpg", "The file is a PNG image, not image/jpeg"}},
		{"no alt", func(f fstest.MapFS) {
			f["media/logo.png.yaml"].Data = bytes.Replace(f["media/logo.png.yaml"].Data, []byte("alt: Loom's logo\n"), nil, 1)
		}, []string{"media/logo.png.yaml", "Describe the image"}},
		{"no id", func(f fstest.MapFS) {
			f["media/photo.png"] = &fstest.MapFile{Data: storetest.PNG(8, 8)}
			f["media/photo.png.yaml"] = &fstest.MapFile{Data: []byte("alt: A photo\n")}
		}, []string{"media/photo.png.yaml", "id is required"}},
		{"unknown key", func(f fstest.MapFS) {
			f["media/logo.png.yaml"].Data = append(bytes.Clone(f["media/logo.png.yaml"].Data), "caption: x\n"...)
		}, []string{"media/logo.png.yaml", `unknown key "caption"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := folder(t, dir)
			c.change(f)
			b := newStage(t, "https://stage-b.example")
			r, err := content.Import(admin(), b.cms, f)
			if err == nil {
				t.Fatalf("imported: %v", r)
			}
			t.Log(err)
			for _, says := range c.says {
				if !strings.Contains(err.Error(), says) {
					t.Errorf("error %q does not say %q", err, says)
				}
			}
			tools, benefits, articles := everything(t, b.cms)
			if r.String() != report(content.Counts{}).String() || len(tools)+len(benefits)+len(articles) > 0 || len(b.library(t)) > 0 || len(b.stored(t)) > 0 {
				t.Errorf("a refused import wrote: %v, %d items, %d images, files %v", r,
					len(tools)+len(benefits)+len(articles), len(b.library(t)), b.stored(t))
			}
		})
	}
}

// A stage without a media library refuses a folder with images, naming the first.
func TestMediaImportWithoutLibrary(t *testing.T) {
	a, _, _, _ := siteWithImages(t)
	dir := t.TempDir()
	must[content.Report](t)(content.Export(admin(), a.cms, dir))
	_, err := content.Import(admin(), newCMS(t), os.DirFS(dir))
	if pause.ErrorCode(err) != pause.EUNAVAILABLE || !strings.Contains(err.Error(), "media/desk-") {
		t.Fatalf("import images into a stage without media: %v", err)
	}
}

package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pause/storetest"
)

// TestImportExportMedia: `pause import` stores a folder's images in the data folder's media
// library and points the articles at them; `pause export` writes them back beside the
// Markdown, named by path; a second stage imports that export with its images.
func TestImportExportMedia(t *testing.T) {
	png := storetest.PNG(30, 20)
	src := t.TempDir()
	files := map[string]string{
		"media/desk.png":      string(png),
		"media/desk.png.yaml": "id: 01JDQ8Z7C1V9X3M4N5P6R7S8T9\nalt: A desk by a window\n",
		"articles/desks.md": "---\ntitle: Desks\nauthor:\n  name: Ada\ncoverImage:\n  url: ../media/desk.png\n" +
			"  alt: A desk by a window\n---\n\nOn desks.\n",
	}
	for name, data := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := func(data string, args ...string) string {
		t.Helper()
		env := map[string]string{"PAUSE_DATA": filepath.Join(data, "pause.db"), "PAUSE_ENV": "development"}
		var out bytes.Buffer
		if err := run(context.Background(), args, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
			t.Fatalf("pause %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	a := t.TempDir()
	if out := cmd(a, "import", src); !strings.Contains(out, "media: 1 created") || !strings.Contains(out, "articles: 1 created") {
		t.Fatalf("import: %s", out)
	}
	stored, err := os.ReadFile(filepath.Join(a, "media", "media", "01JDQ8Z7C1V9X3M4N5P6R7S8T9", "desk.png"))
	if err != nil || !bytes.Equal(stored, png) {
		t.Fatalf("the image in the data folder: %d bytes, %v", len(stored), err)
	}
	if out := cmd(a, "import", src); !strings.Contains(out, "media: 0 created, 0 updated, 1 unchanged") {
		t.Fatalf("import again: %s", out)
	}
	out := t.TempDir()
	cmd(a, "export", out)
	if got, err := os.ReadFile(filepath.Join(out, "media", "desk.png")); err != nil || !bytes.Equal(got, png) {
		t.Fatalf("exported image: %d bytes, %v", len(got), err)
	}
	if article, _ := os.ReadFile(filepath.Join(out, "articles", "desks.md")); !strings.Contains(string(article), "url: ../media/desk.png") {
		t.Fatalf("exported article:\n%s", article)
	}
	b := t.TempDir()
	if got := cmd(b, "import", out); !strings.Contains(got, "media: 1 created") {
		t.Fatalf("import the export into another stage: %s", got)
	}
	if _, err := os.Stat(filepath.Join(b, "media", "media", "01JDQ8Z7C1V9X3M4N5P6R7S8T9", "desk.png")); err != nil {
		t.Fatal(err)
	}
}

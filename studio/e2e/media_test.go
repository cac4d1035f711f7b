package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"pause"
	"pause/internal/browsertest"
)

// testPNG writes a PNG of the size, named name, into a temporary folder, and returns its path
// and bytes.
func testPNG(t *testing.T, name string, w, h int) (string, []byte) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{R: uint8(x * 7), G: uint8(y * 11), B: 160, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, buf.Bytes()
}

// upload chooses the file in the file input named "Upload image" (a button, to the
// accessibility tree). Chromium's queryAXTree does not find file inputs, so this one looks
// through the full tree, by role and name as ByRole does.
func (p *page) upload(file string) {
	p.t.Helper()
	p.do("choose the file", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			res, err := cdp.Call(ctx, t, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
			if err != nil {
				return err
			}
			for _, n := range res.Nodes {
				if n.Ignored || n.Role == nil || n.Name == nil || string(n.Role.Value) != `"button"` || string(n.Name.Value) != `"Upload image"` {
					continue
				}
				_, err := cdp.Call(ctx, t, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: []string{file}, BackendNodeID: n.BackendDOMNodeID})
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}))
}

// watchProgress records, in the page, the largest value the "Upload progress" bar shows.
func (p *page) watchProgress() {
	p.t.Helper()
	p.do("watch the progress bar", chromedp.Evaluate[chromedp.Void](`(() => {
		window.__progress = -1;
		const look = () => document.querySelectorAll('progress[aria-label="Upload progress"]').forEach((el) => {
			window.__progress = Math.max(window.__progress, Number(el.value));
		});
		new MutationObserver(look).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ["value"]});
	})()`))
}

// TestCoverImageUpload: an editor uploads a PNG as an article's cover image from the image
// field ("Upload new"), with its alternative text (after the studio warns that the file's name
// is no description), sees the upload's progress bar, saves and publishes; the public's
// GraphQL then gives the cover image's URL, alt, width and height, and the URL serves the same
// bytes as image/png. The media library page lists the image (searchable), the picker of
// another article chooses it, and an admin's deletion is refused naming the article. No
// console errors; axe finds nothing serious on the media page.
func TestCoverImageUpload(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	r.enrol("admin@example.com", pause.RoleAdmin)
	id := r.create(`mutation($t: String!) { createArticle(input: {title: $t, author: {name: "Ada"}}) { id } }`, map[string]any{"t": "Morning at the harbour"})
	other := r.create(`mutation($t: String!) { createArticle(input: {title: $t, author: {name: "Ada"}}) { id } }`, map[string]any{"t": "Evening at the harbour"})
	file, want := testPNG(t, "harbour-at-dawn.png", 37, 23)
	const alt = "Fishing boats moored in a harbour at dawn"

	browser := browsertest.Browser(t)
	p := r.open(browser)
	p.signIn("ed@example.com")
	p.do("open the article", chromedp.Navigate(r.url+"/studio/articles/"+id))
	p.see("heading", "Morning at the harbour")
	cover := browsertest.Within("group", "Cover image")
	p.click("button", "Upload new", cover)
	p.upload(file)
	// The alt text is the file's name: the studio warns, without blocking.
	p.fill("textbox", "Alternative text", "harbour-at-dawn")
	if body := p.body(); !strings.Contains(body, "This alternative text is the file's name") {
		t.Errorf("no warning for an alt text that is the file's name:\n%s", body)
	}
	p.fill("textbox", "Alternative text", alt)
	if body := p.body(); strings.Contains(body, "This alternative text is the file's name") {
		t.Errorf("the warning stays for a real alt text")
	}
	p.watchProgress()
	p.click("button", "Upload", cover)
	p.status("Uploaded harbour-at-dawn.png (37 × 23 px).")
	if got, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](`window.__progress`)); err != nil || got != 1 {
		t.Errorf("the progress bar went up to %v (%v), want 1", got, err)
	}
	url := p.value("textbox", "Cover image URL")
	if !strings.HasPrefix(url, r.url+"/media/") || !strings.HasSuffix(url, "/harbour-at-dawn.png") {
		t.Fatalf("the cover image URL is %q", url)
	}
	if got := p.value("textbox", "Cover image alternative text"); got != alt {
		t.Errorf("the cover image's alt text is %q", got)
	}
	p.click("button", "Save")
	p.status("Saved version")
	p.click("button", "Publish")
	p.status("Published.")

	// What the public gets.
	a, _ := r.graphql(`query($id: ID!) { article(id: $id) { coverImage { url alt width height } } }`, map[string]any{"id": id})["article"].(map[string]any)
	if a == nil {
		t.Fatal("the article is not public")
	}
	img := a["coverImage"].(map[string]any)
	if img["url"] != url || img["alt"] != alt || img["width"] != float64(37) || img["height"] != float64(23) {
		t.Fatalf("coverImage: %v", img)
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, want) {
		t.Fatalf("GET %s: %d %s, %d bytes (want the %d uploaded)", url, res.StatusCode, res.Header.Get("Content-Type"), len(got), len(want))
	}

	// The library lists it; the search finds it by name, or not.
	p.click("link", "Media", browsertest.Within("navigation", "Content"))
	p.see("heading", "Media")
	p.see("link", "harbour-at-dawn.png")
	p.see("cell", alt)
	if body := p.body(); !strings.Contains(body, "37 × 23 px") || !strings.Contains(body, fmt.Sprintf("%d bytes", len(want))) {
		t.Errorf("the library does not show the size in pixels and bytes:\n%s", body)
	}
	p.accessible("the media page")
	p.fill("searchbox", "Search by file name", "lighthouse")
	p.see("cell", "No image has this name.")
	p.fill("searchbox", "Search by file name", "harbour")
	p.see("link", "harbour-at-dawn.png")
	p.click("button", "Edit alt text of harbour-at-dawn.png")
	p.fill("textbox", "Alternative text of harbour-at-dawn.png", "Boats in a harbour at dawn")
	p.click("button", "Save alt text")
	p.status("Saved the alt text of harbour-at-dawn.png.")
	p.see("cell", "Boats in a harbour at dawn")
	p.accessible("the media page after an edit")
	p.screenshot("media")

	// Another article chooses it from the library.
	p.do("open the other article", chromedp.Navigate(r.url+"/studio/articles/"+other))
	p.see("heading", "Evening at the harbour")
	p.click("button", "Choose from library", cover)
	p.see("dialog", "Choose an image")
	p.accessible("the picker")
	p.click("button", "Choose harbour-at-dawn.png", browsertest.Within("dialog", "Choose an image"))
	p.absent("dialog", "Choose an image")
	if got := p.value("textbox", "Cover image URL"); got != url {
		t.Errorf("the picked image's URL is %q, want %q", got, url)
	}
	if got := p.value("textbox", "Cover image alternative text"); got != "Boats in a harbour at dawn" {
		t.Errorf("the picked image's alt text is %q", got)
	}
	p.click("button", "Save")
	p.status("Saved version")
	d := r.admin(`query($id: ID!) { article(id: $id) { coverImage { url alt width height } } }`, map[string]any{"id": other})
	if img := d["article"].(map[string]any)["coverImage"].(map[string]any); img["url"] != url || img["width"] != float64(37) || img["height"] != float64(23) {
		t.Errorf("the other article's cover image: %v", img)
	}
	p.noProblems()

	// An admin cannot delete it while the article shows it: the error names the article.
	a2 := r.open(browser)
	a2.signIn("admin@example.com")
	a2.click("link", "Media", browsertest.Within("navigation", "Content"))
	a2.click("button", "Delete harbour-at-dawn.png")
	a2.see("alert", "")
	if msg := a2.text("alert", ""); !strings.Contains(msg, `"Morning at the harbour"`) {
		t.Errorf("deleting a used image says %q", msg)
	}
	a2.see("link", "harbour-at-dawn.png")
	a2.noProblems()
}

// TestUploadRefusals: on the media page, the API's refusals read clearly: an SVG (refused by
// createUpload), a file over 10 MiB (refused before any byte is sent), and a PNG renamed .jpg
// (sent as image/jpeg: the upload endpoint reads its first bytes and refuses it). Nothing is
// added to the library; alt text is asked before anything is sent.
func TestUploadRefusals(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	dir := t.TempDir()
	svg := filepath.Join(dir, "logo.svg")
	if err := os.WriteFile(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "huge.png")
	if err := os.WriteFile(big, make([]byte, 11<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	_, pngBytes := testPNG(t, "x.png", 8, 8)
	renamed := filepath.Join(dir, "photo.jpg")
	if err := os.WriteFile(renamed, pngBytes, 0o644); err != nil {
		t.Fatal(err)
	}

	p := r.open(browsertest.Browser(t))
	p.signIn("ed@example.com")
	p.click("link", "Media", browsertest.Within("navigation", "Content"))
	p.see("heading", "Media")
	p.see("cell", "No images yet.")
	p.accessible("the empty media page")

	p.upload(renamed)
	p.click("button", "Upload")
	p.status("Alternative text is required")
	for _, c := range []struct{ file, want string }{
		{svg, "SVG images are refused"},
		{big, "The file is 11 MiB: the largest allowed is 10 MiB."},
		{renamed, "The file is of type image/png, not image/jpeg as its ticket says."},
	} {
		p.upload(c.file)
		p.fill("textbox", "Alternative text", "A picture")
		p.click("button", "Upload")
		p.status(c.want)
	}
	p.accessible("the media page with an error")
	if got := r.admin(`{ mediaItems { nodes { id } } }`, nil)["mediaItems"].(map[string]any)["nodes"].([]any); len(got) != 0 {
		t.Errorf("refused uploads left %d items", len(got))
	}
	for _, msg := range p.console.Problems() {
		// The refused posts are failed loads to Chromium (400 from /media/upload): expected.
		if strings.Contains(msg, "status of 400") && strings.HasSuffix(msg, "/media/upload") {
			continue
		}
		if strings.Contains(msg, "status of 401") && strings.HasSuffix(msg, "/auth/token") {
			continue
		}
		t.Errorf("browser console: %s", msg)
	}
}

// uploadAs adds a PNG to the library through the API as the admin key: createUpload, the
// multipart POST to the ticket's URL, completeUpload.
func (r *rig) uploadAs(name string, b []byte, alt string) {
	r.t.Helper()
	d := r.admin(`mutation($f: String!, $n: Int!) { createUpload(filename: $f, contentType: "image/png", size: $n) { url key fields { name value } } }`,
		map[string]any{"f": name, "n": len(b)})["createUpload"].(map[string]any)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range d["fields"].([]any) {
		f := f.(map[string]any)
		_ = w.WriteField(f["name"].(string), f["value"].(string))
	}
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(b)
	_ = w.Close()
	res, err := http.Post(d["url"].(string), w.FormDataContentType(), &body)
	if err != nil {
		r.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		r.t.Fatalf("upload %s: %d", name, res.StatusCode)
	}
	r.admin(`mutation($k: String!, $a: String) { completeUpload(key: $k, alt: $a) { id } }`, map[string]any{"k": d["key"], "a": alt})
}

// TestMediaPaging: the library shows its newest 24 images, and "Load more" the rest.
func TestMediaPaging(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	_, b := testPNG(t, "x.png", 4, 4)
	for i := 1; i <= 26; i++ {
		r.uploadAs(fmt.Sprintf("photo-%02d.png", i), b, fmt.Sprintf("Photo number %d", i))
		r.clock.Advance(time.Second) // newest first, by creation time
	}
	p := r.open(browsertest.Browser(t))
	p.signIn("ed@example.com")
	p.click("link", "Media", browsertest.Within("navigation", "Content"))
	p.see("link", "photo-26.png")
	p.see("link", "photo-03.png")
	if body := p.body(); strings.Contains(body, "photo-02.png") {
		t.Fatal("the first page shows more than 24 images")
	}
	p.click("button", "Load more")
	p.see("link", "photo-01.png")
	p.absent("button", "Load more")
	p.noProblems()
}

package storetest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"pause"
	"pause/ids"
	"pause/markdown"
)

// mediaCases are the cases of the media library: its store, through the CMS, with the files
// kept by MemBlobs (the real backends have a suite of their own, in package media).
func mediaCases() []testCase {
	return []testCase{
		{"Upload", testMediaUpload},
		{"UploadRefused", testMediaUploadRefused},
		{"List", testMediaList},
		{"Update", testMediaUpdate},
		{"Delete", testMediaDelete},
		{"Permissions", testMediaPermissions},
		{"ImageFields", testMediaImageFields},
		{"Import", testMediaImport},
	}
}

// MemBlobs is a pause.Blobs in memory: a browser's upload is Put.
type MemBlobs struct {
	mu    sync.Mutex
	files map[string][]byte
}

// NewMemBlobs returns an empty MemBlobs.
func NewMemBlobs() *MemBlobs { return &MemBlobs{files: map[string][]byte{}} }

// Put stores the file at the key, as a browser's post with a ticket does.
func (b *MemBlobs) Put(key string, data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.files[key] = bytes.Clone(data)
}

// Has reports whether a file is kept at the key.
func (b *MemBlobs) Has(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.files[key]
	return ok
}

// UploadForm returns a form that names the upload's key and type.
func (b *MemBlobs) UploadForm(_ context.Context, u pause.Upload) (string, []pause.FormField, error) {
	return "mem://upload", []pause.FormField{{Name: "key", Value: u.Key}, {Name: "Content-Type", Value: u.ContentType}}, nil
}

// Peek returns the file's size and first n bytes.
func (b *MemBlobs) Peek(_ context.Context, key string, n int) (int64, []byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.files[key]
	if !ok {
		return 0, nil, pause.Errorf(pause.ENOTFOUND, "no file %s", key)
	}
	return int64(len(data)), bytes.Clone(data[:min(n, len(data))]), nil
}

// Move renames the file.
func (b *MemBlobs) Move(_ context.Context, from, to, _ string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.files[from]
	if !ok {
		return pause.Errorf(pause.ENOTFOUND, "no file %s", from)
	}
	b.files[to] = data
	delete(b.files, from)
	return nil
}

// Write stores the size bytes of r at the key.
func (b *MemBlobs) Write(_ context.Context, key, _ string, r io.Reader, size int64) error {
	data, err := io.ReadAll(io.LimitReader(r, size+1))
	if err != nil {
		return err
	}
	if int64(len(data)) != size {
		return fmt.Errorf("storetest: %d bytes, not %d", len(data), size)
	}
	b.Put(key, data)
	return nil
}

// Delete removes the file.
func (b *MemBlobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.files, key)
	return nil
}

// URL is the key under https://media.example.
func (b *MemBlobs) URL(key string) string { return "https://media.example/" + key }

// PNG returns a PNG image of w by h pixels.
func PNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// mediaEnv is the env's stores under a CMS that keeps files in MemBlobs.
type mediaEnv struct {
	*env
	cms   *pause.CMS
	blobs *MemBlobs
}

func newMediaEnv(e *env) *mediaEnv {
	blobs := NewMemBlobs()
	cms := pause.NewCMS(pause.Config{Stores: e.stores, Markdown: markdown.New(), NewID: ids.New, Now: e.clock.Now,
		Blobs: blobs, MediaMaxBytes: 1 << 20})
	return &mediaEnv{env: e, cms: cms, blobs: blobs}
}

// upload makes a ticket, puts the data at its key, and completes it.
func (m *mediaEnv) upload(filename, contentType string, data []byte, alt string) (*pause.Media, error) {
	m.Helper()
	t, err := m.cms.CreateUpload(m.editor, filename, contentType, int64(len(data)))
	if err != nil {
		return nil, err
	}
	m.blobs.Put(t.Key, data)
	return m.cms.CompleteUpload(m.editor, t.Key, alt, alt == "")
}

// testMediaUpload: a PNG uploads, gets its size in pixels from its header, moves from pending/
// to media/, and is stored as it was made, with an audit entry; completing again returns it.
func testMediaUpload(e *env) {
	m := newMediaEnv(e)
	data := PNG(40, 30)
	t, err := m.cms.CreateUpload(m.editor, "Team Photo.PNG", "image/png", int64(len(data)))
	m.must(err, "create upload")
	if !strings.HasPrefix(t.Key, "pending/") || !strings.HasSuffix(t.Key, "/team-photo.png") || !pause.IsUploadKey(t.Key) {
		m.Fatalf("ticket key %q", t.Key)
	}
	m.wantTime(t.ExpiresAt, m.clock.Now().Add(pause.UploadTTL), "ticket expiry")
	m.blobs.Put(t.Key, data)
	m.clock.Advance(time.Minute)
	got, err := m.cms.CompleteUpload(m.editor, t.Key, " Four people at a table ", false)
	m.must(err, "complete upload")
	id := strings.Split(t.Key, "/")[1]
	want := &pause.Media{ID: id, Key: "media/" + id + "/team-photo.png", URL: "https://media.example/media/" + id + "/team-photo.png",
		Filename: "team-photo.png", ContentType: "image/png", Bytes: len(data), Width: 40, Height: 30,
		Alt: "Four people at a table", CreatedAt: m.clock.Now(), CreatedBy: "alice", UpdatedAt: m.clock.Now(),
		UpdatedBy: "alice", Version: 1}
	wantMedia(e, got, want, "completed")
	if m.blobs.Has(t.Key) || !m.blobs.Has(want.Key) {
		m.Fatalf("the file was not moved from %s to %s", t.Key, want.Key)
	}
	stored, err := m.cms.Media(m.viewer, id)
	m.must(err, "read it back")
	wantMedia(e, stored, want, "read back")
	again, err := m.cms.CompleteUpload(m.editor, t.Key, "Other text", false)
	m.must(err, "complete again")
	wantMedia(e, again, want, "completed again")
	if got := m.auditActions(pause.MediaType); !slices.Equal(got, []string{"create"}) {
		m.Fatalf("audit log of media: %v", got)
	}
	_, err = m.cms.Media(m.viewer, "01JNOSUCHIMAGE0000000000000")
	m.wantCode(err, pause.ENOTFOUND, "", "an unknown id")
}

func wantMedia(e *env, got, want *pause.Media, what string) {
	e.Helper()
	g, w := *got, *want
	e.wantTime(g.CreatedAt, w.CreatedAt, what+": createdAt")
	e.wantTime(g.UpdatedAt, w.UpdatedAt, what+": updatedAt")
	g.CreatedAt, g.UpdatedAt, w.CreatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if g != w {
		e.Fatalf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

// testMediaUploadRefused: what the library does not take is refused with the field at fault,
// before the upload (type, size, name) or at completion (what arrived), and nothing is kept.
func testMediaUploadRefused(e *env) {
	m := newMediaEnv(e)
	for _, c := range []struct {
		name, filename, contentType string
		size                        int64
		field, says                 string
	}{
		{"SVG type", "logo.png", "image/svg+xml", 100, "contentType", "SVG"},
		{"SVG name", "logo.svg", "image/png", 100, "filename", "SVG"},
		{"PDF", "doc.pdf", "application/pdf", 100, "contentType", "application/pdf"},
		{"too large", "big.png", "image/png", 1<<20 + 1, "size", "largest allowed is 1 MiB"},
		{"empty", "nothing.png", "image/png", 0, "size", "empty"},
		{"no name", " ", "image/png", 10, "filename", "filename"},
	} {
		_, err := m.cms.CreateUpload(m.editor, c.filename, c.contentType, c.size)
		m.wantCode(err, pause.EINVALID, c.field, c.name)
		if !strings.Contains(err.Error(), c.says) {
			m.Errorf("%s: %v does not say %q", c.name, err, c.says)
		}
	}
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	for _, c := range []struct {
		name, contentType string
		data              []byte
		says              string
	}{
		{"PNG announced as JPEG", "image/jpeg", PNG(4, 4), "PNG image, not image/jpeg"},
		{"SVG announced as PNG", "image/png", svg, "SVG"},
		{"text announced as GIF", "image/gif", []byte("GIF? no, just text"), "not a JPEG, PNG"},
		{"truncated PNG", "image/png", PNG(4, 4)[:20], "damaged"},
	} {
		t, err := m.cms.CreateUpload(m.editor, "file.jpg", c.contentType, int64(len(c.data)))
		m.must(err, c.name+": ticket")
		m.blobs.Put(t.Key, c.data)
		_, err = m.cms.CompleteUpload(m.editor, t.Key, "Alt", false)
		m.wantCode(err, pause.EINVALID, "key", c.name)
		if !strings.Contains(err.Error(), c.says) {
			m.Errorf("%s: %v does not say %q", c.name, err, c.says)
		}
		if m.blobs.Has(t.Key) {
			m.Errorf("%s: the refused file is still kept", c.name)
		}
		_, err = m.cms.CompleteUpload(m.editor, t.Key, "Alt", false)
		m.wantCode(err, pause.ENOTFOUND, "key", c.name+", completed again")
	}
	// A file larger than the ticket allowed (a storage that did not enforce the policy).
	t, err := m.cms.CreateUpload(m.editor, "a.png", "image/png", 100)
	m.must(err, "ticket")
	m.blobs.Put(t.Key, append(PNG(2, 2), make([]byte, 1<<20)...))
	_, err = m.cms.CompleteUpload(m.editor, t.Key, "Alt", false)
	m.wantCode(err, pause.EINVALID, "key", "a file over the maximum")
	for _, key := range []string{"media/01J000000000000000000000/a.png", "pending/x/a.png", "../etc/passwd", "pending/01J0000000000000000000000A/a.svg"} {
		_, err = m.cms.CompleteUpload(m.editor, key, "Alt", false)
		m.wantCode(err, pause.EINVALID, "key", "key "+key)
	}
	t, err = m.cms.CreateUpload(m.editor, "a.png", "image/png", 100)
	m.must(err, "ticket")
	m.blobs.Put(t.Key, PNG(2, 2))
	_, err = m.cms.CompleteUpload(m.editor, t.Key, "", false)
	m.wantCode(err, pause.EINVALID, "alt", "no alternative text")
	_, err = m.cms.CompleteUpload(m.editor, t.Key, "Dots", true)
	m.wantCode(err, pause.EINVALID, "alt", "decorative with a text")
	_, err = m.cms.CompleteUpload(m.editor, t.Key, strings.Repeat("a", pause.MaxAlt+1), false)
	m.wantCode(err, pause.EINVALID, "alt", "a long text")
	p, err := m.cms.MediaItems(m.viewer, pause.Query[pause.MediaFilter]{First: 10})
	m.must(err, "list")
	if len(p.Items) != 0 {
		m.Fatalf("refused uploads made %d items", len(p.Items))
	}
	noBlobs := pause.NewCMS(pause.Config{Stores: e.stores, Markdown: markdown.New(), NewID: ids.New, Now: e.clock.Now})
	_, err = noBlobs.CreateUpload(m.editor, "a.png", "image/png", 100)
	m.wantCode(err, pause.EUNAVAILABLE, "", "a CMS without storage")
}

// testMediaList: the library lists newest first, in pages with cursors, searched by filename
// ignoring case; foreign cursors are refused.
func testMediaList(e *env) {
	m := newMediaEnv(e)
	names := []string{"Cat on a mat.png", "dog.png", "CATALOGUE.png", "bird.png", "wildcat.png"}
	var made []*pause.Media
	for _, n := range names {
		x, err := m.upload(n, "image/png", PNG(2, 2), "Picture of "+n)
		m.must(err, "upload "+n)
		made = append(made, x)
		m.clock.Advance(time.Millisecond)
	}
	all := func(f pause.MediaFilter, first int) []string {
		m.Helper()
		var out []string
		q := pause.Query[pause.MediaFilter]{Filter: f, First: first}
		for i := 0; ; i++ {
			if i > 10 {
				m.Fatalf("more than 10 pages")
			}
			p, err := m.cms.MediaItems(m.viewer, q)
			m.must(err, "list media")
			if len(p.Items) != len(p.Cursors) || len(p.Items) > first {
				m.Fatalf("page of %d items, %d cursors, first %d", len(p.Items), len(p.Cursors), first)
			}
			for _, x := range p.Items {
				if x.URL == "" {
					m.Fatalf("listed item %s has no URL", x.ID)
				}
				out = append(out, x.Filename)
			}
			if !p.HasNextPage {
				return out
			}
			q.After = p.EndCursor()
		}
	}
	want := []string{"wildcat.png", "bird.png", "catalogue.png", "dog.png", "cat-on-a-mat.png"}
	for _, first := range []int{1, 2, 5, 100} {
		if got := all(pause.MediaFilter{}, first); !slices.Equal(got, want) {
			m.Fatalf("first %d: %v, want %v", first, got, want)
		}
	}
	if got := all(pause.MediaFilter{Search: " CAT "}, 2); !slices.Equal(got, []string{"wildcat.png", "catalogue.png", "cat-on-a-mat.png"}) {
		m.Fatalf("search cat: %v", got)
	}
	if got := all(pause.MediaFilter{Search: "zebra"}, 2); len(got) != 0 {
		m.Fatalf("search zebra: %v", got)
	}
	p, err := m.cms.MediaItems(m.viewer, pause.Query[pause.MediaFilter]{First: 0})
	m.must(err, "first 0")
	if len(p.Items) != 0 || !p.HasNextPage {
		m.Fatalf("first 0: %d items, hasNextPage %v", len(p.Items), p.HasNextPage)
	}
	for _, bad := range []string{"nonsense", pause.EncodeCursor(pause.OrderAudit, made[0].ID)} {
		_, err := m.cms.MediaItems(m.viewer, pause.Query[pause.MediaFilter]{First: 2, After: bad})
		m.wantCode(err, pause.EINVALID, "after", "cursor "+bad)
	}
	_, err = m.cms.MediaItems(m.viewer, pause.Query[pause.MediaFilter]{First: pause.MaxFirst + 1})
	m.wantCode(err, pause.EINVALID, "first", "first over the maximum")
	_, err = m.cms.MediaItems(m.viewer, pause.Query[pause.MediaFilter]{First: 1, Filter: pause.MediaFilter{Search: strings.Repeat("x", pause.MaxSearch+1)}})
	m.wantCode(err, pause.EINVALID, "search", "a long search")
}

// testMediaUpdate: the alternative text changes at the version seen, with an audit entry; a
// stale version, a missing text and a decorative image with a text are refused.
func testMediaUpdate(e *env) {
	m := newMediaEnv(e)
	x, err := m.upload("chart.png", "image/png", PNG(3, 3), "A chart")
	m.must(err, "upload")
	at := m.clock.Advance(time.Minute)
	bob := withSubject(m.editor, "bob")
	y, err := m.cms.UpdateMedia(bob, x.ID, 1, pause.MediaInput{Alt: ptr(" Sales by month, rising ")})
	m.must(err, "update")
	want := *x
	want.Alt, want.Version, want.UpdatedAt, want.UpdatedBy = "Sales by month, rising", 2, at, "bob"
	wantMedia(e, y, &want, "updated")
	stored, err := m.cms.Media(m.viewer, x.ID)
	m.must(err, "read back")
	wantMedia(e, stored, &want, "read back")
	_, err = m.cms.UpdateMedia(m.editor, x.ID, 1, pause.MediaInput{Alt: ptr("Stale")})
	m.wantCode(err, pause.ECONFLICT, "", "a stale version")
	err = m.stores.Media.UpdateMedia(context.Background(), &want, pause.MediaEntry(&want, "update", "x", at))
	m.wantCode(err, pause.ECONFLICT, "", "the store, at the stored version")
	_, err = m.cms.UpdateMedia(m.editor, x.ID, 2, pause.MediaInput{Alt: ptr(" ")})
	m.wantCode(err, pause.EINVALID, "alt", "an empty text")
	_, err = m.cms.UpdateMedia(m.editor, x.ID, 2, pause.MediaInput{Decorative: ptr(true)})
	m.wantCode(err, pause.EINVALID, "alt", "decorative with a text")
	z, err := m.cms.UpdateMedia(m.editor, x.ID, 2, pause.MediaInput{Alt: ptr(""), Decorative: ptr(true)})
	m.must(err, "make it decorative")
	if z.Version != 3 || !z.Decorative || z.Alt != "" {
		m.Fatalf("decorative: %+v", z)
	}
	same, err := m.cms.UpdateMedia(m.editor, x.ID, 3, pause.MediaInput{Decorative: ptr(true)})
	m.must(err, "no change")
	if same.Version != 3 {
		m.Fatalf("a change of nothing made version %d", same.Version)
	}
	_, err = m.cms.UpdateMedia(m.editor, "01JNOSUCHIMAGE0000000000000", 1, pause.MediaInput{Alt: ptr("x")})
	m.wantCode(err, pause.ENOTFOUND, "", "an unknown id")
	if got := m.auditActions(pause.MediaType); !slices.Equal(got, []string{"update", "update", "create"}) {
		m.Fatalf("audit log of media: %v", got)
	}
}

// testMediaDelete: an image that an article or a tool shows (or their working drafts) cannot
// be deleted, and the error names them; once unused, it is deleted with its file, and the
// audit log keeps the deletion.
func testMediaDelete(e *env) {
	m := newMediaEnv(e)
	x, err := m.upload("cover.png", "image/png", PNG(3, 3), "A cover")
	m.must(err, "upload")
	in := articleInput("Illustrated")
	in.CoverImage = &pause.Image{URL: x.URL, Alt: "A cover"}
	a, err := m.cms.Articles.Create(m.editor, in)
	m.must(err, "create article")
	a, err = m.cms.Articles.Publish(m.editor, a.ID, a.Version)
	m.must(err, "publish")
	ti := toolInput("Logoed", "Chat", pause.PricingFree)
	ti.LogoURL = ptr("https://cdn.example/" + x.Key) // the same file at another address
	tool, err := m.cms.Tools.Create(m.editor, ti)
	m.must(err, "create tool")
	err = m.cms.DeleteMedia(m.admin, x.ID, x.Version)
	m.wantCode(err, pause.ECONFLICT, "", "delete a used image")
	if !strings.Contains(err.Error(), `article "Illustrated"`) || !strings.Contains(err.Error(), `tool "Logoed"`) {
		m.Fatalf("the error does not name the users: %v", err)
	}
	// Out of the published article, but still in its working draft.
	a, err = m.cms.Articles.Update(m.editor, a.ID, a.Version, pause.ArticleInput{CoverImage: &pause.Image{}})
	m.must(err, "remove the cover in a draft")
	m.must(m.cms.Tools.Delete(m.admin, tool.ID, tool.Version), "delete the tool")
	err = m.cms.DeleteMedia(m.admin, x.ID, x.Version)
	m.wantCode(err, pause.ECONFLICT, "", "delete an image the published article shows")
	a, err = m.cms.Articles.Publish(m.editor, a.ID, a.Version)
	m.must(err, "publish without the cover")
	a, err = m.cms.Articles.Update(m.editor, a.ID, a.Version, pause.ArticleInput{CoverImage: &pause.Image{URL: x.URL, Alt: "Back"}})
	m.must(err, "put it back in a draft")
	err = m.cms.DeleteMedia(m.admin, x.ID, x.Version)
	m.wantCode(err, pause.ECONFLICT, "", "delete an image a working draft shows")
	_, err = m.cms.Articles.DiscardDraft(m.editor, a.ID, a.Version)
	m.must(err, "discard the draft")
	err = m.cms.DeleteMedia(m.admin, x.ID, x.Version+1)
	m.wantCode(err, pause.ECONFLICT, "", "delete at another version")
	m.must(m.cms.DeleteMedia(m.admin, x.ID, x.Version), "delete the unused image")
	if m.blobs.Has(x.Key) {
		m.Fatalf("the file %s is still kept", x.Key)
	}
	_, err = m.cms.Media(m.viewer, x.ID)
	m.wantCode(err, pause.ENOTFOUND, "", "read a deleted image")
	err = m.cms.DeleteMedia(m.admin, x.ID, x.Version)
	m.wantCode(err, pause.ENOTFOUND, "", "delete it again")
	err = m.stores.Media.DeleteMedia(context.Background(), x.ID, 1, pause.MediaEntry(x, "delete", "x", m.clock.Now()))
	m.wantCode(err, pause.ENOTFOUND, "", "the store, a deleted item")
	if got := m.auditActions(pause.MediaType); !slices.Equal(got, []string{"delete", "create"}) {
		m.Fatalf("audit log of media: %v", got)
	}
}

// testMediaPermissions: viewers read the library, editors upload and edit, admins delete.
func testMediaPermissions(e *env) {
	m := newMediaEnv(e)
	x, err := m.upload("a.png", "image/png", PNG(2, 2), "A")
	m.must(err, "upload")
	for _, c := range []struct {
		who  string
		ctx  context.Context
		code string
		call func(context.Context) error
	}{
		{"anonymous reads", m.anon, pause.EUNAUTHENTICATED, func(ctx context.Context) error { _, err := m.cms.Media(ctx, x.ID); return err }},
		{"anonymous lists", m.anon, pause.EUNAUTHENTICATED, func(ctx context.Context) error {
			_, err := m.cms.MediaItems(ctx, pause.Query[pause.MediaFilter]{First: 1})
			return err
		}},
		{"viewer uploads", m.viewer, pause.EFORBIDDEN, func(ctx context.Context) error {
			_, err := m.cms.CreateUpload(ctx, "a.png", "image/png", 10)
			return err
		}},
		{"viewer completes", m.viewer, pause.EFORBIDDEN, func(ctx context.Context) error {
			_, err := m.cms.CompleteUpload(ctx, "pending/01J00000000000000000000000/a.png", "A", false)
			return err
		}},
		{"viewer edits", m.viewer, pause.EFORBIDDEN, func(ctx context.Context) error {
			_, err := m.cms.UpdateMedia(ctx, x.ID, 1, pause.MediaInput{Alt: ptr("B")})
			return err
		}},
		{"editor deletes", m.editor, pause.EFORBIDDEN, func(ctx context.Context) error { return m.cms.DeleteMedia(ctx, x.ID, 1) }},
	} {
		err := c.call(c.ctx)
		if pause.ErrorCode(err) != c.code {
			m.Errorf("%s: %v, want %s", c.who, err, c.code)
		}
	}
	if _, err := m.cms.Media(m.viewer, x.ID); err != nil {
		m.Fatalf("viewer reads: %v", err)
	}
}

// testMediaImageFields: a cover image names a media image and gets its URL, size and (unless
// given) alternative text, kept through a round trip; an unknown media id, a missing alt and a
// decorative image with a text are refused; an external URL stays allowed, with no size.
func testMediaImageFields(e *env) {
	m := newMediaEnv(e)
	x, err := m.upload("cover.png", "image/png", PNG(64, 48), "A desk by a window")
	m.must(err, "upload")
	in := articleInput("With a cover")
	in.CoverImage = &pause.Image{MediaID: x.ID}
	a, err := m.cms.Articles.Create(m.editor, in)
	m.must(err, "create with a media cover")
	want := pause.Image{URL: x.URL, Alt: "A desk by a window", MediaID: x.ID, Width: 64, Height: 48}
	if a.CoverImage == nil || *a.CoverImage != want {
		m.Fatalf("cover %+v, want %+v", a.CoverImage, want)
	}
	got, err := m.cms.Articles.Get(m.viewer, a.ID)
	m.must(err, "read back")
	if got.CoverImage == nil || *got.CoverImage != want {
		m.Fatalf("read back %+v, want %+v", got.CoverImage, want)
	}
	a, err = m.cms.Articles.Update(m.editor, a.ID, a.Version, pause.ArticleInput{CoverImage: &pause.Image{MediaID: x.ID, Alt: "Own words"}})
	m.must(err, "update with its own alt")
	if a.CoverImage.Alt != "Own words" || a.CoverImage.Width != 64 {
		m.Fatalf("cover %+v", a.CoverImage)
	}
	a, err = m.cms.Articles.Update(m.editor, a.ID, a.Version, pause.ArticleInput{CoverImage: &pause.Image{URL: "https://cdn.example/x.jpg", Decorative: true}})
	m.must(err, "an external decorative image")
	if *a.CoverImage != (pause.Image{URL: "https://cdn.example/x.jpg", Decorative: true}) {
		m.Fatalf("cover %+v", a.CoverImage)
	}
	for _, c := range []struct {
		img   pause.Image
		field string
	}{
		{pause.Image{MediaID: "01JNOSUCHIMAGE0000000000000"}, "coverImage.mediaId"},
		{pause.Image{URL: "https://cdn.example/x.jpg"}, "coverImage.alt"},
		{pause.Image{URL: "https://cdn.example/x.jpg", Alt: "Text", Decorative: true}, "coverImage.alt"},
	} {
		_, err := m.cms.Articles.Update(m.editor, a.ID, a.Version, pause.ArticleInput{CoverImage: &c.img})
		m.wantCode(err, pause.EINVALID, c.field, fmt.Sprintf("cover %+v", c.img))
	}
}

// testMediaImport: an exported image is stored under its id with what its file says (type,
// bytes, size in pixels) and what its sidecar says (alt, who and when); importing it again
// changes nothing, a new alt updates it, another file under its id is refused; every change
// is in the audit log.
func testMediaImport(e *env) {
	m := newMediaEnv(e)
	data := PNG(40, 30)
	created := m.clock.Now().Add(-48 * time.Hour)
	in := pause.MediaImport{ID: "01JDQ8Z7C1V9X3M4N5P6R7S8T9", Filename: "Team photo.png", Alt: "Four people",
		CreatedAt: created, CreatedBy: "bob"}
	got, isNew, changed, err := m.cms.ImportMedia(m.admin, in, data)
	m.must(err, "import")
	want := &pause.Media{ID: in.ID, Key: "media/" + in.ID + "/team-photo.png", URL: "https://media.example/media/" + in.ID + "/team-photo.png",
		Filename: "team-photo.png", ContentType: "image/png", Bytes: len(data), Width: 40, Height: 30,
		Alt: "Four people", CreatedAt: created, CreatedBy: "bob", UpdatedAt: created, UpdatedBy: "bob", Version: 1}
	if !isNew || !changed {
		m.Fatalf("import: created %v, changed %v", isNew, changed)
	}
	wantMedia(e, got, want, "imported")
	stored, err := m.cms.Media(m.viewer, in.ID)
	m.must(err, "read it back")
	wantMedia(e, stored, want, "read back")
	if !m.blobs.Has(want.Key) {
		m.Fatalf("no file at %s", want.Key)
	}
	got, isNew, changed, err = m.cms.ImportMedia(m.admin, in, data)
	m.must(err, "import again")
	if isNew || changed {
		m.Fatalf("import again: created %v, changed %v", isNew, changed)
	}
	wantMedia(e, got, want, "imported again")
	// A file the storage lost is written back; the item stays as it is.
	m.must(m.blobs.Delete(m.admin, want.Key), "lose the file")
	got, isNew, changed, err = m.cms.ImportMedia(m.admin, in, data)
	m.must(err, "import a lost file")
	if isNew || !changed || !m.blobs.Has(want.Key) {
		m.Fatalf("import a lost file: created %v, changed %v, file back %v", isNew, changed, m.blobs.Has(want.Key))
	}
	wantMedia(e, got, want, "imported a lost file")
	in.Alt = "Four people at a table"
	got, isNew, changed, err = m.cms.ImportMedia(m.admin, in, data)
	m.must(err, "import a new alt")
	if isNew || !changed || got.Alt != in.Alt || got.Version != 2 || got.UpdatedBy != "root" {
		m.Fatalf("import a new alt: created %v, changed %v, %+v", isNew, changed, got)
	}
	_, _, _, err = m.cms.ImportMedia(m.admin, in, PNG(40, 31))
	m.wantCode(err, pause.ECONFLICT, "", "another file under the id")
	_, _, _, err = m.cms.ImportMedia(m.admin, pause.MediaImport{ID: "not-a-ulid", Filename: "a.png", Alt: "A"}, data)
	m.wantCode(err, pause.EINVALID, "id", "a malformed id")
	_, _, _, err = m.cms.ImportMedia(m.editor, pause.MediaImport{ID: "01JDQ8Z7C1V9X3M4N5P6R7S8TA", Filename: "a.png", Alt: "A"}, data)
	m.wantCode(err, pause.EFORBIDDEN, "", "an editor's import")
	if got := m.auditActions(pause.MediaType); !slices.Equal(got, []string{"import", "import"}) {
		m.Fatalf("audit log of media: %v", got)
	}
}

package media_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"pause"
	"pause/bolt"
	"pause/ids"
	"pause/markdown"
	"pause/media"
	"pause/storetest"
)

// TestPostSignatureExample: the POST policy signature of AWS's "Example: Browser-Based Upload
// using HTTP POST (Using AWS Signature Version 4)" (sigv4-post-example), with its fixed
// credentials, date and region: the base64 policy as the page gives it (CRLF line ends) signs
// to the signature it states.
func TestPostSignatureExample(t *testing.T) {
	policy, err := os.ReadFile(filepath.Join("testdata", "sigv4-post-example.policy"))
	if err != nil {
		t.Fatal(err)
	}
	got := media.PostSignature("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20151229", "us-east-1", strings.TrimSpace(string(policy)))
	if want := "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

// backend is one of the two storages under test, with what differs between them.
type backend struct {
	blobs pause.Blobs
	// sniffs: the storage itself refuses a file whose bytes are not its ticket's type (Disk);
	// S3 keeps any bytes, and CompleteUpload refuses them.
	sniffs bool
	// stored returns the content type and cache control the public file is served with.
	stored func(t *testing.T, m *pause.Media) (contentType, cacheControl string, data []byte)
}

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func diskBackend(t *testing.T, c *clock) backend {
	d := &media.Disk{Dir: t.TempDir(), Key: media.DiskKey([]byte("a server secret of 32 bytes or more")),
		MaxBytes: pause.DefaultMediaMaxBytes, Now: c.Now}
	mux := http.NewServeMux()
	mux.Handle(media.UploadPath, d.UploadHandler())
	mux.Handle(media.FilePrefix, d.FileHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	d.Base = srv.URL
	return backend{blobs: d, sniffs: true, stored: func(t *testing.T, m *pause.Media) (string, string, []byte) {
		resp, err := http.Get(m.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("GET %s: %d, headers %v", m.URL, resp.StatusCode, resp.Header)
		}
		pending := strings.Replace(m.URL, "/media/", "/pending/", 1)
		if r, err := http.Get(pending); err != nil || r.StatusCode != 404 {
			t.Fatalf("GET %s: %v %v, want 404", pending, r.StatusCode, err)
		}
		return resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), data
	}}
}

func s3Backend(t *testing.T, c *clock) (backend, *fakeS3) {
	f := &fakeS3{t: t, bucket: "pause-media", region: "eu-west-1", id: "ASIAFAKEKEY", secret: "fake/secret+key",
		token: "session-token-of-the-role", now: c.Now, objects: map[string]object{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s := &media.S3{Bucket: f.bucket, Region: f.region, Endpoint: srv.URL, PublicURL: "https://d111.cloudfront.example",
		Credentials: credentials.NewStaticCredentialsProvider(f.id, f.secret, f.token), Now: c.Now}
	return backend{blobs: s, stored: func(t *testing.T, m *pause.Media) (string, string, []byte) {
		if _, ok := f.get("pending/" + strings.TrimPrefix(m.Key, "media/")); ok {
			t.Fatalf("the pending object of %s is still in the bucket", m.Key)
		}
		o, ok := f.get(m.Key)
		if !ok {
			t.Fatalf("no object %s in the bucket", m.Key)
		}
		return o.contentType, o.cacheControl, o.data
	}}, f
}

func TestDisk(t *testing.T) {
	testBackend(t, func(t *testing.T, c *clock) backend { return diskBackend(t, c) })
}

func TestS3(t *testing.T) {
	var fakes []*fakeS3
	testBackend(t, func(t *testing.T, c *clock) backend {
		b, f := s3Backend(t, c)
		fakes = append(fakes, f)
		return b
	})
	signed := 0
	for _, f := range fakes {
		signed += f.signedRequests
		if f.fails > 0 {
			t.Errorf("the fake S3 refused %d signed requests of the backend", f.fails)
		}
	}
	if signed == 0 {
		t.Fatal("no signed request reached the fake S3")
	}
}

// env is a CMS on a bolt store over the backend, with an editor.
type env struct {
	*testing.T
	cms    *pause.CMS
	b      backend
	clock  *clock
	editor context.Context
}

func newEnv(t *testing.T, mk func(*testing.T, *clock) backend) *env {
	c := &clock{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	b := mk(t, c)
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New, Now: c.Now, Blobs: b.blobs})
	editor := pause.NewContext(context.Background(), &pause.Viewer{Subject: "alice", Role: pause.RoleEditor})
	return &env{T: t, cms: cms, b: b, clock: c, editor: editor}
}

// post sends the ticket's form with the file as a browser does, and returns the status and
// body of the answer. change edits the fields before they are sent.
func (e *env) post(tk *pause.UploadTicket, filename string, data []byte, change func([]pause.FormField)) (int, string) {
	e.Helper()
	fields := append([]pause.FormField(nil), tk.Fields...)
	if change != nil {
		change(fields)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range fields {
		_ = mw.WriteField(f.Name, f.Value)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	resp, err := http.Post(tk.URL, mw.FormDataContentType(), &body)
	if err != nil {
		e.Fatalf("post the upload: %v", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func set(name, value string) func([]pause.FormField) {
	return func(fields []pause.FormField) {
		for i := range fields {
			if fields[i].Name == name {
				fields[i].Value = value
			}
		}
	}
}

// errorCode reads the code of an error answer: S3's XML, or Disk's JSON.
func errorCode(body string) string {
	var x struct {
		Code string `xml:"Code"`
	}
	if xml.Unmarshal([]byte(body), &x) == nil && x.Code != "" {
		return x.Code
	}
	if _, rest, ok := strings.Cut(body, `"code":"`); ok {
		code, _, _ := strings.Cut(rest, `"`)
		return code
	}
	return body
}

func (e *env) wantCode(err error, code, field, what string) {
	e.Helper()
	var pe *pause.Error
	if pause.ErrorCode(err) != code || (field != "" && (!errorsAs(err, &pe) || pe.Field != field)) {
		e.Fatalf("%s: %v, want %s (field %q)", what, err, code, field)
	}
}

func errorsAs(err error, pe **pause.Error) bool {
	e, ok := err.(*pause.Error)
	*pe = e
	return ok
}

func testBackend(t *testing.T, mk func(*testing.T, *clock) backend) {
	png := storetest.PNG(40, 30)

	t.Run("PNG", func(t *testing.T) {
		e := newEnv(t, mk)
		tk, err := e.cms.CreateUpload(e.editor, "Team photo.png", "image/png", int64(len(png)))
		if err != nil {
			t.Fatal(err)
		}
		if status, body := e.post(tk, "Team photo.png", png, nil); status != 201 {
			t.Fatalf("upload: %d %s", status, body)
		}
		m, err := e.cms.CompleteUpload(e.editor, tk.Key, "Four people around a table", false)
		if err != nil {
			t.Fatal(err)
		}
		if m.Width != 40 || m.Height != 30 || m.ContentType != "image/png" || m.Bytes != len(png) ||
			!strings.HasPrefix(m.Key, "media/") || !strings.HasSuffix(m.URL, "/"+m.Key) {
			t.Fatalf("media %+v", m)
		}
		ct, cc, data := e.b.stored(t, m)
		if ct != "image/png" || cc != "public, max-age=31536000, immutable" || !bytes.Equal(data, png) {
			t.Fatalf("stored as %q, %q, %d bytes", ct, cc, len(data))
		}
		if err := e.b.blobs.Delete(context.Background(), m.Key); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.b.blobs.Peek(context.Background(), m.Key, 10); pause.ErrorCode(err) != pause.ENOTFOUND {
			t.Fatalf("peek a deleted file: %v", err)
		}
	})

	t.Run("TooLarge", func(t *testing.T) {
		e := newEnv(t, mk)
		big := append(bytes.Clone(png), make([]byte, 11<<20)...)
		_, err := e.cms.CreateUpload(e.editor, "big.png", "image/png", int64(len(big)))
		e.wantCode(err, pause.EINVALID, "size", "a ticket for 11 MiB")
		if !strings.Contains(err.Error(), "largest allowed is 10 MiB") {
			t.Fatalf("unclear: %v", err)
		}
		// A ticket for a small file, and 11 MiB sent with it.
		tk, err := e.cms.CreateUpload(e.editor, "small.png", "image/png", int64(len(png)))
		if err != nil {
			t.Fatal(err)
		}
		if status, body := e.post(tk, "small.png", big, nil); status != 400 || errorCode(body) != "EntityTooLarge" {
			t.Fatalf("11 MiB with a ticket: %d %s", status, body)
		}
		_, err = e.cms.CompleteUpload(e.editor, tk.Key, "Alt", false)
		e.wantCode(err, pause.ENOTFOUND, "key", "complete a refused upload")
	})

	t.Run("SVG", func(t *testing.T) {
		e := newEnv(t, mk)
		svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>`)
		_, err := e.cms.CreateUpload(e.editor, "logo.svg", "image/svg+xml", int64(len(svg)))
		e.wantCode(err, pause.EINVALID, "filename", "an SVG ticket")
		_, err = e.cms.CreateUpload(e.editor, "logo", "image/svg+xml", int64(len(svg)))
		e.wantCode(err, pause.EINVALID, "contentType", "an SVG type")
		e.refusedContent(svg, "logo.png", "image/png", "SVG images are refused")
	})

	t.Run("RenamedPNG", func(t *testing.T) {
		e := newEnv(t, mk)
		e.refusedContent(png, "photo.jpg", "image/jpeg", "The file is a PNG image, not image/jpeg")
	})

	t.Run("ExpiredTicket", func(t *testing.T) {
		e := newEnv(t, mk)
		tk, err := e.cms.CreateUpload(e.editor, "late.png", "image/png", int64(len(png)))
		if err != nil {
			t.Fatal(err)
		}
		e.clock.now = e.clock.now.Add(pause.UploadTTL + time.Second)
		if status, body := e.post(tk, "late.png", png, nil); status != 403 || errorCode(body) != "AccessDenied" || !strings.Contains(body, "expired") {
			t.Fatalf("an expired ticket: %d %s", status, body)
		}
		_, err = e.cms.CompleteUpload(e.editor, tk.Key, "Alt", false)
		e.wantCode(err, pause.ENOTFOUND, "key", "complete an expired upload")
	})

	t.Run("TicketForAnotherKey", func(t *testing.T) {
		e := newEnv(t, mk)
		tk, err := e.cms.CreateUpload(e.editor, "one.png", "image/png", int64(len(png)))
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.cms.CreateUpload(e.editor, "two.png", "image/png", int64(len(png)))
		if err != nil {
			t.Fatal(err)
		}
		for _, change := range []struct {
			name string
			edit func([]pause.FormField)
		}{
			{"another ticket's key", set("key", other.Key)},
			{"a key outside pending/", set("key", "media/"+strings.TrimPrefix(tk.Key, "pending/"))},
			{"another type", set("Content-Type", "image/gif")},
			{"another policy", func(f []pause.FormField) {
				for i := range f {
					if f[i].Name == "policy" {
						for _, g := range other.Fields {
							if g.Name == "policy" {
								f[i].Value = g.Value
							}
						}
					}
				}
			}},
		} {
			status, body := e.post(tk, "one.png", png, change.edit)
			if status != 403 {
				t.Fatalf("%s: %d %s", change.name, status, body)
			}
		}
		_, err = e.cms.CompleteUpload(e.editor, other.Key, "Alt", false)
		e.wantCode(err, pause.ENOTFOUND, "key", "complete the other key")
		// The ticket still works for its own key.
		if status, body := e.post(tk, "one.png", png, nil); status != 201 {
			t.Fatalf("the ticket with its key: %d %s", status, body)
		}
	})

	// An import writes the file straight to the storage (Write), checked as an upload is, and
	// keeps its id: importing it again changes nothing.
	t.Run("ImportWrite", func(t *testing.T) {
		e := newEnv(t, mk)
		admin := pause.NewContext(context.Background(), &pause.Viewer{Subject: "root", Role: pause.RoleAdmin})
		in := pause.MediaImport{ID: "01JDQ8Z7C1V9X3M4N5P6R7S8T9", Filename: "Desk.PNG", Alt: "A desk by a window"}
		m, created, changed, err := e.cms.ImportMedia(admin, in, png)
		if err != nil || !created || !changed {
			t.Fatalf("import: %v (created %v, changed %v)", err, created, changed)
		}
		if m.Key != "media/01JDQ8Z7C1V9X3M4N5P6R7S8T9/desk.png" || m.Width != 40 || m.Height != 30 ||
			m.Bytes != len(png) || m.ContentType != "image/png" || m.CreatedBy != "root" {
			t.Fatalf("imported %+v", m)
		}
		ct, cc, data := e.b.stored(t, m)
		if ct != "image/png" || cc != "public, max-age=31536000, immutable" || !bytes.Equal(data, png) {
			t.Fatalf("stored as %q, %q, %d bytes", ct, cc, len(data))
		}
		again, created, changed, err := e.cms.ImportMedia(admin, in, png)
		if err != nil || created || changed || again.Version != 1 {
			t.Fatalf("import again: %v (created %v, changed %v, %+v)", err, created, changed, again)
		}
		if got, err := e.cms.MediaFile(admin, again); err != nil || !bytes.Equal(got, png) {
			t.Fatalf("MediaFile: %d bytes, %v", len(got), err)
		}
		other := storetest.PNG(41, 30)
		_, _, _, err = e.cms.ImportMedia(admin, in, other)
		e.wantCode(err, pause.ECONFLICT, "", "another file under the same id")
		svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)
		err = e.cms.CheckMediaImport(admin, pause.MediaImport{ID: "01JDQ8Z7C1V9X3M4N5P6R7S8TA", Filename: "logo.png", Alt: "Logo"}, svg)
		e.wantCode(err, pause.EINVALID, "file", "an SVG named .png")
		err = e.cms.CheckMediaImport(admin, pause.MediaImport{ID: "01JDQ8Z7C1V9X3M4N5P6R7S8TA", Filename: "logo.svg", Alt: "Logo"}, svg)
		e.wantCode(err, pause.EINVALID, "file", "an SVG")
		_, _, _, err = e.cms.ImportMedia(e.editor, pause.MediaImport{ID: "01JDQ8Z7C1V9X3M4N5P6R7S8TA", Filename: "a.png", Alt: "A"}, png)
		e.wantCode(err, pause.EFORBIDDEN, "", "an editor's import")
		// Write itself refuses a reader shorter than the size it was told.
		if err := e.b.blobs.Write(context.Background(), "media/01JDQ8Z7C1V9X3M4N5P6R7S8TB/short.png", "image/png",
			bytes.NewReader(png), int64(len(png)+1)); err == nil {
			t.Fatal("Write of fewer bytes than the size succeeded")
		}
	})
}

// refusedContent uploads data with a ticket for the filename and type, which are not the
// data's: the storage refuses it (Disk), or keeps it and CompleteUpload refuses it (S3), with
// a message that says so; either way no item is made and nothing is kept.
func (e *env) refusedContent(data []byte, filename, contentType, says string) {
	e.Helper()
	tk, err := e.cms.CreateUpload(e.editor, filename, contentType, int64(len(data)))
	if err != nil {
		e.Fatal(err)
	}
	status, body := e.post(tk, filename, data, nil)
	if e.b.sniffs {
		if status != 400 || errorCode(body) != "InvalidContent" {
			e.Fatalf("upload: %d %s", status, body)
		}
	} else if status != 201 {
		e.Fatalf("upload: %d %s", status, body)
	}
	_, err = e.cms.CompleteUpload(e.editor, tk.Key, "Alt", false)
	if e.b.sniffs {
		e.wantCode(err, pause.ENOTFOUND, "key", "complete")
	} else {
		e.wantCode(err, pause.EINVALID, "key", "complete")
		if !strings.Contains(err.Error(), says) {
			e.Fatalf("complete: %v does not say %q", err, says)
		}
	}
	if _, _, err := e.b.blobs.Peek(context.Background(), tk.Key, 10); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Fatalf("the refused file is still kept: %v", err)
	}
	p, err := e.cms.MediaItems(pause.NewContext(context.Background(), &pause.Viewer{Subject: "v", Role: pause.RoleViewer}),
		pause.Query[pause.MediaFilter]{First: 10})
	if err != nil || len(p.Items) != 0 {
		e.Fatalf("items after a refused upload: %v %v", p, err)
	}
}

// TestSweep: pending uploads older than a day are removed at start-up, newer ones stay.
func TestSweep(t *testing.T) {
	c := &clock{now: time.Now()}
	d := &media.Disk{Dir: t.TempDir(), Now: c.Now}
	for i, age := range []time.Duration{48 * time.Hour, time.Hour} {
		dir := filepath.Join(d.Dir, "pending", []string{"01J0000000000000000000000A", "01J0000000000000000000000B"}[i])
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "a.png"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := c.now.Add(-age)
		if err := os.Chtimes(dir, at, at); err != nil {
			t.Fatal(err)
		}
	}
	n, err := d.Sweep()
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v", n, err)
	}
	left, _ := os.ReadDir(filepath.Join(d.Dir, "pending"))
	if len(left) != 1 || left[0].Name() != "01J0000000000000000000000B" {
		t.Fatalf("left %v", left)
	}
}

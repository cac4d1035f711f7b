package media

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"pause"
)

// UploadPath is where Disk's uploads are posted; files are served under FilePrefix.
const (
	UploadPath = "/media/upload"
	FilePrefix = "/media/"
)

// validKey reports whether Disk keeps files under the key: pending/ or media/, an id, a name
// (as pause.IsUploadKey checks them), so that no key reaches outside Dir.
func validKey(key string) bool {
	if rest, ok := strings.CutPrefix(key, pause.MediaPrefix); ok {
		key = pause.PendingPrefix + rest
	}
	return pause.IsUploadKey(key)
}

// OpenDisk returns the Disk of the files under dir, whose upload policies are signed with a
// key derived from the server's secret, after sweeping the uploads abandoned there. It is
// app.Config.DiskMedia for `pause serve`.
func OpenDisk(dir string, secret []byte, base string, maxBytes int64) (pause.Blobs, error) {
	d := &Disk{Dir: dir, Key: DiskKey(secret), Base: base, MaxBytes: maxBytes}
	if _, err := d.Sweep(); err != nil {
		return nil, err
	}
	return d, nil
}

// Disk keeps the files under a folder, and receives uploads itself: its UploadHandler checks
// each post against the ticket's policy, signed with a key derived from the server's secret,
// as S3 checks a presigned POST.
type Disk struct {
	// Dir is the folder of the files: Dir/pending/… and Dir/media/….
	Dir string
	// Key signs the policies (see DiskKey).
	Key []byte
	// Base is the URL where browsers reach this server ("" for the same origin).
	Base string
	// MaxBytes bounds an upload's body (the largest policy's maximum).
	MaxBytes int64
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// DiskKey derives the key that signs Disk's upload policies from the server's secret, so
// that the secret itself signs nothing but tokens.
func DiskKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("pause media upload policy v1"))
	return m.Sum(nil)
}

func (d *Disk) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Disk) sign(encoded string) string {
	m := hmac.New(sha256.New, d.Key)
	m.Write([]byte(encoded))
	return hex.EncodeToString(m.Sum(nil))
}

// path returns the file of the key, or an error if the key is not one Disk keeps.
func (d *Disk) path(key string) (string, error) {
	if !validKey(key) {
		return "", pause.Errorf(pause.ENOTFOUND, "No file has this key.")
	}
	return filepath.Join(d.Dir, filepath.FromSlash(key)), nil
}

// UploadForm returns the form of UploadHandler: the key, the content type, the policy and its
// signature.
func (d *Disk) UploadForm(_ context.Context, u pause.Upload) (string, []pause.FormField, error) {
	p := newPolicy(u).encode()
	return d.Base + UploadPath, []pause.FormField{
		{Name: "key", Value: u.Key}, {Name: "Content-Type", Value: u.ContentType},
		{Name: "success_action_status", Value: "201"},
		{Name: "policy", Value: p}, {Name: "signature", Value: d.sign(p)},
	}, nil
}

// Peek reads the file's size and first n bytes.
func (d *Disk) Peek(_ context.Context, key string, n int) (int64, []byte, error) {
	p, err := d.path(key)
	if err != nil {
		return 0, nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil, pause.Errorf(pause.ENOTFOUND, "No file has this key.")
	} else if err != nil {
		return 0, nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, nil, fmt.Errorf("media: stat %s: %w", key, err)
	}
	head := make([]byte, min(int64(n), info.Size()))
	if _, err := io.ReadFull(f, head); err != nil {
		return 0, nil, fmt.Errorf("media: read %s: %w", key, err)
	}
	return info.Size(), head, nil
}

// Move renames the file, and removes the pending upload's folder.
func (d *Disk) Move(_ context.Context, from, to, _ string) error {
	src, err := d.path(from)
	if err != nil {
		return err
	}
	dst, err := d.path(to)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("media: move %s: %w", from, err)
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("media: move %s to %s: %w", from, to, err)
	}
	_ = os.Remove(filepath.Dir(src))
	return nil
}

// Write writes the file at the key through a temporary file renamed into place, so that a
// reader never sees half a file; it refuses a reader with more or fewer than size bytes.
func (d *Disk) Write(_ context.Context, key, _ string, r io.Reader, size int64) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("media: write %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".write-*")
	if err != nil {
		return fmt.Errorf("media: write %s: %w", key, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	n, err := io.Copy(tmp, io.LimitReader(r, size+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != size {
		err = fmt.Errorf("%d bytes, not %d", n, size)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		return fmt.Errorf("media: write %s: %w", key, err)
	}
	return nil
}

// Delete removes the file and its folder (each key has a folder of its own).
func (d *Disk) Delete(_ context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	_ = os.Remove(filepath.Dir(p))
	return nil
}

// URL returns the file's address on this server.
func (d *Disk) URL(key string) string { return d.Base + "/" + key }

// Sweep removes the pending uploads older than pause.PendingTTL: uploads never completed.
// It returns how many it removed.
func (d *Disk) Sweep() (int, error) {
	dirs, err := os.ReadDir(filepath.Join(d.Dir, "pending"))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("media: sweep: %w", err)
	}
	cutoff := d.now().Add(-pause.PendingTTL)
	n := 0
	for _, e := range dirs {
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(d.Dir, "pending", e.Name())); err != nil {
			return n, fmt.Errorf("media: sweep: %w", err)
		}
		n++
	}
	return n, nil
}

// uploadError answers an upload with the status and a JSON error, as {"error": {"code",
// "message"}}.
func uploadError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// maxField bounds a form field's value: a policy is well under 2 KiB.
const maxField = 8 << 10

// UploadHandler receives posts of the form of UploadForm: it reads the fields up to the file,
// checks the signature and the policy (expiry, exact key and type, no extra field), streams
// the file to the key's place within the length range, and keeps it only if its first bytes
// are an image of the policy's type. It answers 201 with {"key"}, or an error as S3 does
// (403 for the policy, 400 for the size or the content).
func (d *Disk) UploadHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			uploadError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Post the upload's form here.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, d.MaxBytes+64<<10)
		mr, err := r.MultipartReader()
		if err != nil {
			uploadError(w, http.StatusBadRequest, "MalformedPOSTRequest", "The body is not multipart/form-data.")
			return
		}
		form := map[string]string{}
		for {
			part, err := mr.NextPart()
			if err != nil {
				uploadError(w, http.StatusBadRequest, "MalformedPOSTRequest", "The form has no file field, or is not valid multipart/form-data.")
				return
			}
			name := part.FormName()
			if name == "file" {
				d.receive(w, form, part)
				return
			}
			v, err := io.ReadAll(io.LimitReader(part, maxField+1))
			if err != nil || len(v) > maxField {
				uploadError(w, http.StatusBadRequest, "MalformedPOSTRequest", "A form field is too long.")
				return
			}
			if _, dup := form[strings.ToLower(name)]; dup {
				uploadError(w, http.StatusBadRequest, "MalformedPOSTRequest", "The form has the field "+name+" twice.")
				return
			}
			form[strings.ToLower(name)] = string(v)
		}
	})
}

func (d *Disk) receive(w http.ResponseWriter, form map[string]string, file io.Reader) {
	encoded := form["policy"]
	if !hmac.Equal([]byte(d.sign(encoded)), []byte(form["signature"])) {
		uploadError(w, http.StatusForbidden, "SignatureDoesNotMatch", "The policy's signature is not this server's.")
		return
	}
	maxBytes, err := Check(encoded, form, -1, d.now())
	var perr *PolicyError
	if errors.As(err, &perr) {
		uploadError(w, perr.Status, perr.Code, perr.Message)
		return
	}
	key, contentType := form["key"], form["content-type"]
	dst, err := d.path(key)
	if err != nil || !pause.IsUploadKey(key) || maxBytes < 0 {
		uploadError(w, http.StatusForbidden, "AccessDenied", "The policy is not one of an upload.")
		return
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		uploadError(w, http.StatusInternalServerError, "InternalError", "The file could not be kept.")
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".upload-*")
	if err != nil {
		uploadError(w, http.StatusInternalServerError, "InternalError", "The file could not be kept.")
		return
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	n, err := io.Copy(tmp, io.LimitReader(file, maxBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) || n > maxBytes {
		_ = os.Remove(filepath.Dir(dst))
		uploadError(w, http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
		return
	} else if err != nil {
		uploadError(w, http.StatusBadRequest, "IncompleteBody", "The file was not received in full.")
		return
	}
	if _, err := Check(encoded, form, n, d.now()); errors.As(err, &perr) {
		_ = os.Remove(filepath.Dir(dst))
		uploadError(w, perr.Status, perr.Code, perr.Message)
		return
	}
	head := make([]byte, min(n, pause.PeekBytes))
	if f, err := os.Open(tmp.Name()); err == nil {
		_, _ = io.ReadFull(f, head)
		f.Close()
	}
	if info, _ := pause.InspectImage(head); info.ContentType != contentType {
		_ = os.Remove(filepath.Dir(dst))
		what := "not an image the media library takes"
		if info.ContentType != "" {
			what = "of type " + info.ContentType
		}
		uploadError(w, http.StatusBadRequest, "InvalidContent", fmt.Sprintf("The file is %s, not %s as its ticket says.", what, contentType))
		return
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		uploadError(w, http.StatusInternalServerError, "InternalError", "The file could not be kept.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"key": key})
}

// Handler serves UploadPath with UploadHandler and the rest of FilePrefix with FileHandler.
func (d *Disk) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(UploadPath, d.UploadHandler())
	mux.Handle(FilePrefix, d.FileHandler())
	return mux
}

// FileHandler serves the library's files (keys media/…) at FilePrefix + the key after
// "media/": with their type from their name (which CompleteUpload checked against their
// bytes), X-Content-Type-Options: nosniff, a sandbox CSP (an image opened as a page runs
// nothing), and immutable caching (keys are never reused). Pending uploads are never served.
func (d *Disk) FileHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		key := "media/" + strings.TrimPrefix(r.URL.Path, FilePrefix)
		p, err := d.path(key)
		if err != nil || !strings.HasPrefix(key, pause.MediaPrefix) {
			http.NotFound(w, r)
			return
		}
		f, err := os.Open(p)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || !info.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", contentTypeOf(key))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin") // sites on other origins show them
		http.ServeContent(w, r, "", info.ModTime(), f)
	})
}

// contentTypeOf returns the type of a key's extension.
func contentTypeOf(key string) string {
	return pause.MediaTypeOf(strings.TrimPrefix(path.Ext(key), "."))
}

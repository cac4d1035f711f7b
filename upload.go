package pause

import (
	"context"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Uploads go from the browser straight to the storage, never through the API (a Lambda
// function takes 6 MB at most, and bills for every second of a slow upload): CreateUpload
// gives the browser a ticket, a form signed for one key, one content type, a size range and a
// few minutes; the browser posts the file with it under the pending/ prefix; CompleteUpload
// then checks what arrived and moves it under media/, where the public reads it.

// Blobs keeps the media library's files: on local disk, or in an S3 bucket. Keys are
// pending/<id>/<name>.<ext> for files uploaded and not yet checked, media/<id>/<name>.<ext>
// for the library's files.
type Blobs interface {
	// UploadForm returns where and with which form fields (sent before the file, in order)
	// a browser posts the file of the upload as multipart/form-data. The storage refuses a
	// file at another key, of another content type, outside 1 to u.MaxBytes bytes, or sent
	// after u.Expires.
	UploadForm(ctx context.Context, u Upload) (url string, fields []FormField, err error)
	// Peek returns the size of the file at the key and its first n bytes (all of them if it
	// is shorter), or ENOTFOUND.
	Peek(ctx context.Context, key string, n int) (size int64, head []byte, err error)
	// Move makes the file at from the file at to, with the content type, and removes from.
	Move(ctx context.Context, from, to, contentType string) error
	// Write stores the size bytes of r as the file at the key, with the content type and
	// immutable caching, replacing any file there (an import's; uploads never pass here).
	Write(ctx context.Context, key, contentType string, r io.Reader, size int64) error
	// Delete removes the file at the key, if there is one.
	Delete(ctx context.Context, key string) error
	// URL returns where the public reads the file at the key.
	URL(key string) string
}

// Upload is what a ticket allows: one file at Key, of ContentType, of 1 to MaxBytes bytes,
// sent before Expires.
type Upload struct {
	Key         string
	ContentType string
	MaxBytes    int64
	Expires     time.Time
}

// FormField is a field of an upload's form.
type FormField struct {
	Name  string
	Value string
}

// UploadTicket is what CreateUpload returns: the browser posts Fields, then the file (in the
// field "file"), to URL as multipart/form-data before ExpiresAt, then calls CompleteUpload with
// Key.
type UploadTicket struct {
	URL       string
	Fields    []FormField
	Key       string
	ExpiresAt time.Time
}

// Media limits.
const (
	// DefaultMediaMaxBytes is the largest file the media library takes by default.
	DefaultMediaMaxBytes = 10 << 20
	// UploadTTL is how long a ticket is valid: time to start sending the file.
	UploadTTL = 5 * time.Minute
	// PendingTTL is how long an uploaded file waits for CompleteUpload before it is removed
	// (by the bucket's lifecycle rule on AWS, by a sweep at start-up locally).
	PendingTTL = 24 * time.Hour
	// MaxFilename is the longest filename an upload may have, in characters.
	MaxFilename = 255
	// maxKeyName is the longest name (before the extension) in a key.
	maxKeyName = 80
)

// Key prefixes.
const (
	PendingPrefix = "pending/"
	MediaPrefix   = "media/"
)

// pendingKey matches the keys CreateUpload makes: pending/<ULID>/<name>.<ext>.
var pendingKey = regexp.MustCompile(`^pending/([0-9A-HJKMNP-TV-Z]{26})/([a-z0-9-]{1,80})\.(jpg|png|webp|avif|gif)$`)

// IsUploadKey reports whether the key is one CreateUpload makes (pending/<id>/<name>.<ext>).
func IsUploadKey(key string) bool { return pendingKey.MatchString(key) }

func (c *CMS) mediaMaxBytes() int64 {
	if c.cfg.MediaMaxBytes > 0 {
		return c.cfg.MediaMaxBytes
	}
	return DefaultMediaMaxBytes
}

func (c *CMS) blobs() (Blobs, error) {
	if c.cfg.Blobs == nil {
		return nil, Errorf(EUNAVAILABLE, "This server keeps no media: uploads are off.")
	}
	return c.cfg.Blobs, nil
}

// mebibytes spells a size for people: 10 MiB, 10.5 MiB.
func mebibytes(n int64) string {
	s := fmt.Sprintf("%.1f", float64(n)/(1<<20))
	return strings.TrimSuffix(s, ".0") + " MiB"
}

func refusedType(field, contentType string) error {
	if contentType == TypeSVG {
		return FieldErrorf(field, "SVG images are refused: an SVG file can carry script. Upload a PNG or WebP instead.")
	}
	return FieldErrorf(field, "Only JPEG, PNG, WebP, AVIF and GIF images can be uploaded, not %s.", contentType)
}

// CreateUpload returns a ticket to upload a file of the content type and size (in bytes),
// named filename on the editor's computer. The type must be one MediaExt knows (SVG is
// refused), the size at most the configured maximum. Editors and up.
func (c *CMS) CreateUpload(ctx context.Context, filename, contentType string, size int64) (*UploadTicket, error) {
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return nil, err
	}
	blobs, err := c.blobs()
	if err != nil {
		return nil, err
	}
	filename = strings.TrimSpace(filename)
	contentType = strings.ToLower(strings.TrimSpace(contentType))
	ext := MediaExt(contentType)
	switch {
	case filename == "" || utf8.RuneCountInString(filename) > MaxFilename || strings.ContainsAny(filename, "\x00\r\n"):
		return nil, FieldErrorf("filename", "The filename must be 1 to %d characters on one line.", MaxFilename)
	case strings.EqualFold(path.Ext(filename), ".svg"):
		return nil, refusedType("filename", TypeSVG)
	case ext == "":
		return nil, refusedType("contentType", contentType)
	case size <= 0:
		return nil, FieldErrorf("size", "The file is empty.")
	case size > c.mediaMaxBytes():
		return nil, FieldErrorf("size", "The file is %s: the largest allowed is %s.", mebibytes(size), mebibytes(c.mediaMaxBytes()))
	}
	name := keyName(filename)
	now := c.nowFor(ctx)
	u := Upload{Key: PendingPrefix + c.newID(ctx) + "/" + name + "." + ext, ContentType: contentType,
		MaxBytes: c.mediaMaxBytes(), Expires: now.Add(UploadTTL)}
	url, fields, err := blobs.UploadForm(ctx, u)
	if err != nil {
		return nil, err
	}
	return &UploadTicket{URL: url, Fields: fields, Key: u.Key, ExpiresAt: u.Expires}, nil
}

// CompleteUpload checks the file uploaded at the key with a ticket of CreateUpload: its size,
// its type read from its first bytes (it must be the type the ticket was for), and its size in
// pixels from its header; then moves it under media/ and records the media item with its
// alternative text (required unless decorative). A refused file is removed: upload it again
// with a new ticket. Completing a key again returns the item it made. Editors and up.
func (c *CMS) CompleteUpload(ctx context.Context, key, alt string, decorative bool) (*Media, error) {
	v := ViewerFrom(ctx)
	if err := v.Require(RoleEditor); err != nil {
		return nil, err
	}
	blobs, err := c.blobs()
	if err != nil {
		return nil, err
	}
	parts := pendingKey.FindStringSubmatch(key)
	if parts == nil {
		return nil, FieldErrorf("key", "Not an upload's key: use the key of createUpload's ticket.")
	}
	id, name, ext := parts[1], parts[2], parts[3]
	alt = strings.TrimSpace(alt)
	if err := validateAlt("alt", alt, decorative); err != nil {
		return nil, err
	}
	size, head, err := blobs.Peek(ctx, key, PeekBytes)
	if ErrorCode(err) == ENOTFOUND {
		if m, err := c.cfg.Stores.Media.Media(ctx, id); err == nil {
			return c.withURL(m), nil // completed before
		}
		return nil, &Error{Code: ENOTFOUND, Field: "key", Message: "No file was uploaded with this ticket, or it was refused: upload the file again."}
	} else if err != nil {
		return nil, err
	}
	info, err := c.checkFile("key", size, head, ext)
	if err != nil {
		_ = blobs.Delete(ctx, key) // the ticket is used up; a left-over expires anyway
		return nil, err
	}
	final := MediaPrefix + id + "/" + name + "." + ext
	if err := blobs.Move(ctx, key, final, info.ContentType); err != nil {
		return nil, err
	}
	now := c.nowFor(ctx)
	m := &Media{ID: id, Key: final, Filename: name + "." + ext, ContentType: info.ContentType, Bytes: int(size),
		Width: info.Width, Height: info.Height, Alt: alt, Decorative: decorative,
		CreatedAt: now, CreatedBy: v.Subject, UpdatedAt: now, UpdatedBy: v.Subject, Version: 1}
	if err := c.cfg.Stores.Media.CreateMedia(ctx, m, MediaEntry(m, "create", v.Subject, now)); err != nil {
		return nil, err
	}
	return c.withURL(m), nil
}

// keyName returns the name part of a file's key: its filename without the extension, as a
// slug of at most maxKeyName characters ("image" when nothing is left).
func keyName(filename string) string {
	name := Slugify(strings.TrimSuffix(filename, path.Ext(filename)))
	if len(name) > maxKeyName {
		name = strings.Trim(name[:maxKeyName], "-")
	}
	if name == "" {
		name = "image"
	}
	return name
}

// checkFile checks a media file by its size and first bytes (PeekBytes of them, or all): at
// most the configured maximum, its type read from its bytes (never its name) one the library
// takes (SVG refused) and the type of its extension ext, and its size in pixels in its header.
// It returns the file's type and size, or an EINVALID error on field. CompleteUpload checks
// uploads with it, ImportMedia imported files.
func (c *CMS) checkFile(field string, size int64, head []byte, ext string) (ImageInfo, error) {
	if size > c.mediaMaxBytes() {
		return ImageInfo{}, FieldErrorf(field, "The file is %s: the largest allowed is %s.", mebibytes(size), mebibytes(c.mediaMaxBytes()))
	}
	info, err := InspectImage(head)
	want := MediaTypeOf(ext)
	switch {
	case info.ContentType == TypeSVG:
		return info, FieldErrorf(field, "SVG images are refused: an SVG file can carry script. Upload a PNG or WebP instead.")
	case MediaExt(info.ContentType) == "":
		return info, FieldErrorf(field, "The file is not a JPEG, PNG, WebP, AVIF or GIF image.")
	case info.ContentType != want:
		return info, FieldErrorf(field, "The file is a %s image, not %s: upload it again with its real type.",
			strings.ToUpper(MediaExt(info.ContentType)), want)
	case err != nil:
		return info, FieldErrorf(field, "The image is damaged: %v.", err)
	}
	return info, nil
}

package pause

import (
	"bytes"
	"context"
	"path"
	"regexp"
	"strings"
	"time"
)

// Moving a site between stages (pause export, pause import) carries its media library: the
// files and what the library knows of them. An imported file goes straight to the storage
// (Blobs.Write), checked as an upload is (CompleteUpload's checkFile), and keeps its id, so
// that the items that show it can be pointed at it, and importing it again changes nothing.

// MediaImport is a media library image as an export holds it, beside its file.
type MediaImport struct {
	// ID is the image's id in the library it was exported from (a ULID): it is kept, and
	// matches the image when it is imported again.
	ID string
	// Filename is the name the editor uploaded the file with; its extension is the file's
	// (jpg, jpeg, png, webp, avif or gif), and must be its type.
	Filename   string
	Alt        string
	Decorative bool
	// CreatedAt, CreatedBy, UpdatedAt and UpdatedBy are kept when given; else the import's
	// time and viewer.
	CreatedAt time.Time
	CreatedBy string
	UpdatedAt time.Time
	UpdatedBy string
}

// mediaID matches a media item's id: a ULID, as CreateUpload makes them.
var mediaID = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

// IsMediaID reports whether s is a media item's id (a ULID in upper case).
func IsMediaID(s string) bool { return mediaID.MatchString(s) }

// prepareMedia checks an imported image and its file without writing anything: it returns the
// item to create, and the stored item with the same id if there is one (whose file must be the
// same bytes: a library's files never change under their key), and whether that item's file
// is missing from the storage (the import writes it back).
func (c *CMS) prepareMedia(ctx context.Context, in MediaImport, data []byte) (m, old *Media, lost bool, err error) {
	v := ViewerFrom(ctx)
	if err := v.Require(RoleAdmin); err != nil {
		return nil, nil, false, err
	}
	blobs, err := c.blobs()
	if err != nil {
		return nil, nil, false, err
	}
	if !IsMediaID(in.ID) {
		return nil, nil, false, FieldErrorf("id", "id must be a media item's id: 26 upper-case letters and digits (a ULID).")
	}
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(in.Filename), "."))
	if ext == "jpeg" {
		ext = "jpg"
	}
	switch {
	case ext == "svg":
		return nil, nil, false, refusedType("file", TypeSVG)
	case MediaTypeOf(ext) == "":
		return nil, nil, false, FieldErrorf("file", "Only JPEG, PNG, WebP, AVIF and GIF images can be imported: the file's extension must be .jpg, .png, .webp, .avif or .gif.")
	case len(data) == 0:
		return nil, nil, false, FieldErrorf("file", "The file is empty.")
	}
	alt := strings.TrimSpace(in.Alt)
	if err := validateAlt("alt", alt, in.Decorative); err != nil {
		return nil, nil, false, err
	}
	info, err := c.checkFile("file", int64(len(data)), data[:min(len(data), PeekBytes)], ext)
	if err != nil {
		return nil, nil, false, err
	}
	name := keyName(in.Filename)
	m = &Media{ID: in.ID, Key: MediaPrefix + in.ID + "/" + name + "." + ext, Filename: name + "." + ext,
		ContentType: info.ContentType, Bytes: len(data), Width: info.Width, Height: info.Height,
		Alt: alt, Decorative: in.Decorative, CreatedAt: in.CreatedAt, CreatedBy: in.CreatedBy,
		UpdatedAt: in.UpdatedAt, UpdatedBy: in.UpdatedBy, Version: 1}
	old, err = c.cfg.Stores.Media.Media(ctx, in.ID)
	if ErrorCode(err) == ENOTFOUND {
		return m, nil, false, nil
	} else if err != nil {
		return nil, nil, false, err
	}
	same := old.Bytes == len(data) && old.ContentType == info.ContentType
	if same {
		size, stored, err := blobs.Peek(ctx, old.Key, old.Bytes)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			lost = true
		case err != nil:
			return nil, nil, false, err
		default:
			same = size == int64(len(data)) && bytes.Equal(stored, data)
		}
	}
	if !same {
		return nil, nil, false, Errorf(ECONFLICT, "The image %s (%s) is stored with another file: a library's file never changes under its id. Import the new file with a new id.", old.ID, old.Filename)
	}
	return m, old, lost, nil
}

// CheckMediaImport checks an imported image and its file as ImportMedia would, and writes
// nothing: content imports check every file before they write any. Admins only.
func (c *CMS) CheckMediaImport(ctx context.Context, in MediaImport, data []byte) error {
	_, _, _, err := c.prepareMedia(ctx, in, data)
	return err
}

// ImportMedia stores an exported image in the library, under its id: a new one is written to
// the storage and recorded (its type, size in pixels and bytes read from the file, as an
// upload's are); one already stored, with the same file, keeps its file (or gets it back if
// the storage lost it) and takes the alternative text given, so importing the same image
// twice changes nothing. It reports
// whether the item was created, and whether it changed. Errors are EINVALID naming the field
// (file, alt, id), or ECONFLICT when the id is stored with another file. Admins only.
func (c *CMS) ImportMedia(ctx context.Context, in MediaImport, data []byte) (item *Media, created, changed bool, err error) {
	m, old, lost, err := c.prepareMedia(ctx, in, data)
	if err != nil {
		return nil, false, false, err
	}
	who, now := ViewerFrom(ctx).Subject, c.nowFor(ctx)
	if old != nil {
		if lost {
			if err := c.cfg.Blobs.Write(ctx, old.Key, old.ContentType, bytes.NewReader(data), int64(len(data))); err != nil {
				return nil, false, false, err
			}
		}
		if old.Alt == m.Alt && old.Decorative == m.Decorative {
			return c.withURL(old), false, lost, nil
		}
		u := old.Clone()
		u.Alt, u.Decorative = m.Alt, m.Decorative
		u.Version++
		u.UpdatedAt, u.UpdatedBy = now, who
		if err := c.cfg.Stores.Media.UpdateMedia(ctx, u, MediaEntry(u, "import", who, now, "alt", "decorative")); err != nil {
			return nil, false, false, err
		}
		return c.withURL(u), false, true, nil
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	m.CreatedBy = or(m.CreatedBy, who)
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = m.CreatedAt
	}
	m.UpdatedBy = or(m.UpdatedBy, m.CreatedBy)
	if err := c.cfg.Blobs.Write(ctx, m.Key, m.ContentType, bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, false, false, err
	}
	if err := c.cfg.Stores.Media.CreateMedia(ctx, m, MediaEntry(m, "import", who, now)); err != nil {
		_ = c.cfg.Blobs.Delete(ctx, m.Key) // no item names the file
		return nil, false, false, err
	}
	return c.withURL(m), true, true, nil
}

// MediaFile returns the bytes of the media item's file, for an export. Admins only.
func (c *CMS) MediaFile(ctx context.Context, m *Media) ([]byte, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	blobs, err := c.blobs()
	if err != nil {
		return nil, err
	}
	size, data, err := blobs.Peek(ctx, m.Key, max(m.Bytes, 1))
	if err != nil {
		return nil, err
	}
	if size != int64(len(data)) || len(data) != m.Bytes {
		return nil, Errorf(EINTERNAL, "The file of the image %s has %d bytes, not the %d recorded.", m.Filename, size, m.Bytes)
	}
	return data, nil
}

package pause

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Media is an image of the media library: a file that an editor uploaded (see CreateUpload and
// CompleteUpload), checked, and kept under Key, with what sites need to show it: its type, its
// size in pixels (so that pages reserve its room before it loads) and its alternative text.
type Media struct {
	ID string
	// Key is where the file is kept (media/<id>/<name>.<ext>): it never changes and is never
	// reused, so the file can be cached for ever.
	Key string
	// URL is where the public reads the file: the CMS sets it from Key (Blobs.URL) on every
	// read; stores do not keep it.
	URL string
	// Filename is the name of the file the editor uploaded, as they named it; the library is
	// searched by it.
	Filename    string
	ContentType string
	Bytes       int
	Width       int
	Height      int
	// Alt is the text that replaces the image for people who cannot see it. It is required
	// unless Decorative: an image that adds nothing to the text has an empty alt.
	Alt        string
	Decorative bool
	CreatedAt  time.Time
	CreatedBy  string
	UpdatedAt  time.Time
	UpdatedBy  string
	// Version is 1 when created and grows by one with every update (optimistic locking).
	Version int
}

// Clone returns a copy of the media item.
func (m *Media) Clone() *Media {
	c := *m
	return &c
}

// MediaType is the item type of media items in the audit log.
const MediaType = "media"

// OrderMedia is the order of the media library: newest first (by id: ids are ULIDs of the time
// of the upload). Its cursors are EncodeCursor's of the id.
const OrderMedia Order = "MEDIA"

// MediaFilter selects media items. Zero fields select everything.
type MediaFilter struct {
	// Search selects the items whose filename contains it, ignoring case.
	Search string
}

// Match reports whether the media item passes the filter.
func (f MediaFilter) Match(m *Media) bool {
	return f.Search == "" || strings.Contains(strings.ToLower(m.Filename), strings.ToLower(f.Search))
}

// MaxSearch is the longest search of the media library, in characters.
const MaxSearch = 100

// MediaStore keeps the media library's items (the files are the Blobs').
type MediaStore interface {
	// CreateMedia stores a new item (Version 1) and e in the audit log in the same atomic
	// write; ECONFLICT if the id exists.
	CreateMedia(ctx context.Context, m *Media, e *AuditEntry) error

	// Media returns the item with the id, or ENOTFOUND.
	Media(ctx context.Context, id string) (*Media, error)

	// ListMedia returns up to q.First items that match q.Filter, newest first (by id,
	// descending), after the cursor q.After (EncodeCursor(OrderMedia, id)), with their
	// cursors; a cursor of another list gets EINVALID (field "after"). HasNextPage tells
	// whether more match.
	ListMedia(ctx context.Context, q Query[MediaFilter]) (*Page[*Media], error)

	// UpdateMedia replaces the stored item if its version is m.Version-1, and writes e in the
	// audit log in the same atomic write; else it returns ECONFLICT and changes nothing, or
	// ENOTFOUND if there is no such item. Key, Filename and the file's facts do not change.
	UpdateMedia(ctx context.Context, m *Media, e *AuditEntry) error

	// DeleteMedia removes the item if its stored version is version, and writes e in the
	// audit log in the same atomic write: ENOTFOUND if there is no such item, ECONFLICT if
	// the version differs.
	DeleteMedia(ctx context.Context, id string, version int, e *AuditEntry) error
}

// MediaEntry returns the audit entry that records the action on the media item by the actor,
// with the fields it changed; the item's Version is the entry's.
func MediaEntry(m *Media, action, actor string, at time.Time, fields ...string) *AuditEntry {
	if fields == nil {
		fields = []string{}
	}
	return &AuditEntry{At: at, Actor: actor, Action: action, ItemType: MediaType, ItemID: m.ID,
		Version: m.Version, Fields: fields}
}

// MediaInput is an editor's change of a media item: nil fields stay as they are.
type MediaInput struct {
	Alt        *string
	Decorative *bool
}

// validateAlt checks the alternative text of an image: required unless it is decorative, at
// most MaxAlt characters, one line.
func validateAlt(field, alt string, decorative bool) error {
	switch {
	case decorative && alt != "":
		return FieldErrorf(field, "A decorative image has no alternative text: leave it empty.")
	case !decorative && alt == "":
		return FieldErrorf(field, "Describe the image for people who cannot see it, or mark it decorative.")
	case utf8.RuneCountInString(alt) > MaxAlt:
		return FieldErrorf(field, "The alternative text is longer than %d characters.", MaxAlt)
	case strings.ContainsAny(alt, "\r\n"):
		return FieldErrorf(field, "The alternative text is one line.")
	}
	return nil
}

// Blobs returns the storage of the media library's files, or nil if there is none.
func (c *CMS) Blobs() Blobs { return c.cfg.Blobs }

// withURL returns the item with its URL set from its key.
func (c *CMS) withURL(m *Media) *Media {
	if m != nil && c.cfg.Blobs != nil {
		m.URL = c.cfg.Blobs.URL(m.Key)
	}
	return m
}

// Media returns the media item with the id, or ENOTFOUND. Viewers and up.
func (c *CMS) Media(ctx context.Context, id string) (*Media, error) {
	if err := ViewerFrom(ctx).Require(RoleViewer); err != nil {
		return nil, err
	}
	m, err := c.cfg.Stores.Media.Media(ctx, id)
	return c.withURL(m), err
}

// MediaItems returns a page of the media library, newest first. Viewers and up.
func (c *CMS) MediaItems(ctx context.Context, q Query[MediaFilter]) (*Page[*Media], error) {
	if err := ViewerFrom(ctx).Require(RoleViewer); err != nil {
		return nil, err
	}
	if q.First < 0 || q.First > MaxFirst {
		return nil, FieldErrorf("first", "first must be between 0 and %d", MaxFirst)
	}
	q.Filter.Search = strings.TrimSpace(q.Filter.Search)
	if utf8.RuneCountInString(q.Filter.Search) > MaxSearch {
		return nil, FieldErrorf("search", "search must be at most %d characters", MaxSearch)
	}
	q.Order = OrderMedia
	p, err := c.cfg.Stores.Media.ListMedia(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, m := range p.Items {
		c.withURL(m)
	}
	return p, nil
}

// UpdateMedia changes the alternative text of the media item with the id, at the version the
// editor saw (ECONFLICT otherwise). Editors and up.
func (c *CMS) UpdateMedia(ctx context.Context, id string, version int, in MediaInput) (*Media, error) {
	v := ViewerFrom(ctx)
	if err := v.Require(RoleEditor); err != nil {
		return nil, err
	}
	m, err := c.cfg.Stores.Media.Media(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Version != version {
		return nil, Errorf(ECONFLICT, "The image %s changed since version %d: reload it.", m.Filename, version)
	}
	m = m.Clone()
	var fields []string
	if in.Alt != nil && strings.TrimSpace(*in.Alt) != m.Alt {
		m.Alt = strings.TrimSpace(*in.Alt)
		fields = append(fields, "alt")
	}
	if in.Decorative != nil && *in.Decorative != m.Decorative {
		m.Decorative = *in.Decorative
		fields = append(fields, "decorative")
	}
	if err := validateAlt("alt", m.Alt, m.Decorative); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return c.withURL(m), nil
	}
	now := c.nowFor(ctx)
	m.Version++
	m.UpdatedAt, m.UpdatedBy = now, v.Subject
	if err := c.cfg.Stores.Media.UpdateMedia(ctx, m, MediaEntry(m, "update", v.Subject, now, fields...)); err != nil {
		return nil, err
	}
	return c.withURL(m), nil
}

// DeleteMedia deletes the media item with the id at the version the editor saw, and its file.
// It refuses (ECONFLICT) while an article or a tool shows the image, naming them. Admins only,
// as for content.
func (c *CMS) DeleteMedia(ctx context.Context, id string, version int) error {
	v := ViewerFrom(ctx)
	if err := v.Require(RoleAdmin); err != nil {
		return err
	}
	m, err := c.cfg.Stores.Media.Media(ctx, id)
	if err != nil {
		return err
	}
	if m.Version != version {
		return Errorf(ECONFLICT, "The image %s changed since version %d: reload it.", m.Filename, version)
	}
	users, err := c.MediaUsers(ctx, c.withURL(m))
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return Errorf(ECONFLICT, "The image %s is used by %s: remove it there first.", m.Filename, strings.Join(users, ", "))
	}
	if err := c.cfg.Stores.Media.DeleteMedia(ctx, id, version, MediaEntry(m, "delete", v.Subject, c.nowFor(ctx))); err != nil {
		return err
	}
	if c.cfg.Blobs != nil {
		// The item is gone; a file left behind (the storage failed) is unreachable from the
		// API and costs only its bytes.
		_ = c.cfg.Blobs.Delete(ctx, m.Key)
	}
	return nil
}

// MediaUsers returns the content items that show the media item, as `type "label"`: every
// item of every content type whose images (or working draft's) name it. Stores list every
// item, so this reads each collection in full: fine for a library's occasional deletion.
func (c *CMS) MediaUsers(ctx context.Context, m *Media) ([]string, error) {
	var users []string
	for _, col := range c.all {
		found, err := col.usingMedia(ctx, m)
		if err != nil {
			return nil, err
		}
		users = append(users, found...)
	}
	return users, nil
}

// ShowsMedia reports whether the URL (an image field's) is the media item's file: its URL, or
// any URL that ends with its key (the same file served from another address).
func ShowsMedia(url string, m *Media) bool {
	return url != "" && (url == m.URL || strings.HasSuffix(url, "/"+m.Key))
}

package pause

import (
	"context"
	"fmt"
)

// imageUser is a content type whose items show images: imageURLs returns the URLs of the
// item's image fields (cover image, avatar, logo), empty ones included.
type imageUser interface {
	imageURLs() []string
}

// usingMedia returns the items of the collection, in every status, whose images or working
// draft's images show the media item, as `type "label"`.
func (k *Collection[T, F, I]) usingMedia(ctx context.Context, m *Media) ([]string, error) {
	var zero T
	if _, ok := any(zero).(imageUser); !ok {
		return nil, nil
	}
	var none F
	f, err := k.scoped(ctx, none)
	if err != nil {
		return nil, err
	}
	var users []string
	q := Query[F]{Filter: f, Order: k.t.Orders[0], First: MaxFirst}
	for {
		page, err := k.store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, item := range page.Items {
			if shows(any(item).(imageUser), m) || (HasDraft(item) && shows(any(item.WorkingDraft()).(imageUser), m)) {
				users = append(users, fmt.Sprintf("%s %q", k.t.Name, item.label()))
			}
		}
		if !page.HasNextPage {
			return users, nil
		}
		q.After = page.EndCursor()
	}
}

// shows reports whether one of the item's images is the media item's file. (Not generic: one
// copy in the Lambda's bootstrap instead of one per content type.)
func shows(item imageUser, m *Media) bool {
	for _, url := range item.imageURLs() {
		if ShowsMedia(url, m) {
			return true
		}
	}
	return false
}

// imageField is an image field of an item, by name (coverImage); img may be nil.
type imageField struct {
	name string
	img  *Image
}

// imageHolder is a content type with Image fields.
type imageHolder interface {
	images() []imageField
}

// resolveImages completes the item's images that name a media library image and lack its URL
// or size: the URL and size are the media image's, and so is the alternative text when the
// editor gave none. A media id that names no image gets EINVALID.
func (c *CMS) resolveImages(ctx context.Context, item any) error {
	h, ok := item.(imageHolder)
	if !ok || c.cfg.Stores.Media == nil {
		return nil
	}
	for _, f := range h.images() {
		img := f.img
		if img == nil || img.MediaID == "" || (img.URL != "" && img.Width > 0) {
			continue
		}
		m, err := c.cfg.Stores.Media.Media(ctx, img.MediaID)
		if ErrorCode(err) == ENOTFOUND {
			return FieldErrorf(f.name+".mediaId", "No image of the media library has the id %s.", img.MediaID)
		} else if err != nil {
			return err
		}
		img.URL, img.Width, img.Height = c.withURL(m).URL, m.Width, m.Height
		if img.Alt == "" && !img.Decorative {
			img.Alt, img.Decorative = m.Alt, m.Decorative
		}
	}
	return nil
}

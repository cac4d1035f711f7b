package pause

import (
	"context"
	"fmt"
	"slices"
)

// declared is an item that describes its content type: every content type's.
type declared interface{ Type() *ContentType }

// imageURLs returns the URLs of the item's declared URL and image fields (an avatar, a cover
// image, a logo, a website), empty ones included: the addresses by which it may show a media
// library file.
func imageURLs(item declared) []string {
	var urls []string
	for _, f := range item.Type().Fields {
		if f.Kind != KindURL && f.Kind != KindImage {
			continue
		}
		v, ok := FieldValue(item, f.Name)
		if !ok {
			continue
		}
		if img, isImage := v.Interface().(*Image); isImage {
			urls = append(urls, img.URL)
		} else {
			urls = append(urls, v.String())
		}
	}
	return urls
}

// usingMedia returns the items of the collection, in every status, whose images or working
// draft's images show the media item, as `type "label"`.
func (k *Collection[T, F, I]) usingMedia(ctx context.Context, m *Media) ([]string, error) {
	if !slices.ContainsFunc(k.t.Fields, func(f Field) bool { return f.Kind == KindURL || f.Kind == KindImage }) {
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
			if shows(item, m) || (HasDraft(item) && shows(item.WorkingDraft(), m)) {
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
func shows(item declared, m *Media) bool {
	for _, url := range imageURLs(item) {
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

// images returns the item's declared image fields.
func images(item declared) []imageField {
	var out []imageField
	for _, f := range item.Type().Fields {
		if f.Kind != KindImage {
			continue
		}
		if v, ok := FieldValue(item, f.Name); ok {
			out = append(out, imageField{f.Name, v.Interface().(*Image)})
		}
	}
	return out
}

// resolveImages completes the item's images that name a media library image and lack its URL
// or size: the URL and size are the media image's, and so is the alternative text when the
// editor gave none. A media id that names no image gets EINVALID.
func (c *CMS) resolveImages(ctx context.Context, item declared) error {
	if c.cfg.Stores.Media == nil {
		return nil
	}
	for _, f := range images(item) {
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

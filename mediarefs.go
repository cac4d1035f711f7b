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

func shows[T Item[T]](item T, m *Media) bool {
	for _, url := range any(item).(imageUser).imageURLs() {
		if ShowsMedia(url, m) {
			return true
		}
	}
	return false
}

package content

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"pause"
)

// Export writes every item of the CMS, whatever its status, into dir as Import reads them:
// dir/tools/<slug>.md, dir/benefits/<slug>.md and dir/articles/<slug>.md, with ids, statuses
// and timestamps, and related tools as slugs; and the media library's files, each with a
// sidecar (dir/media/desk.png and desk.png.yaml), which the items' images name by path
// (../media/desk.png) instead of this stage's URLs. Keys come in a fixed order and times in UTC, so
// exporting the same content gives the same bytes, and Export(Import(files)) gives files back.
// ctx must carry an admin viewer, so that drafts and archived items are listed too.
//
// Files whose bytes would not change are left alone; files of items that no longer exist are
// not removed. The report counts files: created, updated, unchanged.
func Export(ctx context.Context, cms *pause.CMS, dir string) (Report, error) {
	var r Report
	if err := pause.ViewerFrom(ctx).Require(pause.RoleAdmin); err != nil {
		return r, fmt.Errorf("content: export needs an admin viewer: %w", err)
	}

	lib, err := exportMedia(ctx, cms, dir, &r.Media)
	if err != nil {
		return r, err
	}

	// Relations are written as their targets' slugs: a type comes after those its relations
	// name, in the registry's order.
	slugs := map[string]map[string]string{}
	for _, ft := range fileTypes(cms) {
		items, err := ft.col.AllContent(ctx)
		if err != nil {
			return r, fmt.Errorf("content: list %s: %w", ft.dir, err)
		}
		slugs[ft.t.Name] = make(map[string]string, len(items))
		for _, item := range items {
			m := item.Metadata()
			slugs[ft.t.Name][m.ID] = m.Slug
			data, err := ft.encode(item, slugs, lib)
			if err != nil {
				return r, fmt.Errorf("content: %s %s: %w", ft.t.Name, m.Slug, err)
			}
			if err := writeFile(dir, ft.dir, m.Slug, data, r.counts(ft.dir)); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// writeFile writes data to dir/sub/slug.md unless the file already holds exactly data, and
// counts what it did.
func writeFile(dir, sub, slug string, data []byte, c *Counts) error {
	if !pause.IsSlug(slug) {
		// Slugs are validated on every write; this keeps a damaged store from writing elsewhere.
		return fmt.Errorf("content: %s item has the malformed slug %q", sub, slug)
	}
	folder := filepath.Join(dir, sub)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	created, changed, err := writeBytes(filepath.Join(folder, slug+".md"), data)
	if err != nil {
		return err
	}
	c.add(created, changed)
	return nil
}

// listAll reads every page of a list.
func listAll[T any](ctx context.Context, page func(after string) (*pause.Page[T], error)) ([]T, error) {
	var all []T
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := page(after)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if !p.HasNextPage || len(p.Items) == 0 {
			return all, nil
		}
		after = p.EndCursor()
	}
}

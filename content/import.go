package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"strings"

	"pause"
)

// maxFile bounds the size of a content file: the largest body the CMS takes, and room for the
// front matter.
const maxFile = pause.MaxBody + 64<<10

// Import reads the content files of fsys (one directory per content type, named by its plural:
// tools/*.md, articles/*.md, benefits/*.md; other files are ignored, and a missing directory
// holds nothing) and stores them in the CMS with each collection's Import, which matches items
// by slug: each is created, replaced, or left alone if it is equal, so importing the same files
// twice changes nothing. The images of media/ (each with its sidecar, see media.go) are stored
// first with CMS.ImportMedia, matched by id, and the items' images that name them by path are
// pointed at them. ctx must carry an admin viewer.
//
// Every file is read, decoded and validated, every image checked (its type and size from its
// bytes, as an upload's; SVG refused) and every image path found, and every related item found,
// before anything is written, so that a bad file stops the import with nothing stored. What
// only the store can reject (an id in a file that another item already has) stops the import at
// that file, with the files before it stored; the report then counts what was done. Errors name
// the file and, where there is one, the field at fault; they wrap the CMS's *pause.Error, so
// pause.ErrorCode and pause.ErrorField work on them. Files are imported type by type in the
// registry's order (a type after those its relations name: tools before articles), each in the
// order of their paths.
//
// An item is matched by slug, and keeps its stored id: the id in a file is used only when the
// item is new. Timestamps a file leaves out keep their stored values.
func Import(ctx context.Context, cms *pause.CMS, fsys fs.FS) (Report, error) {
	var r Report
	if err := pause.ViewerFrom(ctx).Require(pause.RoleAdmin); err != nil {
		return r, fmt.Errorf("content: import needs an admin viewer: %w", err)
	}
	types := fileTypes(cms)
	files := make([][]*itemFile, len(types))
	for i, ft := range types {
		var err error
		if files[i], err = readDir(fsys, ft.dir, ft.decode); err != nil {
			return r, err
		}
	}
	images, mediaFiles, err := readMedia(ctx, cms, fsys)
	if err != nil {
		return r, err
	}
	// Relations name items among the files or already stored.
	importing := map[string]map[string]bool{}
	for i, ft := range types {
		importing[ft.t.Name] = map[string]bool{}
		for _, f := range files[i] {
			if err := resolveRefs(f.path, f.media, images); err != nil {
				return r, err
			}
			importing[ft.t.Name][f.item.Metadata().Slug] = true
		}
	}
	for _, fs := range files {
		for _, f := range fs {
			for _, rel := range f.relations {
				for _, slug := range rel.slugs {
					if importing[rel.field.Target][slug] {
						continue
					}
					if _, err := targetBySlug(ctx, cms, rel, slug); err != nil {
						return r, fileError(f.path, err)
					}
				}
			}
		}
	}

	stored, err := importMedia(ctx, cms, fsys, mediaFiles, &r.Media)
	if err != nil {
		return r, err
	}
	for i, ft := range types {
		for _, f := range files[i] {
			applyRefs(f.media, stored)
			for _, rel := range f.relations {
				ids := field(f.item, rel.field.Name)
				for _, slug := range rel.slugs {
					t, err := targetBySlug(ctx, cms, rel, slug)
					if err != nil {
						return r, fileError(f.path, err)
					}
					ids.Set(reflect.Append(ids, reflect.ValueOf(t.Metadata().ID)))
				}
			}
			created, changed, err := importItem(ctx, ft, f.item)
			if err != nil {
				return r, fileError(f.path, err)
			}
			r.add(ft.dir, created, changed)
		}
	}
	return r, nil
}

// targetBySlug reads the item that a relation names by its slug.
func targetBySlug(ctx context.Context, cms *pause.CMS, rel relation, slug string) (pause.Content, error) {
	target := cms.Collection(rel.field.Target)
	item, err := target.GetContentBySlug(ctx, slug)
	if pause.ErrorCode(err) == pause.ENOTFOUND {
		return nil, pause.FieldErrorf(rel.key, "%s names the %s %q, which is neither in %s/ nor stored", rel.key, rel.field.Target, slug, target.Type().Plural)
	}
	return item, err
}

// readDir decodes the *.md files of dir in fsys, in the order of their names.
func readDir[F any](fsys fs.FS, dir string, decode func(file string, data []byte) (F, error)) ([]F, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("content: read %s: %w", dir, err)
	}
	var out []F
	for _, e := range entries { // fs.ReadDir sorts by name
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		file := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("content: %w", err)
		}
		if len(data) > maxFile {
			return nil, fileError(file, pause.Errorf(pause.EINVALID, "the file is larger than %d KB", maxFile>>10))
		}
		f, err := decode(file, data)
		if err != nil {
			return nil, fileError(file, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// importItem stores the item and reports whether it was new and whether anything changed. ctx
// must carry an admin viewer, so that the item is found by slug whatever its status.
func importItem(ctx context.Context, ft *fileType, item pause.Content) (created, changed bool, err error) {
	old, err := ft.col.GetContentBySlug(ctx, item.Metadata().Slug)
	switch code := pause.ErrorCode(err); {
	case code == pause.ENOTFOUND:
		created = true
	case err != nil:
		return false, false, err
	default:
		ft.align(item, old)
	}
	changed, err = ft.col.ImportContent(ctx, item)
	return created, changed, err
}

// fileError says which file err is about; a *pause.Error in it names the field. It keeps err in
// the chain, so that pause.ErrorCode and pause.ErrorField still see it.
func fileError(file string, err error) error {
	return fmt.Errorf("content: %s: %w", file, err)
}

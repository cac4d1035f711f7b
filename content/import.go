package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"pause"
)

// maxFile bounds the size of a content file: the largest body the CMS takes, and room for the
// front matter.
const maxFile = pause.MaxBody + 64<<10

// Import reads the content files of fsys (tools/*.md, benefits/*.md, articles/*.md; other files
// are ignored, and a missing directory holds nothing) and stores them in the CMS with
// ImportTool, ImportBenefit and ImportArticle, which match items by slug: each is created,
// replaced, or left alone if it is equal, so importing the same files twice changes nothing.
// The images of media/ (each with its sidecar, see media.go) are stored first with
// CMS.ImportMedia, matched by id, and the items' images that name them by path are pointed at
// them. ctx must carry an admin viewer.
//
// Every file is read, decoded and validated, every image checked (its type and size from its
// bytes, as an upload's; SVG refused) and every image path found, and every related tool
// found, before anything is written, so that a bad file stops the import with nothing stored. What only the store can
// reject (an id in a file that another item already has) stops the import at that file, with
// the files before it stored; the report then counts what was done. Errors name the file and,
// where there is one, the field at fault; they wrap the CMS's *pause.Error, so pause.ErrorCode
// and pause.ErrorField work on them. Files are imported tools first (articles name tools by
// slug), then benefits, then articles, each in the order of their paths.
//
// An item is matched by slug, and keeps its stored id: the id in a file is used only when the
// item is new. Timestamps a file leaves out keep their stored values.
func Import(ctx context.Context, cms *pause.CMS, fsys fs.FS) (Report, error) {
	var r Report
	if err := pause.ViewerFrom(ctx).Require(pause.RoleAdmin); err != nil {
		return r, fmt.Errorf("content: import needs an admin viewer: %w", err)
	}
	tools, err := readDir(fsys, toolsDir, decodeTool)
	if err != nil {
		return r, err
	}
	benefits, err := readDir(fsys, benefitsDir, decodeBenefit)
	if err != nil {
		return r, err
	}
	articles, err := readDir(fsys, articlesDir, decodeArticle)
	if err != nil {
		return r, err
	}
	images, mediaFiles, err := readMedia(ctx, cms, fsys)
	if err != nil {
		return r, err
	}
	for _, f := range tools {
		if err := resolveRefs(f.path, f.media, images); err != nil {
			return r, err
		}
	}
	for _, f := range articles {
		if err := resolveRefs(f.path, f.media, images); err != nil {
			return r, err
		}
	}
	// Related tools must be among the files or already stored.
	importing := make(map[string]bool, len(tools))
	for _, f := range tools {
		importing[f.item.Slug] = true
	}
	for _, f := range articles {
		for _, slug := range f.relatedTools {
			if importing[slug] {
				continue
			}
			if _, err := cms.Tools.GetBySlug(ctx, slug); err != nil {
				return r, fileError(f.path, relatedError(slug, err))
			}
		}
	}

	stored, err := importMedia(ctx, cms, fsys, mediaFiles, &r.Media)
	if err != nil {
		return r, err
	}
	for _, f := range tools {
		applyRefs(f.media, stored)
		created, changed, err := importItem(ctx, f.item, cms.Tools.GetBySlug, cms.Tools.Import, alignTool)
		if err != nil {
			return r, fileError(f.path, err)
		}
		r.Tools.add(created, changed)
	}
	for _, f := range benefits {
		created, changed, err := importItem(ctx, f.item, cms.Benefits.GetBySlug, cms.Benefits.Import, alignBenefit)
		if err != nil {
			return r, fileError(f.path, err)
		}
		r.Benefits.add(created, changed)
	}
	for _, f := range articles {
		applyRefs(f.media, stored)
		for _, slug := range f.relatedTools {
			t, err := cms.Tools.GetBySlug(ctx, slug)
			if err != nil {
				return r, fileError(f.path, relatedError(slug, err))
			}
			f.item.RelatedToolIDs = append(f.item.RelatedToolIDs, t.ID)
		}
		created, changed, err := importItem(ctx, f.item, cms.Articles.GetBySlug, cms.Articles.Import, alignArticle)
		if err != nil {
			return r, fileError(f.path, err)
		}
		r.Articles.add(created, changed)
	}
	return r, nil
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

// importItem stores item with store (one of the CMS's Import methods) and reports whether it
// was new and whether anything changed. ctx must carry an admin viewer, so that get (by slug)
// sees items of every status.
func importItem[T pause.Item[T]](ctx context.Context, item T,
	get func(context.Context, string) (T, error),
	store func(context.Context, T) (bool, error),
	align func(item, old T),
) (created, changed bool, err error) {
	old, err := get(ctx, item.Metadata().Slug)
	switch code := pause.ErrorCode(err); {
	case code == pause.ENOTFOUND:
		created = true
	case err != nil:
		return false, false, err
	default:
		align(item, old)
	}
	changed, err = store(ctx, item)
	return created, changed, err
}

// The CMS compares an imported item with the stored one as they are (reflect.DeepEqual), so an
// empty list read from a file (nil) would differ from an empty list a store gives back ([]), and
// a published item whose file has no publishedAt would get a new one (the CMS's now) on every
// import. The align functions make what is the same in meaning the same in value before the
// comparison.

func alignMeta(m, old *pause.Meta) {
	if m.PublishedAt == nil && m.Status == pause.StatusPublished {
		m.PublishedAt = old.PublishedAt
	}
}

// alignList gives an empty list the stored list's nil-ness.
func alignList(list *[]string, old []string) {
	if len(*list) == 0 && len(old) == 0 {
		*list = old
	}
}

func alignArticle(a, old *pause.Article) {
	alignMeta(&a.Meta, &old.Meta)
	alignList(&a.Tags, old.Tags)
	alignList(&a.RelatedToolIDs, old.RelatedToolIDs)
}

func alignBenefit(b, old *pause.Benefit) {
	alignMeta(&b.Meta, &old.Meta)
	alignList(&b.Points, old.Points)
}

func alignTool(t, old *pause.Tool) {
	alignMeta(&t.Meta, &old.Meta)
	alignList(&t.Platforms, old.Platforms)
	alignList(&t.Tags, old.Tags)
}

func relatedError(slug string, err error) error {
	if pause.ErrorCode(err) == pause.ENOTFOUND {
		return pause.FieldErrorf("relatedTools", "relatedTools names the tool %q, which is neither in %s/ nor stored", slug, toolsDir)
	}
	return err
}

// fileError says which file err is about; a *pause.Error in it names the field. It keeps err in
// the chain, so that pause.ErrorCode and pause.ErrorField still see it.
func fileError(file string, err error) error {
	return fmt.Errorf("content: %s: %w", file, err)
}

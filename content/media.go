package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"pause"
)

// The media library travels in media/: each image's file as it is stored (media/desk.png),
// and beside it a YAML sidecar of the same name plus .yaml (media/desk.png.yaml) with what the
// library knows of it: its id, the name it was uploaded with, its alternative text, its size
// in pixels and who added it when. For example:
//
//	id: 01JDQ8Z7C1V9X3M4N5P6R7S8T9
//	filename: desk.png
//	alt: A desk by a window
//	contentType: image/png
//	width: 1200
//	height: 800
//	createdAt: 2025-01-06T10:00:00Z
//	createdBy: alice
//
// A YAML file, not front matter: an image has no Markdown text, and a sidecar keeps the image
// file itself untouched (it opens in any viewer, and its bytes are the library's). Keys are
// camelCase as in the front matter, and read as strictly.
//
// Items name an image by its path relative to their own file: an article's coverImage url
// (and an author's avatarUrl, a tool's logoUrl) reads ../media/desk.png. Import stores the
// images first, then points those fields at the images' addresses on the stage imported into.
// Images are matched by id, so that importing a folder twice, or into the stage it came from,
// changes nothing; an id stored with another file is refused (a library's file never changes
// under its id).

const (
	mediaDir   = "media"
	sidecarExt = ".yaml"
	// maxSidecar bounds a sidecar's size.
	maxSidecar = 16 << 10
)

type mediaFM struct {
	ID         string `yaml:"id"`
	Filename   string `yaml:"filename,omitempty"`
	Alt        string `yaml:"alt,omitempty"`
	Decorative bool   `yaml:"decorative,omitempty"`
	// ContentType, Width and Height are for readers of the folder: Import reads them from
	// the file's bytes.
	ContentType string `yaml:"contentType,omitempty"`
	Width       int    `yaml:"width,omitempty"`
	Height      int    `yaml:"height,omitempty"`
	CreatedAt   stamp  `yaml:"createdAt,omitempty"`
	CreatedBy   string `yaml:"createdBy,omitempty"`
	UpdatedAt   stamp  `yaml:"updatedAt,omitempty"`
	UpdatedBy   string `yaml:"updatedBy,omitempty"`
}

// exportName matches a library file name that Export can use as it is.
var exportName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.(jpg|png|webp|avif|gif)$`)

// exported is the media library as Export writes it: each item's file name in media/.
type exported struct {
	items []*pause.Media
	names map[string]string // id -> file name
}

// ref returns the path, relative to an item's file, of the library image that img is (by its
// media id) or shows (by its URL), or "".
func (x *exported) ref(mediaID, url string) string {
	if name, ok := x.names[mediaID]; ok && mediaID != "" {
		return "../" + mediaDir + "/" + name
	}
	for _, m := range x.items {
		if pause.ShowsMedia(url, m) {
			return "../" + mediaDir + "/" + x.names[m.ID]
		}
	}
	return ""
}

// refOr returns ref(mediaID, url), or url if it is no library image.
func (x *exported) refOr(mediaID, url string) string {
	if r := x.ref(mediaID, url); r != "" {
		return r
	}
	return url
}

// exportMedia writes the media library's files and sidecars into dir/media, oldest first: an
// image keeps its file name unless an older one has it, and then its id is added to it.
func exportMedia(ctx context.Context, cms *pause.CMS, dir string, c *Counts) (*exported, error) {
	x := &exported{names: map[string]string{}}
	if cms.Blobs() == nil {
		return x, nil // this stage keeps no media
	}
	items, err := listAll(ctx, func(after string) (*pause.Page[*pause.Media], error) {
		return cms.MediaItems(ctx, pause.Query[pause.MediaFilter]{First: pause.MaxFirst, After: after})
	})
	if err != nil {
		return nil, fmt.Errorf("content: list media: %w", err)
	}
	slices.SortFunc(items, func(a, b *pause.Media) int { return strings.Compare(a.ID, b.ID) })
	x.items = items
	taken := map[string]bool{}
	for _, m := range items {
		name := m.Filename
		if !exportName.MatchString(name) || taken[name] {
			ext := pause.MediaExt(m.ContentType)
			base := strings.TrimSuffix(name, path.Ext(name))
			if !exportName.MatchString(base + "." + ext) {
				base = "image"
			}
			name = base + "-" + strings.ToLower(m.ID) + "." + ext
		}
		taken[name] = true
		x.names[m.ID] = name
		data, err := cms.MediaFile(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("content: media %s: %w", m.Filename, err)
		}
		sidecar, err := encode(&mediaFM{ID: m.ID, Filename: m.Filename, Alt: m.Alt, Decorative: m.Decorative,
			ContentType: m.ContentType, Width: m.Width, Height: m.Height,
			CreatedAt: formatStamp(m.CreatedAt), CreatedBy: m.CreatedBy,
			UpdatedAt: formatStamp(m.UpdatedAt), UpdatedBy: m.UpdatedBy})
		if err != nil {
			return nil, fmt.Errorf("content: media %s: %w", m.Filename, err)
		}
		folder := filepath.Join(dir, mediaDir)
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return nil, fmt.Errorf("content: %w", err)
		}
		fileNew, fileChanged, err := writeBytes(filepath.Join(folder, name), data)
		if err != nil {
			return nil, err
		}
		sideNew, sideChanged, err := writeBytes(filepath.Join(folder, name+sidecarExt), sidecar)
		if err != nil {
			return nil, err
		}
		c.add(fileNew && sideNew, fileChanged || sideChanged)
	}
	return x, nil
}

// writeBytes writes data to the file unless it already holds exactly data, and says whether
// the file was new and whether it changed.
func writeBytes(file string, data []byte) (created, changed bool, err error) {
	old, err := os.ReadFile(file)
	switch {
	case err == nil && string(old) == string(data):
		return false, false, nil
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		created = true
	default:
		return false, false, fmt.Errorf("content: %w", err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return false, false, fmt.Errorf("content: %w", err)
	}
	return created, true, nil
}

// mediaFile is an image of media/ and its sidecar, checked; its bytes are read again when it
// is stored, so that a large library is not held in memory.
type mediaFile struct {
	path string // media/desk.png
	in   pause.MediaImport
}

// readMedia reads and checks the images of media/ and their sidecars: every image has a
// sidecar and every sidecar its image, ids are unique, and each image passes the CMS's checks
// (CheckMediaImport: type from its bytes, size, alternative text, the same file if its id is
// stored). Names starting with a dot are ignored.
func readMedia(ctx context.Context, cms *pause.CMS, fsys fs.FS) (map[string]*mediaFile, []*mediaFile, error) {
	entries, err := fs.ReadDir(fsys, mediaDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, fmt.Errorf("content: read %s: %w", mediaDir, err)
	}
	present := map[string]bool{}
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			present[e.Name()] = true
		}
	}
	byPath := map[string]*mediaFile{}
	var files []*mediaFile
	ids := map[string]string{}
	for _, e := range entries { // sorted by name
		name := e.Name()
		if !present[name] {
			continue
		}
		file := path.Join(mediaDir, name)
		if image, ok := strings.CutSuffix(name, sidecarExt); ok {
			if !present[image] {
				return nil, nil, fileError(file, pause.Errorf(pause.EINVALID, "the sidecar describes %s, which is missing", path.Join(mediaDir, image)))
			}
			continue
		}
		sidecar := file + sidecarExt
		if !present[name+sidecarExt] {
			return nil, nil, fileError(file, pause.Errorf(pause.EINVALID, "the image has no sidecar %s (its id and alternative text)", sidecar))
		}
		data, err := fs.ReadFile(fsys, sidecar)
		if err != nil {
			return nil, nil, fmt.Errorf("content: %w", err)
		}
		if len(data) > maxSidecar {
			return nil, nil, fileError(sidecar, pause.Errorf(pause.EINVALID, "the sidecar is larger than %d KB", maxSidecar>>10))
		}
		var fm mediaFM
		if err := decode(data, &fm); err != nil {
			return nil, nil, fileError(sidecar, err)
		}
		f := &mediaFile{path: file, in: pause.MediaImport{ID: strings.TrimSpace(fm.ID), Alt: fm.Alt,
			Decorative: fm.Decorative, CreatedBy: fm.CreatedBy, UpdatedBy: fm.UpdatedBy}}
		if f.in.ID == "" {
			return nil, nil, fileError(sidecar, pause.FieldErrorf("id", "id is required: the image's id in the library (a ULID such as 01JDQ8Z7C1V9X3M4N5P6R7S8T9)"))
		}
		if other, dup := ids[f.in.ID]; dup {
			return nil, nil, fileError(sidecar, pause.FieldErrorf("id", "id %s is also the id of %s", f.in.ID, other))
		}
		ids[f.in.ID] = sidecar
		// The name the image was uploaded with, with the extension of the file at hand.
		orig := strings.TrimSpace(fm.Filename)
		if orig == "" {
			orig = name
		}
		f.in.Filename = strings.TrimSuffix(orig, path.Ext(orig)) + path.Ext(name)
		if t, err := parseStamp("createdAt", fm.CreatedAt); err != nil {
			return nil, nil, fileError(sidecar, err)
		} else if t != nil {
			f.in.CreatedAt = *t
		}
		if t, err := parseStamp("updatedAt", fm.UpdatedAt); err != nil {
			return nil, nil, fileError(sidecar, err)
		} else if t != nil {
			f.in.UpdatedAt = *t
		}
		image, err := readImage(fsys, file)
		if err != nil {
			return nil, nil, err
		}
		if err := cms.CheckMediaImport(ctx, f.in, image); err != nil {
			if pause.ErrorField(err) == "alt" || pause.ErrorField(err) == "id" {
				return nil, nil, fileError(sidecar, err)
			}
			return nil, nil, fileError(file, err)
		}
		byPath[file] = f
		files = append(files, f)
	}
	return byPath, files, nil
}

// maxImage bounds what is read of an image: one byte more than the largest library file any
// configuration takes (PAUSE_MEDIA_MAX_BYTES), so that the CMS refuses a larger one by its
// size without the whole file in memory.
const maxImage = 100<<20 + 1

// readImage reads the image file, up to maxImage bytes.
func readImage(fsys fs.FS, file string) ([]byte, error) {
	f, err := fsys.Open(file)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImage))
	if err != nil {
		return nil, fmt.Errorf("content: %s: %w", file, err)
	}
	return data, nil
}

// importMedia stores the checked images, and returns each one's item by path.
func importMedia(ctx context.Context, cms *pause.CMS, fsys fs.FS, files []*mediaFile, c *Counts) (map[string]*pause.Media, error) {
	stored := make(map[string]*pause.Media, len(files))
	for _, f := range files {
		data, err := readImage(fsys, f.path)
		if err != nil {
			return nil, err
		}
		m, created, changed, err := cms.ImportMedia(ctx, f.in, data)
		if err != nil {
			return nil, fileError(f.path, err)
		}
		c.add(created, changed)
		stored[f.path] = m
	}
	return stored, nil
}

// mediaRef is an image field of a file that names an image of media/ by its path. Until the
// image is stored, the field holds refPlaceholder, so that the item can be validated.
type mediaRef struct {
	field string
	path  string // media/desk.png
	set   func(m *pause.Media)
}

// refPlaceholder stands for a media reference in an item while its files are checked.
const refPlaceholder = "https://media.invalid/ref"

// localRef reads the image URL in field of the file: a path (no scheme, no host) names an
// image of media/ relative to the file, and is returned as the path from the folder's root,
// with ok; any other value is a URL, and is left to the item's validation.
func localRef(file, field, s string) (p string, ok bool, err error) {
	if s == "" {
		return "", false, nil
	}
	u, perr := url.Parse(s)
	if perr == nil && (u.Scheme != "" || u.Host != "") || strings.Contains(s, "://") {
		return "", false, nil
	}
	p = path.Join(path.Dir(file), s)
	if path.Dir(p) != mediaDir {
		return "", false, pause.FieldErrorf(field, "%s must be an http or https URL, or the path of an image in %s/ (such as ../%s/desk.png), not %q", field, mediaDir, mediaDir, s)
	}
	return p, true, nil
}

// resolveRefs checks that every media reference of a file names an image of media/.
func resolveRefs(file string, refs []mediaRef, images map[string]*mediaFile) error {
	for _, r := range refs {
		if images[r.path] == nil {
			return fileError(file, pause.FieldErrorf(r.field, "%s names %s, which is not in the folder (an image of %s/ with its sidecar)", r.field, r.path, mediaDir))
		}
	}
	return nil
}

// applyRefs points the file's media references at the stored images.
func applyRefs(refs []mediaRef, stored map[string]*pause.Media) {
	for _, r := range refs {
		r.set(stored[r.path])
	}
}

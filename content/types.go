package content

import (
	"fmt"
	"reflect"
	"strings"

	"pause"
)

// fileType is how one content type's items are files, made from its declaration
// (pause.ContentType) so that a registered type is imported and exported with no code here.
// Its files are in the directory named by its plural (tools/). The front matter has the
// item's meta (id, slug, status, times) and then its declared fields, in their declared order:
//
//   - the type's first MARKDOWN field is the file's body, not a key;
//   - a nested object's fields (author.name, author.avatarUrl) are one key holding an object;
//   - a RELATION (relatedToolIds) is a list of the target items' slugs, under its name without
//     its Ids (relatedTools);
//   - an IMAGE, and any URL, may name an image of media/ by its path (../media/desk.png);
//   - an ENUM is read in any case;
//   - a key is left out when empty, unless its field is required or an INT; lists of short
//     entries (tags) and relations are written on one line.
type fileType struct {
	col  pause.AnyCollection
	t    *pause.ContentType
	dir  string
	body string       // the declared field that is the file's body, or ""
	fm   reflect.Type // the front matter: a struct made from the fields (reflect.StructOf)
	keys []fmKey
}

// fmKey is a key of the front matter: a declared field, or a nested object of several.
type fmKey struct {
	field pause.Field // for an object, only its Name (author)
	key   string
	sub   []fmKey // an object's fields
}

// shortEntries is the longest entry of a list written on one line.
const shortEntries = 64

// fileTypes returns the file types of the registry, in its order (a type after those its
// relations name).
func fileTypes(cms *pause.CMS) []*fileType {
	var out []*fileType
	for _, col := range cms.Collections() {
		out = append(out, newFileType(col))
	}
	return out
}

func newFileType(col pause.AnyCollection) *fileType {
	ft := &fileType{col: col, t: col.Type(), dir: col.Type().Plural}
	objects := map[string]int{}
	for _, f := range ft.t.Fields {
		switch {
		case f.Kind == pause.KindSlug:
			continue // part of the meta
		case f.Kind == pause.KindMarkdown && ft.body == "":
			ft.body = f.Name
			continue
		}
		if obj, sub, ok := strings.Cut(f.Name, "."); ok {
			i, seen := objects[obj]
			if !seen {
				i = len(ft.keys)
				objects[obj] = i
				ft.keys = append(ft.keys, fmKey{field: pause.Field{Name: obj}, key: obj})
			}
			ft.keys[i].sub = append(ft.keys[i].sub, fmKey{field: f, key: sub})
			continue
		}
		key := f.Name
		if f.Kind == pause.KindRelation {
			key = strings.TrimSuffix(key, "Ids") + "s"
		}
		ft.keys = append(ft.keys, fmKey{field: f, key: key})
	}
	fields := []reflect.StructField{{Name: "Meta", Type: reflect.TypeFor[metaFM](), Tag: `yaml:",inline"`}}
	ft.fm = reflect.StructOf(append(fields, structFields(ft.keys)...))
	return ft
}

// structFields are the front matter's fields of the keys: F0, F1… with their yaml tags.
func structFields(keys []fmKey) []reflect.StructField {
	var out []reflect.StructField
	for i, k := range keys {
		typ, required := k.goType(), k.field.Required || k.field.Kind == pause.KindInt
		for _, s := range k.sub {
			required = required || s.field.Required
		}
		tag := k.key
		if !required {
			tag += ",omitempty"
		}
		if k.field.Kind == pause.KindRelation || k.field.Kind == pause.KindStringList && k.field.MaxLength <= shortEntries {
			tag += ",flow"
		}
		out = append(out, reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: typ, Tag: reflect.StructTag(`yaml:"` + tag + `"`)})
	}
	return out
}

func (k fmKey) goType() reflect.Type {
	if k.sub != nil {
		return reflect.StructOf(structFields(k.sub))
	}
	switch k.field.Kind {
	case pause.KindStringList, pause.KindRelation:
		return reflect.TypeFor[[]string]()
	case pause.KindBoolean:
		return reflect.TypeFor[bool]()
	case pause.KindInt:
		return reflect.TypeFor[int]()
	case pause.KindImage:
		return reflect.TypeFor[*imageFM]()
	}
	return reflect.TypeFor[string]()
}

// itemFile is a decoded file. Its relations stay slugs until their targets are stored.
type itemFile struct {
	path      string
	item      pause.Content
	media     []mediaRef
	relations []relation
}

// relation is the slugs a relation field of a file names.
type relation struct {
	field pause.Field
	key   string
	slugs []string
}

// field returns the item's field with the API name (dotted for a nested object's).
func field(item pause.Content, name string) reflect.Value {
	v := reflect.ValueOf(item).Elem()
	for part := range strings.SplitSeq(name, ".") {
		v = v.FieldByNameFunc(func(f string) bool { return strings.EqualFold(f, part) })
	}
	return v
}

func (ft *fileType) decode(file string, data []byte) (*itemFile, error) {
	frontMatter, body, err := parse(data)
	if err != nil {
		return nil, err
	}
	fm := reflect.New(ft.fm).Elem()
	if err := decode(frontMatter, fm.Addr().Interface()); err != nil {
		return nil, err
	}
	m, err := fm.Field(0).Addr().Interface().(*metaFM).toMeta(file)
	if err != nil {
		return nil, err
	}
	f := &itemFile{path: file, item: ft.col.NewItem()}
	*f.item.Metadata() = m
	if ft.body != "" {
		field(f.item, ft.body).SetString(body)
	}
	for i, k := range ft.keys {
		if err := f.read(k, fm.Field(i+1)); err != nil {
			return nil, err
		}
	}
	// Check now, before anything is written; the CMS checks again when it stores the item.
	if err := f.item.(interface{ Validate() error }).Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// read copies the value v of the key into the item.
func (f *itemFile) read(k fmKey, v reflect.Value) error {
	if k.sub != nil {
		for i, s := range k.sub {
			if err := f.read(s, v.Field(i)); err != nil {
				return err
			}
		}
		return nil
	}
	name := k.field.Name
	dst := field(f.item, name)
	switch k.field.Kind {
	case pause.KindStringList:
		dst.Set(reflect.ValueOf(orNil(v.Interface().([]string))))
	case pause.KindRelation:
		slugs := orNil(v.Interface().([]string))
		if len(slugs) > k.field.MaxItems {
			return pause.FieldErrorf(k.key, "%s has more than %d entries", k.key, k.field.MaxItems)
		}
		for i, slug := range slugs {
			if !pause.IsSlug(slug) {
				return pause.FieldErrorf(k.key, "%s[%d] %q is not a %s slug", k.key, i, slug, k.field.Target)
			}
		}
		f.relations = append(f.relations, relation{field: k.field, key: k.key, slugs: slugs})
	case pause.KindEnum:
		dst.SetString(strings.ToUpper(strings.TrimSpace(v.String())))
	case pause.KindImage:
		c, _ := v.Interface().(*imageFM)
		if c == nil {
			return nil
		}
		img := &pause.Image{URL: c.URL, Alt: c.Alt, Decorative: c.Decorative, Width: c.Width, Height: c.Height}
		dst.Set(reflect.ValueOf(img))
		p, ok, err := localRef(f.path, name+".url", c.URL)
		if err != nil {
			return err
		}
		if ok {
			// The image's address and size are the library's, on the stage imported into.
			img.URL = refPlaceholder
			f.media = append(f.media, mediaRef{field: name + ".url", path: p, set: func(m *pause.Media) {
				img.URL, img.MediaID, img.Width, img.Height = m.URL, m.ID, m.Width, m.Height
			}})
		}
	case pause.KindURL:
		dst.SetString(v.String())
		s := dst.Addr().Interface().(*string)
		return refString(f.path, name, s, &f.media)
	default:
		dst.Set(v.Convert(dst.Type()))
	}
	return nil
}

// encode writes the item; its images of the library are named by their paths in media/ (lib),
// and its relations by the slugs of their targets (slugs, by type and id; a deleted target is
// left out).
func (ft *fileType) encode(item pause.Content, slugs map[string]map[string]string, lib *exported) ([]byte, error) {
	fm := reflect.New(ft.fm).Elem()
	fm.Field(0).Set(reflect.ValueOf(fromMeta(item.Metadata())))
	for i, k := range ft.keys {
		write(k, item, fm.Field(i+1), slugs, lib)
	}
	body := ""
	if ft.body != "" {
		body = field(item, ft.body).String()
	}
	return encodeFile(fm.Addr().Interface(), body)
}

func write(k fmKey, item pause.Content, dst reflect.Value, slugs map[string]map[string]string, lib *exported) {
	if k.sub != nil {
		for i, s := range k.sub {
			write(s, item, dst.Field(i), slugs, lib)
		}
		return
	}
	v := field(item, k.field.Name)
	switch k.field.Kind {
	case pause.KindRelation:
		var out []string
		for _, id := range v.Interface().([]string) {
			if slug, ok := slugs[k.field.Target][id]; ok {
				out = append(out, slug)
			}
		}
		dst.Set(reflect.ValueOf(out))
	case pause.KindImage:
		if c, _ := v.Interface().(*pause.Image); c != nil {
			dst.Set(reflect.ValueOf(&imageFM{URL: lib.refOr(c.MediaID, c.URL), Alt: c.Alt, Decorative: c.Decorative, Width: c.Width, Height: c.Height}))
		}
	case pause.KindURL:
		dst.SetString(lib.refOr("", v.String()))
	default:
		dst.Set(v.Convert(dst.Type()))
	}
}

// align makes what is the same in meaning the same in value before the CMS compares an
// imported item with the stored one (reflect.DeepEqual): an empty list read from a file (nil)
// takes the stored list's nil-ness, and a published item whose file has no publishedAt keeps
// the stored one.
func (ft *fileType) align(item, old pause.Content) {
	m, o := item.Metadata(), old.Metadata()
	if m.PublishedAt == nil && m.Status == pause.StatusPublished {
		m.PublishedAt = o.PublishedAt
	}
	for _, f := range ft.t.Fields {
		if f.Kind != pause.KindStringList && f.Kind != pause.KindRelation {
			continue
		}
		list, stored := field(item, f.Name), field(old, f.Name)
		if list.Len() == 0 && stored.Len() == 0 {
			list.Set(stored)
		}
	}
}

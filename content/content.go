// Package content moves Pause's content between the CMS and files: Markdown with YAML front
// matter, one file per item, in a directory per content type named by its plural (articles/,
// benefits/, tools/). The front matter is made from each type's declaration (types.go), so a
// registered type is imported and exported with no code here. Import reads such files into
// the CMS, Export writes the CMS's content out in the same format, and Sample is the site's
// sample content, built into the binary.
//
// A file is a "---" line, the front matter (YAML, camelCase keys), a closing "---" line and the
// Markdown of the item's text: an article's body, a benefit's summary, a tool's description.
// Articles name their related tools by slug. For example:
//
//	---
//	slug: what-is-asynchronous-communication-really
//	status: PUBLISHED
//	publishedAt: 2024-11-14T09:00:00Z
//	title: What is Asynchronous Communication, Really?
//	author:
//	  name: Arjun Rajkumar
//	tags: [async, basics]
//	relatedTools: [loom, slack]
//	---
//
//	The Markdown body…
//
// The package works through *pause.CMS only, so it is the same for every store. It imports the
// root package and yaml.
package content

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"slices"
)

// One directory per content type, named by its plural (articles/, tools/…).
//
//go:embed */*.md
var sample embed.FS

// Sample is the site's sample content, built into the binary: the article, benefits and tools
// of the Pause page and a few more articles, in the layout Import reads.
var Sample fs.FS = sample

// Counts says what an Import or Export did with the items of one type.
type Counts struct {
	// Created is how many items (or files) were new.
	Created int
	// Updated is how many existed and were replaced because they differed.
	Updated int
	// Unchanged is how many existed and were equal, and were left alone.
	Unchanged int
}

// Total is how many items the counts cover.
func (c Counts) Total() int { return c.Created + c.Updated + c.Unchanged }

func (c Counts) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged", c.Created, c.Updated, c.Unchanged)
}

// Report says what an Import or Export did, per content type. For Import the counts are of
// items in the CMS; for Export they are of files.
type Report struct {
	// Media counts the media library's images (for Export, an image and its sidecar).
	Media Counts
	// Items counts each content type's items, by the type's plural name (its directory:
	// "tools"); a type with nothing to count is not in it.
	Items map[string]*Counts
}

// Of returns the counts of the content type with the plural name.
func (r Report) Of(plural string) Counts {
	if c := r.Items[plural]; c != nil {
		return *c
	}
	return Counts{}
}

func (r Report) String() string {
	s := "media: " + r.Media.String()
	for _, k := range slices.Sorted(maps.Keys(r.Items)) {
		s += fmt.Sprintf("; %s: %s", k, r.Items[k])
	}
	return s
}

func (r *Report) counts(plural string) *Counts {
	if r.Items == nil {
		r.Items = map[string]*Counts{}
	}
	if r.Items[plural] == nil {
		r.Items[plural] = &Counts{}
	}
	return r.Items[plural]
}

func (r *Report) add(plural string, created, changed bool) { r.counts(plural).add(created, changed) }

func (c *Counts) add(created, changed bool) {
	switch {
	case created:
		c.Created++
	case changed:
		c.Updated++
	default:
		c.Unchanged++
	}
}

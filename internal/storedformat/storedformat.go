// Package storedformat holds what the backends' stored-format tests share: items of every
// content type as the stores have kept them until now, and the golden files their stored form
// is compared with. Data written by an older version of a backend (a bolt file on a laptop, a
// DynamoDB table in production) must read back identically, so each backend's test encodes
// these items into testdata/golden and decodes the golden files back.
//
// The golden files change only when a test runs with -update-goldens, never silently: a
// change to the stored format is a decision, to be reviewed in the diff of the golden files.
//
// It is imported by tests only.
package storedformat

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pause"
)

var update = flag.Bool("update-goldens", false, "write the stored-format golden files from the current code instead of comparing with them")

// Golden compares got with the golden file at path (under the test's testdata/golden), or
// writes it with -update-goldens. It returns the golden file's content.
func Golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: write the golden files with `go test -run %s -update-goldens` (and review them)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the stored form of %s differs from %s: data already stored is in the old form.\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
	return want
}

// at returns a time of 2026-03-01 UTC, with nanoseconds, as stores keep times.
func at(hour, min int) *time.Time {
	t := time.Date(2026, 3, 1, hour, min, 7, 123456789, time.UTC)
	return &t
}

func meta(id, slug string, status pause.Status) pause.Meta {
	return pause.Meta{
		ID: id, Slug: slug, Status: status, CreatedAt: *at(8, 0), UpdatedAt: *at(9, 30),
		CreatedBy: "user:ann", UpdatedBy: "user:bob", Version: 7,
	}
}

// published gives m a publication and a pending scheduled change.
func published(m pause.Meta) pause.Meta {
	m.Status, m.PublishedAt, m.PublishedBy = pause.StatusPublished, at(9, 0), "user:cy"
	m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = at(23, 59), pause.StatusDraft, "user:dee"
	return m
}

// Article returns a published article with every field set, an image and a draft with a body
// of its own.
func Article() *pause.Article {
	a := &pause.Article{
		Meta:  published(meta("01JART0000000000000000RICH", "rich-article", pause.StatusPublished)),
		Title: "Write it down", Excerpt: "Why async teams write.",
		Body: "# Write it down\n\nAsync work *starts* with text.\n", BodyHTML: "<h1>Write it down</h1>\n<p>Async work <em>starts</em> with text.</p>\n",
		Author:             pause.Author{Name: "Ann Author", AvatarURL: "https://example.com/ann.png"},
		Tags:               []string{"async", "writing"},
		CoverImage:         &pause.Image{URL: "https://example.com/cover.jpg", Alt: "A desk", MediaID: "01JMEDIA00000000000000000A", Width: 1200, Height: 630},
		ReadingTimeMinutes: 1,
		RelatedToolIDs:     []string{"01JTOOL0000000000000000001", "01JTOOL0000000000000000002"},
	}
	d := *a
	d.Meta = meta(a.ID, "rich-article-next", pause.StatusPublished)
	d.Title, d.Body, d.BodyHTML = "Write it down, again", "Second *draft*.\n", "<p>Second <em>draft</em>.</p>\n"
	d.Tags, d.RelatedToolIDs = []string{"async"}, []string{}
	d.CoverImage = &pause.Image{URL: "https://example.com/plain.png", Decorative: true}
	d.Draft = nil
	a.Draft = &d
	return a
}

// SparseArticle returns a draft article with only its required fields: no body, no image,
// one nil and one empty list.
func SparseArticle() *pause.Article {
	return &pause.Article{
		Meta:  meta("01JART000000000000000SPARSE", "sparse-article", pause.StatusDraft),
		Title: "Untitled", Author: pause.Author{Name: "Bob"}, Tags: []string{},
	}
}

// Benefit returns a published benefit with every field set and a draft.
func Benefit() *pause.Benefit {
	b := &pause.Benefit{
		Meta:  published(meta("01JBEN0000000000000000RICH", "rich-benefit", pause.StatusPublished)),
		Title: "Focus", Summary: "Hours *without* pings.", SummaryHTML: "<p>Hours <em>without</em> pings.</p>\n",
		Points: []string{"Deep work", "Fewer meetings"}, Icon: "moon", Position: 42,
	}
	d := *b
	d.Meta = meta(b.ID, "rich-benefit", pause.StatusPublished)
	d.Points, d.Position, d.Draft = []string{"Deep work"}, 43, nil
	b.Draft = &d
	return b
}

// SparseBenefit returns a draft benefit at position 0 with only its title.
func SparseBenefit() *pause.Benefit {
	return &pause.Benefit{Meta: meta("01JBEN000000000000000SPARSE", "sparse-benefit", pause.StatusDraft), Title: "First"}
}

// Tool returns a published, featured tool with every field set, a repeated tag and a draft,
// with no scheduled change, so that it counts in its counters.
func Tool() *pause.Tool {
	m := published(meta("01JTOOL000000000000000RICH", "rich-tool", pause.StatusPublished))
	m.ScheduledAt, m.ScheduledStatus, m.ScheduledBy = nil, "", ""
	t := &pause.Tool{
		Meta: m,
		Name: "Threads", Tagline: "Discussions, not chat.", Description: "Long-form *threads*.",
		DescriptionHTML: "<p>Long-form <em>threads</em>.</p>\n", WebsiteURL: "https://threads.example.com",
		LogoURL: "https://threads.example.com/logo.svg", Category: "Discussion", Pricing: pause.PricingFreemium,
		Platforms: []string{"web", "iOS"}, Tags: []string{"chat", "async", "chat"}, Featured: true,
	}
	d := *t
	d.Meta = meta(t.ID, "rich-tool", pause.StatusPublished)
	d.Featured, d.Pricing, d.Draft = false, pause.PricingPaid, nil
	t.Draft = &d
	return t
}

// SparseTool returns an archived tool with its required fields only, not featured.
func SparseTool() *pause.Tool {
	return &pause.Tool{
		Meta: meta("01JTOOL00000000000000SPARSE", "sparse-tool", pause.StatusArchived),
		Name: "Mail", WebsiteURL: "https://mail.example.com", Category: "Email", Pricing: pause.PricingFree,
	}
}

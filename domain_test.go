package pause_test

import (
	"strings"
	"testing"

	"pause"
)

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"What is Asynchronous Communication, Really?":  "what-is-asynchronous-communication-really",
		"  Café & Crème  ":                             "cafe-and-creme",
		"What's new in 2026":                           "whats-new-in-2026",
		"--Hello---World--":                            "hello-world",
		"日本語":                                          "",
		"Planning Gets Better (And Stress Gets Lower)": "planning-gets-better-and-stress-gets-lower",
	} {
		if got := pause.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if got := pause.Slugify(in); got != "" && !pause.IsSlug(got) {
			t.Errorf("Slugify(%q) = %q is not a slug", in, got)
		}
	}
	long := pause.Slugify(strings.Repeat("word ", 60))
	if len(long) > pause.MaxSlug || !pause.IsSlug(long) {
		t.Errorf("long slug %q (%d)", long, len(long))
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Hello, World", "Café", "", "a--b", "ß∂ƒ©", strings.Repeat("x-", 80)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := pause.Slugify(s)
		if out != "" && !pause.IsSlug(out) {
			t.Fatalf("Slugify(%q) = %q, not a slug", s, out)
		}
		if pause.Slugify(out) != out {
			t.Fatalf("Slugify is not idempotent on %q", out)
		}
	})
}

func TestValidate(t *testing.T) {
	valid := func() *pause.Tool {
		return &pause.Tool{
			Meta: pause.Meta{Slug: "loom", Status: pause.StatusDraft},
			Name: "Loom", WebsiteURL: "https://www.loom.com", Category: "Video", Pricing: pause.PricingFreemium,
		}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid tool: %v", err)
	}
	for field, change := range map[string]func(*pause.Tool){
		"name":       func(t *pause.Tool) { t.Name = strings.Repeat("n", pause.MaxName+1) },
		"websiteUrl": func(t *pause.Tool) { t.WebsiteURL = "javascript:alert(1)" },
		"logoUrl":    func(t *pause.Tool) { t.LogoURL = "ftp://example.com/x.png" },
		"pricing":    func(t *pause.Tool) { t.Pricing = "CHEAP" },
		"tags":       func(t *pause.Tool) { t.Tags = make([]string, pause.MaxTags+1) },
		"slug":       func(t *pause.Tool) { t.Slug = "Not A Slug" },
		"category":   func(t *pause.Tool) { t.Category = "bad\x00category" },
		"description": func(t *pause.Tool) {
			t.Description = string([]byte{0xff, 0xfe})
		},
	} {
		tool := valid()
		change(tool)
		err := tool.Validate()
		if pause.ErrorCode(err) != pause.EINVALID || !strings.HasPrefix(pause.ErrorField(err), field) {
			t.Errorf("%s: Validate() = %v, want BAD_USER_INPUT on %s", field, err, field)
		}
	}
	a := &pause.Article{Meta: pause.Meta{Slug: "a", Status: pause.StatusDraft}, Title: "A", Author: pause.Author{Name: "X"},
		Body: strings.Repeat("x", pause.MaxBody+1)}
	if err := a.Validate(); pause.ErrorField(err) != "body" {
		t.Errorf("oversized body: %v", err)
	}
}

func TestCursor(t *testing.T) {
	c := pause.EncodeCursor(pause.OrderName, "loom\x00id")
	if k, err := pause.DecodeCursor(c, pause.OrderName); err != nil || k != "loom\x00id" {
		t.Fatalf("DecodeCursor = %q, %v", k, err)
	}
	for _, bad := range []string{"", "!!!", "bm9wZQ", pause.EncodeCursor(pause.OrderUpdatedAt, "x"), strings.Repeat("A", 5000)} {
		if _, err := pause.DecodeCursor(bad, pause.OrderName); pause.ErrorField(err) != "after" {
			t.Errorf("DecodeCursor(%q) = %v, want BAD_USER_INPUT on after", bad, err)
		}
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(pause.EncodeCursor(pause.OrderName, "a\x00b"))
	f.Add("eyJvIjoiTkFNRSJ9")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := pause.DecodeCursor(s, pause.OrderName)
		if err == nil && k == "" {
			t.Fatal("accepted a cursor without a key")
		}
		if err != nil && pause.ErrorCode(err) != pause.EINVALID {
			t.Fatalf("error %v is not BAD_USER_INPUT", err)
		}
	})
}

func TestReadingTime(t *testing.T) {
	for words, want := range map[int]int{0: 0, 1: 1, 200: 1, 201: 2, 1000: 5} {
		if got := pause.ReadingTime(strings.Repeat("word ", words)); got != want {
			t.Errorf("ReadingTime(%d words) = %d, want %d", words, got, want)
		}
	}
}

func TestRoles(t *testing.T) {
	editor := &pause.Viewer{Subject: "a", Role: pause.RoleEditor}
	if editor.Require(pause.RoleEditor) != nil || pause.ErrorCode(editor.Require(pause.RoleAdmin)) != pause.EFORBIDDEN {
		t.Error("editor role checks")
	}
	if pause.ErrorCode(pause.Anonymous.Require(pause.RoleViewer)) != pause.EUNAUTHENTICATED {
		t.Error("anonymous must be UNAUTHENTICATED")
	}
	if _, ok := pause.ParseRole("anonymous"); ok {
		t.Error("a token may not claim the anonymous role")
	}
}

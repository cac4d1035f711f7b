package content

import (
	"bytes"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in    string
		front, body string
		bad         bool
	}{
		{"layout", "---\ntitle: T\n---\n\nBody.\n", "title: T\n", "Body.", false},
		{"no blank line", "---\ntitle: T\n---\nBody.", "title: T\n", "Body.", false},
		{"body keeps inner blank lines", "---\na: 1\n---\n\n\nBody.\n\n", "a: 1\n", "\nBody.\n", false},
		{"no body", "---\na: 1\n---\n", "a: 1\n", "", false},
		{"closing line at the end", "---\na: 1\n---", "a: 1\n", "", false},
		{"empty front matter", "---\n---\nBody.\n", "", "Body.", false},
		{"dashes in the body", "---\na: 1\n---\n\n---\n\nText\n---\n", "a: 1\n", "---\n\nText\n---", false},
		{"indented dashes", "---\na: |\n  ---\n---\nB\n", "a: |\n  ---\n", "B", false},
		{"longer dash line", "---\na: 1\n----\n---\nB\n", "a: 1\n----\n", "B", false},
		{"no front matter", "Body.\n", "", "", true},
		{"empty file", "", "", "", true},
		{"dash line not alone", "--- \na: 1\n---\n", "", "", true},
		{"not closed", "---\na: 1\n", "", "", true},
		{"CRLF", "---\r\na: 1\r\n---\r\n", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			front, body, err := parse([]byte(tc.in))
			if tc.bad {
				if err == nil {
					t.Fatalf("parse(%q) succeeded", tc.in)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(front) != tc.front || body != tc.body {
				t.Errorf("parse(%q) = %q, %q; want %q, %q", tc.in, front, body, tc.front, tc.body)
			}
		})
	}
}

// FuzzParse checks that parse never panics, that format gives back what parse read, and that
// decoding any front matter fails cleanly or not at all.
func FuzzParse(f *testing.F) {
	f.Add([]byte("---\ntitle: T\n---\n\nBody.\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\na: [1, 2\n---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		front, body, err := parse(data)
		if err != nil {
			return
		}
		front2, body2, err := parse(format(front, body))
		if err != nil {
			t.Fatalf("parse(format(%q, %q)): %v", front, body, err)
		}
		if !bytes.Equal(front, front2) || body != body2 {
			t.Fatalf("parse(format(%q, %q)) = %q, %q", front, body, front2, body2)
		}
		var fm struct {
			Meta       metaFM   `yaml:",inline"`
			Title      string   `yaml:"title"`
			Tags       []string `yaml:"tags,flow"`
			CoverImage *imageFM `yaml:"coverImage"`
		}
		_ = decode(front, &fm)
	})
}

package markdown_test

import (
	"strings"
	"testing"

	"pause/markdown"
)

func TestRender(t *testing.T) {
	r := markdown.New()
	for _, tc := range []struct {
		name, in   string
		want, nope []string
	}{
		{"emphasis", "Hello *world*", []string{"<em>world</em>"}, nil},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
		{"script", "hi <script>alert(1)</script>", nil, []string{"<script", "alert(1)</script"}},
		{"event handler", `<img src="https://x.example/a.png" onerror="alert(1)">`, nil, []string{"onerror"}},
		{"javascript link", "[click](javascript:alert(1))", nil, []string{"javascript:"}},
		{"javascript raw link", `<a href="javascript:alert(1)">x</a>`, nil, []string{"javascript:"}},
		{"http link", "[site](https://example.com)", []string{`href="https://example.com"`}, nil},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil, []string{"<iframe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("Render(%q) = %q, want it to contain %q", tc.in, out, w)
				}
			}
			for _, n := range tc.nope {
				if strings.Contains(out, n) {
					t.Errorf("Render(%q) = %q, must not contain %q", tc.in, out, n)
				}
			}
		})
	}
}

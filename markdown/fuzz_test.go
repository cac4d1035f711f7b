package markdown_test

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"pause/markdown"
)

// FuzzRender renders arbitrary Markdown and checks that the HTML can run nothing: no script
// element (nor "<script" anywhere, which only a tag could be, text being escaped), no event
// handler attribute, no javascript:, vbscript: or data: URL in any attribute, no style, no
// frame or plugin element. The checks read the output with an HTML tokenizer, as a browser
// would, so that "javascript:" in a sentence is text and not a finding.
func FuzzRender(f *testing.F) {
	// The hostile seeds are in testdata/fuzz/FuzzRender.
	f.Add("Hello *world* and [a link](https://example.com)")
	f.Add("<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
	r := markdown.New()
	f.Fuzz(func(t *testing.T, source string) {
		out, err := r.Render(source)
		if err != nil {
			return // an error renders nothing
		}
		if msg := unsafeHTML(out); msg != "" {
			t.Fatalf("Render(%q) %s:\n%s", source, msg, out)
		}
	})
}

var (
	// schemes that run or smuggle content; control characters and spaces are removed first,
	// as browsers ignore them in URLs.
	badScheme = regexp.MustCompile(`^(javascript|vbscript|data|livescript):`)
	badTags   = map[string]bool{"script": true, "iframe": true, "frame": true, "object": true, "embed": true, "style": true, "svg": true, "math": true, "form": true, "base": true, "meta": true, "link": true}
)

// unsafeHTML says what in the HTML could run, or "".
func unsafeHTML(out string) string {
	if strings.Contains(strings.ToLower(out), "<script") {
		return `contains "<script"`
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return ""
			}
			return "is not HTML: " + z.Err().Error()
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			if badTags[strings.ToLower(tok.Data)] {
				return "has a <" + tok.Data + "> element"
			}
			for _, a := range tok.Attr {
				name := strings.ToLower(a.Key)
				if strings.HasPrefix(name, "on") {
					return "has the event handler attribute " + a.Key
				}
				if name == "style" {
					return "has a style attribute"
				}
				value := strings.Map(func(r rune) rune {
					if unicode.IsSpace(r) || unicode.IsControl(r) {
						return -1
					}
					return unicode.ToLower(r)
				}, a.Val)
				if badScheme.MatchString(value) {
					return "has " + a.Key + "=" + a.Val
				}
			}
		}
	}
}

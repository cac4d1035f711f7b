// Package markdown renders editors' Markdown to HTML that is safe to put in a page: goldmark
// renders it (CommonMark with GitHub's tables, strikethrough, task lists and autolinks), and
// bluemonday's user-content policy removes scripts, event handlers, styles and unsafe links.
// It implements pause.Renderer and imports nothing of Pause's but the root.
package markdown

import (
	"bytes"
	"fmt"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer renders and sanitizes Markdown. Its zero value is not usable: call New. It is safe
// for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Renderer.
func New() *Renderer {
	policy := bluemonday.UGCPolicy()
	policy.RequireNoFollowOnLinks(false)
	policy.AddTargetBlankToFullyQualifiedLinks(true) // adds rel="noopener"
	policy.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("code")
	return &Renderer{
		// goldmark drops raw HTML (no WithUnsafe); bluemonday is the second line of defence
		// for whatever Markdown itself can express, such as javascript: links.
		md:     goldmark.New(goldmark.WithExtensions(extension.GFM)),
		policy: policy,
	}
}

// Render returns the sanitized HTML of the Markdown text.
func (r *Renderer) Render(source string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(source), &buf); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	return r.policy.Sanitize(buf.String()), nil
}

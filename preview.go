package pause

import "context"

// MaxPreview is the most bytes of Markdown RenderMarkdown renders: the largest Markdown field
// (an article's body).
const MaxPreview = MaxBody

// RenderMarkdown renders Markdown to sanitized HTML exactly as the Markdown fields of content
// are rendered when they are saved (the CMS's Renderer), for editors' previews: the preview is
// the HTML the API will return. EFORBIDDEN below editors; EINVALID (field markdown) over
// MaxPreview bytes.
func (c *CMS) RenderMarkdown(ctx context.Context, markdown string) (string, error) {
	if err := ViewerFrom(ctx).Require(RoleEditor); err != nil {
		return "", err
	}
	if len(markdown) > MaxPreview {
		return "", FieldErrorf("markdown", "markdown must be at most %d bytes", MaxPreview)
	}
	return render(c.cfg.Markdown, "preview", markdown)
}

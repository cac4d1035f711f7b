package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"pause"
)

// TestRenderMarkdown: the preview of Markdown is the HTML the article's bodyHtml has once it
// is saved (the same renderer, sanitized), and Markdown over the limit is refused on the field.
func TestRenderMarkdown(t *testing.T) {
	_, h := newTestAPI(t)
	md := "# Hello\n\nSome *text* with <script>alert(1)</script> and [a link](https://example.com).\n\n- one\n- two\n"
	var preview struct {
		Data struct{ RenderMarkdown string } `json:"data"`
	}
	if err := json.Unmarshal(post(t, h, pause.RoleEditor, `query($m: String!) { renderMarkdown(markdown: $m) }`, map[string]any{"m": md}), &preview); err != nil {
		t.Fatal(err)
	}
	var created struct {
		Data struct{ CreateArticle struct{ BodyHTML string } } `json:"data"`
	}
	raw := post(t, h, pause.RoleEditor, `mutation($b: String!) { createArticle(input: {title: "T", body: $b, author: {name: "A"}}) { bodyHtml } }`, map[string]any{"b": md})
	if err := json.Unmarshal(raw, &created); err != nil {
		t.Fatal(err)
	}
	got, want := preview.Data.RenderMarkdown, created.Data.CreateArticle.BodyHTML
	if got == "" || got != want || strings.Contains(got, "<script") {
		t.Fatalf("preview %q, bodyHtml %q (%s)", got, want, raw)
	}

	big := strings.Repeat("a", pause.MaxPreview+1)
	body := string(post(t, h, pause.RoleEditor, `query($m: String!) { renderMarkdown(markdown: $m) }`, map[string]any{"m": big}))
	if !strings.Contains(body, `"code":"BAD_USER_INPUT"`) || !strings.Contains(body, `"field":"markdown"`) {
		t.Fatalf("over the limit: %.300s", body)
	}
}

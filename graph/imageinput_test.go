package graph_test

import (
	"encoding/json"
	"testing"

	"pause"
)

// An explicit null mediaId is no media item: the cover image is the external URL given (gqlgen
// reads a null ID into a string as "null", which named no image and refused the save).
func TestImageInputNullMediaID(t *testing.T) {
	_, h := newTestAPI(t)
	body := post(t, h, pause.RoleEditor, `mutation($img: ImageInput) { createArticle(input: {title: "Cover", author: {name: "Ada"}, coverImage: $img}) { coverImage { url alt } } }`,
		map[string]any{"img": map[string]any{"url": "https://cdn.example.com/desk.png", "alt": "A desk", "mediaId": nil}})
	var out struct {
		Data struct {
			CreateArticle struct{ CoverImage struct{ URL, Alt string } }
		}
		Errors []any
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%v: %s", err, body)
	}
	if c := out.Data.CreateArticle.CoverImage; c.URL != "https://cdn.example.com/desk.png" || c.Alt != "A desk" {
		t.Errorf("cover image %+v", c)
	}
}

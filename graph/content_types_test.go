package graph_test

import (
	"encoding/json"
	"slices"
	"testing"

	"pause"
)

// contentTypes describes the three types from their declarations, for viewers and up.
func TestContentTypesQuery(t *testing.T) {
	_, h := newTestAPI(t)
	body := post(t, h, pause.RoleViewer, `{ contentTypes { name typeName orders filters { name kind values }
		fields { name label kind required maxLength maxBytes maxItems min max values target help } } }`, nil)
	type field struct {
		Name, Label, Kind, Target, Help         string
		Required                                bool
		MaxLength, MaxBytes, MaxItems, Min, Max *int
		Values                                  []string
	}
	var out struct {
		Data struct {
			ContentTypes []struct {
				Name, TypeName string
				Orders         []string
				Fields         []field
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%v: %s", err, body)
	}
	fields := map[string]field{}
	var names []string
	for _, ct := range out.Data.ContentTypes {
		names = append(names, ct.Name)
		for _, f := range ct.Fields {
			fields[ct.Name+"."+f.Name] = f
		}
	}
	for _, want := range []string{"article", "benefit", "tool"} {
		if !slices.Contains(names, want) {
			t.Fatalf("content types %v, want article, benefit and tool among them", names)
		}
	}
	if f := fields["article.body"]; f.Kind != "MARKDOWN" || f.MaxBytes == nil || *f.MaxBytes != pause.MaxBody || f.MaxLength != nil {
		t.Errorf("article.body = %+v", f)
	}
	if f := fields["article.title"]; f.Kind != "TEXT" || !f.Required || f.MaxLength == nil || *f.MaxLength != pause.MaxTitle || f.Label != "Title" {
		t.Errorf("article.title = %+v", f)
	}
	if f := fields["article.relatedToolIds"]; f.Kind != "RELATION" || f.Target != "tool" || *f.MaxItems != pause.MaxRelated {
		t.Errorf("article.relatedToolIds = %+v", f)
	}
	if f := fields["tool.pricing"]; f.Kind != "ENUM" || len(f.Values) != 4 || f.Values[0] != "FREE" || f.Min != nil {
		t.Errorf("tool.pricing = %+v", f)
	}
	if f := fields["benefit.position"]; f.Kind != "INT" || f.Min == nil || *f.Min != 0 || *f.Max != pause.MaxPosition {
		t.Errorf("benefit.position = %+v", f)
	}
}

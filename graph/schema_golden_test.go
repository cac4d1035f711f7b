package graph

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

var updateSchema = flag.Bool("update-schema", false, "rewrite graph/testdata/schema.txt from the schema")

// TestPublicSchemaUnchanged pins the public API: every type, field, argument, default, enum
// value, union member and description, printed sorted (so that the order of the schema files
// and of generated parts does not count). A change to the API is a change to
// testdata/schema.txt, seen in review: run `go test ./graph/ -run TestPublicSchemaUnchanged
// -update-schema` after a deliberate one.
func TestPublicSchemaUnchanged(t *testing.T) {
	got := printSchema(parsedSchema)
	const golden = "testdata/schema.txt"
	if *updateSchema {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for _, l := range wl {
			if !slices.Contains(gl, l) {
				t.Errorf("gone from the schema: %s", l)
			}
		}
		for _, l := range gl {
			if !slices.Contains(wl, l) {
				t.Errorf("new in the schema: %s", l)
			}
		}
		if !t.Failed() {
			t.Errorf("the schema differs from %s in the order of its lines only", golden)
		}
	}
}

// printSchema prints the schema's user-defined types one line per type, field, argument and
// enum value, sorted.
func printSchema(s *ast.Schema) string {
	var lines []string
	desc := func(d string) string {
		if d == "" {
			return ""
		}
		return fmt.Sprintf(" # %q", d)
	}
	for name, def := range s.Types {
		if def.BuiltIn {
			continue
		}
		ifaces := slices.Sorted(slices.Values(def.Interfaces))
		members := slices.Sorted(slices.Values(def.Types))
		lines = append(lines, fmt.Sprintf("%s %s implements[%s] members[%s]%s", def.Kind, name,
			strings.Join(ifaces, ","), strings.Join(members, ","), desc(def.Description)))
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			def := ""
			if f.DefaultValue != nil {
				def = " = " + f.DefaultValue.String()
			}
			lines = append(lines, fmt.Sprintf("%s.%s: %s%s%s", name, f.Name, f.Type.String(), def, desc(f.Description)))
			for _, a := range f.Arguments {
				def := ""
				if a.DefaultValue != nil {
					def = " = " + a.DefaultValue.String()
				}
				lines = append(lines, fmt.Sprintf("%s.%s(%s: %s%s)%s", name, f.Name, a.Name, a.Type.String(), def, desc(a.Description)))
			}
		}
		for _, v := range def.EnumValues {
			lines = append(lines, fmt.Sprintf("%s.%s%s", name, v.Name, desc(v.Description)))
		}
	}
	for name, d := range s.Directives {
		if !d.Position.Src.BuiltIn {
			lines = append(lines, fmt.Sprintf("directive @%s%s", name, desc(d.Description)))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

package pause

import (
	"embed"
	"io/fs"
	"slices"
	"strings"
)

// schemaFiles are the GraphQL schema's files: schema.graphqls, the API's core, and the files of
// the parts beside it (accounts.graphqls, …), as gqlgen.yml lists them for graph/.
//
//go:embed *.graphqls
var schemaFiles embed.FS

// Schema is the GraphQL API's contract in SDL: the schema files as this binary was built with
// them, the schema that graph/ is generated from (see SchemaFiles). `pause schema` prints it, so
// that a frontend gets the SDL for code generation from the binary it runs against, with
// introspection off (as in production).
var Schema = func() string {
	var b strings.Builder
	for i, name := range SchemaFiles() {
		data, _ := fs.ReadFile(schemaFiles, name)
		if i > 0 {
			b.WriteString("\n")
		}
		b.Write(data)
	}
	return b.String()
}()

// SchemaFiles returns the names of the schema files, in the order Schema joins them:
// schema.graphqls first, then the others by name.
func SchemaFiles() []string {
	names, _ := fs.Glob(schemaFiles, "*.graphqls")
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "schema.graphqls":
			return -1
		case b == "schema.graphqls":
			return 1
		}
		return strings.Compare(a, b)
	})
	return names
}

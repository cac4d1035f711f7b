package pause

import _ "embed" // Schema

// Schema is the GraphQL API's contract in SDL: schema.graphqls as this binary was built with it,
// the schema that graph/ is generated from. `pause schema` prints it, so that a frontend gets
// the SDL for code generation from the binary it runs against, with introspection off (as in
// production).
//
//go:embed schema.graphqls
var Schema string

package pause

// The GraphQL adapter in graph/ is generated from the schema files and gqlgen.yml. First
// tools/contentgen writes the content types' per-type parts of the API from the registry
// (content.generated.graphqls, gqlgen.yml's contentgen block, graph/content.generated*.go);
// then gqlgen generates the executor.
//go:generate go run ./tools/contentgen
//go:generate go tool gqlgen generate

package pause

// The GraphQL adapter in graph/ is generated from schema.graphqls and gqlgen.yml.
//go:generate go tool gqlgen generate

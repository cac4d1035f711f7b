package main

import (
	"errors"
	"flag"
	"io"

	"pause"
)

// printSchema writes the API's schema (SDL) to stdout: the schema files this binary was built
// with, for code generators and linters (pause schema > schema.graphqls).
func printSchema(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(stderr, "Usage: pause schema\n\nPrints the GraphQL schema (SDL) that this binary serves.\n")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New("schema: takes no arguments: pause schema > schema.graphqls")
	}
	_, err := io.WriteString(stdout, pause.Schema)
	return err
}

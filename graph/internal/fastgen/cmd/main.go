// Command fastgen writes graph/fastbind_gen.go from graph/generated.go (see package fastgen).
// It runs from graph's go:generate directive, after gqlgen (`go generate ./...` runs the root
// package's first). Usage: fastgen [-in generated.go] [-out fastbind_gen.go].
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"pause/graph/internal/fastgen"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fastgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("fastgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "generated.go", "gqlgen's generated executor")
	out := fs.String("out", "fastbind_gen.go", "the file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	code, err := fastgen.Generate(src)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, code, 0o644)
}

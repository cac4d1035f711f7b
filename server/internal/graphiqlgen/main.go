// Command graphiqlgen writes the GraphiQL page that Pause serves in development: gqlgen's
// playground page for Pause's endpoint, rendered once, at `go generate` time. Serving the
// rendered page rather than calling the playground package keeps that package, and through it
// text/template, out of the server's binaries: text/template looks methods up by name through
// reflection, which makes the linker keep every exported method of every type, 4 MB of the
// Lambda bootstrap (docs/PERFORMANCE.md).
//
//	go run ./internal/graphiqlgen graphiql.html
package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/99designs/gqlgen/graphql/playground"
)

// The page's title and the endpoint it queries.
const (
	title    = "Pause"
	endpoint = "/graphql"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "graphiqlgen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: graphiqlgen FILE")
	}
	page, err := render()
	if err != nil {
		return err
	}
	return os.WriteFile(args[0], page, 0o644)
}

// render returns gqlgen's GraphiQL page for the endpoint.
func render() ([]byte, error) {
	rec := httptest.NewRecorder()
	playground.Handler(title, endpoint)(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(endpoint)) {
		return nil, fmt.Errorf("the playground answered %d: %.200s", rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes(), nil
}

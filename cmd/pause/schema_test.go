package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"pause"
	"pause/graph"
)

// `pause schema` prints the schema files as they are (schema.graphqls, then the others), from
// the binary (no file, no server, no configuration needed).
func TestSchemaCommand(t *testing.T) {
	var want []byte
	for i, name := range pause.SchemaFiles() {
		data, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			want = append(want, '\n')
		}
		want = append(want, data...)
	}
	if len(pause.SchemaFiles()) < 2 || pause.SchemaFiles()[0] != "schema.graphqls" {
		t.Errorf("schema files %v: want schema.graphqls first, and the parts beside it", pause.SchemaFiles())
	}
	var out, errOut bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := run(context.Background(), []string{"schema"}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("pause schema: %v (%s)", err, errOut.String())
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("pause schema printed %d bytes that differ from schema.graphqls (%d bytes)", out.Len(), len(want))
	}
	if !bytes.Contains(out.Bytes(), []byte("type Query {")) {
		t.Errorf("no Query type in %.200s", out.String())
	}
	// A configuration that serve would refuse does not matter to it.
	bad := func(k string) string { return map[string]string{"PAUSE_ENV": "staging", "PAUSE_STORE": "mongo"}[k] }
	if err := run(context.Background(), []string{"schema"}, bad, io.Discard, io.Discard); err != nil {
		t.Errorf("pause schema with an invalid configuration: %v", err)
	}
	if err := run(context.Background(), []string{"schema", "extra"}, noEnv, io.Discard, io.Discard); err == nil {
		t.Error("pause schema extra: no error")
	}
}

// The SDL that `pause schema` prints is the schema the server executes: graph/ was generated
// from this very file (formatted alike, the two are the same text).
func TestSchemaIsServed(t *testing.T) {
	printed, err := gqlparser.LoadSchema(&ast.Source{Name: "pause schema", Input: pause.Schema})
	if err != nil {
		t.Fatalf("pause schema does not parse: %v", err)
	}
	format := func(s *ast.Schema) string {
		var b strings.Builder
		formatter.NewFormatter(&b, formatter.WithComments()).FormatSchema(s)
		return b.String()
	}
	served := graph.NewExecutableSchema(graph.Config{}).Schema()
	if got, want := format(printed), format(served); got != want {
		t.Errorf("pause schema prints a schema other than the one served: run go generate ./...")
	}
}

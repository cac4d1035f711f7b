package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServersAgree runs the benchmark with no round: it builds Pause, starts it on the embedded
// store and (with PAUSE_TEST_DYNAMODB_ENDPOINT, as make test has it) on DynamoDB Local, starts
// Apollo Server over the same content and schema, and fails unless every benchmarked query gets
// the same data from both. So a change that makes `make bench` unable to start, or Apollo's
// answers differ from Pause's, fails here rather than the next time someone measures.
func TestServersAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts five servers")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"bench/node_modules/.bin/autocannon", "bench/apollo/node_modules/@apollo/server"} {
		if _, err := os.Stat(filepath.Join(root, dir)); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("the benchmark's npm packages are not installed (make bench-deps): %v", err)
			}
			t.Skipf("the benchmark's npm packages are not installed: run make bench-deps (%v)", err)
		}
	}
	t.Chdir(root)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-rounds", "0", "-warmup", "0"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "both servers answer the") {
		t.Fatalf("no comparison of the answers:\n%s", stderr.String())
	}
}

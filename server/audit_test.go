package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pause/server"
)

// auditDir holds the graphql-http audits: package.json and package-lock.json pin the npm
// package, audit.mjs runs it.
var auditDir = filepath.Join("..", "tools", "graphql-http")

var npmOnce sync.Once

// auditTool returns the node binary, having installed the audits from the lockfile if they
// are missing. Without node or npm the audits skip, except in CI (CI=true), where they fail.
func auditTool(t *testing.T) string {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed: the graphql-http audits need Node.js")
	}
	npmOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(auditDir, "node_modules", "graphql-http", "package.json")); err == nil {
			return
		}
		npm, err := exec.LookPath("npm")
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = auditDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("npm ci in %s: %v\n%s", auditDir, err, out)
		}
	})
	if _, err := os.Stat(filepath.Join(auditDir, "node_modules", "graphql-http", "package.json")); err != nil {
		missing("graphql-http is not installed in %s (npm ci failed or npm is missing)", auditDir)
	}
	return node
}

// TestGraphQLOverHTTPAudits runs every server audit of graphql-http against the real handler:
// each must pass, with no warnings. The audits ask for __type, so they run where introspection
// is on: in development, and in production with introspection enabled explicitly (which keeps
// production's headers, masking and limits).
func TestGraphQLOverHTTPAudits(t *testing.T) {
	node := auditTool(t)
	for _, tc := range []struct {
		name      string
		configure func(*server.Config)
	}{
		{"development", func(c *server.Config) { c.Development = true }},
		{"production", func(c *server.Config) { c.Introspection = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixtureWith(t, tc.configure)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, "audit.mjs", f.srv.URL+"/graphql")
			cmd.Dir = auditDir
			out, err := cmd.CombinedOutput()
			report := strings.TrimSpace(string(out))
			t.Logf("graphql-http audits, %s:\n%s", tc.name, report)
			if err != nil {
				t.Fatalf("the audits did not all pass: %v", err)
			}
			if !strings.Contains(report, " 0 warnings, 0 errors") {
				t.Fatalf("no clean summary in the audit output")
			}
		})
	}
}

//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The bootstrap's budget (issue #4, docs/PERFORMANCE.md): at most 15 MB, and an init of at most
// 50 ms, which BenchmarkColdStart measures. Sizes and imports, unlike times, are the same on
// every run, so these tests hold the line in make test.

// maxBootstrap is the largest bootstrap allowed, in bytes.
const maxBootstrap = 15_000_000

// TestBootstrapImports: none of the packages that made the cold start slow or the bootstrap
// large is linked into the function again.
func TestBootstrapImports(t *testing.T) {
	out, err := exec.Command(goTool(), "list", "-deps", "-tags", lambdaTags, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	why := map[string]string{
		"github.com/aws/aws-sdk-go-v2/config": "its credential chain links the SSO, STS and sign-in clients: " +
			"build the function's AWS configuration from its environment (aws.go)",
		"github.com/aws/aws-sdk-go-v2/service/ssm": "its package builds a schema of every SSM operation at init: " +
			"read the secret with a signed request (secret.go)",
		"github.com/aws/aws-sdk-go-v2/service/sts": "linked by the SDK's default credential chain",
		"github.com/aws/aws-sdk-go-v2/service/sso": "linked by the SDK's default credential chain",
		"text/template": "its reflective method calls make the linker keep every exported method " +
			"of every type (4 MB): serve pages built by go generate (server/graphiql)",
		"github.com/99designs/gqlgen/graphql/playground": "it links text/template",
		"github.com/lestrrat-go/jwx/v3/jwk":              "1 MB and 1.5 ms of init: auth parses JWKS with jwkset",
		"pause/server/graphiql": "1.8 MB of GraphiQL's assets, which production never serves: " +
			"only cmd/pause sets app.Config.GraphiQL",
		"github.com/go-webauthn/webauthn/webauthn": "2 MB over the budget: the function is built with the tag nopasskeys " +
			"(make lambda; accounts/webauthn_off.go)",
		"go.etcd.io/bbolt": "about 300 KB that production never uses (each instance would have a file of its own): " +
			"the function is built with the tag nobolt (make lambda; app/nobolt.go)",
	}
	for _, pkg := range strings.Fields(string(out)) {
		if reason, ok := why[pkg]; ok {
			t.Errorf("the Lambda function links %s: %s", pkg, reason)
		}
	}
}

// TestBootstrapSize: the bootstrap that is deployed, built as `make lambda` builds it
// (linux/arm64, the release flags), fits the budget. (The host's amd64 build is about 1.2 MB
// larger; it measured the budget until the accounts, the client contract and the operations
// work made it pass 15 MB while the deployed one stays under.)
func TestBootstrapSize(t *testing.T) {
	out := filepath.Join(buildDir, "arm64", "bootstrap")
	if err := buildBootstrap(out, ".", "linux", "arm64"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() > maxBootstrap {
		t.Errorf("the bootstrap is %d bytes, over the budget of %d (docs/PERFORMANCE.md)", info.Size(), maxBootstrap)
	}
	t.Logf("bootstrap (linux/arm64) %d bytes", info.Size())
}

//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The bootstraps' budget (issue #4, docs/PERFORMANCE.md): at most 15 MB each, and an init of
// at most 50 ms, which BenchmarkColdStart measures. Sizes and imports, unlike times, are the
// same on every run, so these tests hold the line in make test. Both functions are held to it:
// the API's (lambdaTags) and the sign-in function's (authTags).

// maxBootstrap is the largest bootstrap allowed, in bytes.
const maxBootstrap = 15_000_000

// bootstraps are the functions make lambda builds: a name and the build tags.
var bootstraps = []struct{ name, tags string }{{"api", lambdaTags}, {"auth", authTags}}

// linkedIn returns the packages that the bootstrap built with the tags links.
func linkedIn(t *testing.T, tags string) []string {
	t.Helper()
	out, err := exec.Command(goTool(), "list", "-deps", "-tags", tags, ".").Output()
	if err != nil {
		t.Fatalf("go list -tags %s: %v", tags, err)
	}
	return strings.Fields(string(out))
}

// TestBootstrapImports: none of the packages that made the cold start slow or the bootstrap
// large is linked into either function again.
func TestBootstrapImports(t *testing.T) {
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
		"go.etcd.io/bbolt": "about 300 KB that production never uses (each instance would have a file of its own): " +
			"the functions are built with the tag nobolt (make lambda; app/core/nobolt.go)",
	}
	// What each function leaves to the other.
	only := map[string]map[string]string{
		"api": {
			"pause/accounts": "the sign-in function serves /auth/: the API is built with the tag noaccounts " +
				"(make lambda; app/core/noaccounts.go)",
			"github.com/go-webauthn/webauthn/webauthn": "passkeys are the sign-in function's (2 MB)",
			"golang.org/x/oauth2":                      "single sign-on is the sign-in function's",
			"github.com/pquerna/otp/totp":              "TOTP is the sign-in function's",
		},
		"auth": {
			"pause/app":                           "the sign-in function is built from app/core alone (auth.go)",
			"pause/graph":                         "the sign-in function serves no GraphQL: it must not link the executor",
			"pause/server":                        "the API's handler (internal/edge is what the functions share)",
			"pause/studio":                        "the studio's files are the API's",
			"github.com/99designs/gqlgen/graphql": "the sign-in function serves no GraphQL",
			"github.com/vektah/gqlparser/v2":      "the sign-in function serves no GraphQL",
			"pause/markdown":                      "the sign-in function renders no content",
		},
	}
	for _, b := range bootstraps {
		deps := linkedIn(t, b.tags)
		for _, pkg := range deps {
			if reason, ok := why[pkg]; ok {
				t.Errorf("the %s function links %s: %s", b.name, pkg, reason)
			}
			if reason, ok := only[b.name][pkg]; ok {
				t.Errorf("the %s function links %s: %s", b.name, pkg, reason)
			}
		}
		if !slices.Contains(deps, "pause/internal/edge") {
			t.Errorf("the %s function does not link pause/internal/edge: the list is wrong", b.name)
		}
	}
	// The sign-in function has passkeys: that is why it exists.
	if deps := linkedIn(t, authTags); !slices.Contains(deps, "github.com/go-webauthn/webauthn/webauthn") ||
		!slices.Contains(deps, "pause/accounts") {
		t.Errorf("the sign-in function does not link pause/accounts with go-webauthn: passkeys would answer NOT_FOUND")
	}
}

// TestBootstrapSize: the bootstraps that are deployed, built as `make lambda` builds them
// (linux/arm64, the release flags), fit the budget. (The host's amd64 builds are about 1.2 MB
// larger; they measured the budget until the accounts, the client contract and the operations
// work made the API's pass 15 MB while the deployed one stays under.)
func TestBootstrapSize(t *testing.T) {
	for _, b := range bootstraps {
		out := filepath.Join(buildDir, "arm64-"+b.name, "bootstrap")
		if err := buildTagged(b.tags, out, ".", "linux", "arm64"); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() > maxBootstrap {
			t.Errorf("the %s bootstrap is %d bytes, over the budget of %d (docs/PERFORMANCE.md)", b.name, info.Size(), maxBootstrap)
		}
		t.Logf("%s bootstrap (linux/arm64) %d bytes", b.name, info.Size())
	}
}

package infra

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/intrinsics"
	"go.yaml.in/yaml/v3"
)

// workflow is what TestDeployWorkflow reads of a GitHub Actions workflow.
type workflow struct {
	Permissions map[string]string
	Jobs        map[string]struct {
		Needs       any
		Environment string
		Permissions map[string]string
		Steps       []struct {
			Uses string
			Run  string
			With map[string]string
		}
	}
}

// TestDeployWorkflow checks the example CI/CD workflow: tests, then one build, whose package
// is deployed unchanged to staging and then production, each in its GitHub environment, with
// OIDC credentials (id-token: write in the deploy jobs only) and the options deploy.sh has.
func TestDeployWorkflow(t *testing.T) {
	b, err := os.ReadFile("../.github/workflows/deploy.yml")
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	if w.Permissions["contents"] != "read" || len(w.Permissions) != 1 {
		t.Errorf("default permissions %v, want contents: read only", w.Permissions)
	}
	order := []string{"test", "build", "deploy-staging", "deploy-production"}
	for i, name := range order {
		job, ok := w.Jobs[name]
		if !ok {
			t.Fatalf("no job %s", name)
		}
		if i > 0 && job.Needs != order[i-1] {
			t.Errorf("%s needs %v, want %s", name, job.Needs, order[i-1])
		}
		var runs []string
		for _, s := range job.Steps {
			runs = append(runs, s.Uses+" "+s.Run)
		}
		all := strings.Join(runs, "\n")
		deploys := strings.HasPrefix(name, "deploy-")
		if (job.Permissions["id-token"] == "write") != deploys {
			t.Errorf("%s: id-token %q: only the deploy jobs get OIDC tokens", name, job.Permissions["id-token"])
		}
		switch name {
		case "test":
			if !strings.Contains(all, "make test") || !strings.Contains(all, "cfn-lint==1.51.0") {
				t.Errorf("test: %s", all)
			}
		case "build":
			if !strings.Contains(all, "make lambda") || !strings.Contains(all, "actions/upload-artifact") ||
				!strings.Contains(all, "dist/pause-lambda.zip") || !strings.Contains(all, "dist/pause-auth.zip") {
				t.Errorf("build: %s", all)
			}
		default:
			stage := map[string]string{"deploy-staging": "staging", "deploy-production": "prod"}[name]
			if job.Environment != strings.TrimPrefix(name, "deploy-") {
				t.Errorf("%s runs in environment %q", name, job.Environment)
			}
			if strings.Contains(all, "make lambda") || !strings.Contains(all, "actions/download-artifact") ||
				!strings.Contains(all, "aws-actions/configure-aws-credentials") ||
				!strings.Contains(all, "infra/deploy.sh --stage "+stage+" --package artifact/pause-lambda.zip --auth-package artifact/pause-auth.zip --cfn-role") {
				t.Errorf("%s does not deploy the package built once: %s", name, all)
			}
		}
	}
	// The options the workflow gives deploy.sh exist.
	help, err := exec.Command("bash", "deploy.sh", "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []string{"--package ZIP", "--auth-package ZIP", "--cfn-role ARN", "--stage NAME"} {
		if !strings.Contains(string(help), opt) {
			t.Errorf("deploy.sh has no %s", opt)
		}
	}
}

// TestCIRoleTemplate checks infra/ci-role.yaml: it decodes strictly and lints clean; only the
// repository's staging and production environments may assume the deploy role, through
// GitHub's OIDC provider; the deploy role passes the execution role to CloudFormation only.
func TestCIRoleTemplate(t *testing.T) {
	t.Parallel() // it runs cfn-lint
	data, err := os.ReadFile("ci-role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := goformation.ParseYAMLWithOptions(data, &intrinsics.ProcessorOptions{ParameterOverrides: map[string]any{"Repository": "acme/pause"}})
	if err != nil {
		t.Fatalf("ci-role.yaml does not decode strictly: %v", err)
	}
	role, err := tmpl.GetIAMRoleWithName("DeployRole")
	if err != nil {
		t.Fatal(err)
	}
	trust := str(role.AssumeRolePolicyDocument)
	for _, want := range []string{"sts:AssumeRoleWithWebIdentity", `"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"`,
		"repo:acme/pause:environment:staging", "repo:acme/pause:environment:production"} {
		if !strings.Contains(trust, want) {
			t.Errorf("the trust policy has no %s: %s", want, trust)
		}
	}
	if strings.Contains(trust, "StringLike") || strings.Contains(trust, ":*") {
		t.Errorf("the trust policy matches more than the two environments: %s", trust)
	}
	policy := str(role.Policies)
	for _, want := range []string{`"iam:PassRole"`, `"iam:PassedToService":"cloudformation.amazonaws.com"`, "stack/pause-*/*"} {
		if !strings.Contains(policy, want) {
			t.Errorf("the deploy policy has no %s", want)
		}
	}
	for _, never := range []string{`"*:*"`, `"iam:*"`, `"Resource":"*"`} {
		if strings.Contains(policy, never) {
			t.Errorf("the deploy policy has %s", never)
		}
	}
	if _, err := tmpl.GetIAMRoleWithName("ExecutionRole"); err != nil {
		t.Error(err)
	}
	if bin, err := exec.LookPath("cfn-lint"); err == nil {
		if out, err := exec.Command(bin, "--format", "parseable", "ci-role.yaml").CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("cfn-lint ci-role.yaml: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatal("cfn-lint is not on PATH in CI")
	}
}

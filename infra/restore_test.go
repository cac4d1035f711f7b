package infra

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"pause/dynamo/dynamotest"
)

// TestRestoreDryRun checks the restore runbook's script: the restore into a new table named
// after the stage and the time, with the stage's settings (on demand, its maximum throughput,
// encryption, point-in-time recovery, deletion protection in production, its tag), and the
// cut-over it points to, a deploy with TableName. It changes nothing else: no stack update,
// no delete.
func TestRestoreDryRun(t *testing.T) {
	for _, stage := range []string{"prod", "demo"} {
		s := newScriptEnv(t, true)
		out, stderr, ok := s.run(nil, "infra/restore.sh", "--dry-run", "--stage", stage, "--time", "2026-01-31T12:00:00Z")
		if !ok {
			t.Fatalf("%s: %s", stage, stderr)
		}
		if calls := s.awsCalls(); len(calls) > 0 {
			t.Fatalf("a dry run called aws: %q", calls)
		}
		cmds := commands(t, out)
		restore := one(t, cmds, "aws", "dynamodb", "restore-table-to-point-in-time")
		target := flag(restore, "--target-table-name")
		if len(target) != 1 || !regexp.MustCompile(`^pause-`+stage+`-r\d{14}$`).MatchString(target[0]) {
			t.Fatalf("target %q", target)
		}
		for name, want := range map[string]string{
			"--source-table-name": "pause-" + stage, "--restore-date-time": "2026-01-31T12:00:00Z",
			"--billing-mode-override": "PAY_PER_REQUEST", "--on-demand-throughput-override": "MaxReadRequestUnits=2000,MaxWriteRequestUnits=500",
			"--sse-specification-override": "Enabled=true,SSEType=KMS",
		} {
			if got := flag(restore, name); !slices.Equal(got, []string{want}) {
				t.Errorf("%s %s %q, want %s", stage, name, got, want)
			}
		}
		for _, prefix := range [][]string{{"aws", "dynamodb", "wait", "table-exists"}, {"aws", "dynamodb", "update-continuous-backups"}, {"aws", "dynamodb", "tag-resource"}} {
			if c := one(t, cmds, prefix...); !strings.Contains(strings.Join(c, " "), target[0]) {
				t.Errorf("%q is not about %s", c, target[0])
			}
		}
		if got := len(find(cmds, "aws", "dynamodb", "update-table")); got != map[string]int{"prod": 1, "demo": 0}[stage] {
			t.Errorf("%s: %d deletion-protection updates", stage, got)
		}
		for _, c := range cmds {
			if c[1] == "cloudformation" && c[2] != "describe-stacks" || slices.Contains(c, "delete-table") {
				t.Errorf("the restore changes something else: %q", c)
			}
		}
		if !strings.Contains(out, `make deploy STAGE=`+stage+` DEPLOY_FLAGS="--param TableName=`+target[0]+`"`) {
			t.Errorf("no cut-over in:\n%s", out)
		}
	}
	s := newScriptEnv(t, true)
	if _, stderr, ok := s.run(nil, "infra/restore.sh", "--dry-run", "--stage", "demo", "--time", "yesterday"); ok || !strings.Contains(stderr, "RFC 3339") {
		t.Errorf("a bad time: %v %s", ok, stderr)
	}
}

// TestRunbookCommandsRealCLI gives the dynamodb commands of the restore and destroy runbooks,
// as their dry runs print them, to the real aws CLI of this machine, pointed at DynamoDB Local:
// the CLI must accept every option (DynamoDB Local then answers, or says it does not know the
// operation: point-in-time recovery is not emulated). An option the CLI does not know (as
// Debian's 2.9.19 does not know --no-deletion-protection-enabled) fails here, offline.
func TestRunbookCommandsRealCLI(t *testing.T) {
	real, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is not on PATH in CI")
		}
		t.Skip("no aws CLI on PATH")
	}
	endpoint := dynamotest.Endpoint(t)
	if endpoint == "" {
		t.Skipf("%s is not set: run the tests with tools/dynamodb-local/with-dynamodb.sh", dynamotest.EndpointVar)
	}
	_, table := dynamotest.Table(t, "runbook-")
	var cmds [][]string
	for _, run := range [][]string{
		{"infra/restore.sh", "--dry-run", "--stage", "prod", "--time", "2026-01-31T12:00:00Z"},
		{"infra/restore.sh", "--dry-run", "--stage", "prod", "--latest"},
		{"infra/destroy.sh", "--dry-run", "--stage", "prod", "--delete-protected-table"},
	} {
		s := newScriptEnv(t, true)
		out, stderr, ok := s.run(nil, run[0], run[1:]...)
		if !ok {
			t.Fatalf("%v: %s", run, stderr)
		}
		cmds = append(cmds, find(commands(t, out), "aws", "dynamodb")...)
	}
	if len(cmds) < 10 {
		t.Fatalf("only %d dynamodb commands", len(cmds))
	}
	for _, c := range cmds {
		if c[2] == "wait" {
			continue // waiters poll until a state: their options are describe-table's
		}
		args := slices.Clone(c[1:])
		for i, a := range args {
			// The tables of the runbooks, on DynamoDB Local: one that exists.
			if strings.HasPrefix(a, "pause-prod") {
				args[i] = table
			}
			if strings.HasPrefix(a, "arn:aws:dynamodb:") {
				args[i] = "arn:aws:dynamodb:us-east-1:000000000000:table/" + table
			}
		}
		cmd := exec.Command(real, append([]string{"--endpoint-url", endpoint}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		text := string(out)
		if err != nil && !strings.Contains(text, "UnknownOperationException") && !strings.Contains(text, "ResourceNotFoundException") {
			t.Errorf("aws %s:\n%s", strings.Join(args, " "), text)
		}
		for _, bad := range []string{"Unknown options", "Parameter validation failed", "Invalid choice", "usage:"} {
			if strings.Contains(text, bad) {
				t.Errorf("the CLI refuses aws %s:\n%s", strings.Join(args, " "), text)
			}
		}
	}
	// The destroy runbook ends with delete-table, which DynamoDB Local carried out.
}

package infra

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause/dynamo/dynamotest"
)

// destroyFakeAWS is an aws CLI for destroy.sh's real runs: it records every call in
// $FAKE_AWS_LOG, answers who is calling, which table the stack has, and, for the deletion
// protection, what $FAKE_PROTECTION says: True, False, None (an aws CLI that does not know the
// field, like Debian 12's 2.9.19), error (the call fails), empty (it prints nothing) or missing
// (the table is gone). $FAKE_CLI is v1 or v2: their version strings and exit codes differ, and
// the v2 of Debian 12 (2.9.19) does not know --no-deletion-protection-enabled.
const destroyFakeAWS = `#!/bin/bash
echo "$*" >>"$FAKE_AWS_LOG"
fail() {
	echo "$1" >&2
	if [ "$FAKE_CLI" = v1 ]; then exit 255; else exit 254; fi
}
case "$1 $2" in
"--version ")
	if [ "$FAKE_CLI" = v1 ]; then echo "aws-cli/1.45.11 Python/3.11.7 Linux botocore/1.43.11"; else echo "aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12 prompt/off"; fi
	exit 0 ;;
"sts get-caller-identity") echo 123456789012; exit 0 ;;
"cloudformation describe-stacks") echo "pause-$FAKE_STAGE"; exit 0 ;;
"dynamodb describe-table")
	case "$FAKE_PROTECTION" in
	True | False | None) echo "$FAKE_PROTECTION" ;;
	empty) ;;
	error) fail "An error occurred (AccessDeniedException) when calling the DescribeTable operation: not authorized" ;;
	missing) fail "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found: Table: pause-$FAKE_STAGE not found" ;;
	esac
	exit 0 ;;
"dynamodb update-table")
	if [ "$FAKE_CLI" = v2 ]; then fail "Unknown options: --no-deletion-protection-enabled"; fi
	echo UPDATING; exit 0 ;;
"dynamodb create-backup") echo "arn:aws:dynamodb:eu-west-1:123456789012:table/pause-$FAKE_STAGE/backup/1"; exit 0 ;;
"dynamodb delete-table") echo DELETING; exit 0 ;;
"dynamodb wait" | "cloudformation delete-stack" | "cloudformation wait") exit 0 ;;
esac
fail "fake aws: unexpected call: $*"
`

// TestDestroyFailsClosed runs destroy.sh for real against fake aws CLIs (v1 and v2) that answer
// the deletion-protection query with each thing a CLI may print. Only an explicit False (or a
// table that is already gone) lets the table be deleted without --delete-protected-table;
// True needs it; None, an error and no answer refuse whatever the flags, and change nothing.
func TestDestroyFailsClosed(t *testing.T) {
	mutating := []string{"cloudformation delete-stack", "dynamodb delete-table", "dynamodb create-backup", "dynamodb update-table"}
	for _, cli := range []string{"v1", "v2"} {
		for _, c := range []struct {
			answer string
			force  bool
			ok     bool
			want   []string // the mutating calls, in order
			says   []string // in stderr
		}{
			{"False", false, true, []string{"cloudformation delete-stack", "dynamodb delete-table"}, nil},
			{"True", false, false, nil, []string{"deletion protection", "--delete-protected-table"}},
			{"True", true, cli == "v1", []string{"dynamodb create-backup", "dynamodb update-table", "cloudformation delete-stack", "dynamodb delete-table"}, nil},
			{"None", false, false, nil, []string{"'None'", "treated as protected", "install a current one"}},
			{"None", true, false, nil, []string{"'None'", "treated as protected"}},
			{"error", false, false, nil, []string{"AccessDeniedException", "nothing was deleted"}},
			{"error", true, false, nil, []string{"AccessDeniedException", "nothing was deleted"}},
			{"empty", false, false, nil, []string{"''", "treated as protected"}},
			{"empty", true, false, nil, []string{"''", "treated as protected"}},
			{"missing", false, true, []string{"cloudformation delete-stack"}, []string{"does not exist"}},
		} {
			name := cli + "/" + c.answer
			if c.force {
				name += "/forced"
			}
			t.Run(name, func(t *testing.T) {
				s := newScriptEnv(t, true)
				fake := filepath.Join(filepath.Dir(s.awsLog), "fake", "aws")
				if err := os.WriteFile(fake, []byte(destroyFakeAWS), 0o755); err != nil {
					t.Fatal(err)
				}
				args := []string{"--stage", "demo", "--yes"}
				if c.force {
					args = append(args, "--delete-protected-table")
				}
				_, stderr, ok := s.run([]string{"AWS_REGION=eu-west-1", "FAKE_CLI=" + cli, "FAKE_STAGE=demo", "FAKE_PROTECTION=" + c.answer},
					"infra/destroy.sh", args...)
				if ok != c.ok {
					t.Fatalf("succeeded %v, want %v:\n%s", ok, c.ok, stderr)
				}
				var got []string
				for _, call := range s.awsCalls() {
					for _, m := range mutating {
						if strings.HasPrefix(call, m+" ") {
							got = append(got, m)
						}
					}
				}
				if cli == "v2" && c.answer == "True" && c.force {
					// Debian's 2.9.19 refuses to turn the protection off: the backup is taken,
					// and then the script stops before anything is deleted.
					c.want = []string{"dynamodb create-backup", "dynamodb update-table"}
					c.says = []string{"could not turn the deletion protection", "nothing was deleted"}
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("mutating calls %q, want %q\n%s", got, c.want, stderr)
				}
				for _, w := range c.says {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr does not say %q:\n%s", w, stderr)
					}
				}
				for _, call := range s.awsCalls() {
					if strings.HasPrefix(call, "dynamodb delete-table ") && !strings.Contains(call, "--table-name pause-demo ") {
						t.Errorf("deleted another table: %q", call)
					}
				}
			})
		}
	}
}

// realCLIWrapper is an aws for destroy.sh whose dynamodb calls go to the real aws CLI on
// $REAL_AWS, pointed at DynamoDB Local; who is calling and the stack are faked (there is no
// CloudFormation offline), and every call is recorded in $FAKE_AWS_LOG.
const realCLIWrapper = `#!/bin/bash
echo "$*" >>"$FAKE_AWS_LOG"
case "$1 $2" in
"sts get-caller-identity") echo 123456789012; exit 0 ;;
"cloudformation describe-stacks") echo "$FAKE_TABLE"; exit 0 ;;
"cloudformation delete-stack" | "cloudformation wait") exit 0 ;;
esac
if [ "$1" = dynamodb ]; then
	exec "$REAL_AWS" --endpoint-url "$DYNAMODB_ENDPOINT" "$@"
fi
echo "fake aws: unexpected call: $*" >&2
exit 255
`

// TestDestroyRealCLI runs destroy.sh with the real aws CLI of this machine (its dynamodb calls)
// against tables on DynamoDB Local: what the CLI prints for a protected and an unprotected table
// is what the script expects, the protected table stays, and the unprotected one is deleted.
// Without the aws CLI or DynamoDB Local it skips, except in CI, where it fails.
func TestDestroyRealCLI(t *testing.T) {
	ci := os.Getenv("CI") == "true"
	real, err := exec.LookPath("aws")
	if err != nil {
		if ci {
			t.Fatal("the aws CLI is not on PATH in CI: this test runs destroy.sh with it")
		}
		t.Skip("no aws CLI on PATH")
	}
	endpoint := dynamotest.Endpoint(t)
	if endpoint == "" {
		t.Skipf("%s is not set: run the tests with tools/dynamodb-local/with-dynamodb.sh", dynamotest.EndpointVar)
	}
	version, _ := exec.Command(real, "--version").CombinedOutput()
	t.Logf("the real CLI: %s", strings.TrimSpace(string(version)))
	client, protected := dynamotest.Table(t, "destroy-protected-")
	_, unprotected := dynamotest.Table(t, "destroy-plain-")
	ctx := context.Background()
	if _, err := client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: &protected, DeletionProtectionEnabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = client.UpdateTable(context.Background(), &dynamodb.UpdateTableInput{TableName: &protected, DeletionProtectionEnabled: aws.Bool(false)})
	})
	exists := func(name string) bool {
		_, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
		var missing *types.ResourceNotFoundException
		if errors.As(err, &missing) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		return true
	}
	for _, c := range []struct {
		table string
		ok    bool
	}{{protected, false}, {unprotected, true}} {
		s := newScriptEnv(t, true)
		if err := os.WriteFile(filepath.Join(filepath.Dir(s.awsLog), "fake", "aws"), []byte(realCLIWrapper), 0o755); err != nil {
			t.Fatal(err)
		}
		env := []string{"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
			"REAL_AWS=" + real, "DYNAMODB_ENDPOINT=" + endpoint, "FAKE_TABLE=" + c.table}
		if p := os.Getenv("PATH"); p != "" {
			// The real CLI is a Python program: it needs its interpreter, found on the PATH.
			s.env = slices.DeleteFunc(s.env, func(e string) bool { return strings.HasPrefix(e, "PATH=") })
			env = append(env, "PATH="+filepath.Join(filepath.Dir(s.awsLog), "fake")+":"+p)
		}
		_, stderr, ok := s.run(env, "infra/destroy.sh", "--stage", "demo", "--yes")
		if ok != c.ok {
			t.Fatalf("%s: succeeded %v, want %v:\n%s", c.table, ok, c.ok, stderr)
		}
		if exists(c.table) == c.ok {
			t.Errorf("%s: exists %v after destroy (succeeded %v)", c.table, !c.ok, c.ok)
		}
		if !c.ok && !strings.Contains(stderr, "has deletion protection") {
			t.Errorf("the refusal does not say why:\n%s", stderr)
		}
	}
}

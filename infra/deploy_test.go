package infra

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// The deploy and destroy scripts run here for real, offline: in dry runs, with an aws that
// fails the test if it is called at all, and in real runs up to their prerequisite checks, with
// no aws or one that has no region and no credentials. Nothing here can reach AWS: the only aws
// on the scripts' PATH is the fake.

// fakeAWS is an aws CLI that records its arguments, one call a line, in $FAKE_AWS_LOG, and
// answers as the real one does on a machine without a configured region or credentials. Any
// other call is an error: a script got further than it should.
const fakeAWS = `#!/bin/sh
echo "$*" >>"$FAKE_AWS_LOG"
case "$1 $2" in
"configure get") exit 1 ;;
"sts get-caller-identity")
	echo 'Unable to locate credentials. You can configure credentials by running "aws configure".' >&2
	exit 253 ;;
esac
echo "fake aws: unexpected call: $*" >&2
exit 99
`

// scriptEnv is the environment the scripts run in: a PATH with bash and the few tools they use
// (and the fake aws if withAWS), a HOME of their own, and nothing else (no AWS_* variables).
type scriptEnv struct {
	t      *testing.T
	env    []string
	awsLog string
}

func newScriptEnv(t *testing.T, withAWS bool) *scriptEnv {
	t.Helper()
	dir := t.TempDir()
	tools := filepath.Join(dir, "tools")
	if err := os.Mkdir(tools, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bash", "mktemp", "rm", "make", "env", "git"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Fatalf("%s is needed to run the deploy scripts: %v", name, err)
		}
		if err := os.Symlink(p, filepath.Join(tools, name)); err != nil {
			t.Fatal(err)
		}
	}
	path := tools
	if withAWS {
		fake := filepath.Join(dir, "fake")
		if err := os.Mkdir(fake, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(fake, "aws"), []byte(fakeAWS), 0o755); err != nil {
			t.Fatal(err)
		}
		path = fake + ":" + tools
	}
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &scriptEnv{t: t, awsLog: filepath.Join(dir, "aws.log")}
	s.env = []string{"PATH=" + path, "HOME=" + home, "FAKE_AWS_LOG=" + s.awsLog, "TMPDIR=" + dir}
	return s
}

// run runs the command in the repository's root and returns its stdout, its stderr and
// whether it succeeded.
func (s *scriptEnv) run(extraEnv []string, name string, args ...string) (stdout, stderr string, ok bool) {
	s.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = ".."
	cmd.Env = append(slices.Clone(s.env), extraEnv...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		s.t.Fatalf("%s %v: %v", name, args, err)
	}
	return out.String(), errOut.String(), err == nil
}

// awsCalls returns the calls the fake aws received.
func (s *scriptEnv) awsCalls() []string {
	s.t.Helper()
	b, err := os.ReadFile(s.awsLog)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// commands returns the command lines of a dry run's output (not its comments), split into
// words as the shell would.
func commands(t *testing.T, out string) [][]string {
	t.Helper()
	var cmds [][]string
	for _, line := range strings.Split(out, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		words, err := shellWords(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		cmds = append(cmds, words)
	}
	return cmds
}

// shellWords splits a line into words as the shell does for the quoting the scripts print:
// bare words, '...', "..." without expansions, and \x.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'' || c == '"':
			end := strings.IndexByte(line[i+1:], c)
			if end < 0 {
				return nil, errors.New("unterminated quote")
			}
			quoted := line[i+1 : i+1+end]
			if c == '"' && strings.ContainsAny(quoted, "$`\\") {
				return nil, errors.New("expansion in double quotes")
			}
			cur.WriteString(quoted)
			inWord = true
			i += end + 1
		case c == '\\':
			if i+1 == len(line) {
				return nil, errors.New("trailing backslash")
			}
			cur.WriteByte(line[i+1])
			inWord = true
			i++
		case strings.IndexByte("$`|&;<>()*?![]{}", c) >= 0:
			return nil, errors.New("unquoted " + string(c))
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// find returns the commands that start with the words.
func find(cmds [][]string, prefix ...string) [][]string {
	var out [][]string
	for _, c := range cmds {
		if len(c) >= len(prefix) && slices.Equal(c[:len(prefix)], prefix) {
			out = append(out, c)
		}
	}
	return out
}

// firstDeploy returns the first `aws cloudformation deploy` of a dry run. With CloudFront and
// no domain (edgeOnly), a second one must follow, the same but for PublicUrl, CloudFront's
// address in the dry run's outputs; otherwise there must be no second.
func firstDeploy(t *testing.T, cmds [][]string, edgeOnly bool) []string {
	t.Helper()
	deploys := find(cmds, "aws", "cloudformation", "deploy")
	if !edgeOnly {
		if len(deploys) != 1 {
			t.Fatalf("deploys %q: want one (the stage has a domain or no CloudFront)", deploys)
		}
		return deploys[0]
	}
	if len(deploys) != 2 {
		t.Fatalf("deploys %q: want two, the second with CloudFront's address as PublicUrl", deploys)
	}
	first, second := slices.Clone(deploys[0]), deploys[1]
	at := slices.Index(first, "--tags")
	want := slices.Insert(first, at, "PublicUrl=https://<distribution>.cloudfront.net")
	if !slices.Equal(second, want) {
		t.Errorf("second deploy\n %q\nwant\n %q", second, want)
	}
	return deploys[0]
}

// one returns the one command that starts with the words.
func one(t *testing.T, cmds [][]string, prefix ...string) []string {
	t.Helper()
	found := find(cmds, prefix...)
	if len(found) != 1 {
		t.Fatalf("%d commands %q, want 1, in %q", len(found), strings.Join(prefix, " "), cmds)
	}
	return found[0]
}

// flag returns the values of the option in the command: the words after it, up to the next
// option.
func flag(cmd []string, name string) []string {
	i := slices.Index(cmd, name)
	if i < 0 {
		return nil
	}
	end := i + 1
	for end < len(cmd) && !strings.HasPrefix(cmd[end], "--") {
		end++
	}
	return cmd[i+1 : end]
}

// index returns where the command is in the list, by identity of its first words.
func index(cmds [][]string, prefix ...string) int {
	return slices.IndexFunc(cmds, func(c []string) bool {
		return len(c) >= len(prefix) && slices.Equal(c[:len(prefix)], prefix)
	})
}

func TestDeployDryRun(t *testing.T) {
	s := newScriptEnv(t, true)
	out, stderr, ok := s.run(nil, "infra/deploy.sh", "--dry-run", "--stage", "demo")
	if !ok {
		t.Fatalf("deploy --dry-run failed: %s", stderr)
	}
	if calls := s.awsCalls(); len(calls) > 0 {
		t.Fatalf("a dry run called aws: %q", calls)
	}
	cmds := commands(t, out)
	for _, c := range cmds {
		if c[0] != "aws" && !slices.Equal(c, []string{"make", "lambda"}) {
			t.Errorf("unexpected command %q", c)
		}
		if c[0] == "aws" && !slices.Equal(flag(c, "--region"), []string{"us-east-1"}) {
			t.Errorf("%q: want --region us-east-1 (the dry run's default)", c)
		}
	}

	// In order: who is deploying, what is deployed now, the secret exists, the bucket, the
	// build, the upload, deploy, the outputs.
	order := [][]string{
		{"aws", "sts", "get-caller-identity"},
		{"aws", "cloudformation", "describe-stacks"},
		{"aws", "ssm", "get-parameter", "--name", "/pause/demo/jwt-secret"},
		{"aws", "s3api", "head-bucket"},
		{"make", "lambda"},
		{"aws", "s3api", "put-object"},
		{"aws", "cloudformation", "deploy"},
	}
	last := -1
	for _, o := range order {
		i := index(cmds, o...)
		if i <= last {
			t.Errorf("%q at %d, after %d: want the order %q", o, i, last, order)
		}
		last = i
	}
	if len(find(cmds, "aws", "cloudformation", "describe-stacks")) != 2 || index(cmds, "aws", "cloudformation", "package") >= 0 {
		t.Errorf("want the stack read before (its commit) and after (its outputs), and no cloudformation package")
	}

	ssm := one(t, cmds, "aws", "ssm", "get-parameter", "--name", "/pause/demo/jwt-secret")
	if slices.Contains(ssm, "--with-decryption") {
		t.Errorf("%q: want the default parameter's type, never its value", ssm)
	}
	if len(find(cmds, "aws", "ssm", "put-parameter", "--name", "/pause/demo/jwt-secret")) != 0 {
		t.Error("the secret is created without --create-secret")
	}
	origin := one(t, cmds, "aws", "ssm", "put-parameter", "--name", "/pause/demo/origin-secret")
	if !slices.Equal(flag(origin, "--type"), []string{"String"}) || !strings.HasPrefix(flag(origin, "--value")[0], "file://") {
		t.Errorf("%q: want the origin secret made from a file", origin)
	}

	// The bucket: every call but create-bucket checks its owner, the account deploying.
	account := flag(one(t, cmds, "aws", "sts", "get-caller-identity"), "--query")
	if !slices.Equal(account, []string{"Account"}) {
		t.Fatalf("sts: %q", account)
	}
	for _, c := range find(cmds, "aws", "s3api") {
		if c[2] == "create-bucket" {
			if !slices.Equal(flag(c, "--object-ownership"), []string{"BucketOwnerEnforced"}) || flag(c, "--create-bucket-configuration") != nil {
				t.Errorf("%q: want ACLs off, and no LocationConstraint in us-east-1", c)
			}
			continue
		}
		if !slices.Equal(flag(c, "--expected-bucket-owner"), []string{"<account-id>"}) {
			t.Errorf("%q: no --expected-bucket-owner (the deploying account)", c)
		}
	}
	if !strings.Contains(out, "--expected-bucket-owner '<account-id>'") {
		t.Errorf("the dry run does not show the owner check:\n%s", out)
	}
	head := one(t, cmds, "aws", "s3api", "head-bucket")
	bucket := flag(head, "--bucket")
	for what, want := range map[string]string{
		"put-public-access-block":            "RestrictPublicBuckets=true",
		"put-bucket-encryption":              `"SSEAlgorithm":"AES256"`,
		"put-bucket-policy":                  `"aws:SecureTransport":"false"`,
		"put-bucket-lifecycle-configuration": `"Expiration":{"Days":180}`,
	} {
		c := one(t, cmds, "aws", "s3api", what)
		if !slices.Equal(flag(c, "--bucket"), bucket) || !strings.Contains(strings.Join(c, " "), want) {
			t.Errorf("%q: want %s on %q", c, want, bucket)
		}
	}
	// Both functions' zips, each named by its hash, into the owner-checked bucket.
	puts := find(cmds, "aws", "s3api", "put-object")
	if len(puts) != 2 {
		t.Fatalf("uploads %q: want the API's zip and the sign-in function's", puts)
	}
	for i, want := range [][2]string{{"dist/pause-lambda.zip", "pause-demo/SHA256.zip"}, {"dist/pause-auth.zip", "pause-demo/AUTH_SHA256.zip"}} {
		put := puts[i]
		if !slices.Equal(flag(put, "--bucket"), bucket) || !slices.Equal(flag(put, "--body"), []string{want[0]}) ||
			!slices.Equal(flag(put, "--key"), []string{want[1]}) {
			t.Errorf("upload %q, want %s as %s", put, want[0], want[1])
		}
	}

	deploy := firstDeploy(t, cmds, true)
	for name, want := range map[string][]string{
		"--template-file": {"infra/template.yaml"},
		"--stack-name":    {"pause-demo"},
		"--capabilities":  {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"},
		"--tags":          {"pause:stage=demo"},
		"--s3-bucket":     bucket, // the template goes through the owner-checked bucket
		"--s3-prefix":     {"pause-demo/templates"},
	} {
		if got := flag(deploy, name); !slices.Equal(got, want) {
			t.Errorf("deploy %s %q, want %q", name, got, want)
		}
	}
	commit := headCommit(t)
	overrides := flag(deploy, "--parameter-overrides")
	want := []string{"Stage=demo", "JwtSecretParameter=/pause/demo/jwt-secret", "CodeBucket=" + bucket[0], "CodeKey=pause-demo/SHA256.zip",
		"AuthCodeKey=pause-demo/AUTH_SHA256.zip", "GitCommit=" + commit, "OriginSecretParameter=/pause/demo/origin-secret", "OriginSecretVersion=1", "OriginSecretPreviousVersion=0"}
	if !slices.Equal(overrides, want) {
		t.Errorf("parameter overrides\n got %q\nwant %q", overrides, want)
	}
	checkOverrides(t, overrides)
	if !strings.Contains(out, "# GitCommit="+commit) || !strings.Contains(out, "make deploy STAGE=demo") {
		t.Errorf("the dry run does not show the commit tag and the way back:\n%s", out)
	}

	outputs := find(cmds, "aws", "cloudformation", "describe-stacks")[1]
	if !slices.Equal(flag(outputs, "--stack-name"), []string{"pause-demo"}) || !strings.Contains(strings.Join(outputs, " "), "ApiUrl") {
		t.Errorf("%q: want the stack's ApiUrl", outputs)
	}
	if !strings.Contains(out, "cloudfront.net/graphql") {
		t.Errorf("the dry run does not say what URL it prints:\n%s", out)
	}
}

// headCommit returns the commit a deploy of this working tree records: HEAD's short hash, with
// -dirty if the tree has changes.
func headCommit(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", "..", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	commit := strings.TrimSpace(string(out))
	if st, _ := exec.Command("git", "-C", "..", "status", "--porcelain", "--untracked-files=normal").Output(); len(st) > 0 {
		commit += "-dirty"
	}
	return commit
}

// checkOverrides checks that the parameters deploy.sh sets are the template's, and that it sets
// every one that has no default.
func checkOverrides(t *testing.T, overrides []string) {
	t.Helper()
	params := rawParameters(t)
	set := map[string]bool{}
	for _, o := range overrides {
		key, _, _ := strings.Cut(o, "=")
		if _, ok := params[key]; !ok {
			t.Errorf("deploy.sh sets %s, which the template does not declare", key)
		}
		set[key] = true
	}
	for name, p := range params {
		if _, ok := p["Default"]; !ok && !set[name] {
			t.Errorf("the template's parameter %s has no default and deploy.sh does not set it", name)
		}
	}
}

// rawParameters returns the template's parameters as written (defaults not overridden).
func rawParameters(t *testing.T) map[string]map[string]any {
	t.Helper()
	data, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct{ Parameters map[string]map[string]any }
	if err := json.Unmarshal(out, &tmpl); err != nil {
		t.Fatal(err)
	}
	return tmpl.Parameters
}

func TestDeployDryRunOptions(t *testing.T) {
	s := newScriptEnv(t, true)
	out, stderr, ok := s.run(nil, "infra/deploy.sh", "--dry-run", "--stage", "prod", "--region", "eu-west-1",
		"--bucket", "my-artifacts", "--jwt-secret-param", "/cms/prod/secret", "--create-secret",
		"--cors-origins", "https://a.example.com,https://b.example.com", "--param", "MemorySize=512", "--param", "LogLevel=debug", "--param", "Waf=false")
	if !ok {
		t.Fatalf("deploy --dry-run failed: %s", stderr)
	}
	if calls := s.awsCalls(); len(calls) > 0 {
		t.Fatalf("a dry run called aws: %q", calls)
	}
	cmds := commands(t, out)
	for _, c := range cmds {
		if c[0] == "aws" && !slices.Equal(flag(c, "--region"), []string{"eu-west-1"}) {
			t.Errorf("%q: want --region eu-west-1", c)
		}
	}
	put := one(t, cmds, "aws", "ssm", "put-parameter", "--name", "/cms/prod/secret")
	if !slices.Equal(flag(put, "--name"), []string{"/cms/prod/secret"}) || !slices.Equal(flag(put, "--type"), []string{"SecureString"}) ||
		!strings.HasPrefix(strings.Join(flag(put, "--value"), ""), "file://") {
		t.Errorf("%q: want a SecureString read from a file", put)
	}
	create := one(t, cmds, "aws", "s3api", "create-bucket")
	if !slices.Equal(flag(create, "--bucket"), []string{"my-artifacts"}) ||
		!slices.Equal(flag(create, "--create-bucket-configuration"), []string{"LocationConstraint=eu-west-1"}) {
		t.Errorf("%q", create)
	}
	if c := find(cmds, "aws", "s3api", "put-bucket-policy"); len(c) != 0 {
		t.Errorf("a bucket of the user's own (--bucket) is reconfigured: %q", c)
	}
	deploy := firstDeploy(t, cmds, true)
	overrides := flag(deploy, "--parameter-overrides")
	want := []string{"Stage=prod", "JwtSecretParameter=/cms/prod/secret", "CodeBucket=my-artifacts", "CodeKey=pause-prod/SHA256.zip",
		"AuthCodeKey=pause-prod/AUTH_SHA256.zip", "GitCommit=" + headCommit(t), "OriginSecretParameter=/pause/prod/origin-secret", "OriginSecretVersion=1", "OriginSecretPreviousVersion=0",
		"CorsOrigins=https://a.example.com,https://b.example.com", "MemorySize=512", "LogLevel=debug", "Waf=false"}
	if !slices.Equal(overrides, want) {
		t.Errorf("parameter overrides\n got %q\nwant %q", overrides, want)
	}
	checkOverrides(t, overrides)
	if !slices.Equal(flag(deploy, "--stack-name"), []string{"pause-prod"}) {
		t.Errorf("stack %q", flag(deploy, "--stack-name"))
	}
	if !strings.Contains(out, "deletion protection") {
		t.Error("a production stage's dry run does not mention deletion protection")
	}
}

func TestDestroyDryRun(t *testing.T) {
	s := newScriptEnv(t, true)
	for _, c := range []struct {
		args       []string
		ok         bool
		wantBackup bool
	}{
		{[]string{"--stage", "demo"}, true, false},
		{[]string{"--stage", "prod"}, false, false},
		{[]string{"--stage", "production", "--delete-protected-table"}, true, true},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, stderr, ok := s.run(nil, "infra/destroy.sh", append([]string{"--dry-run"}, c.args...)...)
			if calls := s.awsCalls(); len(calls) > 0 {
				t.Fatalf("a dry run called aws: %q", calls)
			}
			if ok != c.ok {
				t.Fatalf("succeeded %v, want %v: %s", ok, c.ok, stderr)
			}
			stack := "pause-" + c.args[1]
			cmds := commands(t, out)
			del := find(cmds, "aws", "cloudformation", "delete-stack")
			if !c.ok {
				if len(del) != 0 {
					t.Errorf("refused, yet printed %q", del)
				}
				if !strings.Contains(stderr, "deletion protection") || !strings.Contains(stderr, "--delete-protected-table") {
					t.Errorf("the refusal does not say why or what to do: %s", stderr)
				}
				return
			}
			if len(del) != 1 || !slices.Equal(flag(del[0], "--stack-name"), []string{stack}) {
				t.Fatalf("delete-stack: %q", del)
			}
			wait := one(t, cmds, "aws", "cloudformation", "wait", "stack-delete-complete")
			if !slices.Equal(flag(wait, "--stack-name"), []string{stack}) || index(cmds, wait[:4]...) < index(cmds, "aws", "cloudformation", "delete-stack") {
				t.Errorf("wait %q, after the delete", wait)
			}
			backups := find(cmds, "aws", "dynamodb", "create-backup")
			unprotect := find(cmds, "aws", "dynamodb", "update-table")
			if c.wantBackup {
				if len(backups) != 1 || len(unprotect) != 1 || !slices.Contains(unprotect[0], "--no-deletion-protection-enabled") {
					t.Fatalf("backup %q, update %q", backups, unprotect)
				}
				if !slices.Equal(flag(backups[0], "--table-name"), []string{stack}) {
					t.Errorf("backup of %q", flag(backups[0], "--table-name"))
				}
				b, u, d := index(cmds, "aws", "dynamodb", "create-backup"), index(cmds, "aws", "dynamodb", "update-table"), index(cmds, "aws", "cloudformation", "delete-stack")
				if !(b < u && u < d) {
					t.Errorf("want the backup (%d), then the protection off (%d), then the delete (%d)", b, u, d)
				}
			} else if len(backups)+len(unprotect) != 0 {
				t.Errorf("an unprotected stage: backup %q, update %q", backups, unprotect)
			}
		})
	}
}

// TestScriptsPrerequisites runs the scripts for real, where they cannot get far: each must stop
// at the first missing prerequisite with a message that says what to do, before it builds or
// changes anything.
func TestScriptsPrerequisites(t *testing.T) {
	for _, script := range []string{"infra/deploy.sh", "infra/destroy.sh"} {
		t.Run(script, func(t *testing.T) {
			for _, c := range []struct {
				name    string
				withAWS bool
				env     []string
				args    []string
				want    []string
				calls   []string
			}{
				{"no stage", true, nil, nil, []string{"--stage is required"}, nil},
				{"bad stage", true, nil, []string{"--stage", "Prod_1"}, []string{"stage 'Prod_1'", "lower-case"}, nil},
				{"unknown option", true, nil, []string{"--stage", "demo", "--force"}, []string{"unknown argument '--force'"}, nil},
				{"option without value", true, nil, []string{"--stage"}, []string{"--stage needs a value"}, nil},
				{"no aws CLI", false, nil, []string{"--stage", "demo"},
					[]string{"the aws CLI is not installed", "--dry-run"}, nil},
				{"no region", true, nil, []string{"--stage", "demo"},
					[]string{"no AWS region", "--region", "AWS_REGION"}, []string{"configure get region"}},
				{"no credentials", true, []string{"AWS_REGION=us-east-1"}, []string{"--stage", "demo"},
					[]string{"no usable AWS credentials", "Unable to locate credentials", "aws configure"},
					[]string{"sts get-caller-identity --query Account --output text --region us-east-1"}},
			} {
				t.Run(c.name, func(t *testing.T) {
					s := newScriptEnv(t, c.withAWS)
					out, stderr, ok := s.run(c.env, script, c.args...)
					if ok {
						t.Fatalf("succeeded:\n%s", out)
					}
					for _, w := range c.want {
						if !strings.Contains(stderr, w) {
							t.Errorf("the message does not say %q:\n%s", w, stderr)
						}
					}
					if got := s.awsCalls(); !slices.Equal(got, c.calls) {
						t.Errorf("aws calls %q, want %q", got, c.calls)
					}
				})
			}
		})
	}
}

// TestMakeDryRun checks the Makefile's way in: make deploy/destroy STAGE=demo DRY_RUN=1.
func TestMakeDryRun(t *testing.T) {
	s := newScriptEnv(t, true)
	for _, target := range []string{"deploy", "destroy"} {
		out, stderr, ok := s.run(nil, "make", "-s", target, "STAGE=demo", "DRY_RUN=1")
		if !ok {
			t.Fatalf("make %s STAGE=demo DRY_RUN=1: %s", target, stderr)
		}
		prefix := []string{"aws", "cloudformation", target}
		if target == "destroy" {
			prefix[2] = "delete-stack"
		}
		if c := find(commands(t, out), prefix...); len(c) == 0 || !slices.Equal(flag(c[0], "--stack-name"), []string{"pause-demo"}) {
			t.Errorf("make %s: %q", target, c)
		}
	}
	if calls := s.awsCalls(); len(calls) > 0 {
		t.Fatalf("a dry run called aws: %q", calls)
	}
}

// TestStagePattern checks that the scripts accept the stage names the template accepts.
func TestStagePattern(t *testing.T) {
	lib, err := os.ReadFile("lib.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^stage_pattern='([^']+)'$`).FindSubmatch(lib)
	if m == nil {
		t.Fatal("no stage_pattern in lib.sh")
	}
	tmpl := parseTemplate(t, nil)
	if got, want := string(m[1]), deref(tmpl.Parameters["Stage"].AllowedPattern); got != want {
		t.Errorf("lib.sh's stage_pattern %q, the template's Stage AllowedPattern %q", got, want)
	}
}

// TestDeployRefusals runs deploy.sh for real where it must refuse before it changes anything:
// a --param the template does not declare, or one the script sets itself (before any aws
// call); WAF outside us-east-1 without a web ACL; a working tree with uncommitted changes
// (unless --allow-dirty).
func TestDeployRefusals(t *testing.T) {
	for _, c := range []struct {
		name  string
		args  []string
		want  string
		calls int
	}{
		{"unknown param", []string{"--param", "MemorySise=512"}, "infra/template.yaml has no parameter MemorySise", 0},
		{"own param", []string{"--param", "GitCommit=abc1234"}, "GitCommit is set by deploy.sh itself", 0},
		{"own code key", []string{"--param", "AuthCodeKey=x.zip"}, "AuthCodeKey is set by deploy.sh itself", 0},
		{"one package", []string{"--package", "dist/pause-lambda.zip"}, "--package and --auth-package go together", 0},
		{"auth package alone", []string{"--auth-package", "dist/pause-auth.zip"}, "--package and --auth-package go together", 0},
		{"waf outside us-east-1", []string{"--region", "eu-west-1"}, "only a stack in us-east-1 can create", -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newScriptEnv(t, true)
			_, stderr, ok := s.run([]string{"AWS_REGION=eu-west-1"}, "infra/deploy.sh", append([]string{"--stage", "demo"}, c.args...)...)
			if ok || !strings.Contains(stderr, c.want) {
				t.Errorf("succeeded %v; want a refusal saying %q:\n%s", ok, c.want, stderr)
			}
			if calls := s.awsCalls(); c.calls == 0 && len(calls) > 0 {
				t.Errorf("aws was called: %q", calls)
			}
		})
	}

	// A copy of the scripts in a repository of its own, with an aws that knows who calls and
	// nothing else, and no Go: past the commit check, the script stops at the build's tools.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "infra"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"deploy.sh", "lib.sh", "template.yaml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "infra", f), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "scripts")
	s := newScriptEnv(t, true)
	fake := filepath.Join(filepath.Dir(s.awsLog), "fake", "aws")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"$*\" >>\"$FAKE_AWS_LOG\"\n[ \"$1 $2\" = \"sts get-caller-identity\" ] && { echo 123456789012; exit 0; }\necho \"fake aws: no $*\" >&2\nexit 99\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "infra", "deploy.sh")
	env := []string{"AWS_REGION=us-east-1"}
	for _, c := range []struct {
		name  string
		dirty bool
		args  []string
		want  string
	}{
		{"clean", false, nil, "is not installed (or not on PATH)"},
		{"dirty", true, nil, "the working tree has uncommitted changes"},
		{"dirty allowed", true, []string{"--allow-dirty"}, "is not installed (or not on PATH)"},
	} {
		if c.dirty {
			if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("changed\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, stderr, ok := s.run(env, script, append([]string{"--stage", "demo"}, c.args...)...)
		if ok || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: succeeded %v; want it to stop with %q:\n%s", c.name, ok, c.want, stderr)
		}
		if c.name == "dirty allowed" && !strings.Contains(stderr, "-dirty") {
			t.Errorf("--allow-dirty does not record the commit as dirty:\n%s", stderr)
		}
	}
}

// TestDeployPackages: with the packages CI built once (--package, --auth-package), deploy.sh
// builds nothing and uploads those two.
func TestDeployPackages(t *testing.T) {
	s := newScriptEnv(t, true)
	out, stderr, ok := s.run(nil, "infra/deploy.sh", "--dry-run", "--stage", "demo",
		"--package", "/ci/artifact/pause-lambda.zip", "--auth-package", "/ci/artifact/pause-auth.zip")
	if !ok {
		t.Fatalf("deploy --dry-run failed: %s", stderr)
	}
	cmds := commands(t, out)
	if index(cmds, "make", "lambda") >= 0 {
		t.Errorf("with the packages given, the dry run still builds:\n%s", out)
	}
	var bodies []string
	for _, put := range find(cmds, "aws", "s3api", "put-object") {
		bodies = append(bodies, flag(put, "--body")...)
	}
	if want := []string{"/ci/artifact/pause-lambda.zip", "/ci/artifact/pause-auth.zip"}; !slices.Equal(bodies, want) {
		t.Errorf("uploads %q, want %q", bodies, want)
	}
}

// TestDeployPublicUrl: a stage with CloudFront and no domain is deployed a second time with
// CloudFront's address as PublicUrl (TestDeployDryRun); with a domain, or without CloudFront,
// once. A PublicUrl of the user's is refused: deploy.sh sets it.
func TestDeployPublicUrl(t *testing.T) {
	s := newScriptEnv(t, true)
	for _, params := range [][]string{
		{"--param", "DomainName=cms.example.com", "--param", "CertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/x"},
		{"--param", "Edge=false"},
	} {
		out, stderr, ok := s.run(nil, "infra/deploy.sh", append([]string{"--dry-run", "--stage", "demo", "--region", "us-east-1"}, params...)...)
		if !ok {
			t.Fatalf("deploy --dry-run %q: %s", params, stderr)
		}
		for _, o := range flag(firstDeploy(t, commands(t, out), false), "--parameter-overrides") {
			if strings.HasPrefix(o, "PublicUrl=") {
				t.Errorf("%q: deployed with %s", params, o)
			}
		}
	}
	_, stderr, ok := s.run(nil, "infra/deploy.sh", "--dry-run", "--stage", "demo", "--region", "us-east-1", "--param", "PublicUrl=https://x.example.com")
	if ok || !strings.Contains(stderr, "PublicUrl is set by deploy.sh") {
		t.Errorf("--param PublicUrl: ok=%v %s", ok, stderr)
	}
}

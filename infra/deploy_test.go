package infra

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
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
	for _, name := range []string{"bash", "mktemp", "rm", "make", "env"} {
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

	// In order: who is deploying, the secret exists, the bucket, the build, package, deploy,
	// the outputs.
	order := [][]string{
		{"aws", "sts", "get-caller-identity"},
		{"aws", "ssm", "get-parameter"},
		{"aws", "s3api", "head-bucket"},
		{"make", "lambda"},
		{"aws", "cloudformation", "package"},
		{"aws", "cloudformation", "deploy"},
		{"aws", "cloudformation", "describe-stacks"},
	}
	last := -1
	for _, o := range order {
		i := index(cmds, o...)
		if i <= last {
			t.Errorf("%q at %d, after %d: want the order %q", o, i, last, order)
		}
		last = i
	}

	ssm := one(t, cmds, "aws", "ssm", "get-parameter")
	if !slices.Equal(flag(ssm, "--name"), []string{"/pause/demo/jwt-secret"}) || slices.Contains(ssm, "--with-decryption") {
		t.Errorf("%q: want the default parameter's type, never its value", ssm)
	}
	if len(find(cmds, "aws", "ssm", "put-parameter")) != 0 {
		t.Error("the secret is created without --create-secret")
	}

	pkg := one(t, cmds, "aws", "cloudformation", "package")
	if got := flag(pkg, "--template-file"); !slices.Equal(got, []string{"infra/template.yaml"}) {
		t.Errorf("package --template-file %q, want infra/template.yaml", got)
	}
	if _, err := os.Stat(filepath.Join("..", flag(pkg, "--template-file")[0])); err != nil {
		t.Errorf("the packaged template is not there: %v", err)
	}
	packaged := flag(pkg, "--output-template-file")
	bucket := flag(pkg, "--s3-bucket")
	if len(packaged) != 1 || !strings.HasPrefix(packaged[0], "dist/") || len(bucket) != 1 {
		t.Fatalf("package: output %q, bucket %q", packaged, bucket)
	}
	if head := one(t, cmds, "aws", "s3api", "head-bucket"); !slices.Equal(flag(head, "--bucket"), bucket) {
		t.Errorf("the bucket checked %q is not the one packaged to %q", flag(head, "--bucket"), bucket)
	}
	if create := one(t, cmds, "aws", "s3api", "create-bucket"); flag(create, "--create-bucket-configuration") != nil {
		t.Errorf("%q: us-east-1 takes no LocationConstraint", create)
	}

	deploy := one(t, cmds, "aws", "cloudformation", "deploy")
	for name, want := range map[string][]string{
		"--template-file": packaged,
		"--stack-name":    {"pause-demo"},
		"--capabilities":  {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"},
		"--s3-bucket":     bucket,
	} {
		if got := flag(deploy, name); !slices.Equal(got, want) {
			t.Errorf("deploy %s %q, want %q", name, got, want)
		}
	}
	overrides := flag(deploy, "--parameter-overrides")
	if !slices.Equal(overrides, []string{"Stage=demo", "JwtSecretParameter=/pause/demo/jwt-secret"}) {
		t.Errorf("parameter overrides %q", overrides)
	}
	checkOverrides(t, overrides)

	outputs := one(t, cmds, "aws", "cloudformation", "describe-stacks")
	if !slices.Equal(flag(outputs, "--stack-name"), []string{"pause-demo"}) || !strings.Contains(strings.Join(outputs, " "), "ApiUrl") {
		t.Errorf("%q: want the stack's ApiUrl", outputs)
	}
	if !strings.Contains(out, "execute-api.us-east-1.amazonaws.com/graphql") {
		t.Errorf("the dry run does not say what URL it prints:\n%s", out)
	}
}

// checkOverrides checks that the parameters deploy.sh sets are the template's, and that it sets
// every one that has no default.
func checkOverrides(t *testing.T, overrides []string) {
	t.Helper()
	tmpl := parseTemplate(t, nil)
	set := map[string]bool{}
	for _, o := range overrides {
		key, _, _ := strings.Cut(o, "=")
		if _, ok := tmpl.Parameters[key]; !ok {
			t.Errorf("deploy.sh sets %s, which the template does not declare", key)
		}
		set[key] = true
	}
	for name, p := range tmpl.Parameters {
		if p.Default == nil && !set[name] {
			t.Errorf("the template's parameter %s has no default and deploy.sh does not set it", name)
		}
	}
}

func TestDeployDryRunOptions(t *testing.T) {
	s := newScriptEnv(t, true)
	out, stderr, ok := s.run(nil, "infra/deploy.sh", "--dry-run", "--stage", "prod", "--region", "eu-west-1",
		"--bucket", "my-artifacts", "--jwt-secret-param", "/cms/prod/secret", "--create-secret",
		"--cors-origins", "https://a.example.com,https://b.example.com", "--param", "MemorySize=512", "--param", "LogLevel=debug")
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
	put := one(t, cmds, "aws", "ssm", "put-parameter")
	if !slices.Equal(flag(put, "--name"), []string{"/cms/prod/secret"}) || !slices.Equal(flag(put, "--type"), []string{"SecureString"}) ||
		!strings.HasPrefix(strings.Join(flag(put, "--value"), ""), "file://") {
		t.Errorf("%q: want a SecureString read from a file", put)
	}
	create := one(t, cmds, "aws", "s3api", "create-bucket")
	if !slices.Equal(flag(create, "--bucket"), []string{"my-artifacts"}) ||
		!slices.Equal(flag(create, "--create-bucket-configuration"), []string{"LocationConstraint=eu-west-1"}) {
		t.Errorf("%q", create)
	}
	deploy := one(t, cmds, "aws", "cloudformation", "deploy")
	overrides := flag(deploy, "--parameter-overrides")
	want := []string{"Stage=prod", "JwtSecretParameter=/cms/prod/secret", "CorsOrigins=https://a.example.com,https://b.example.com", "MemorySize=512", "LogLevel=debug"}
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
				{"no credentials", true, []string{"AWS_REGION=eu-west-1"}, []string{"--stage", "demo"},
					[]string{"no usable AWS credentials", "Unable to locate credentials", "aws configure"},
					[]string{"sts get-caller-identity --query Account --output text --region eu-west-1"}},
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
		if c := one(t, commands(t, out), prefix...); !slices.Equal(flag(c, "--stack-name"), []string{"pause-demo"}) {
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

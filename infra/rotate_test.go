package infra

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rotateFakeAWS is an aws CLI with state, for rotate-secret.sh: SSM parameters are files in
// $FAKE_STATE (with their versions), the stack has the parameters Stage, JwtSecretParameter,
// JwtSecretRotation and MemorySize, and stack updates are only recorded (in $FAKE_AWS_LOG, with
// every call).
const rotateFakeAWS = `#!/bin/bash
echo "$*" >>"$FAKE_AWS_LOG"
arg() { local want=$1; shift; while [ $# -gt 0 ]; do if [ "$1" = "$want" ]; then echo "$2"; return; fi; shift; done; }
file() { echo "$FAKE_STATE/$(echo "$1" | tr / _)"; }
case "$1 $2" in
"sts get-caller-identity") echo 123456789012 ;;
"cloudformation describe-stacks")
	case "$(arg --query "$@")" in
	*ParameterKey==*) echo /pause/demo/jwt-secret ;;
	*) printf 'Stage\tJwtSecretParameter\tJwtSecretRotation\tMemorySize\n' ;;
	esac ;;
"ssm get-parameter")
	f="$(file "$(arg --name "$@")")"
	if [ ! -f "$f" ]; then echo "An error occurred (ParameterNotFound) when calling the GetParameter operation: " >&2; exit 254; fi
	case "$(arg --query "$@")" in
	Parameter.Value) cat "$f"; echo ;;
	Parameter.Version) cat "$f.version" ;;
	*) arg --name "$@" ;;
	esac ;;
"ssm put-parameter")
	f="$(file "$(arg --name "$@")")"
	if [ -f "$f" ] && [[ " $* " != *" --overwrite "* ]]; then echo "An error occurred (ParameterAlreadyExists)" >&2; exit 254; fi
	v="$(arg --value "$@")"
	case "$v" in file://*) cp "${v#file://}" "$f" ;; *) echo "fake aws: a value on the command line" >&2; exit 99 ;; esac
	echo $(( $(cat "$f.version" 2>/dev/null || echo 0) + 1 )) >"$f.version"
	cat "$f.version" ;;
"ssm delete-parameter") f="$(file "$(arg --name "$@")")"; rm "$f" "$f.version" ;;
"cloudformation update-stack") echo arn:aws:cloudformation:us-east-1:123456789012:stack/pause-demo/1 ;;
"cloudformation wait") ;;
*) echo "fake aws: unexpected call: $*" >&2; exit 99 ;;
esac
`

// TestRotateSecret runs rotate-secret.sh for real against a fake aws with state: a start moves
// the current secret to NAME-previous, puts a new one, and updates the stack with its own
// template and parameters and a new JwtSecretRotation; a second start is refused; finish deletes
// the previous secret and updates the stack again. No secret is ever on a command line.
func TestRotateSecret(t *testing.T) {
	s := newScriptEnv(t, true)
	dir := filepath.Dir(s.awsLog)
	state := filepath.Join(dir, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fake", "aws"), []byte(rotateFakeAWS), 0o755); err != nil {
		t.Fatal(err)
	}
	// The fake's tools: the scripts' PATH has few.
	tools := filepath.Join(dir, "tools")
	for _, name := range []string{"cat", "cp", "tr", "head", "base64", "wc"} {
		if p, err := execLookPath(name); err == nil {
			_ = os.Symlink(p, filepath.Join(tools, name))
		}
	}
	const old = "old-secret-0123456789abcdefghijklmnopqrstuvwxyz"
	current := filepath.Join(state, "_pause_demo_jwt-secret")
	previous := filepath.Join(state, "_pause_demo_jwt-secret-previous")
	if err := os.WriteFile(current, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(current+".version", []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"AWS_REGION=us-east-1", "FAKE_STATE=" + state}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			return ""
		}
		return string(b)
	}
	updates := func() []string {
		var out []string
		for _, c := range s.awsCalls() {
			if strings.HasPrefix(c, "cloudformation update-stack ") {
				out = append(out, c)
			}
		}
		return out
	}

	stdout, stderr, ok := s.run(env, "infra/rotate-secret.sh", "--stage", "demo")
	if !ok {
		t.Fatalf("start: %s", stderr)
	}
	if read(previous) != old {
		t.Errorf("the previous parameter holds %q, want the old secret", read(previous))
	}
	if now := read(current); now == old || len(now) != 64 || read(current+".version") != "2\n" {
		t.Errorf("the current secret %q (version %q): want 64 new characters, version 2", now, read(current+".version"))
	}
	u := updates()
	if len(u) != 1 || !strings.Contains(u[0], "--use-previous-template") ||
		!strings.Contains(u[0], "ParameterKey=JwtSecretRotation,ParameterValue=v2-overlap") ||
		!strings.Contains(u[0], "ParameterKey=MemorySize,UsePreviousValue=true") || !strings.Contains(u[0], "ParameterKey=Stage,UsePreviousValue=true") {
		t.Errorf("stack updates %q", u)
	}
	if !strings.Contains(stdout, "FINISH=1") || !strings.Contains(stdout, "24 h") {
		t.Errorf("the start does not say when and how to finish:\n%s", stdout)
	}

	_, stderr, ok = s.run(env, "infra/rotate-secret.sh", "--stage", "demo")
	if ok || !strings.Contains(stderr, "already under way") {
		t.Errorf("a second start: %v\n%s", ok, stderr)
	}

	_, stderr, ok = s.run(env, "make", "-s", "rotate-secret", "STAGE=demo", "FINISH=1")
	if !ok {
		t.Fatalf("finish: %s", stderr)
	}
	if _, err := os.Stat(previous); !os.IsNotExist(err) {
		t.Errorf("the previous parameter is still there: %v", err)
	}
	if u := updates(); len(u) != 2 || !strings.Contains(u[1], "ParameterKey=JwtSecretRotation,ParameterValue=v2 ") {
		t.Errorf("stack updates %q", u)
	}
	_, stderr, ok = s.run(env, "infra/rotate-secret.sh", "--stage", "demo", "--finish")
	if ok || !strings.Contains(stderr, "no rotation is under way") {
		t.Errorf("a second finish: %v\n%s", ok, stderr)
	}
	log := strings.Join(s.awsCalls(), "\n")
	if strings.Contains(log, old) || strings.Contains(log, read(current)) {
		t.Error("a secret was on an aws command line")
	}
	if !slices.ContainsFunc(s.awsCalls(), func(c string) bool {
		return strings.HasPrefix(c, "ssm delete-parameter --name /pause/demo/jwt-secret-previous ")
	}) {
		t.Error("no delete of the previous parameter")
	}
}

var execLookPath = exec.LookPath

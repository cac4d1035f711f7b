# infra/lib.sh: what deploy.sh and destroy.sh share. Sourced, never run. It uses bash builtins
# only, so that a dry run needs nothing but bash (no aws CLI, no network, no credentials).

# The stage name rule; the same as the template's Stage AllowedPattern (checked by
# infra/deploy_test.go).
stage_pattern='^[a-z][a-z0-9-]{0,19}$'

# Production stages, as the template's IsProduction condition has them.
is_production() { [ "$1" = prod ] || [ "$1" = production ]; }

die() {
	echo "$prog: $*" >&2
	exit 1
}

note() { echo "$prog: $*" >&2; }

# print_lines: copy stdin to stdout (cat, with builtins only).
print_lines() {
	local line
	while IFS= read -r line; do printf '%s\n' "$line"; done
}

# value OPT ARGS...: fail unless the option OPT has a value after it.
value() {
	[ "$#" -ge 2 ] || die "$1 needs a value (see $prog --help)"
}

# quote ARG: ARG as the shell reads it back: bare when that is safe, in double quotes when it
# has single quotes but nothing double quotes would expand, else in single quotes.
quote() {
	if [[ $1 =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
		printf '%s' "$1"
	elif [[ $1 == *\'* && $1 != *[\$\`\"\\!]* ]]; then
		printf '"%s"' "$1"
	else
		printf "'%s'" "${1//\'/\'\\\'\'}"
	fi
}

# show CMD ARGS...: the command line, quoted, on one line.
show() {
	local line="" a
	for a in "$@"; do
		line+="${line:+ }$(quote "$a")"
	done
	printf '%s\n' "$line"
}

# step TEXT: a heading. In a dry run it is a comment in the printed script, on stdout.
step() {
	if [ "$dry_run" = 1 ]; then
		printf '\n# %s\n' "$*"
	else
		echo "==> $*" >&2
	fi
}

# comment TEXT: a comment in a dry run's printed script; nothing in a real run.
comment() {
	if [ "$dry_run" = 1 ]; then printf '# %s\n' "$*"; fi
}

# run CMD ARGS...: in a dry run, print the command (stdout); else print it (stderr) and run it.
run() {
	if [ "$dry_run" = 1 ]; then
		show "$@"
		return 0
	fi
	printf '+ %s\n' "$(show "$@")" >&2
	"$@"
}

# run_aside CMD ARGS...: run, with the command's output on stderr (a dry run prints the command
# on stdout, as run does).
run_aside() {
	if [ "$dry_run" = 1 ]; then
		run "$@"
	else
		run "$@" >&2
	fi
}

# capture VAR PLACEHOLDER CMD ARGS...: set VAR to the output of the command (without the final
# newline). In a dry run, print the command and set VAR to PLACEHOLDER. The command's errors are
# left in $capture_err and its status returned, for the caller's message.
capture() {
	local __var=$1 __placeholder=$2 __out __errfile __status=0
	shift 2
	capture_err=""
	if [ "$dry_run" = 1 ]; then
		show "$@"
		printf -v "$__var" '%s' "$__placeholder"
		return 0
	fi
	printf '+ %s\n' "$(show "$@")" >&2
	__errfile="$(mktemp)"
	__out="$("$@" 2>"$__errfile")" || __status=$?
	capture_err="$(<"$__errfile")"
	rm -f "$__errfile"
	printf -v "$__var" '%s' "$__out"
	return "$__status"
}

# check_aws: the aws CLI, a region and credentials, in that order, each with what to do when it
# is missing. Sets region (if it was empty) and account. In a dry run nothing is checked: the
# region defaults to us-east-1 and the account is a placeholder.
check_aws() {
	if [ "$dry_run" = 1 ]; then
		if [ -z "$region" ]; then
			region="${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}"
		fi
		comment "region $region; account from:"
		capture account '<account-id>' aws sts get-caller-identity --query Account --output text --region "$region"
		return 0
	fi
	if ! command -v aws >/dev/null 2>&1; then
		die "the aws CLI is not installed (or not on PATH). Install the current v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html (not Debian 12's awscli package, 2.9.19: too old to read deletion protection). Or see what would run with --dry-run."
	fi
	if [ -z "$region" ]; then
		region="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
	fi
	if [ -z "$region" ]; then
		region="$(aws configure get region 2>/dev/null || true)"
	fi
	if [ -z "$region" ]; then
		die "no AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or run 'aws configure'."
	fi
	if ! capture account "" aws sts get-caller-identity --query Account --output text --region "$region" || [ -z "$account" ]; then
		die "no usable AWS credentials (aws sts get-caller-identity failed: ${capture_err:-no account}). Configure them with 'aws configure' or 'aws sso login', AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
	fi
	note "account $account, region $region"
}

# trim TEXT: TEXT without leading and trailing white space (a CR from a Windows shell included).
trim() {
	local s=$1
	s="${s#"${s%%[![:space:]]*}"}"
	s="${s%"${s##*[![:space:]]}"}"
	printf '%s' "$s"
}

# The aws CLI v2 sends its output through a pager (less) by default; the scripts read it.
export AWS_PAGER=""

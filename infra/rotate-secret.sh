#!/usr/bin/env bash
# infra/rotate-secret.sh --stage NAME [--finish] [options]: rotate the JWT secret of a deployed
# stage with an overlap in which the old and the new secret are both accepted.
# `make rotate-secret STAGE=NAME` starts a rotation, `make rotate-secret STAGE=NAME FINISH=1`
# ends it; infra/README.md ("Rotate the JWT secret") is the runbook.
set -euo pipefail

prog=rotate-secret.sh
case "${BASH_SOURCE[0]}" in */*) here="${BASH_SOURCE[0]%/*}" ;; *) here=. ;; esac
here="$(cd "$here" && pwd)"
# shellcheck source=infra/lib.sh
. "$here/lib.sh"

usage() {
	print_lines <<'EOF'
Usage: infra/rotate-secret.sh --stage NAME [--finish] [options]

Start (without --finish): the current secret is copied to the parameter NAME-previous, a new
random secret replaces it, and the stack is updated (same template, same parameters, a new
JwtSecretRotation) so that new execution environments read both: tokens signed with either
verify; new tokens must be signed with the new one. The overlap lasts until --finish, which
should come no sooner than the longest lifetime of a token signed with the old secret (24 h for
`pause token`'s default --ttl).

Finish (--finish): the previous secret's parameter is deleted and the stack updated again: only
the new secret verifies from then on.

  --stage NAME     the stage
  --region REGION  default: AWS_REGION, AWS_DEFAULT_REGION, then `aws configure`
  --finish         end the rotation under way
  --dry-run        print every command it would run, run none
  -h, --help       this help
EOF
}

stage="" region="" finish=0 dry_run=0
while [ "$#" -gt 0 ]; do
	case "$1" in
	--stage) value "$@"; stage="$2"; shift 2 ;;
	--region) value "$@"; region="$2"; shift 2 ;;
	--finish) finish=1; shift ;;
	--dry-run) dry_run=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[ -n "$stage" ] || die "--stage is required (e.g. make rotate-secret STAGE=demo)"
[[ $stage =~ $stage_pattern ]] || die "stage '$stage': use lower-case letters, digits and dashes, starting with a letter, at most 20 characters"
stack="pause-$stage"

if [ "$dry_run" = 1 ]; then
	echo "# Dry run: the commands infra/rotate-secret.sh --stage $stage$([ "$finish" = 1 ] && echo " --finish") would run. Nothing is sent to AWS."
fi

step "Prerequisites: the aws CLI, a region, credentials"
check_aws

step "The stack $stack: its parameters and the secret's parameter"
capture keys $'Stage\tJwtSecretParameter\tJwtSecretRotation' aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
	--query "Stacks[0].Parameters[].ParameterKey" --output text ||
	die "no stack $stack in $region (or it cannot be read): $capture_err"
read -r -a keys <<<"$keys"
case " ${keys[*]} " in
*" JwtSecretRotation "*) ;;
*) die "the stack $stack has no parameter JwtSecretRotation: deploy this version of Pause first (make deploy STAGE=$stage)" ;;
esac
capture name "/pause/$stage/jwt-secret" aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
	--query "Stacks[0].Parameters[?ParameterKey=='JwtSecretParameter'].ParameterValue | [0]" --output text ||
	die "could not read the stack's JwtSecretParameter: $capture_err"
name="$(trim "$name")"
[[ $name =~ ^/[a-zA-Z0-9_./-]+$ ]] || die "the stack's JwtSecretParameter is '$name'"
previous="$name-previous"

# exists NAME: whether the SSM parameter exists (in a dry run: what the mode expects).
exists() {
	local ignored
	if capture ignored "$2" aws ssm get-parameter --name "$1" --query Parameter.Name --output text --region "$region"; then
		[ "$dry_run" = 0 ] || [ "$2" = yes ]
		return
	fi
	[[ $capture_err == *ParameterNotFound* ]] || die "could not read the SSM parameter $1: $capture_err"
	return 1
}

# update_stack MARK: update the stack with its own template and parameters, JwtSecretRotation=MARK,
# and wait: a new version of the function, whose environments read the secrets again.
update_stack() {
	local k params=()
	for k in "${keys[@]}"; do
		if [ "$k" = JwtSecretRotation ]; then
			params+=("ParameterKey=JwtSecretRotation,ParameterValue=$1")
		else
			params+=("ParameterKey=$k,UsePreviousValue=true")
		fi
	done
	run_aside aws cloudformation update-stack --stack-name "$stack" --use-previous-template \
		--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --parameters "${params[@]}" \
		--region "$region" --query StackId --output text ||
		die "the stack update failed: see aws cloudformation describe-stack-events --stack-name $stack --region $region"
	run aws cloudformation wait stack-update-complete --stack-name "$stack" --region "$region" ||
		die "the stack update did not complete (CloudFormation rolls it back): see aws cloudformation describe-stack-events --stack-name $stack --region $region"
}

secret_file=""
trap '[ "$dry_run" = 1 ] || rm -f "$secret_file"' EXIT
# secret_to_file: a new file, readable by its owner only, for a secret that must never be on a
# command line.
secret_to_file() {
	if [ "$dry_run" = 1 ]; then
		secret_file=SECRET_FILE
	else
		secret_file="$(umask 077 && mktemp)"
	fi
}

if [ "$finish" = 1 ]; then
	step "Finish: the previous secret stops verifying tokens"
	exists "$previous" yes || die "no rotation is under way for $stage: the parameter $previous does not exist"
	run aws ssm delete-parameter --name "$previous" --region "$region"
	capture version 2 aws ssm get-parameter --name "$name" --query Parameter.Version --output text --region "$region" ||
		die "could not read $name: $capture_err"
	update_stack "v$(trim "$version")"
	[ "$dry_run" = 1 ] || note "the rotation is finished: only the secret in $name verifies tokens"
	exit 0
fi

step "Start: the current secret becomes the previous one, a new one replaces it"
if exists "$previous" no; then
	die "a rotation is already under way ($previous exists): finish it first with make rotate-secret STAGE=$stage FINISH=1"
fi
secret_to_file
if [ "$dry_run" = 1 ]; then
	show aws ssm get-parameter --name "$name" --with-decryption --query Parameter.Value --output text --region "$region"
	comment "...into a file only its owner reads, SECRET_FILE; then:"
else
	printf '+ %s > SECRET_FILE\n' "$(show aws ssm get-parameter --name "$name" --with-decryption --query Parameter.Value --output text --region "$region")" >&2
	# Through a command substitution (memory) into the file: never on a command line.
	current="$(aws ssm get-parameter --name "$name" --with-decryption --query Parameter.Value --output text --region "$region")" ||
		die "could not read the secret $name"
	printf '%s' "$current" >"$secret_file"
	current=""
	[ "$(wc -c <"$secret_file")" -ge 32 ] || die "the secret in $name is shorter than 32 bytes: nothing was changed"
fi
run_aside aws ssm put-parameter --name "$previous" --type SecureString --value "file://$secret_file" \
	--description "Pause $stage: the JWT secret before the rotation, accepted until it is finished" --region "$region" --query Version --output text
if [ "$dry_run" = 0 ]; then
	head -c 48 /dev/urandom | base64 | tr -d '\n' >"$secret_file"
else
	comment "SECRET_FILE now holds 48 new random bytes (base64)"
fi
run_aside aws ssm put-parameter --name "$name" --type SecureString --overwrite --value "file://$secret_file" \
	--region "$region" --query Version --output text
[ "$dry_run" = 1 ] || rm -f "$secret_file"
capture version 2 aws ssm get-parameter --name "$name" --query Parameter.Version --output text --region "$region" ||
	die "could not read $name: $capture_err"

step "Update the stack: new execution environments read both secrets"
update_stack "v$(trim "$version")-overlap"

if [ "$dry_run" = 1 ]; then
	exit 0
fi
print_lines <<EOF

The JWT secret of $stage is rotated; the old one is still accepted.
  Sign new tokens with the new secret:
    PAUSE_JWT_SECRET="\$(aws ssm get-parameter --name $name --with-decryption --query Parameter.Value --output text --region $region)" go run ./cmd/pause token --role editor --sub alice --ttl 24h
  Finish no sooner than the longest lifetime of a token signed with the old secret (24 h for
  pause token's default --ttl):
    make rotate-secret STAGE=$stage FINISH=1
EOF

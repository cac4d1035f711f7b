#!/usr/bin/env bash
# infra/deploy.sh --stage NAME [options]: build Pause for Lambda and deploy one stage of
# infra/template.yaml to AWS with the aws CLI (no SAM CLI), then print the API's URL.
# infra/README.md explains what it creates and what it costs; `make deploy STAGE=NAME` runs it.
set -euo pipefail

prog=deploy.sh
case "${BASH_SOURCE[0]}" in */*) here="${BASH_SOURCE[0]%/*}" ;; *) here=. ;; esac
here="$(cd "$here" && pwd)"
root="${here%/*}"
# shellcheck source=infra/lib.sh
. "$here/lib.sh"

usage() {
	print_lines <<'EOF'
Usage: infra/deploy.sh --stage NAME [options]

Builds the Lambda bootstrap (make lambda), uploads it with `aws cloudformation package` and
deploys the stack pause-NAME with `aws cloudformation deploy`, then prints the API's URL.

  --stage NAME              the stage: lower-case letters, digits, dashes (prod and production
                            are production stages: their table has deletion protection)
  --region REGION           default: AWS_REGION, AWS_DEFAULT_REGION, then `aws configure`
  --jwt-secret-param NAME   the SSM SecureString parameter with the JWT secret
                            (default /pause/NAME/jwt-secret); it must exist, unless...
  --create-secret           ...this: create it with 48 random bytes if it does not exist
  --bucket NAME             the S3 bucket for the deployment package (default
                            pause-artifacts-ACCOUNT-REGION, created if it does not exist)
  --cors-origins LIST       comma-separated origins browsers may call the API from
  --param KEY=VALUE         any other template parameter (MemorySize=512, LogLevel=debug...);
                            repeatable
  --dry-run                 print every command it would run, run none (no AWS, no build)
  -h, --help                this help
EOF
}

stage="" region="" bucket="" secret_param="" cors="" cors_set=0 create_secret=0 dry_run=0
params=()
while [ "$#" -gt 0 ]; do
	case "$1" in
	--stage) value "$@"; stage="$2"; shift 2 ;;
	--region) value "$@"; region="$2"; shift 2 ;;
	--jwt-secret-param) value "$@"; secret_param="$2"; shift 2 ;;
	--create-secret) create_secret=1; shift ;;
	--bucket) value "$@"; bucket="$2"; shift 2 ;;
	--cors-origins) value "$@"; cors="$2"; cors_set=1; shift 2 ;;
	--param)
		value "$@"
		[[ $2 =~ ^[A-Za-z0-9]+= ]] || die "--param needs KEY=VALUE, not '$2'"
		case "${2%%=*}" in
		Stage | JwtSecretParameter | CorsOrigins) die "set ${2%%=*} with its own option, not --param" ;;
		esac
		params+=("$2")
		shift 2
		;;
	--dry-run) dry_run=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done

[ -n "$stage" ] || die "--stage is required (e.g. --stage demo, or make deploy STAGE=demo)"
[[ $stage =~ $stage_pattern ]] || die "stage '$stage': use lower-case letters, digits and dashes, starting with a letter, at most 20 characters"
stack="pause-$stage"
secret_param="${secret_param:-/pause/$stage/jwt-secret}"
[[ $secret_param =~ ^/[a-zA-Z0-9_./-]+$ ]] || die "--jwt-secret-param '$secret_param': an SSM parameter name with a leading slash, e.g. /pause/$stage/jwt-secret"
packaged="dist/$stack.packaged.yaml"
cd "$root"

if [ "$dry_run" = 1 ]; then
	echo "# Dry run: the commands infra/deploy.sh --stage $stage would run, from $root."
	echo "# Nothing is built and nothing is sent to AWS."
fi

step "Prerequisites: the aws CLI, a region, credentials"
check_aws
if [ "$dry_run" = 0 ]; then
	for tool in go make; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (or not on PATH): the build needs Go and make"
	done
fi
if is_production "$stage"; then
	comment "$stage is a production stage: its table gets deletion protection"
	[ "$dry_run" = 1 ] || note "$stage is a production stage: its table gets deletion protection"
fi

step "The JWT secret: the SSM SecureString parameter $secret_param"
if ! capture secret_type SecureString aws ssm get-parameter --name "$secret_param" --query Parameter.Type --output text --region "$region"; then
	if [[ $capture_err != *ParameterNotFound* ]]; then
		die "could not read the SSM parameter $secret_param: $capture_err"
	fi
	if [ "$create_secret" = 0 ]; then
		die "the SSM parameter $secret_param does not exist. Create it (at least 32 bytes), e.g.
  aws ssm put-parameter --region $region --name $secret_param --type SecureString --value \"\$(openssl rand -base64 48)\"
or rerun with --create-secret."
	fi
	secret_file="$(mktemp)"
	trap 'rm -f "$secret_file"' EXIT
	# 48 random bytes, base64: 64 characters. From a file, so that the value is never on a
	# command line.
	head -c 48 /dev/urandom | base64 | tr -d '\n' >"$secret_file"
	run aws ssm put-parameter --name "$secret_param" --type SecureString --value "file://$secret_file" \
		--description "Pause $stage: HS256 secret of the API's tokens" --region "$region" >/dev/null
	secret_type=SecureString
elif [ "$dry_run" = 1 ] && [ "$create_secret" = 1 ]; then
	comment "only if it does not exist (--create-secret), with 48 random bytes from a file:"
	show aws ssm put-parameter --name "$secret_param" --type SecureString --value "file://SECRET_FILE" \
		--description "Pause $stage: HS256 secret of the API's tokens" --region "$region"
fi
[ "$secret_type" = SecureString ] || die "the SSM parameter $secret_param is a $secret_type: make it a SecureString (the secret must not be stored in plain text)"

step "The artifacts bucket (the deployment package and the packaged template)"
if [ -z "$bucket" ]; then
	bucket="pause-artifacts-$account-$region"
	comment "default name pause-artifacts-ACCOUNT-REGION; --bucket chooses another"
fi
create_bucket=(aws s3api create-bucket --bucket "$bucket" --region "$region")
if [ "$region" != us-east-1 ]; then
	create_bucket+=(--create-bucket-configuration "LocationConstraint=$region")
fi
block_public=(aws s3api put-public-access-block --bucket "$bucket" --region "$region"
	--public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true)
if [ "$dry_run" = 1 ]; then
	show aws s3api head-bucket --bucket "$bucket" --region "$region"
	comment "only if it does not exist:"
	show "${create_bucket[@]}"
	show "${block_public[@]}"
elif ! capture ignored "" aws s3api head-bucket --bucket "$bucket" --region "$region"; then
	if [[ $capture_err == *403* || $capture_err == *Forbidden* ]]; then
		die "the bucket $bucket exists but is not yours (or you may not use it): choose another with --bucket"
	fi
	run "${create_bucket[@]}" >/dev/null || die "could not create the bucket $bucket: choose another with --bucket"
	run "${block_public[@]}"
fi

step "Build: dist/bootstrap (linux/arm64) and dist/pause-lambda.zip"
run make lambda

step "Package: upload the zip, write the template that points at it"
run aws cloudformation package --template-file infra/template.yaml \
	--s3-bucket "$bucket" --s3-prefix "$stack" \
	--output-template-file "$packaged" --region "$region"

step "Deploy the stack $stack (a change set; a failed update rolls back by itself)"
overrides=("Stage=$stage" "JwtSecretParameter=$secret_param")
if [ "$cors_set" = 1 ]; then
	overrides+=("CorsOrigins=$cors")
fi
overrides+=(${params[@]+"${params[@]}"})
run aws cloudformation deploy --template-file "$packaged" --stack-name "$stack" \
	--s3-bucket "$bucket" --s3-prefix "$stack" \
	--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
	--parameter-overrides "${overrides[@]}" \
	--no-fail-on-empty-changeset --region "$region"

step "The stack's outputs"
capture outputs $'ApiUrl\thttps://<api-id>.execute-api.'"$region"$'.amazonaws.com/graphql\nTableName\t'"$stack" \
	aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
	--query "Stacks[0].Outputs[?OutputKey=='ApiUrl' || OutputKey=='TableName'].[OutputKey,OutputValue]" \
	--output text || die "could not read the outputs of $stack: $capture_err"
url="" table=""
while IFS=$'\t' read -r key val; do
	case "$key" in
	ApiUrl) url="$val" ;;
	TableName) table="$val" ;;
	esac
done <<<"$outputs"
[ -n "$url" ] || die "the stack $stack has no ApiUrl output"

if [ "$dry_run" = 1 ]; then
	printf '\n# Then it prints the URL (ApiUrl), e.g. %s\n' "$url"
	exit 0
fi
print_lines <<EOF

Pause ($stage) is deployed:
  GraphQL   $url
  health    ${url%/graphql}/healthz
  table     $table (region $region)

Seed it with content:
  AWS_REGION=$region PAUSE_STORE=dynamodb PAUSE_TABLE=$table go run ./cmd/pause import content
EOF

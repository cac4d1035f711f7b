#!/usr/bin/env bash
# infra/deploy.sh --stage NAME [options]: build Pause for Lambda from a clean tree and deploy one stage of
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

Builds the Lambda bootstraps (make lambda: the API's and the sign-in function's) from a clean
working tree, uploads their zips to the artifacts bucket (checking the bucket's owner on every
call) and deploys the stack pause-NAME with
`aws cloudformation deploy`; CodeDeploy shifts traffic to the new version (DeploymentType) and
rolls it back if an alarm goes off. Then it prints the URL and how to roll back.

  --stage NAME              the stage: lower-case letters, digits, dashes (prod and production
                            are production stages: their table has deletion protection)
  --region REGION           default: AWS_REGION, AWS_DEFAULT_REGION, then `aws configure`
  --jwt-secret-param NAME   the SSM SecureString parameter with the JWT secret
                            (default /pause/NAME/jwt-secret); it must exist, unless...
  --create-secret           ...this: create it with 48 random bytes if it does not exist
  --bucket NAME             the S3 bucket for the deployment package (default
                            pause-artifacts-ACCOUNT-REGION, created and configured if missing);
                            it must belong to the deploying account
  --cors-origins LIST       comma-separated origins browsers may call the API from
  --param KEY=VALUE         any other template parameter (MemorySize=512, LogLevel=debug...);
                            repeatable; a name the template does not declare is refused
  --allow-dirty             deploy a working tree with uncommitted changes (the version is
                            then described as COMMIT-dirty)
  --package ZIP             deploy this deployment package of the API (dist/pause-lambda.zip,
                            built once by CI from this commit) instead of building one with
                            make lambda; needs --auth-package
  --auth-package ZIP        ...and this one of the sign-in function (dist/pause-auth.zip)
  --cfn-role ARN            the role CloudFormation deploys with (--role-arn): a CI role needs
                            then only to pass it (infra/ci-role.yaml)
  --dry-run                 print every command it would run, run none (no AWS, no build)
  -h, --help                this help
EOF
}

# template_params: the names of infra/template.yaml's parameters, one a line (read with
# builtins: the keys indented by two spaces under "Parameters:").
template_params() {
	local line in=0
	while IFS= read -r line; do
		if [[ $line =~ ^[A-Za-z] ]]; then
			if [[ $line == Parameters:* ]]; then in=1; else in=0; fi
		elif [ "$in" = 1 ] && [[ $line =~ ^\ \ ([A-Za-z0-9]+):\ *$ ]]; then
			printf '%s\n' "${BASH_REMATCH[1]}"
		fi
	done <"$root/infra/template.yaml"
}

# The parameters this script sets itself.
own_params=" Stage JwtSecretParameter CorsOrigins CodeBucket CodeKey AuthCodeKey GitCommit OriginSecretParameter OriginSecretVersion OriginSecretPreviousVersion JwtSecretRotation PublicUrl "

stage="" region="" bucket="" secret_param="" cors="" cors_set=0 create_secret=0 dry_run=0 allow_dirty=0 package="" auth_package="" cfn_role=""
params=()
known=" "
while IFS= read -r p; do known+="$p "; done < <(template_params)
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
		name="${2%%=*}"
		case "$own_params" in
		*" $name "*) die "$name is set by deploy.sh itself (Stage, JwtSecretParameter and CorsOrigins with their options; PublicUrl from DomainName or CloudFront's address) or by rotate-secret.sh (JwtSecretRotation), not by --param" ;;
		esac
		case "$known" in
		*" $name "*) ;;
		*) die "--param $name: infra/template.yaml has no parameter $name (nothing was sent to AWS). Its parameters:$known" ;;
		esac
		params+=("$2")
		shift 2
		;;
	--allow-dirty) allow_dirty=1; shift ;;
	--package) value "$@"; package="$2"; shift 2 ;;
	--auth-package) value "$@"; auth_package="$2"; shift 2 ;;
	--cfn-role) value "$@"; cfn_role="$2"; shift 2 ;;
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
origin_param="/pause/$stage/origin-secret"
if [ -n "$package" ] || [ -n "$auth_package" ]; then
	[ -n "$package" ] && [ -n "$auth_package" ] ||
		die "--package and --auth-package go together: the API's zip (dist/pause-lambda.zip) and the sign-in function's (dist/pause-auth.zip), built from the same commit"
	case "$package" in /*) ;; *) package="$PWD/$package" ;; esac
	case "$auth_package" in /*) ;; *) auth_package="$PWD/$auth_package" ;; esac
	[ "$dry_run" = 1 ] || [ -f "$package" ] || die "--package $package: no such file"
	[ "$dry_run" = 1 ] || [ -f "$auth_package" ] || die "--auth-package $auth_package: no such file"
fi
[ -z "$cfn_role" ] || [[ $cfn_role =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:role/ ]] || die "--cfn-role '$cfn_role': an IAM role ARN"
cd "$root"

# param_value NAME DEFAULT: the value given with --param NAME=..., or DEFAULT.
param_value() {
	local p v="$2"
	for p in ${params[@]+"${params[@]}"}; do
		if [ "${p%%=*}" = "$1" ]; then v="${p#*=}"; fi
	done
	printf '%s' "$v"
}
edge="$(param_value Edge true)"

# check_waf REGION: the template's rule WafOutsideUsEast1NeedsAcl, checked before AWS is called.
check_waf() {
	if [ -n "$1" ] && [ "$edge" = true ] && [ "$(param_value Waf true)" = true ] && [ "$1" != us-east-1 ] && [ -z "$(param_value WebAclArn "")" ]; then
		die "the stage's CloudFront gets a WAF web ACL, which only a stack in us-east-1 can create: in $1, give one made there (--param WebAclArn=arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/...) or turn WAF off (--param Waf=false)"
	fi
}
check_waf "${region:-${AWS_REGION:-${AWS_DEFAULT_REGION:-}}}"

if [ "$dry_run" = 1 ]; then
	echo "# Dry run: the commands infra/deploy.sh --stage $stage would run, from $root."
	echo "# Nothing is built and nothing is sent to AWS."
fi

step "Prerequisites: the aws CLI, a region, credentials"
check_aws
step "The commit: a clean working tree, its commit on the function's version"
commit="" dirty=""
if command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1; then
	commit="$(git rev-parse --short=12 HEAD)"
	dirty="$(git status --porcelain --untracked-files=normal)"
elif [ "$dry_run" = 0 ]; then
	die "not a git checkout (or git is missing): a deploy records the commit it builds. Deploy from a clone of the repository."
else
	commit="0000000"
	comment "(no git here: the commit is a placeholder)"
fi
if [ -n "$dirty" ]; then
	if [ "$allow_dirty" = 0 ] && [ "$dry_run" = 0 ]; then
		die "the working tree has uncommitted changes: commit them (a deploy records its commit), or rerun with --allow-dirty to deploy them as $commit-dirty. Changes:
$dirty"
	fi
	comment "the working tree has uncommitted changes: a real run refuses them without --allow-dirty"
	commit="$commit-dirty"
fi
comment "GitCommit=$commit: the version's description, PAUSE_COMMIT, the function's pause:commit tag"
[ "$dry_run" = 1 ] || note "commit $commit"

if [ "$dry_run" = 0 ]; then
	tools=(sha256sum)
	[ -n "$package" ] || tools+=(go make)
	for tool in "${tools[@]}"; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (or not on PATH): the build needs Go, make and sha256sum"
	done
fi
if is_production "$stage"; then
	comment "$stage is a production stage: its table gets deletion protection"
	[ "$dry_run" = 1 ] || note "$stage is a production stage: its table gets deletion protection"
fi
check_waf "$region"

step "Where the stage is now: its commit, for the way back"
previous=""
if ! capture previous "<the deployed commit>" aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
	--query "Stacks[0].Outputs[?OutputKey=='GitCommit'].OutputValue | [0]" --output text; then
	[[ $capture_err == *"does not exist"* ]] || die "could not read the stack $stack: $capture_err"
	previous=""
fi
previous="$(trim "$previous")"
[ "$previous" != None ] || previous=""

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

origin_version=1 origin_previous=0
if [ "$edge" = true ]; then
	step "The origin secret CloudFront sends and Pause checks: the SSM parameter $origin_param"
	if ! capture origin_version 1 aws ssm get-parameter --name "$origin_param" --query Parameter.Version --output text --region "$region"; then
		[[ $capture_err == *ParameterNotFound* ]] || die "could not read the SSM parameter $origin_param: $capture_err"
		origin_file="$(mktemp)"
		trap 'rm -f "${secret_file:-}" "$origin_file"' EXIT
		head -c 32 /dev/urandom | base64 | tr -d '\n/+=' >"$origin_file"
		run aws ssm put-parameter --name "$origin_param" --type String --value "file://$origin_file" \
			--description "Pause $stage: the header CloudFront sends to the API (X-Pause-Origin-Secret)" --region "$region" >/dev/null
		origin_version=1
	elif [ "$dry_run" = 1 ]; then
		comment "only if it does not exist: created with 32 random bytes from a file (a String: CloudFront's header takes no SecureString)"
		show aws ssm put-parameter --name "$origin_param" --type String --value "file://ORIGIN_FILE" \
			--description "Pause $stage: the header CloudFront sends to the API (X-Pause-Origin-Secret)" --region "$region"
	fi
	origin_version="$(trim "$origin_version")"
	[[ $origin_version =~ ^[0-9]+$ ]] || die "the SSM parameter $origin_param has no version number ('$origin_version')"
	origin_previous=$((origin_version - 1))
	comment "CloudFront sends version $origin_version; Pause also accepts version $origin_previous while CloudFront changes over (0: none)"
fi

step "The artifacts bucket (the deployment package), owned by account $account"
default_bucket=0
if [ -z "$bucket" ]; then
	bucket="pause-artifacts-$account-$region"
	default_bucket=1
	comment "default name pause-artifacts-ACCOUNT-REGION; --bucket chooses another"
fi
# Every call but create-bucket names the owner: a bucket of that name in another account (a
# squatter's) fails the call instead of receiving the code. create-bucket fails by itself when
# anyone else owns the name.
owner=(--expected-bucket-owner "$account")
create_bucket=(aws s3api create-bucket --bucket "$bucket" --region "$region" --object-ownership BucketOwnerEnforced)
if [ "$region" != us-east-1 ]; then
	create_bucket+=(--create-bucket-configuration "LocationConstraint=$region")
fi
configure_bucket() {
	run aws s3api put-public-access-block --bucket "$bucket" --region "$region" "${owner[@]}" \
		--public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
	run aws s3api put-bucket-encryption --bucket "$bucket" --region "$region" "${owner[@]}" \
		--server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}'
	run aws s3api put-bucket-policy --bucket "$bucket" --region "$region" "${owner[@]}" \
		--policy '{"Version":"2012-10-17","Statement":[{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::'"$bucket"'","arn:aws:s3:::'"$bucket"'/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}'
	# Packages are named by their content and uploaded again by every deploy of that content,
	# so only those not deployed for 180 days expire (a rollback further back rebuilds them).
	run aws s3api put-bucket-lifecycle-configuration --bucket "$bucket" --region "$region" "${owner[@]}" \
		--lifecycle-configuration '{"Rules":[{"ID":"expire-old-packages","Status":"Enabled","Filter":{"Prefix":"pause-"},"Expiration":{"Days":180},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":1}}]}'
}
if [ "$dry_run" = 1 ]; then
	show aws s3api head-bucket --bucket "$bucket" --region "$region" "${owner[@]}"
	comment "only if it does not exist:"
	show "${create_bucket[@]}"
	if [ "$default_bucket" = 1 ]; then
		comment "the default bucket is configured on every deploy (a bucket of yours, --bucket, is left as it is):"
		configure_bucket
	fi
else
	if ! capture ignored "" aws s3api head-bucket --bucket "$bucket" --region "$region" "${owner[@]}"; then
		if [[ $capture_err == *403* || $capture_err == *Forbidden* ]]; then
			die "the bucket $bucket exists but belongs to another account (or you may not use it): nothing was uploaded. Choose another with --bucket"
		fi
		run "${create_bucket[@]}" >/dev/null || die "could not create the bucket $bucket: choose another with --bucket"
		default_bucket=1 # created here: configured here
	fi
	if [ "$default_bucket" = 1 ]; then
		configure_bucket
	fi
fi

zip="dist/pause-lambda.zip" auth_zip="dist/pause-auth.zip"
if [ -n "$package" ]; then
	zip="$package" auth_zip="$auth_package"
	comment "the packages given (--package $package, --auth-package $auth_package): nothing is built"
else
	step "Build: dist/api/bootstrap and dist/auth/bootstrap (linux/arm64), dist/pause-lambda.zip and dist/pause-auth.zip"
	run make lambda
fi

# upload ZIP NAME: uploads the zip to the bucket under the stack's prefix, named by its
# SHA-256 (the owner checked), and sets key to that name. NAME stands for the hash in a dry run.
upload() {
	local sha
	if [ "$dry_run" = 1 ]; then
		sha="$2"
		comment "$2: the sha256sum of $1"
	else
		sha="$(sha256sum "$1")"
		sha="${sha%% *}"
	fi
	key="$stack/$sha.zip"
	local put=(aws s3api put-object --bucket "$bucket" --key "$key" --body "$1" --region "$region" "${owner[@]}"
		--query ETag --output text)
	if [ "$dry_run" = 1 ]; then run "${put[@]}"; else run "${put[@]}" >/dev/null; fi
}

step "Upload the packages, named by their SHA-256, to the bucket (owner checked)"
upload "$zip" SHA256
api_key="$key"
upload "$auth_zip" AUTH_SHA256
auth_key="$key"

step "Deploy the stack $stack (a change set; CodeDeploy shifts traffic and rolls back on an alarm; a failed update rolls back by itself)"
overrides=("Stage=$stage" "JwtSecretParameter=$secret_param" "CodeBucket=$bucket" "CodeKey=$api_key" "AuthCodeKey=$auth_key" "GitCommit=$commit")
if [ "$edge" = true ]; then
	overrides+=("OriginSecretParameter=$origin_param" "OriginSecretVersion=$origin_version" "OriginSecretPreviousVersion=$origin_previous")
fi
if [ "$cors_set" = 1 ]; then
	overrides+=("CorsOrigins=$cors")
fi
overrides+=(${params[@]+"${params[@]}"})
role_arn=()
[ -z "$cfn_role" ] || role_arn=(--role-arn "$cfn_role")
# The template goes through the artifacts bucket (CloudFormation takes 51,200 bytes inline, 1 MB
# from S3): the CLI uploads it without naming the owner, but the bucket's owner was checked
# above (head-bucket, or created here), and a bucket never changes owner.
# deploy_stack OVERRIDE...: deploy the template with these parameters (the others keep their
# values: aws cloudformation deploy sends UsePreviousValue for them).
deploy_stack() {
	if ! run aws cloudformation deploy --template-file infra/template.yaml --stack-name "$stack" \
		--s3-bucket "$bucket" --s3-prefix "$stack/templates" \
		--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND ${role_arn[@]+"${role_arn[@]}"} \
		--parameter-overrides "$@" \
		--tags "pause:stage=$stage" \
		--no-fail-on-empty-changeset --region "$region"; then
		die "the deploy of $commit failed; CloudFormation rolls the stack back by itself${previous:+ (to $previous)}. See why with:
  aws cloudformation describe-stack-events --stack-name $stack --region $region"
	fi
}
deploy_stack "${overrides[@]}"

step "The stack's outputs"
# What a dry run shows in their place: the outputs of a new stage deployed with these settings.
domain="$(param_value DomainName "")"
sample=$'TableName\t'"$stack"$'\nDashboardUrl\thttps://'"$region"'.console.aws.amazon.com/cloudwatch/home'
if [ "$edge" != true ]; then
	sample+=$'\nApiUrl\thttps://<api>.execute-api.'"$region"$'.amazonaws.com/graphql\nPublicUrl\thttps://<api>.execute-api.'"$region"'.amazonaws.com'
elif [ -n "$domain" ]; then
	sample+=$'\nApiUrl\thttps://'"$domain"$'/graphql\nPublicUrl\thttps://'"$domain"$'\nEdgeUrl\thttps://<distribution>.cloudfront.net'
else
	sample+=$'\nApiUrl\thttps://<distribution>.cloudfront.net/graphql\nPublicUrl\thttps://<api>.execute-api.'"$region"$'.amazonaws.com\nEdgeUrl\thttps://<distribution>.cloudfront.net'
fi
capture outputs "$sample" \
	aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
	--query "Stacks[0].Outputs[?OutputKey=='ApiUrl' || OutputKey=='TableName' || OutputKey=='DashboardUrl' || OutputKey=='PublicUrl' || OutputKey=='EdgeUrl'].[OutputKey,OutputValue]" \
	--output text || die "could not read the outputs of $stack: $capture_err"
url="" table="" dashboard="" public="" edge_url=""
while IFS=$'\t' read -r k val; do
	case "$k" in
	ApiUrl) url="$val" ;;
	TableName) table="$val" ;;
	DashboardUrl) dashboard="$val" ;;
	PublicUrl) public="$val" ;;
	EdgeUrl) edge_url="$val" ;;
	esac
done <<<"$outputs"
[ -n "$url" ] || die "the stack $stack has no ApiUrl output"

# With CloudFront and no domain, browsers reach Pause at the distribution's address, which the
# template cannot give the functions (a cycle) and which exists only once the distribution does:
# a new stage is deployed a second time with it as PublicUrl (PAUSE_PUBLIC_URL: setup links, the
# studio's same-origin checks, the passkeys' relying party). Later deploys keep the value.
# (ApiUrl is the domain's when there is one, CloudFront's otherwise.)
if [ -n "$edge_url" ] && [ "$url" = "$edge_url/graphql" ] && [ "$public" != "$edge_url" ]; then
	step "The public address is CloudFront's ($edge_url): deploy again with it as PublicUrl (a new stage without DomainName)"
	deploy_stack "${overrides[@]}" "PublicUrl=$edge_url"
	public="$edge_url"
fi

rollback="git checkout ${previous:-PREVIOUS_COMMIT} && make deploy STAGE=$stage DEPLOY_FLAGS=\"--param DeploymentType=AllAtOnce\""
if [ "$dry_run" = 1 ]; then
	printf '\n# Then it prints the URL (ApiUrl), e.g. %s, and the way back to the commit deployed before:\n#   %s\n' "$url" "$rollback"
	exit 0
fi
print_lines <<EOF

Pause ($stage) is deployed at commit $commit:
  GraphQL     $url
  studio      $public/studio/
  health      ${url%/graphql}/healthz
  table       $table (region $region)
  dashboard   $dashboard

Seed it with content:
  AWS_REGION=$region PAUSE_STORE=dynamodb PAUSE_TABLE=$table go run ./cmd/pause import content
EOF
if [ -n "$previous" ] && [ "$previous" != "$commit" ]; then
	print_lines <<EOF

To roll back to the commit deployed before ($previous), deploy it again: a new version of the
old code, all traffic at once; the alias and the stack stay in step (infra/README.md, Roll back).
  $rollback
EOF
fi

#!/usr/bin/env bash
# infra/destroy.sh --stage NAME [options]: remove one stage of Pause from AWS: delete the stack
# pause-NAME (API, function, role, log group, table and all its content) and wait until it is
# gone. A table with deletion protection (production stages) is refused unless
# --delete-protected-table says so; then a final on-demand backup is taken first.
# `make destroy STAGE=NAME` runs it; infra/README.md says what stays behind.
set -euo pipefail

prog=destroy.sh
case "${BASH_SOURCE[0]}" in */*) here="${BASH_SOURCE[0]%/*}" ;; *) here=. ;; esac
here="$(cd "$here" && pwd)"
# shellcheck source=infra/lib.sh
. "$here/lib.sh"

usage() {
	print_lines <<'EOF'
Usage: infra/destroy.sh --stage NAME [options]

Deletes the stack pause-NAME and waits until it is gone. The stage's table and all its
content go with it.

  --stage NAME                the stage to remove
  --region REGION             default: AWS_REGION, AWS_DEFAULT_REGION, then `aws configure`
  --delete-protected-table    remove the stage even if its table has deletion protection
                              (production stages): takes an on-demand backup of the table,
                              turns the protection off, then deletes
  --yes                       do not ask for confirmation
  --dry-run                   print every command it would run, run none (no AWS)
  -h, --help                  this help
EOF
}

stage="" region="" force=0 yes=0 dry_run=0
while [ "$#" -gt 0 ]; do
	case "$1" in
	--stage) value "$@"; stage="$2"; shift 2 ;;
	--region) value "$@"; region="$2"; shift 2 ;;
	--delete-protected-table) force=1; shift ;;
	--yes) yes=1; shift ;;
	--dry-run) dry_run=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done

[ -n "$stage" ] || die "--stage is required (e.g. --stage demo, or make destroy STAGE=demo)"
[[ $stage =~ $stage_pattern ]] || die "stage '$stage': use lower-case letters, digits and dashes, starting with a letter, at most 20 characters"
stack="pause-$stage"

if [ "$dry_run" = 1 ]; then
	echo "# Dry run: the commands infra/destroy.sh --stage $stage would run. Nothing is sent to AWS."
fi

step "Prerequisites: the aws CLI, a region, credentials"
check_aws

step "The stack $stack and its table"
capture table "$stack" aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
	--query "Stacks[0].Outputs[?OutputKey=='TableName'].OutputValue | [0]" --output text ||
	die "no stack $stack in $region (or it cannot be read): ${capture_err:-}"
table="$(trim "$table")"
if [ -z "$table" ] || [ "$table" = None ]; then
	die "the stack $stack names no table (no TableName output): nothing was deleted. Delete it by hand after checking what it holds: aws cloudformation describe-stack-resources --stack-name $stack --region $region"
fi

# Deletion protection, asked of DynamoDB. Only an explicit "no" (False, as the CLI v1 and v2 print
# a JSON false in text output; false in JSON output) lets the table go without
# --delete-protected-table. Anything else fails closed: True; None, which an aws CLI released
# before DynamoDB's deletion protection prints for a field it does not know (Debian 12's 2.9.19
# does); an error; or no answer at all.
gone=0 answer=""
assumed=False
if is_production "$stage"; then
	assumed=True # what a dry run assumes: the template protects production stages' tables
fi
if capture answer "$assumed" aws dynamodb describe-table --table-name "$table" --region "$region" \
	--query Table.DeletionProtectionEnabled --output text; then
	answer="$(trim "$answer")"
elif [[ $capture_err == *ResourceNotFoundException* ]]; then
	gone=1
	note "the table $table does not exist (any more): only the stack is deleted"
else
	die "could not read the table $table, so whether it has deletion protection is unknown: nothing was deleted. ${capture_err:-The aws CLI failed without saying why.}"
fi
protected=unknown
if [ "$gone" = 1 ]; then
	protected=False
else
	case "$answer" in
	False | false) protected=False ;;
	True | true) protected=True ;;
	esac
fi
if [ "$dry_run" = 1 ]; then
	comment "deletion protection: $protected (assumed from the stage's name: the template protects prod and production)"
fi

if [ "$protected" = unknown ]; then
	die "the table $table: DynamoDB's answer on deletion protection was '${answer}', neither True nor False, so it is treated as protected and nothing was deleted. An aws CLI older than DynamoDB's deletion protection (March 2023; e.g. Debian 12's 2.9.19) prints None: install a current one (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), check with 'aws dynamodb describe-table --table-name $table --query Table.DeletionProtectionEnabled', and run this again."
fi
if [ "$protected" = True ] && [ "$force" = 0 ]; then
	die "the table $table of the stage $stage has deletion protection: nothing was deleted. To remove the stage and ALL ITS CONTENT, rerun with --delete-protected-table (it takes an on-demand backup of the table first)."
fi

if [ "$dry_run" = 0 ] && [ "$yes" = 0 ]; then
	if [ ! -t 0 ]; then
		die "this deletes the stack $stack and the table $table with all its content: pass --yes to confirm"
	fi
	read -r -p "Delete the stack $stack and the table $table with all its content? Type the stage name ($stage) to confirm: " confirm
	[ "$confirm" = "$stage" ] || die "not confirmed: nothing was deleted"
fi

if [ "$protected" = True ]; then
	step "The table is protected: a final backup, then the protection off"
	backup="$stack-final-$(printf '%(%Y%m%d-%H%M%S)T' -1)"
	run aws dynamodb create-backup --table-name "$table" --backup-name "$backup" --region "$region" \
		--query BackupDetails.BackupArn --output text
	run aws dynamodb update-table --table-name "$table" --no-deletion-protection-enabled --region "$region" \
		--query Table.TableStatus --output text ||
		die "could not turn the deletion protection of $table off (an aws CLI older than March 2023 does not know --no-deletion-protection-enabled): nothing was deleted; the backup $backup stays"
	run aws dynamodb wait table-exists --table-name "$table" --region "$region"
fi

# The template retains the table when the stack goes (DeletionPolicy Retain, so that no stack
# operation can lose content): the stack first, then the table, which this script has checked.
step "Delete the stack $stack and wait until it is gone"
run aws cloudformation delete-stack --stack-name "$stack" --region "$region"
run aws cloudformation wait stack-delete-complete --stack-name "$stack" --region "$region" ||
	die "the stack $stack was not deleted (its table was not touched); see why with: aws cloudformation describe-stack-events --stack-name $stack --region $region"

if [ "$gone" = 0 ]; then
	step "Delete the table $table (the stack retains it) and wait until it is gone"
	run aws dynamodb delete-table --table-name "$table" --region "$region" --query TableDescription.TableStatus --output text
	run aws dynamodb wait table-not-exists --table-name "$table" --region "$region"
fi

if [ "$dry_run" = 1 ]; then
	exit 0
fi
print_lines <<EOF

The stage $stage is removed. What stays, under the default names (delete it by hand if you want it gone):
  the JWT secret's SSM parameter   aws ssm delete-parameter --name /pause/$stage/jwt-secret --region $region
  the origin secret's parameter    aws ssm delete-parameter --name /pause/$stage/origin-secret --region $region
  the deployment packages          aws s3 rm --recursive s3://pause-artifacts-$account-$region/$stack/ --region $region
  the backup vault (production)    aws backup list-backup-vaults --region $region  (pause-$stage-...; its backups expire by themselves)
  DynamoDB's system backup of the deleted table, kept 35 days:
                                   aws dynamodb list-backups --table-name $table --backup-type SYSTEM --region $region
EOF
if [ "$protected" = True ]; then
	echo "  the final backup $backup (aws dynamodb list-backups --table-name $table --region $region)"
fi

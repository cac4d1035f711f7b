#!/bin/sh
# build.sh: bundles GraphiQL for Pause's development server (go generate runs it, from this
# folder). It installs exactly the packages of package-lock.json (npm ci; skipped when
# node_modules was installed from this very lockfile) and bundles index.js with them into
# assets/graphiql.js and assets/graphiql.css. The same lockfile gives the same bytes: make
# check-generate fails when the committed assets differ from what this writes.
set -eu
cd "$(dirname "$0")"
if ! cmp -s package-lock.json node_modules/.pause-installed-lock 2>/dev/null; then
	npm ci --no-audit --no-fund --loglevel=error
	cp package-lock.json node_modules/.pause-installed-lock
fi
rm -rf assets
node_modules/.bin/esbuild index.js --bundle --minify --target=es2020 \
	--define:process.env.NODE_ENV='"production"' \
	--external:graphql-ws \
	--legal-comments=eof \
	--log-level=warning \
	--outfile=assets/graphiql.js

#!/bin/sh
# build.sh: builds Pause Studio into dist/ (go generate runs it, from this folder). It installs
# exactly the packages of package-lock.json (npm ci; skipped when node_modules was installed
# from this very lockfile), bundles src/main.jsx with esbuild into content-hashed files in
# build/ (not committed), and gzips them with index.html into dist/ (internal/gzipdist). The
# same lockfile and sources give the same bytes: make check-generate fails when the committed
# dist/ differs from what this writes.
set -eu
cd "$(dirname "$0")"
if ! cmp -s package-lock.json node_modules/.pause-installed-lock 2>/dev/null; then
	npm ci --no-audit --no-fund --loglevel=error
	cp package-lock.json node_modules/.pause-installed-lock
fi
rm -rf build
node_modules/.bin/esbuild src/main.jsx --bundle --minify --format=esm --target=es2020 \
	--jsx=automatic --jsx-import-source=preact \
	--entry-names='[name]-[hash]' --asset-names='[name]-[hash]' \
	--legal-comments=none --charset=utf8 \
	--log-level=warning \
	--outdir=build
go run ./internal/gzipdist build src/index.html dist
rm -rf build

#!/usr/bin/env bash
# ensure-chromium.sh: makes sure Debian's chromium is installed, for the browser tests (chromedp
# drives it from Go). Installs it with apt-get if /usr/bin/chromium is missing; prints its path.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
	echo "ensure-chromium: chromium is missing: installing Debian's chromium" >&2
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	$sudo apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
echo /usr/bin/chromium

#!/usr/bin/env bash
# Installs Debian's chromium for the docs site's browser check (tests/docs/site.test.mjs) when
# it is missing. `make docs-check` calls it; CI runs as root. Debian's package only: no browser
# build is downloaded by playwright (the npm package is playwright-core, which ships none).
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ERROR: $CHROMIUM is missing; install Debian's chromium (apt-get install chromium) or set CHROMIUM" >&2
  exit 1
fi
echo "==> installing Debian's chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium fonts-liberation
"$CHROMIUM" --version

#!/usr/bin/env bash
# The browser suite (tests/browser/): the reader's journey in headless Chromium, with and
# without JavaScript, the docs pages, screenshots (tests/artifacts/screenshots/) and an
# accessibility audit of every page visited.
#
#   bash scripts/browser.sh                  # builds gatehouse, serves on a free port
#   GATEHOUSE_BROWSER_BASE_URL=http://127.0.0.1:8787 bash scripts/browser.sh
#                                            # against a host already running in
#                                            # development mode (e.g. `wrangler dev`)
#
# Installs what is missing first: Debian's chromium (apt) and the npm packages (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "browser: installing chromium with apt" >&2
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update
  $sudo_ apt-get install -y chromium
fi
[ -d node_modules/playwright-core ] || npm ci

work=$(mktemp -d)
. scripts/serve-lib.sh
trap 'stop_serve; rm -rf "$work"' EXIT

if [ -n "${GATEHOUSE_BROWSER_BASE_URL:-}" ]; then
  url=${GATEHOUSE_BROWSER_BASE_URL%/}
  echo "browser: using the host at $url"
else
  # cargo rebuilds only what changed (the edge core and the theme are compiled in).
  cargo build -q -p gatehouse
  start_serve target/debug/gatehouse "$work"
  url=$serve_url
  echo "browser: gatehouse serve at $url"
fi

# TAP, so that the summary lines (`# pass N`, `# fail N`) are there to be counted.
status=0
BASE_URL=$url node --test --test-reporter=tap --test-concurrency=1 tests/browser/ || status=$?
if [ -n "${serve_pid:-}" ] && [ -s "$work/stderr" ]; then
  echo "browser: gatehouse serve wrote to stderr:" >&2
  cat "$work/stderr" >&2
fi
exit "$status"

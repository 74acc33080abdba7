#!/usr/bin/env bash
# Runs the HTTP journey suite (tests/http/) against `gatehouse serve` on a free port with
# a fresh store. The same suite runs against `wrangler dev` in scripts/journey-workers.sh.
#
#   bash scripts/journey-serve.sh [path/to/gatehouse]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/gatehouse}
[ -x "$bin" ] || cargo build -q -p gatehouse
work=$(mktemp -d)
. scripts/serve-lib.sh
trap 'stop_serve; rm -rf "$work"' EXIT
start_serve "$bin" "$work"
url=$serve_url
echo "journey: gatehouse serve at $url"
BASE_URL=$url node --test --test-reporter=tap tests/http/

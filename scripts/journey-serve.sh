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
"$bin" serve -q --port 0 --state-dir "$work/state" >"$work/stdout" 2>"$work/stderr" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
url=""
for _ in $(seq 600); do
  url=$(sed -n 's/^Serving \(http[^ ]*\)\/$/\1/p' "$work/stdout")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/stderr" >&2; echo "gatehouse serve exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "gatehouse serve did not start" >&2; exit 1; }
echo "journey: gatehouse serve at $url"
BASE_URL=$url node --test tests/http/

#!/usr/bin/env bash
# Account enumeration by timing, and hashing off the event loop. Not a test: it prints
# figures (bench/enumeration.mjs does the measuring; its header says how).
#
#   bash bench/enumeration.sh [ROUNDS] [serve|workers|all]     defaults: 60 rounds, all
#
# - For each of sign-in, register, resend and forgot-password: the median latency of a
#   known address against an unknown one over ROUNDS (>= 40) interleaved rounds, and their
#   ratio (the target is 0.8–1.25), against `gatehouse serve` (release build) and against
#   the Worker in workerd (`wrangler dev --local`, development mode);
# - `gatehouse serve` only: GET / (a static page) p50/p95 alone, and while 30 clients run
#   300 registrations (argon2id each): hashing runs on the native host's hashing threads,
#   not on the event loop that serves pages.
# Both hosts run with their per-IP, per-address and mail limits and ceilings raised (settings), so no
# request of the benchmark is refused.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-60}
which=${2:-all}
[ "$rounds" -ge 40 ] || { echo "use at least 40 rounds" >&2; exit 2; }
big=1000000

work=$(mktemp -d)
pid=
stop() {
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}
trap 'stop; rm -rf "$work"' EXIT

if [ "$which" = serve ] || [ "$which" = all ]; then
  cargo build --release -q -p gatehouse
  bin=${CARGO_TARGET_DIR:-target}/release/gatehouse
  cp -r generator/tests/fixtures/small "$work/site"
  printf '\n[edge.limits]\nposts_per_ip = %s\nsign_in_failures_per_email = %s\nsign_in_failures_ceiling = %s\nmails_per_email = %s\nmails_ceiling = %s\n' \
    "$big" "$big" "$big" "$big" "$big" >>"$work/site/site.toml"
  : >"$work/serve.out"
  setsid "$bin" serve -q --port 0 --root "$work/site" --state-dir "$work/serve-state" \
    >"$work/serve.out" 2>"$work/serve.err" </dev/null &
  pid=$!
  url=
  for _ in $(seq 600); do
    url=$(sed -n 's/^Serving \(http[^ ]*\)\/$/\1/p' "$work/serve.out")
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$work/serve.err" >&2; echo "gatehouse serve did not start" >&2; exit 1; }
  node bench/enumeration.mjs timing "$url" "$rounds" serve
  node bench/enumeration.mjs load "$url" 30 300 serve
  stop
fi

if [ "$which" = workers ] || [ "$which" = all ]; then
  bash scripts/install-tools.sh >/dev/null
  cargo run -q -p gatehouse -- build -q
  bash scripts/build-worker.sh >/dev/null 2>&1 || bash scripts/build-worker.sh
  port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
  url="http://127.0.0.1:$port"
  mkdir -p "$work/tmp"
  GATEHOUSE_SKIP_WORKER_BUILD=1 WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false \
    TMPDIR="$work/tmp" WRANGLER_LOG_PATH="$work/wrangler-logs" \
    setsid node_modules/.bin/wrangler dev --local --ip 127.0.0.1 --port "$port" \
    --persist-to "$work/workers-state" --var DEV:1 --var "SITE_URL:$url" \
    --var "LIMIT_POSTS_PER_IP:$big" --var "LIMIT_SIGN_IN_FAILURES_PER_EMAIL:$big" \
    --var "LIMIT_SIGN_IN_FAILURES_CEILING:$big" \
    --var "LIMIT_MAILS_PER_EMAIL:$big" --var "LIMIT_MAILS_CEILING:$big" \
    --show-interactive-dev-session=false >"$work/wrangler.log" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 600); do
    curl -fs -o /dev/null "$url/" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/wrangler.log" >&2; exit 1; }
    sleep 0.1
  done
  node bench/enumeration.mjs timing "$url" "$rounds" workerd
  stop
fi
echo "($(nproc) cores, Node $(node --version); known = an existing account, unknown = a fresh address each round)"

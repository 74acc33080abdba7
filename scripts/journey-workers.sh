#!/usr/bin/env bash
# Runs the HTTP journey suite (tests/http/, the same one journey-serve.sh runs against
# `gatehouse serve`) against the Cloudflare Workers host: the edge core built to wasm, in
# workerd under `wrangler dev --local`, with the built site as static assets and a fresh
# local Durable Object store. First `wrangler deploy --dry-run` (the upload and its bindings, no
# account needed). Then:
#   - runs the browser suite (tests/browser/) against the same Worker;
#   - triggers the cron entry (#[event(scheduled)]) once through /__scheduled;
#   - restarts the Worker in production mode (DEV=yes, which is not `1` or `true`, so off)
#     with MAIL_API_URL pointing at a local stub (tests/workers/mail-stub.mjs) and runs
#     tests/workers/: mail through the HTTP API, the rate-limiting binding (IPv4, IPv6 /64),
#     origins and types, framing headers, no /_dev/* and the log saying DEV is off once;
#   - restarts it once more with wrangler.toml's mail settings: mail through the EMAIL
#     send_email binding (Cloudflare Email Service), link followed;
#   - once with MAIL_TRANSPORT=api but no MAIL_API_URL: the usual answer (mail goes out
#     after it), the log naming what is missing, no fallback to the binding;
#   - and twice with DEV=1 and wrangler.toml's SITE_URL (not loopback): /_dev/* refused and
#     the log saying why, then with DEV_ALLOW_REMOTE=1 too: /_dev/* served.
#
#   bash scripts/journey-workers.sh
#
# Offline once scripts/install-tools.sh has run (it is called here). Uses Cargo's usual
# target/ unless CARGO_TARGET_DIR says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-tools.sh
cargo run -q -p gatehouse -- build -q
bash scripts/build-worker.sh

work=$(mktemp -d)
mkdir -p "$work/tmp"
pids=()

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# Stops a process started with setsid (it leads its own process group) and everything in
# that group — wrangler's workerd included.
stop_group() {
  local pid=$1
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    pgrep -g "$pid" >/dev/null 2>&1 || break
    sleep 0.1
  done
  if pgrep -g "$pid" >/dev/null 2>&1; then
    echo "journey: process group $pid did not stop on TERM; killing it" >&2
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? pid
  for pid in "${pids[@]}"; do stop_group "$pid"; done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/*.log; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

answers() { node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$1"; }

# start_wrangler NAME PORT [wrangler dev args…]: starts it in its own process group, with
# its own store and temp dir, and waits until it answers. The build was just done.
start_wrangler() {
  local name=$1 port=$2
  shift 2
  GATEHOUSE_SKIP_WORKER_BUILD=1 WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false \
    TMPDIR="$work/tmp" WRANGLER_LOG_PATH="$work/wrangler-logs" \
    setsid node_modules/.bin/wrangler dev --local --ip 127.0.0.1 --port "$port" \
    --persist-to "$work/$name-state" --show-interactive-dev-session=false "$@" \
    >"$work/$name.log" 2>&1 </dev/null &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 600); do
    answers "http://127.0.0.1:$port/" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "journey: wrangler dev ($name) exited" >&2; exit 1; }
    sleep 0.2
  done
  echo "journey: wrangler dev ($name) did not start" >&2
  exit 1
}

# 0. What `wrangler deploy` would upload, checked without an account (--dry-run reads
# wrangler.toml, bundles the Worker and the assets, and lists the bindings).
GATEHOUSE_SKIP_WORKER_BUILD=1 WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false \
  TMPDIR="$work/tmp" WRANGLER_LOG_PATH="$work/wrangler-logs" \
  node_modules/.bin/wrangler deploy --dry-run --outdir "$work/dry-run" >"$work/dry-run.log" 2>&1 </dev/null ||
  { echo "journey: wrangler deploy --dry-run failed" >&2; cat "$work/dry-run.log" >&2; exit 1; }
for binding in "env.STATE " "env.EMAIL " "env.RATE_LIMITER " "env.ASSETS " "--dry-run: exiting now"; do
  grep -q -- "$binding" "$work/dry-run.log" ||
    { echo "journey: the deploy dry run lacks '$binding'" >&2; cat "$work/dry-run.log" >&2; exit 1; }
done
echo "journey: deploy dry run: $(grep -o 'Total Upload: .*' "$work/dry-run.log"); bindings STATE (OnboardingStore), EMAIL, RATE_LIMITER, ASSETS"

# 1. Development mode: the shared journey.
port=$(free_port)
url="http://127.0.0.1:$port"
start_wrangler dev "$port" --var DEV:1 --var "SITE_URL:$url" --test-scheduled
echo "journey: wrangler dev (workerd, DEV) at $url"
BASE_URL=$url node --test --test-reporter=tap tests/http/
# The reader's journey in Chromium, against the same Worker (GATEHOUSE_BROWSER_SKIP_WORKERS=1 skips it).
if [ -z "${GATEHOUSE_BROWSER_SKIP_WORKERS:-}" ]; then
  GATEHOUSE_BROWSER_BASE_URL=$url bash scripts/browser.sh
fi

# 2. The cron entry, as Cloudflare calls it.
node -e '
  fetch(process.argv[1]).then(async (res) => {
    if (res.status !== 200) { console.error(`/__scheduled: ${res.status} ${await res.text()}`); process.exit(1); }
  }, (e) => { console.error(e); process.exit(1); });
' "$url/__scheduled?cron=0+6+*+*+*"
for _ in $(seq 50); do
  grep -q 'edge: scheduled job: {' "$work/dev.log" && break
  sleep 0.1
done
if ! grep -q 'edge: scheduled job: {' "$work/dev.log"; then
  echo "journey: the scheduled entry did not report" >&2
  exit 1
fi
echo "journey: cron entry ran: $(grep -o 'edge: scheduled job: {.*}' "$work/dev.log" | tail -n 1)"
stop_group "${pids[0]}"
pids=()

# 3. Production mode, against a local mail API stub.
mail_port=$(free_port)
setsid node tests/workers/mail-stub.mjs "$mail_port" "$work/mail.jsonl" >"$work/mail-stub.log" 2>&1 </dev/null &
pids+=("$!")
port=$(free_port)
url="http://127.0.0.1:$port"
key="test-key-$RANDOM$RANDOM"
start_wrangler prod "$port" --var "SITE_URL:$url" --var DEV:yes \
  --var "MAIL_API_URL:http://127.0.0.1:$mail_port/emails" --var "MAIL_API_KEY:$key"
echo "journey: wrangler dev (workerd, production mode: DEV=yes is off) at $url"
BASE_URL=$url MAIL_LOG="$work/mail.jsonl" MAIL_API_KEY=$key node --test --test-reporter=tap tests/workers/production.test.mjs
BASE_URL=$url WRANGLER_LOG="$work/prod.log" DEV_MODE=unrecognised node --test --test-reporter=tap tests/workers/dev-mode.test.mjs
stop_group "${pids[-1]}"
unset 'pids[-1]'

# 4. Production mode with wrangler.toml's own mail settings: no MAIL_API_URL, so mail goes
# through the EMAIL send_email binding (Cloudflare Email Service), which wrangler dev logs.
port=$(free_port)
url="http://127.0.0.1:$port"
start_wrangler email "$port" --var "SITE_URL:$url"
echo "journey: wrangler dev (workerd, production mode, Email Service) at $url"
BASE_URL=$url WRANGLER_LOG="$work/email.log" node --test --test-reporter=tap tests/workers/email-service.test.mjs
stop_group "${pids[-1]}"
unset 'pids[-1]'

# 5. Production mode with MAIL_TRANSPORT = "api" and no MAIL_API_URL: no silent fallback.
port=$(free_port)
url="http://127.0.0.1:$port"
start_wrangler misconfigured "$port" --var "SITE_URL:$url" --var MAIL_TRANSPORT:api
echo "journey: wrangler dev (workerd, production mode, mail transport not configured) at $url"
BASE_URL=$url WRANGLER_LOG="$work/misconfigured.log" node --test --test-reporter=tap tests/workers/mail-misconfigured.test.mjs
stop_group "${pids[-1]}"
unset 'pids[-1]'

# 6. DEV=1 with wrangler.toml's SITE_URL, which is not a loopback origin: /_dev/* refused.
port=$(free_port)
url="http://127.0.0.1:$port"
start_wrangler remote-dev "$port" --var DEV:1
echo "journey: wrangler dev (workerd, DEV=1, remote SITE_URL) at $url"
BASE_URL=$url WRANGLER_LOG="$work/remote-dev.log" DEV_MODE=refused node --test --test-reporter=tap tests/workers/dev-mode.test.mjs
stop_group "${pids[-1]}"
unset 'pids[-1]'

# 7. The same with DEV_ALLOW_REMOTE=1: /_dev/* served.
port=$(free_port)
url="http://127.0.0.1:$port"
start_wrangler remote-dev-allowed "$port" --var DEV:1 --var DEV_ALLOW_REMOTE:1
echo "journey: wrangler dev (workerd, DEV=1 and DEV_ALLOW_REMOTE=1, remote SITE_URL) at $url"
BASE_URL=$url WRANGLER_LOG="$work/remote-dev-allowed.log" DEV_MODE=allowed node --test --test-reporter=tap tests/workers/dev-mode.test.mjs

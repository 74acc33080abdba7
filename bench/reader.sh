#!/usr/bin/env bash
# What pages that know their reader cost (issue 23). Not a test: it prints figures.
#
#   bash bench/reader.sh [N]      N = requests per measured loop (default 200)
#
# - reader.js: raw and gzip -9 bytes (target: <= 3 KB gzip);
# - against `gatehouse serve` (release build) and the Worker in `wrangler dev --local`
#   (workerd), both in development mode: bench/reader.mjs (the seed page static and
#   filled in for a signed-in reader, a page without markers with and without a session).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
n=${1:-200}
js=themes/default/static/js/reader.js
echo "reader.js: $(wc -c <"$js") bytes raw, $(gzip -9c "$js" | wc -c) bytes gzip -9 (target <= 3072)"

cargo build --release -q -p gatehouse
work=$(mktemp -d)
. scripts/serve-lib.sh
trap 'stop_serve; [ -n "${wpid:-}" ] && kill -TERM -- "-$wpid" 2>/dev/null; rm -rf "$work"' EXIT
start_serve target/release/gatehouse "$work"
node bench/reader.mjs "$serve_url" "$n" serve
stop_serve

bash scripts/install-tools.sh >/dev/null
cargo run -q --release -p gatehouse -- build -q
bash scripts/build-worker.sh >/dev/null 2>&1 || bash scripts/build-worker.sh
port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
mkdir -p "$work/tmp"
GATEHOUSE_SKIP_WORKER_BUILD=1 WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false TMPDIR="$work/tmp" \
  setsid node_modules/.bin/wrangler dev --local --ip 127.0.0.1 --port "$port" --persist-to "$work/state" \
  --var DEV:1 --var "SITE_URL:http://127.0.0.1:$port" --show-interactive-dev-session=false >"$work/wrangler.log" 2>&1 </dev/null &
wpid=$!
for _ in $(seq 600); do
  node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "http://127.0.0.1:$port/" && break
  sleep 0.2
done
node bench/reader.mjs "http://127.0.0.1:$port" "$n" workerd
echo "($(nproc) cores, Node $(node --version))"

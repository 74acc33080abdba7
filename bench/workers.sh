#!/usr/bin/env bash
# Workers host benchmark. Not a test: it prints figures.
#
#   bash bench/workers.sh [N]      N = requests per measured loop (default 200; sign-in N/4)
#
# - the wasm module: raw and gzip -9 size (Cloudflare's limit applies to the compressed
#   upload: 3 MiB on the free plan, 10 MiB on paid; the target here is < 1 MiB);
# - cold start: from spawning `wrangler dev --local` (the build excluded) to the first
#   answer of a core route (GET /api/account: the wasm instantiated), and to the first
#   static answer;
# - in workerd, on 127.0.0.1, one request at a time after a warm-up, p50/p95 of:
#   GET /api/account with a session (store reads, no hashing), GET / (a static asset),
#   POST /api/sign-in (one argon2id verification, m=19456 KiB, t=2, p=1; plus store
#   writes) and POST /api/register (one argon2id hash) — each a single round trip from
#   the Worker to the Durable Object, which runs the core — and 20 sign-ins at once (the
#   one object hashes one password at a time). Each sign-in and registration comes from
#   its own CF-Connecting-IP so the per-IP limit stays out of the way (wrangler dev takes
#   the header from the client; Cloudflare's edge sets it itself).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}

bash scripts/install-tools.sh
cargo run -q -p gatehouse -- build -q
bash scripts/build-worker.sh >/dev/null 2>&1 || bash scripts/build-worker.sh

raw=$(wc -c <build/index_bg.wasm)
gz=$(gzip -9c build/index_bg.wasm | wc -c)
js=$(wc -c <build/index.js)
awk -v raw="$raw" -v gz="$gz" -v js="$js" 'BEGIN {
  printf "wasm: %d bytes raw (%.2f MiB), %d bytes gzip -9 (%.2f MiB); index.js %d bytes\n", raw, raw / 1048576, gz, gz / 1048576, js
}'

work=$(mktemp -d)
mkdir -p "$work/tmp"
port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
url="http://127.0.0.1:$port"

pid=
# start_wrangler LOG [--var …]: wrangler dev on $port over the one persist dir, so accounts
# and sessions made in the development run are still there in the production run.
start_wrangler() {
  local log=$1
  shift
  start_ms=$(date +%s%3N)
  GATEHOUSE_SKIP_WORKER_BUILD=1 WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false \
    TMPDIR="$work/tmp" WRANGLER_LOG_PATH="$work/wrangler-logs" \
    setsid node_modules/.bin/wrangler dev --local --ip 127.0.0.1 --port "$port" \
    --persist-to "$work/state" --var "SITE_URL:$url" "$@" \
    --show-interactive-dev-session=false --log-level debug >"$log" 2>&1 </dev/null &
  pid=$!
}
stop() {
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do pgrep -g "$pid" >/dev/null 2>&1 || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}
trap 'stop; rm -rf "$work"' EXIT

cat >"$work/bench.mjs" <<'JS'
// mode `dev`: set up an account through the dev outbox, measure everything, and leave the
// session cookie in cookieFile; mode `prod`: the Worker without DEV (no development clock
// read from KV on each request, as deployed), measured with that cookie.
const [mode, base, n, startMs, logFile, cookieFile] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5]), process.argv[6], process.argv[7]];
const { readFileSync, writeFileSync } = await import('node:fs');
const since = () => Date.now() - startMs;
// Cold start: poll (each attempt is cheap) until the core answers, then the assets.
let coreMs = null;
for (let i = 0; i < 3000 && coreMs === null; i++) {
  try {
    const res = await fetch(`${base}/api/account`);
    await res.arrayBuffer();
    if (res.status === 401) coreMs = since();
  } catch { await new Promise((r) => setTimeout(r, 20)); }
}
if (coreMs === null) throw new Error('wrangler dev never answered');
const res0 = await fetch(`${base}/`); await res0.arrayBuffer();
console.log(`${mode}: cold start: first core answer ${coreMs.toFixed(0)} ms after spawning wrangler dev (static ${since().toFixed(0)} ms)`);

async function measure(label, count, once) {
  for (let i = 0; i < Math.min(10, count); i++) await once(); // warm-up
  const ms = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await once();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)];
  console.log(`${`${mode}: ${label}`.padEnd(44)} n=${String(count).padStart(4)}  p50 ${at(0.5).toFixed(2)} ms  p95 ${at(0.95).toFixed(2)} ms  max ${ms[ms.length - 1].toFixed(2)} ms`);
}

let cookie;
let signIn;
const form = (fields) => ({ method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
if (mode === 'dev') {

const email = `bench-${Date.now().toString(36)}@example.test`;
const password = 'Bench-pass1';
let res = await fetch(`${base}/api/register`, form({ email, first_name: 'B', last_name: 'Ench', organization: 'Bench', password }));
if (res.status !== 303) throw new Error(`register: ${res.status}`);
// The mail goes out just after the answer: wait for it in the outbox.
let mails = [];
for (let i = 0; i < 200 && mails.length === 0; i++) {
  if (i) await new Promise((r) => setTimeout(r, 25));
  mails = await (await fetch(`${base}/_dev/outbox?to=${encodeURIComponent(email)}`, { headers: { accept: 'application/json' } })).json();
}
const verify = mails[0].links.find((l) => new URL(l).pathname === '/api/verify');
res = await fetch(`${base}${new URL(verify).pathname}${new URL(verify).search}`, { redirect: 'manual' });
if (res.status !== 303) throw new Error(`verify: ${res.status}`);
res = await fetch(`${base}/api/verify`, form({ token: new URL(verify).searchParams.get('token'), password }));
if (res.status !== 303) throw new Error(`confirm: ${res.status}`);
let ip = 0;
signIn = async () => {
  ip++;
  const r = await fetch(`${base}/api/sign-in`, { ...form({ email, password }), headers: { ...form({}).headers, 'cf-connecting-ip': `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}` } });
  await r.arrayBuffer();
  if (r.status !== 303) throw new Error(`sign-in: ${r.status}`);
  return r;
};
cookie = (await signIn()).headers.getSetCookie().find((c) => c.startsWith('__Host-session=')).split(';')[0];
writeFileSync(cookieFile, cookie);
} else {
  cookie = readFileSync(cookieFile, 'utf8');
}

await measure('GET /api/account (session)', n, async () => {
  const r = await fetch(`${base}/api/account`, { headers: { cookie } });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`account: ${r.status}`);
});
await measure('GET / (static asset)', n, async () => {
  const r = await fetch(`${base}/`);
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`static: ${r.status}`);
});
if (mode === 'dev') {
  await measure('POST /api/sign-in (argon2id)', Math.max(10, Math.floor(n / 4)), signIn);
  // Each registration a new address from a network of its own, so no limit is reached.
  let reg = 0;
  await measure('POST /api/register (argon2id)', Math.max(10, Math.floor(n / 4)), async () => {
    reg++;
    const fields = { email: `bench-r${reg}-${Date.now().toString(36)}@example.test`, first_name: 'B', last_name: 'Ench', organization: 'Bench', password: 'Bench-pass1' };
    const r = await fetch(`${base}/api/register`, { ...form(fields), headers: { ...form({}).headers, 'cf-connecting-ip': `10.200.${(reg >> 8) & 255}.${reg & 255}` } });
    await r.arrayBuffer();
    if (r.status !== 303) throw new Error(`register: ${r.status}`);
  });
  // 20 sign-ins at once: each one's latency, as a burst of readers would see it.
  const ms = await Promise.all(Array.from({ length: 20 }, async () => {
    const t = process.hrtime.bigint();
    await signIn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  }));
  ms.sort((a, b) => a - b);
  console.log(`${`${mode}: 20 sign-ins at once`.padEnd(44)} n=  20  p50 ${ms[9].toFixed(2)} ms  p95 ${ms[18].toFixed(2)} ms  max ${ms[19].toFixed(2)} ms`);
}

// The same two reads straight at the Worker's own socket, skipping wrangler dev's proxy
// worker (found in its debug log), to separate the Worker's latency from the proxy's.
const log = readFileSync(logFile, 'utf8');
const port = log.match(/"userWorkerUrl":\{[^}]*"port":"(\d+)"/)?.[1];
const secret = log.match(/"MF-Proxy-Shared-Secret":"([^"]+)"/)?.[1];
if (port && secret) {
  const direct = `http://127.0.0.1:${port}`;
  const headers = { 'MF-Proxy-Shared-Secret': secret };
  await measure('direct: GET /api/account (session)', n, async () => {
    const r = await fetch(`${direct}/api/account`, { headers: { ...headers, cookie } });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`direct account: ${r.status}`);
  });
  // The Worker with no KV read at all (no session cookie: 401), to split the figure
  // above into the runtime's own cost and the KV round trips.
  await measure('direct: GET /api/account (no cookie)', n, async () => {
    const r = await fetch(`${direct}/api/account`, { headers });
    await r.arrayBuffer();
    if (r.status !== 401) throw new Error(`direct account without cookie: ${r.status}`);
  });
  await measure('direct: GET / (static asset)', n, async () => {
    const r = await fetch(`${direct}/`, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`direct static: ${r.status}`);
  });
} else {
  console.log('direct: the Worker socket was not found in wrangler\'s log; skipped');
}
JS
start_wrangler "$work/dev.log" --var DEV:1
node "$work/bench.mjs" dev "$url" "$n" "$start_ms" "$work/dev.log" "$work/cookie"
stop
start_wrangler "$work/prod.log"
node "$work/bench.mjs" prod "$url" "$n" "$start_ms" "$work/prod.log" "$work/cookie"
echo "(wrangler $(node_modules/.bin/wrangler --version 2>/dev/null | tail -n 1), workerd $(node -p 'require("workerd/package.json").version'), $(nproc) cores, Node $(node --version))"

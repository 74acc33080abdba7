// Pages that know their reader, measured against a running host in development mode
// (bench/reader.sh starts them). Not a test: it prints figures.
//
//   node bench/reader.mjs BASE_URL [N] [LABEL]
//
// One account is registered and verified through the development outbox; then, one
// request at a time after a warm-up, p50/p95 of the seed page (it has reader markers)
// static (no cookie) and filled in for the signed-in reader, and of a page without
// markers with and without the session cookie (it must not change).
const [base, n = 200, label = 'host'] = [process.argv[2], Number(process.argv[3] ?? 200), process.argv[4]];
const SEED = '/konnect/legacy/access-account/';
const PLAIN = '/konnect/legacy/getting-started/';
const form = (fields) => ({ method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': '10.9.9.9' }, body: new URLSearchParams(fields).toString() });

const email = `reader-bench-${Date.now().toString(36)}@example.test`;
const password = 'Bench-pass1';
let res = await fetch(`${base}/api/register`, form({ email, first_name: 'B', last_name: 'Ench', organization: 'Bench', password }));
if (res.status !== 303) throw new Error(`register: ${res.status}`);
let mails = [];
for (let i = 0; i < 200 && mails.length === 0; i++) {
  if (i) await new Promise((r) => setTimeout(r, 25));
  mails = await (await fetch(`${base}/_dev/outbox?to=${encodeURIComponent(email)}`, { headers: { accept: 'application/json' } })).json();
}
const verify = new URL(mails[0].links.find((l) => new URL(l).pathname === '/api/verify'));
res = await fetch(`${base}/api/verify`, form({ token: verify.searchParams.get('token'), password }));
if (res.status !== 303) throw new Error(`confirm: ${res.status}`);
const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-session=')).split(';')[0];

async function measure(name, once) {
  for (let i = 0; i < Math.min(20, n); i++) await once();
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    bytes = await once();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)];
  console.log(`${`${label}: ${name}`.padEnd(52)} n=${n}  p50 ${at(0.5).toFixed(2)} ms  p95 ${at(0.95).toFixed(2)} ms  ${bytes} bytes`);
  return at(0.5);
}
const page = (path, headers, check) => async () => {
  const r = await fetch(base + path, { headers });
  const text = await r.text();
  if (r.status !== 200 || !check(text)) throw new Error(`${path}: ${r.status}`);
  return text.length;
};
const staticSeed = await measure('seed page, static (no cookie)', page(SEED, {}, (t) => !t.includes('data-reader-filled')));
const filled = await measure('seed page, filled in (session)', page(SEED, { cookie }, (t) => t.includes('data-reader-filled')));
await measure('page without markers (no cookie)', page(PLAIN, {}, (t) => !t.includes('data-reader-filled')));
await measure('page without markers (session)', page(PLAIN, { cookie }, (t) => !t.includes('data-reader-filled')));
console.log(`${label}: filled in / static p50: ${(filled / staticSeed).toFixed(2)}x (target <= 2x)`);

// Search on a large site: a generated corpus of 10,000+ pages is built with `gatehouse
// build`, served as static files with gzip (as Workers assets serve them), and searched
// in Chromium. The network log says how many bytes the first query transferred.
//
// The corpus: GATEHOUSE_SEARCH_CORPUS (a site folder), else the shared benchmark corpus
// when present (/tmp/gatehouse-bench/corpus-10000/gatehouse), else generated here with
// ../shared/bench/gen_corpus.py. The binary: GATEHOUSE_BIN, else the debug build
// ($CARGO_TARGET_DIR or target; scripts/browser.sh has just built it).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DESKTOP, guard, launch } from './lib.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = 10000;
const FIRST_QUERY_BUDGET = 100 * 1024;

function corpus(work) {
  if (process.env.GATEHOUSE_SEARCH_CORPUS) return process.env.GATEHOUSE_SEARCH_CORPUS;
  const shared = join(process.env.GATEHOUSE_BENCH_DIR || '/tmp/gatehouse-bench', `corpus-${PAGES}`, 'gatehouse');
  if (existsSync(join(shared, 'site.toml'))) return shared;
  const out = join(work, 'corpus');
  execFileSync('python3', [join(root, '../shared/bench/gen_corpus.py'), '--pages', String(PAGES), '--out', out, '--flavor', 'gatehouse'], { stdio: 'ignore' });
  return join(out, 'gatehouse');
}

function gatehouse() {
  if (process.env.GATEHOUSE_BIN) return process.env.GATEHOUSE_BIN;
  // Not a release build found lying about: it may be older than the code under test.
  const target = process.env.CARGO_TARGET_DIR || join(root, 'target');
  const debug = join(target, 'debug/gatehouse');
  if (!existsSync(debug)) execFileSync('cargo', ['build', '-q', '-p', 'gatehouse'], { cwd: root, stdio: 'inherit' });
  return debug;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json', '.svg': 'image/svg+xml' };

/** The built site as static files, gzipped when the browser asks (as Workers assets do). */
function serveStatic(dir) {
  const server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    let body = readFileSync(file);
    const headers = { 'content-type': TYPES[extname(file)] || 'application/octet-stream' };
    if (/\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = body.length;
    res.writeHead(200, headers).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('search on a 10,000-page site', { concurrency: false }, () => {
  let work;
  let server;
  let chrome;
  let base;
  let built;

  before(async () => {
    // In memory when the machine has /dev/shm: 10,000 pages written and removed on disk
    // cost seconds of file system time.
    work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'gatehouse-search-'));
    const site = corpus(work);
    built = join(work, 'public');
    execFileSync(gatehouse(), ['build', '-q', '--root', site, '--out', built], { stdio: 'inherit' });
    server = await serveStatic(built);
    base = `http://127.0.0.1:${server.address().port}`;
    chrome = await launch();
  });

  after(async () => {
    await chrome?.close();
    server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the first query transfers well under 100 KB and shows titles with marked snippets', async () => {
    const meta = JSON.parse(readFileSync(join(built, 'search/meta.json'), 'utf8'));
    assert.ok(meta.pages >= PAGES, `a site of ${meta.pages} pages`);
    const context = await chrome.browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const watch = guard(page);
    await page.goto(`${base}/`);
    const searchFiles = [];
    page.on('requestfinished', async (request) => {
      if (new URL(request.url()).pathname.startsWith('/search/')) searchFiles.push(request);
    });
    const box = page.getByRole('searchbox', { name: 'Search the docs' });
    await box.fill('compression');
    const results = page.locator('#site-search-results');
    const first = results.getByRole('link').first();
    await first.waitFor();
    await page.waitForLoadState('networkidle');

    const sizes = await Promise.all(searchFiles.map(async (r) => ({ path: new URL(r.url()).pathname, ...(await r.sizes()) })));
    const transferred = sizes.reduce((sum, s) => sum + s.responseBodySize + s.responseHeadersSize, 0);
    const listing = sizes.map((s) => `${s.path} ${s.responseBodySize}`).join(', ');
    console.log(`# first query "compression": ${sizes.length} files, ${transferred} bytes transferred (${listing})`);
    assert.equal(sizes[0]?.path, '/search/meta.json');
    assert.ok(sizes.some((s) => s.path.startsWith('/search/index/')), listing);
    assert.ok(sizes.some((s) => s.path.startsWith('/search/pages/')), listing);
    assert.ok(transferred < FIRST_QUERY_BUDGET, `first query: ${transferred} bytes (${listing})`);
    // Compressed on the wire: the body sizes are below the files' sizes.
    const raw = sizes.reduce((sum, s) => sum + readFileSync(join(built, s.path)).length, 0);
    assert.ok(sizes.reduce((sum, s) => sum + s.responseBodySize, 0) < raw);

    const links = results.getByRole('link');
    assert.equal(await links.count(), 8);
    for (const link of await links.all()) {
      assert.ok((await link.locator('.site-search-title').textContent()).trim().length > 0, 'a title');
      assert.ok((await link.locator('.site-search-context').textContent()).trim().length > 0, 'a snippet');
    }
    const marked = await results.locator('.site-search-context mark').allTextContents();
    assert.ok(marked.length > 0 && marked.every((m) => m.toLowerCase().startsWith('compression')), marked.join());
    assert.match(await page.locator('#site-search-status').textContent(), /match/);

    // The next word reads only what it needs more: the meta file is not fetched again.
    searchFiles.length = 0;
    await box.fill('compression lease');
    await page.waitForLoadState('networkidle');
    await results.getByRole('link').first().waitFor();
    assert.ok(!searchFiles.some((r) => r.url().endsWith('/search/meta.json')));
    watch.check();
    await context.close();
  });
});

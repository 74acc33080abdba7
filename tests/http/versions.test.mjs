// Versioned docs over HTTP, for every host (`gatehouse serve`, and the Worker's static
// assets in workerd, which follow the built `_redirects`): the bundled `gateway` docs set,
// releases 3.4.x (latest) and 3.3.x.
//
//   BASE_URL=http://127.0.0.1:1111 node --test tests/http/

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

const BASE = (process.env.BASE_URL || 'http://127.0.0.1:1111').replace(/\/+$/, '');
const get = (path) => fetch(BASE + path, { redirect: 'manual' });
const located = (res) => new URL(res.headers.get('location'), BASE).pathname;

describe('versioned docs', () => {
  it('/gateway/latest/… is a real redirect to the latest release', async () => {
    for (const [from, to] of [
      ['/gateway/latest/install/', '/gateway/3.4.x/install/'],
      ['/gateway/latest/', '/gateway/3.4.x/'],
    ]) {
      const res = await get(from);
      await res.arrayBuffer();
      assert.equal(res.status, 302, from);
      assert.equal(located(res), to, from);
      const page = await get(to);
      assert.equal(page.status, 200, to);
      assert.match(await page.text(), /class="version-switcher"/);
    }
  });

  it('an alias is a permanent redirect to its page', async () => {
    const res = await get('/kong-gateway/');
    await res.arrayBuffer();
    assert.equal(res.status, 301);
    assert.equal(located(res), '/gateway/');
  });

  it('an older release links the same page in the latest and names it canonical', async () => {
    const res = await get('/gateway/3.3.x/install/');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<link rel="canonical" href="[^"]*\/gateway\/3\.4\.x\/install\/">/);
    assert.match(html, /class="version-banner"[^]*<a href="\/gateway\/3\.4\.x\/install\/">/);
    assert.match(html, /In 3\.3, a mistake in the configuration file/);
    assert.doesNotMatch(html, /From 3\.4, the container/);
  });
});

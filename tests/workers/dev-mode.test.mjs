// Development mode on the Workers host fails closed (edge::config::DevMode). Run by
// scripts/journey-workers.sh against three Workers, one per DEV_MODE:
//
//   - `unrecognised`: DEV=yes (not exactly 1 or true) with a loopback SITE_URL: no /_dev/*,
//     and the log says once that development mode is off;
//   - `refused`: DEV=1 with wrangler.toml's SITE_URL (https://docs.example.com, not a
//     loopback origin): /_dev/* answers 404, and the log says why at each refusal;
//   - `allowed`: the same with DEV_ALLOW_REMOTE=1: /_dev/* answers, and the log warns.
//
//   BASE_URL=http://127.0.0.1:8787 WRANGLER_LOG=/tmp/wrangler.log DEV_MODE=refused \
//     node --test tests/workers/dev-mode.test.mjs

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BASE, form } from './lib.mjs';

const LOG = process.env.WRANGLER_LOG;
const MODE = process.env.DEV_MODE;
const PATIENCE_MS = 10_000;

const log = () => readFileSync(LOG, 'utf8');
const count = (text, wanted) => text.split(wanted).length - 1;

/** Waits until the log holds `wanted`; returns the log. */
async function logSays(wanted) {
  const deadline = Date.now() + PATIENCE_MS;
  while (!log().includes(wanted)) {
    assert.ok(Date.now() < deadline, `the log never said "${wanted}"`);
    await sleep(50);
  }
  return log();
}

async function status(path, init) {
  const res = await fetch(`${BASE}${path}`, init);
  await res.arrayBuffer();
  return res.status;
}

describe(`Workers host, development mode: ${MODE}`, () => {
  it('knows what to expect', () => {
    assert.ok(LOG, 'WRANGLER_LOG must name wrangler dev\'s log');
    assert.ok(['unrecognised', 'refused', 'allowed'].includes(MODE), `DEV_MODE=${MODE}`);
  });

  if (MODE === 'unrecognised') {
    it('is off for a DEV that is not exactly 1 or true, and says so once', async () => {
      for (let i = 0; i < 3; i++) {
        assert.equal(await status('/_dev/outbox'), 404);
        assert.equal(await status('/_dev/clock', form({ advance: '60' })), 404);
      }
      const wanted = 'DEV is `yes`, which is not `1` or `true`: development mode is off';
      const text = await logSays(wanted);
      assert.equal(count(text, wanted), 1, 'said once per isolate');
    });
  }

  if (MODE === 'refused') {
    it('refuses /_dev/* for a SITE_URL that is not loopback, and logs why', async () => {
      assert.equal(await status('/_dev/outbox'), 404);
      assert.equal(await status('/_dev/clock', form({ advance: '60' })), 404);
      assert.equal(await status('/_dev/cron', form({})), 404);
      const why = 'DEV is set but SITE_URL `https://docs.example.com` is not a loopback origin';
      await logSays(`edge: /_dev/outbox refused: ${why}`);
      await logSays(`edge: /_dev/clock refused: ${why}`);
      await logSays(`edge: /_dev/cron refused: ${why}`);
      assert.match(log(), /set DEV_ALLOW_REMOTE=1 as well to allow it/);
    });
  }

  if (MODE === 'allowed') {
    it('serves /_dev/* for a remote SITE_URL with DEV_ALLOW_REMOTE=1, and warns', async () => {
      assert.equal(await status('/_dev/outbox'), 200);
      const clock = await fetch(`${BASE}/_dev/clock`, form({ advance: '0' }));
      assert.equal(clock.status, 200);
      assert.equal((await clock.json()).offset_seconds, 0);
      await logSays('because DEV_ALLOW_REMOTE is set');
    });
  }
});

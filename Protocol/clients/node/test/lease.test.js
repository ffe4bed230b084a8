// The refresh lease and SessionStore.refresh against a real locketd that serves
// `lease` (LOCKETD_LEASE, else LOCKETD). Skipped, saying so, on a daemon without it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test as nodeTest } from 'node:test';
import { ConflictError, Locket, NotFoundError, SessionStore } from '../index.js';
import { TestDaemon } from './support/daemon.js';

if (process.env.LOCKETD_LEASE) process.env.LOCKETD = process.env.LOCKETD_LEASE;
const here = path.dirname(fileURLToPath(import.meta.url));

async function servesLease() {
  const daemon = await TestDaemon.start();
  try {
    return (await new Locket({ socketPath: daemon.socketPath }).hello()).ops.includes('lease');
  } finally {
    await daemon.dispose();
  }
}
const skip = (await servesLease()) ? false : `${process.env.LOCKETD || 'locketd'} does not serve lease (set LOCKETD_LEASE)`;
const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('refresh leases', { timeout: 300000 }, () => {
  // Skipped test by test, so that the summary counts them as skipped.
  const test = (name, fn) => nodeTest(name, { skip }, fn);
  let daemon;
  let locket;
  let n = 0;
  const fresh = () => `k${++n}`;
  before(async () => {
    daemon = await TestDaemon.start();
    locket = new Locket({ socketPath: daemon.socketPath });
  });
  after(async () => {
    locket.close();
    await daemon.dispose();
  });

  test('a lease is granted with the entry; a second asker waits and gets what the holder stores', async () => {
    const key = fresh();
    await locket.put('app', key, { refreshToken: 'r-1' });
    const holder = await locket.lease('app', key, { staleVersion: 1 });
    assert.equal(holder.granted, true);
    assert.equal(typeof holder.token, 'string');
    assert.deepEqual(holder.entry.value, { refreshToken: 'r-1' });
    let settled = false;
    const waiter = locket.lease('app', key, { staleVersion: 1 }).finally(() => { settled = true; });
    await tick(300);
    assert.equal(settled, false, 'the second lease was answered while the first was held');
    assert.equal(await locket.value('app', key).then((v) => v.refreshToken), 'r-1', 'other calls are not held up');
    const put = await holder.store({ refreshToken: 'r-2' });
    assert.equal(put.version, 2);
    const second = await waiter;
    assert.equal(second.granted, false);
    assert.deepEqual(second.entry.value, { refreshToken: 'r-2' });
    assert.equal(second.entry.version, 2);
  });

  test('a stale version older than the live one is answered at once, not granted', async () => {
    const key = fresh();
    await locket.put('app', key, 'v1');
    await locket.put('app', key, 'v2');
    const answer = await locket.lease('app', key, { staleVersion: 1 });
    assert.equal(answer.granted, false);
    assert.equal(answer.entry.value, 'v2');
  });

  test('a holder that goes away hands the lease to the next waiter; its token no longer stores', async () => {
    const key = fresh();
    await locket.put('app', key, 'v1');
    const holder = await locket.lease('app', key);
    const waiter = locket.lease('app', key);
    await tick(100);
    holder.close();
    const next = await waiter;
    assert.equal(next.granted, true);
    assert.equal(next.entry.value, 'v1');
    await assert.rejects(locket.put('app', key, 'stolen', { lease: holder.token }), ConflictError);
    assert.equal(await next.release(), true);
    assert.equal(await next.release(), false);
  });

  test('a delete under the lease ends it and answers the waiters not_found', async () => {
    const key = fresh();
    await locket.put('app', key, 'v1');
    const holder = await locket.lease('app', key);
    const waiter = locket.lease('app', key).then(() => null, (error) => error);
    await tick(100);
    assert.equal(await holder.delete(), true);
    assert.ok((await waiter) instanceof NotFoundError);
    await assert.rejects(locket.get('app', key), NotFoundError);
  });

  test('refresh: exactly one of many clients refreshes; the others share its session', async () => {
    const key = fresh();
    await locket.put('app', key, { refreshToken: 'r-1' });
    const store = new SessionStore(locket);
    let spent = 0;
    const clients = Array.from({ length: 5 }, () => new SessionStore(new Locket({ socketPath: daemon.socketPath })));
    const results = await Promise.all(clients.map((s, i) => s.refresh('app', key, {
      staleVersion: 1,
      refresh: async (current) => { spent++; await tick(100); return { refreshToken: `r-2-by-${i}`, was: current.refreshToken }; },
      login: () => { throw new Error('no login expected'); },
    })));
    clients.forEach((s) => s.locket.close());
    assert.equal(spent, 1);
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['refreshed', 'shared', 'shared', 'shared', 'shared']);
    assert.equal(new Set(results.map((r) => r.session.refreshToken)).size, 1);
    assert.ok(results.every((r) => r.version === 2));
    assert.equal((await store.resume('app', key)).was, 'r-1');
  });

  test('refresh across processes: one process spends the refresh token', async () => {
    const key = fresh();
    await locket.put('app', key, { refreshToken: 'r-1' });
    const folder = mkdtempSync(path.join(os.tmpdir(), 'locket-node-race-'));
    const spentLog = path.join(folder, 'spent');
    writeFileSync(spentLog, '');
    try {
      const runs = Array.from({ length: 4 }, () => new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(here, 'support/refresher.js'), daemon.socketPath, key, '1', spentLog],
          { stdio: ['ignore', 'pipe', 'inherit'], timeout: 60000 });
        let out = '';
        child.stdout.on('data', (chunk) => { out += chunk; });
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`refresher exited ${code}`))));
      }));
      const results = await Promise.all(runs);
      assert.equal(readFileSync(spentLog, 'utf8').trim().split('\n').length, 1, readFileSync(spentLog, 'utf8'));
      assert.deepEqual(results.map((r) => r.outcome).sort(), ['refreshed', 'shared', 'shared', 'shared']);
      assert.equal(new Set(results.map((r) => r.refreshToken)).size, 1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('refresh falls back to login when the provider refuses, and when there is no session', async () => {
    const store = new SessionStore(locket);
    const key = fresh();
    await locket.put('app', key, { refreshToken: 'revoked' });
    const refused = await store.refresh('app', key, {
      staleVersion: 1,
      refresh: () => { throw new Error('invalid_grant'); },
      login: () => ({ refreshToken: 'from-login' }),
    });
    assert.deepEqual(refused, { session: { refreshToken: 'from-login' }, version: 2, outcome: 'logged_in' });
    const none = await store.refresh('app', fresh(), { refresh: () => assert.fail('nothing to refresh'), login: () => ({ refreshToken: 'new' }) });
    assert.equal(none.outcome, 'logged_in');
    assert.equal(none.version, 1);
  });

  test('a login that fails releases the lease for the next process', async () => {
    const store = new SessionStore(locket);
    const key = fresh();
    const failing = store.refresh('app', key, { refresh: () => ({}), login: async () => { await tick(200); throw new Error('user cancelled'); } });
    await tick(50);
    const next = store.refresh('app', key, { refresh: () => ({}), login: () => 'second' });
    await assert.rejects(failing, /user cancelled/);
    assert.deepEqual(await next, { session: 'second', version: 1, outcome: 'logged_in' });
  });
});

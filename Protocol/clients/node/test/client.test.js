// The full client against a real locketd: every op, JSON values, typed errors,
// pipelining, watch, reconnect after a restart, timeouts.
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  BadRequestError, ConflictError, ConnectionFailedError, LockedError, Locket, LocketError, NotFoundError,
  TimeoutError, DaemonNotRunningError, UnavailableError, socketPath,
} from '../index.js';
import { TestDaemon } from './support/daemon.js';

describe('Locket against a real daemon', { timeout: 300000 }, () => {
  let daemon;
  let locket;
  before(async () => {
    daemon = await TestDaemon.start();
    locket = new Locket({ socketPath: daemon.socketPath });
  });
  after(async () => {
    locket.close();
    await daemon.dispose();
  });

  test('hello names protocol 1 and every op', async () => {
    const hello = await locket.hello();
    assert.equal(hello.protocol, 1);
    for (const op of ['hello', 'ping', 'put', 'get', 'delete', 'list', 'status', 'lock', 'unlock', 'rotate',
      'audit', 'watch', 'allow', 'deny', 'rules']) assert.ok(hello.ops.includes(op), op);
    await locket.ping();
  });

  test('put and get round-trip any JSON value', async () => {
    const values = [null, true, 0, -1.5, 'é\u2028😀', [], {}, { user: 'ada', nested: [1, { a: [null] }] }, 'x'.repeat(200000)];
    for (const [i, value] of values.entries()) {
      const put = await locket.put('values', `k${i}`, value);
      assert.deepEqual(put, { created: true, version: 1, expiresAt: null });
      const entry = await locket.get('values', `k${i}`);
      assert.deepEqual(entry.value, value);
      assert.equal(entry.version, 1);
      assert.ok(entry.createdAt instanceof Date);
    }
  });

  test('versions, ttl and compare-and-swap', async () => {
    const first = await locket.put('cas', 'k', 'a', { ttl: 3600 });
    assert.ok(first.expiresAt instanceof Date && first.expiresAt > new Date());
    const second = await locket.put('cas', 'k', 'b', { ifVersion: 1 });
    assert.deepEqual(second, { created: false, version: 2, expiresAt: null });
    await assert.rejects(locket.put('cas', 'k', 'c', { ifVersion: 1 }), ConflictError);
    await assert.rejects(locket.delete('cas', 'k', { ifVersion: 7 }), (e) => e instanceof ConflictError && e.code === 'conflict');
    assert.equal(await locket.delete('cas', 'k', { ifVersion: 2 }), true);
    assert.equal(await locket.delete('cas', 'k'), false);
  });

  test('a missing entry is NotFoundError; value() gives the fallback', async () => {
    await assert.rejects(locket.get('nothing', 'here'), (e) => e instanceof NotFoundError && e instanceof LocketError && e.code === 'not_found');
    assert.equal(await locket.value('nothing', 'here', 'fallback'), 'fallback');
  });

  test('an invalid name is the daemon\'s bad_request, and the connection stays usable', async () => {
    await assert.rejects(locket.get('', 'k'), BadRequestError);
    await assert.rejects(locket.put('a\u0001', 'k', 1), BadRequestError);
    await assert.rejects(locket.put('ns', 'x'.repeat(257), 1), BadRequestError);
    await locket.ping();
  });

  test('list gives names and metadata sorted, never values', async () => {
    await locket.put('listed', 'b', 'secret-b');
    await locket.put('listed', 'a', 'secret-a');
    const items = await locket.list('listed');
    assert.deepEqual(items.map((item) => item.key), ['a', 'b']);
    assert.ok(!JSON.stringify(items).includes('secret'));
    assert.ok((await locket.list()).some((item) => item.ns === 'listed'));
  });

  test('overlapping calls are pipelined and each gets its own answer', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => locket.put('pipe', `k${i}`, i)));
    const values = await Promise.all(Array.from({ length: 50 }, (_, i) => locket.value('pipe', `k${i}`)));
    assert.deepEqual(values, Array.from({ length: 50 }, (_, i) => i));
  });

  test('status, lock, locked errors, unlock, rotate', async () => {
    const status = await locket.status();
    assert.equal(status.locked, false);
    assert.equal(status.keyStore, 'file');
    await locket.lock();
    await assert.rejects(locket.get('values', 'k0'), (e) => e instanceof LockedError && e.code === 'locked');
    assert.equal((await locket.status()).locked, true);
    await locket.unlock();
    assert.equal((await locket.get('values', 'k0')).value, null);
    assert.ok(await locket.rotate() >= 1);
    assert.equal((await locket.get('values', 'k0')).value, null);
  });

  test('allow, rules, deny and audit', async () => {
    const allowed = await locket.allow('ruled', '/usr/bin/myapp');
    assert.deepEqual(allowed, { created: true, sha256: null, programs: [{ path: '/usr/bin/myapp', sha256: null }] });
    assert.deepEqual(await locket.rules(), [{ ns: 'ruled', programs: [{ path: '/usr/bin/myapp', sha256: null }] }]);
    await assert.rejects(locket.get('ruled', 'k'), (e) => e.code === 'forbidden');
    assert.deepEqual(await locket.deny('ruled'), { removed: 1, ruleLeft: false, programs: [] });
    const audit = await locket.audit({ ns: 'values', limit: 5 });
    assert.ok(audit.items.length > 0);
    assert.deepEqual(audit.damage, []);
    assert.ok(audit.items[0].time instanceof Date);
  });

  test('watch is an async iterator of events', async () => {
    const watch = await locket.watch({ ns: 'watched' });
    await locket.put('watched', 'k', 'v');
    await locket.delete('watched', 'k');
    await locket.put('other', 'k', 'v');
    const seen = [];
    for await (const event of watch) {
      seen.push(event);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, [
      { event: 'changed', ns: 'watched', key: 'k', version: 1, expiresAt: null },
      { event: 'deleted', ns: 'watched', key: 'k' },
    ]);
  });

  test('a bad watch is rejected with the daemon\'s error', async () => {
    await assert.rejects(locket.watch({ ns: '' }), BadRequestError);
  });

  test('the client reconnects after the daemon restarts (reads and writes)', async () => {
    await locket.put('restart', 'k', 'before');
    const watch = await locket.watch({});
    await daemon.restart();
    const events = [];
    for await (const event of watch) events.push(event);   // ends when the daemon goes
    assert.ok(Array.isArray(events));
    assert.equal((await locket.get('restart', 'k')).value, 'before');
    await daemon.restart();
    assert.equal((await locket.put('restart', 'k', 'after')).version, 2);
    assert.equal(await locket.value('restart', 'k'), 'after');
  });
});

describe('Locket without a daemon', { timeout: 300000 }, () => {
  test('the socket path is resolved like the daemon', () => {
    assert.equal(socketPath('/x/y.sock', {}), '/x/y.sock');
    assert.equal(socketPath(undefined, { LOCKET_SOCKET: '/l.sock', XDG_RUNTIME_DIR: '/run/u' }), '/l.sock');
    assert.equal(socketPath(undefined, { XDG_RUNTIME_DIR: '/run/u' }), '/run/u/locket/locket.sock');
    assert.equal(socketPath(undefined, {}, 1234), '/tmp/locket-1234/locket.sock');
  });

  test('the connect timeout is at most one second', () => {
    assert.equal(new Locket({ connectTimeoutMs: 30000 }).connectTimeoutMs, 1000);
    assert.equal(new Locket({ connectTimeoutMs: 200 }).connectTimeoutMs, 200);
    assert.equal(new Locket().connectTimeoutMs, 1000);
  });

  test('nothing listening is DaemonNotRunningError', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'locket-node-none-'));
    try {
      await assert.rejects(new Locket({ socketPath: path.join(root, 'locket.sock') }).ping(), DaemonNotRunningError);
      await assert.rejects(new Locket({ socketPath: path.join(root, 'missing', 'locket.sock') }).ping(), DaemonNotRunningError);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('over the connection cap, the daemon\'s refusal line (no id) is UnavailableError', async () => {
    const daemon = await TestDaemon.start(['--max-connections', '1']);
    const first = new Locket({ socketPath: daemon.socketPath });
    try {
      // The start-up probe's connection may still count for a moment: wait until the first one is served.
      for (let tries = 0; ; tries++) {
        try {
          await first.ping();
          break;
        } catch (error) {
          if (!(error instanceof UnavailableError) || tries > 300) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await assert.rejects(new Locket({ socketPath: daemon.socketPath }).ping(), (e) => e instanceof UnavailableError && e.code === 'unavailable');
    } finally {
      first.close();
      await daemon.dispose();
    }
  });

  test('a server that never answers is TimeoutError, and one that hangs up is ConnectionFailedError', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'locket-node-mute-'));
    mkdirSync(path.join(root, 's'), { mode: 0o700 });
    const socketFile = path.join(root, 's', 'locket.sock');
    let hangUp = false;
    const server = net.createServer((socket) => {
      socket.on('data', () => { if (hangUp) socket.destroy(); });
      socket.on('error', () => {});
    });
    await new Promise((resolve) => server.listen(socketFile, resolve));
    try {
      const mute = new Locket({ socketPath: socketFile, timeoutMs: 300 });
      await assert.rejects(mute.ping(), (e) => e instanceof TimeoutError && e.code === 'timed_out');
      hangUp = true;
      await assert.rejects(new Locket({ socketPath: socketFile }).put('a', 'b', 1), ConnectionFailedError);
    } finally {
      server.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

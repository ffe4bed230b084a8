// The server-identity check (client-trust.md), one uid: a folder or socket that
// is not the caller's is refused with NotTheDaemonError before a byte is sent.
// (The two-uid impostor test is identity-two-uids.test.js.)
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Locket, NotTheDaemonError, checkDaemonSocket } from '../index.js';

const otherUid = 65534;

describe('the identity check', { timeout: 300000 }, () => {
  let root;
  let folder;
  let socketFile;
  let server;
  let received;
  beforeEach(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'locket-node-id-'));
    folder = path.join(root, 's');
    mkdirSync(folder, { mode: 0o700 });
    socketFile = path.join(folder, 'locket.sock');
    received = 0;
    server = net.createServer((socket) => {
      socket.on('data', (chunk) => { received += chunk.length; });
      socket.on('error', () => {});
    });
    await new Promise((resolve) => server.listen(socketFile, resolve));
  });
  afterEach(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function refused(file, check) {
    const locket = new Locket({ socketPath: file });
    await assert.rejects(locket.put('app', 'k', 'secret'), (error) => {
      assert.ok(error instanceof NotTheDaemonError, `${error.name}: ${error.message}`);
      assert.equal(error.code, 'not_the_daemon');
      check(error);
      return true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(received, 0, 'bytes reached the socket');
  }

  test('a 0700 folder and socket of the caller pass (and bytes flow)', async () => {
    await checkDaemonSocket(socketFile);
    const socket = net.createConnection({ path: socketFile });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.end('xyz');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(received, 3, 'the recording server works');
  });

  test('a folder with group or other bits is refused, naming it and its mode', async () => {
    chmodSync(folder, 0o755);
    await refused(socketFile, (error) => {
      assert.equal(error.path, folder);
      assert.match(error.message, /mode 0755/);
      assert.match(error.message, new RegExp(folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    });
  });

  test('a folder owned by another uid is refused, naming the owner', async () => {
    chownSync(folder, otherUid, otherUid);
    await refused(socketFile, (error) => {
      assert.equal(error.ownerUid, otherUid);
      assert.match(error.message, /uid 65534/);
    });
  });

  test('a folder that is a symbolic link is refused', async () => {
    const link = path.join(root, 'link');
    symlinkSync(folder, link);
    await refused(path.join(link, 'locket.sock'), (error) => assert.equal(error.path, link));
  });

  test('a socket owned by another uid is refused', async () => {
    lchownSync(socketFile, otherUid, otherUid);
    await refused(socketFile, (error) => {
      assert.equal(error.path, socketFile);
      assert.equal(error.ownerUid, otherUid);
    });
  });
});

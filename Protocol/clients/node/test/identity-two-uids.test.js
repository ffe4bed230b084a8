// client-trust.md with two real uids: an impostor uid pre-creates the victim's
// fallback socket folder /tmp/locket-UID/ and listens there; the client, run as
// the victim without XDG_RUNTIME_DIR, must refuse with NotTheDaemonError naming
// the folder and its owner, and the impostor must read zero bytes. Needs root.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const impostorUid = 65534;
const isRoot = process.getuid() === 0;

/** A copy of the package in a 0755 folder, readable by every uid (the checkout may not be). */
function readableCopy() {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'locket-node-pkg-'));
  for (const entry of ['index.js', 'package.json', 'lib', 'test/support']) {
    cpSync(path.join(packageRoot, entry), path.join(copy, entry), { recursive: true });
  }
  const open = (file) => {
    chmodSync(file, statSync(file).isDirectory() ? 0o755 : 0o644);
    if (statSync(file).isDirectory()) for (const child of readdirSync(file)) open(path.join(file, child));
  };
  open(copy);
  return copy;
}

function asUid(uid, args) {
  return ['--reuid=' + uid, '--regid=' + uid, '--clear-groups', process.execPath, ...args];
}

describe('an impostor uid in the victim\'s socket folder', { skip: isRoot ? false : 'needs root to run as two uids', timeout: 300000 }, () => {
  for (const mode of ['0777', '0700']) {
    test(`folder pre-created ${mode} by uid ${impostorUid}: refused, and no byte reaches it`, async () => {
      const victimUid = 40000 + Math.floor(Math.random() * 20000);
      const folder = `/tmp/locket-${victimUid}`;
      assert.ok(!existsSync(folder), `${folder} exists already`);
      const copy = readableCopy();
      const impostor = spawn('setpriv', asUid(impostorUid, [path.join(copy, 'test/support/impostor.js'), folder, mode]),
        { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH } });
      let output = '';
      impostor.stdout.on('data', (chunk) => { output += chunk; });
      try {
        const deadline = Date.now() + 30000;
        while (!output.includes('ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(output.includes('ready'), 'the impostor did not start');
        assert.equal(statSync(folder).uid, impostorUid);

        // Control: bytes that do reach the impostor are counted.
        await new Promise((resolve, reject) => {
          const probe = net.createConnection({ path: path.join(folder, 'locket.sock') }, () => probe.end('12345'));
          probe.on('close', resolve);
          probe.on('error', reject);
        });
        while (!output.includes('got') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

        const env = { PATH: process.env.PATH, HOME: '/' };
        const victim = spawnSync('setpriv', asUid(victimUid, [path.join(copy, 'test/support/victim.js')]),
          { env, encoding: 'utf8', timeout: 60000 });
        assert.equal(victim.status, 0, victim.stderr);
        const result = JSON.parse(victim.stdout.trim().split('\n').at(-1));
        assert.equal(result.name, 'NotTheDaemonError', JSON.stringify(result));
        assert.equal(result.code, 'not_the_daemon');
        assert.equal(result.path, folder);
        assert.equal(result.ownerUid, impostorUid);
        assert.ok(result.message.includes(folder) && result.message.includes(`uid ${impostorUid}`), result.message);
        await new Promise((r) => setTimeout(r, 200));   // let a stray write from the victim show up
      } finally {
        impostor.kill('SIGTERM');
        await new Promise((resolve) => impostor.once('exit', resolve));
        rmSync(folder, { recursive: true, force: true });
        rmSync(copy, { recursive: true, force: true });
      }
      const received = [...output.matchAll(/got (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      assert.equal(received, 5, 'the impostor read bytes beyond the control probe\'s 5');
    });
  }
});

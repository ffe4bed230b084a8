// The README's "From Node / Electron" snippet, run as an app would run it (the
// package installed as node_modules/locket-client), and the Electron-style
// example in Examples/NodeSession, against a real locketd.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Locket } from '../index.js';
import { TestDaemon } from './support/daemon.js';

const run = promisify(execFile);
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repository = path.resolve(packageRoot, '../../..');

/** The first ```js block after the heading. */
export function snippet(markdown, heading) {
  const start = markdown.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `no "${heading}" in README.md`);
  const block = /```js\n([\s\S]*?)```/.exec(markdown.slice(start));
  assert.ok(block, `no js block after "${heading}"`);
  return block[1];
}

describe('README and example', { timeout: 300000 }, () => {
  let daemon;
  let app;
  before(async () => {
    daemon = await TestDaemon.start();
    app = mkdtempSync(path.join(os.tmpdir(), 'locket-node-app-'));
    mkdirSync(path.join(app, 'node_modules'));
    symlinkSync(packageRoot, path.join(app, 'node_modules', 'locket-client'));
  });
  after(async () => {
    await daemon.dispose();
    rmSync(app, { recursive: true, force: true });
  });

  test('the README snippet logs in, then resumes', async () => {
    const code = snippet(readFileSync(path.join(repository, 'README.md'), 'utf8'), '### From Node / Electron');
    writeFileSync(path.join(app, 'snippet.mjs'), code);
    const env = { PATH: process.env.PATH, LOCKET_SOCKET: daemon.socketPath };
    const first = await run(process.execPath, ['snippet.mjs'], { cwd: app, env, timeout: 60000 });
    assert.equal(first.stdout, 'true\nlogged in ada\n');
    const second = await run(process.execPath, ['snippet.mjs'], { cwd: app, env, timeout: 60000 });
    assert.equal(second.stdout, 'true\nresumed ada\n');
  });

  test('the example saves on login and resumes on the next start', async () => {
    const example = path.join(repository, 'Examples/NodeSession/main.mjs');
    const start = (...args) => run(process.execPath, [example, '--socket', daemon.socketPath, '--account', 'ex', ...args],
      { timeout: 60000 }).then((r) => r.stdout);
    assert.match(await start(), /^No saved session: logging in…\nLogged in; session saved for ex \(version 1, /);
    assert.equal(await start(), 'Resumed session for ex (version 1, no login needed)\n');
    const ops = (await new Locket({ socketPath: daemon.socketPath }).hello()).ops;
    if (ops.includes('lease')) {
      assert.match(await start('--rejected'), /\nRefreshed: refresh token rotated \(version 2\)\n$/);
      assert.equal(await start(), 'Resumed session for ex (version 2, no login needed)\n');
    }
    const none = await run(process.execPath, [example, '--socket', path.join(app, 'none', 'locket.sock')], { timeout: 60000 });
    assert.match(none.stdout, /^locketd is not running: logging in without saving/);
  });
});

// index.d.ts describes the package as an app uses it: test/types/consumer.ts
// (every kind of call) compiles with tsc --strict (Debian's node-typescript,
// installed by scripts/bootstrap).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('test/types/consumer.ts type-checks against index.d.ts', () => {
  const tsc = spawnSync('tsc', ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', 'test/types/consumer.ts'], { cwd: packageRoot, encoding: 'utf8', timeout: 120000 });
  assert.equal(tsc.error, undefined, `cannot run tsc (scripts/bootstrap installs node-typescript): ${tsc.error}`);
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

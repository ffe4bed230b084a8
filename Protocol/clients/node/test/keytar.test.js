// The keytar shape over a real locketd, and the reversible name escaping (PROTOCOL.md §8).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BadRequestError, Locket, deletePassword, escapeName, findCredentials, findPassword, getPassword, keytar,
  setPassword, unescapeName, useClient,
} from '../index.js';
import { TestDaemon } from './support/daemon.js';

describe('name escaping', { timeout: 300000 }, () => {
  test('plain names are kept as written', () => {
    for (const name of ['my-app', 'ada@example.com', 'é 😀 \u2028', 'x'.repeat(256)]) assert.equal(escapeName(name), name);
  });
  test('"%", controls, unpaired surrogates and the empty string are escaped', () => {
    assert.equal(escapeName(''), '%');
    assert.equal(escapeName('100%'), '100%25');
    assert.equal(escapeName('a\nb\u007f\u0000'), 'a%0Ab%7F%00');
    assert.equal(escapeName('x\ud800'), 'x%uD800');
  });
  test('every escape is reversed', () => {
    const samples = ['', '%', '%%25', '%u', '%uD800', 'a\u0000b', '\udc00\ud800', '😀', '\t%0A', 'x'.repeat(100)];
    for (let i = 0; i < 300; i++) {
      samples.push(Array.from({ length: i % 20 }, () => String.fromCharCode(Math.floor(Math.random() * 0x10000))).join(''));
    }
    for (const sample of samples) {
      let escaped;
      try { escaped = escapeName(sample); } catch (error) { assert.ok(error instanceof BadRequestError); continue; }
      assert.equal(unescapeName(escaped), sample, JSON.stringify(sample));
      assert.ok(!/[\u0000-\u001f\u007f]/.test(escaped) && escaped.length > 0);
      assert.ok(escaped.isWellFormed ? escaped.isWellFormed() : true);
    }
  });
  test('a name over 256 UTF-8 bytes once escaped is refused before sending', () => {
    assert.throws(() => escapeName('é'.repeat(129)), BadRequestError);
    assert.throws(() => escapeName('%'.repeat(86)), BadRequestError);
    assert.equal(escapeName('é'.repeat(128)).length, 128);
  });
});

describe('keytar functions against a real daemon', { timeout: 300000 }, () => {
  let daemon;
  before(async () => {
    daemon = await TestDaemon.start();
    useClient(new Locket({ socketPath: daemon.socketPath }));
  });
  after(async () => {
    await daemon.dispose();
  });

  test('set, get, delete', async () => {
    assert.equal(await getPassword('my-app', 'ada'), null);
    await setPassword('my-app', 'ada', 's3cret');
    assert.equal(await getPassword('my-app', 'ada'), 's3cret');
    await setPassword('my-app', 'ada', 'new');
    assert.equal(await getPassword('my-app', 'ada'), 'new');
    assert.equal(await deletePassword('my-app', 'ada'), true);
    assert.equal(await deletePassword('my-app', 'ada'), false);
    assert.equal(await getPassword('my-app', 'ada'), null);
  });

  test('findCredentials and findPassword', async () => {
    assert.deepEqual(await findCredentials('many'), []);
    assert.equal(await findPassword('many'), null);
    await setPassword('many', 'bob', 'pb');
    await setPassword('many', 'alice', 'pa');
    assert.deepEqual(await findCredentials('many'), [{ account: 'alice', password: 'pa' }, { account: 'bob', password: 'pb' }]);
    assert.equal(await findPassword('many'), 'pa');
  });

  test('services and accounts that break the name rules still work, each its own entry', async () => {
    const odd = ['', '%', '%25', 'a\nb', 'tab\t', 'x\ud800'];
    for (const [i, account] of odd.entries()) await setPassword('odd\u0000service', account, `p${i}`);
    for (const [i, account] of odd.entries()) assert.equal(await getPassword('odd\u0000service', account), `p${i}`);
    const found = await findCredentials('odd\u0000service');
    assert.deepEqual(found.map((c) => c.account).sort(), [...odd].sort());
    await setPassword('', '', 'empty');
    assert.equal(await keytar.getPassword('', ''), 'empty');
  });
});

describe('the escaping table shared with the Go client', { timeout: 300000 }, () => {
  test('Protocol/clients/name-escapes.json', async () => {
    const { readFileSync } = await import('node:fs');
    const table = JSON.parse(readFileSync(new URL('../../name-escapes.json', import.meta.url), 'utf8'));
    assert.ok(table.pairs.length >= 10);
    for (const [input, stored] of table.pairs) {
      assert.equal(escapeName(input), stored, JSON.stringify(input));
      assert.equal(unescapeName(stored), input);
    }
  });
});

// Every Protocol/vectors/*.vector against a real locketd, each on a fresh vault,
// through this package's checked connection (PROTOCOL.md §12).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectChecked } from '../lib/connection.js';
import { TestDaemon } from './support/daemon.js';
import { LineReader } from './support/line-reader.js';
import { parseJsonText } from './support/json-text.js';
import { loadVectors, match, parseVector, recordSaves, substitute } from './support/vectors.js';

const vectors = loadVectors();
const answerWithinMs = 10000;

function endsWithWatch(vector) {
  const sent = Buffer.concat(vector.steps.filter((s) => s.kind === 'send').map((s) => s.bytes)).toString('utf8');
  const last = sent.split('\n').filter(Boolean).at(-1);
  try { return JSON.parse(last).op === 'watch'; } catch { return false; }
}

async function run(vector) {
  const daemon = await TestDaemon.start();
  try {
    const socket = await connectChecked(daemon.socketPath, 1000);
    const reader = new LineReader(socket);
    let previousWasSend = false;
    const saves = new Map();
    for (const step of vector.steps) {
      const where = `${vector.name}.vector:${step.line}`;
      if (step.kind === 'send') {
        assert.equal(reader.buffered, 0, `${where}: a response no "<" step expects arrived before this send`);
        // Consecutive sends are separate writes a little apart, so a split request arrives in pieces.
        if (previousWasSend) await new Promise((resolve) => setTimeout(resolve, 20));
        socket.write(substitute(step.bytes, saves));
        previousWasSend = true;
      } else if (step.kind === 'eof') {
        socket.end();
        previousWasSend = false;
      } else {
        previousWasSend = false;
        const line = await reader.next(answerWithinMs);
        assert.ok(line !== null, `${where}: the connection closed instead of answering`);
        let actual;
        try { actual = parseJsonText(line.toString('utf8')); } catch (error) {
          assert.fail(`${where}: the response is not JSON (${error.message}): ${line.toString('utf8').slice(0, 200)}`);
        }
        const problem = match(step.pattern, actual);
        assert.equal(problem, null, `${where}: ${problem}`);
        recordSaves(step.pattern, actual, saves);
      }
    }
    if (endsWithWatch(vector)) {
      // watch is the connection's last request: nothing later is answered.
      if (!reader.closed) socket.write('{"id":"vector-end","op":"ping"}\n');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(reader.buffered, 0, `${vector.name}: a line after watch was answered`);
    } else if (vector.steps.some((s) => s.kind === 'eof')) {
      assert.equal(await reader.next(answerWithinMs), null, `${vector.name}: a line after the last expected answer`);
      assert.equal(reader.rest.length, 0, `${vector.name}: bytes after the last expected answer`);
    } else {
      const lastSend = vector.steps.filter((s) => s.kind === 'send').at(-1).bytes;
      if (lastSend.at(-1) === 0x0a) {
        socket.write('{"id":"vector-end","op":"ping"}\n');
        const end = await reader.next(answerWithinMs);
        assert.equal(end?.toString('utf8'), '{"id":"vector-end","ok":true}', `${vector.name}: an extra answer, or the connection no longer works`);
      }
    }
    socket.destroy();
  } finally {
    const status = await daemon.stop();
    await daemon.dispose();
    assert.deepEqual(status, { code: 0, signal: null }, `${vector.name}: locketd did not stop cleanly: ${daemon.stderr}`);
  }
}

describe('the vector runner is strict', { timeout: 300000 }, () => {
  const ok = 'comment: c\n\n> {"op":"ping"}\n< {"ok":true}\n';
  test('accepts a well-formed vector', () => assert.equal(parseVector(ok, 'ok').steps.length, 2));
  for (const [why, text] of [
    ['an unknown header key', 'comment: c\nexpect: x\n\n> {}\n< {}\n'],
    ['a header given twice', 'comment: c\ncomment: d\n\n> {}\n< {}\n'],
    ['an unknown requires value', 'comment: c\nrequires: warm-vault\n\n> {}\n< {}\n'],
    ['no comment', 'requires: fresh-vault\n\n> {}\n< {}\n'],
    ['a carriage return', 'comment: c\r\n\n> {}\n< {}\n'],
    ['an unknown >raw escape', 'comment: c\n\n>raw {}\\u0041\n\n< {}\n'],
    ['a bad \\x escape', 'comment: c\n\n>raw {}\\xZZ\\n\n< {}\n'],
    ['an unknown placeholder', 'comment: c\n\n> {}\n< {"a":"$number"}\n'],
    ['a send after >eof', 'comment: c\n\n> {}\n>eof\n> {}\n< {}\n< {}\n'],
    ['fewer answers than lines', 'comment: c\n\n> {}\n> {}\n< {}\n'],
    ['an answer before its line', 'comment: c\n\n< {}\n> {}\n'],
    ['an unknown step', 'comment: c\n\n> {}\n<{}\n'],
    ['a ${NAME} not saved before', 'comment: c\n\n> {"a":"${t}"}\n< {"t":"$save:t"}\n'],
    ['a name saved twice', 'comment: c\n\n> {}\n< {"t":"$save:t"}\n> {}\n< {"t":"$save:t"}\n'],
    ['a ${ that is not ${NAME}', 'comment: c\n\n> {}\n< {"t":"$save:t"}\n> {"a":"${t-1}"}\n< {}\n'],
    ['a $save: without a valid NAME', 'comment: c\n\n> {}\n< {"t":"$save:a-b"}\n'],
  ]) {
    test(`rejects ${why}`, () => assert.throws(() => parseVector(text, 'bad')));
  }
  test('decodes >raw escapes', () => {
    const vector = parseVector('comment: c\n\n>raw a\\r\\n\\t\\\\\\xff\\n\n< {}\n< {}\n', 'raw');
    assert.deepEqual([...vector.steps[0].bytes], [0x61, 0x0d, 0x0a, 0x09, 0x5c, 0xff, 0x0a]);
  });
  test('$save:NAME matches a string, and ${NAME} sends it', () => {
    const vector = parseVector('comment: c\n\n> {}\n< {"t":"$save:tok"}\n>raw {"a":"${tok}","b":"${tok}"}\\n\n< {}\n', 'save');
    const saves = new Map();
    const pattern = vector.steps[1].pattern;
    assert.equal(match(pattern, parseJsonText('{"t":"é-1"}')), null);
    assert.notEqual(match(pattern, parseJsonText('{"t":1}')), null);
    recordSaves(pattern, parseJsonText('{"t":"é-1"}'), saves);
    assert.equal(substitute(vector.steps[2].bytes, saves).toString('utf8'), '{"a":"é-1","b":"é-1"}\n');
    assert.equal(substitute(Buffer.from('{"x":1}\n'), saves).toString('utf8'), '{"x":1}\n');
  });
  test('integers match as text, other numbers as doubles, booleans never as numbers', () => {
    const p = (text) => parseJsonText(text);
    assert.equal(match(p('9007199254740993'), p('9007199254740993')), null);
    assert.notEqual(match(p('9007199254740993'), p('9007199254740992')), null);
    assert.equal(match(p('1.5'), p('15e-1')), null);
    assert.notEqual(match(p('1'), p('true')), null);
    assert.equal(match(p('1'), p('1.0')), null, 'not both integers: compared as doubles');
    assert.equal(match(p('0'), p('-0')), null);
    assert.notEqual(match(p('123456789012345678901234567890'), p('123456789012345678901234567891')), null);
  });
  test('placeholders and $$', () => {
    const p = (text) => parseJsonText(text);
    assert.equal(match(p('{"a":"$int","b":"$timestamp","c":"$$x"}'), p('{"a":3,"b":"2024-02-29T23:59:59Z","c":"$x"}')), null);
    assert.notEqual(match(p('"$timestamp"'), p('"2023-02-29T00:00:00Z"')), null);
    assert.notEqual(match(p('"$int"'), p('3.0')), null);
    assert.notEqual(match(p('{"a":1}'), p('{"a":1,"b":2}')), null);
  });
});

describe('Protocol/vectors through the Node client', { concurrency: 3, timeout: 600000 }, () => {
  test('the folder holds vectors', () => assert.ok(vectors.length >= 10));
  for (const vector of vectors) {
    test(vector.name, () => run(vector));
  }
});

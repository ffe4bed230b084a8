// Protocol/vectors, read and matched exactly as PROTOCOL.md §12 says: a strict
// header, `>`, `>raw` (with its escapes), `<` and `>eof` steps, placeholders,
// integers compared exactly, "$save:NAME" and ${NAME}.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonNumber, parseJsonText } from './json-text.js';

/** The repository's Protocol/vectors folder. */
export const vectorFolder = process.env.LOCKET_VECTORS ||
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../vectors');

const headerKeys = new Set(['comment', 'requires']);
const requirements = new Set(['fresh-vault']);
const placeholders = new Set(['$any', '$string', '$int', '$timestamp', '$timestamp-or-null']);

class VectorError extends Error {}

const savePrefix = '$save:';
const validSaveName = (name) => /^[A-Za-z0-9_]+$/.test(name);

/** The NAMEs a pattern saves with "$save:NAME". */
function savedNames(pattern) {
  if (typeof pattern === 'string') return pattern.startsWith(savePrefix) ? [pattern.slice(savePrefix.length)] : [];
  if (Array.isArray(pattern)) return pattern.flatMap(savedNames);
  if (pattern && typeof pattern === 'object' && !(pattern instanceof JsonNumber)) return Object.values(pattern).flatMap(savedNames);
  return [];
}

/** The `${NAME}` references of a send step's bytes, in order; null when a `${` is not `${NAME}`. */
function references(bytes) {
  const text = bytes.toString('latin1');
  const found = [];
  for (let i = text.indexOf('${'); i !== -1; i = text.indexOf('${', i)) {
    const close = text.indexOf('}', i + 2);
    if (close === -1 || !validSaveName(text.slice(i + 2, close))) return null;
    found.push(text.slice(i + 2, close));
    i = close + 1;
  }
  return found;
}

/** Records what the "$save:NAME" placeholders of a matched pattern matched. */
export function recordSaves(pattern, actual, saves) {
  if (typeof pattern === 'string' && pattern.startsWith(savePrefix) && typeof actual === 'string') {
    saves.set(pattern.slice(savePrefix.length), actual);
  } else if (Array.isArray(pattern) && Array.isArray(actual)) {
    pattern.forEach((p, i) => recordSaves(p, actual[i], saves));
  } else if (pattern && typeof pattern === 'object' && !(pattern instanceof JsonNumber) && actual && typeof actual === 'object') {
    for (const [name, p] of Object.entries(pattern)) if (Object.hasOwn(actual, name)) recordSaves(p, actual[name], saves);
  }
}

/** A send step's bytes with every `${NAME}` replaced by the saved string's UTF-8 bytes. */
export function substitute(bytes, saves) {
  if (saves.size === 0 || !bytes.includes('${')) return bytes;
  const parts = [];
  let start = 0;
  for (let i = bytes.indexOf('${'); i !== -1; i = bytes.indexOf('${', i)) {
    const close = bytes.indexOf('}', i + 2);
    const name = close === -1 ? undefined : bytes.subarray(i + 2, close).toString('latin1');
    if (name === undefined || !saves.has(name)) { i += 2; continue; }
    parts.push(bytes.subarray(start, i), Buffer.from(saves.get(name), 'utf8'));
    start = i = close + 1;
  }
  parts.push(bytes.subarray(start));
  return Buffer.concat(parts);
}

/** Decodes a `>raw` step's escapes (\n \r \t \\ \xHH); any other escape is an error. */
export function decodeRaw(text) {
  const input = Buffer.from(text, 'utf8');
  const out = [];
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== 0x5c) { out.push(input[i]); continue; }
    const next = String.fromCharCode(input[i + 1] ?? 0);
    if (next === 'n') out.push(0x0a);
    else if (next === 'r') out.push(0x0d);
    else if (next === 't') out.push(0x09);
    else if (next === '\\') out.push(0x5c);
    else if (next === 'x') {
      const hex = input.subarray(i + 2, i + 4).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new VectorError('\\x needs two hex digits');
      out.push(parseInt(hex, 16));
      i += 2;
    } else throw new VectorError(`unknown escape \\${next} in a >raw step`);
    i++;
  }
  return Buffer.from(out);
}

/** Throws on a `$` string in a pattern that is not a known placeholder (`$$` escapes a literal `$`). */
function checkPattern(pattern) {
  if (typeof pattern === 'string') {
    if (pattern.startsWith(savePrefix) && validSaveName(pattern.slice(savePrefix.length))) return;
    if (pattern.startsWith('$') && !pattern.startsWith('$$') && !placeholders.has(pattern)) {
      throw new VectorError(`unknown placeholder ${pattern}`);
    }
  } else if (Array.isArray(pattern)) pattern.forEach(checkPattern);
  else if (pattern && typeof pattern === 'object' && !(pattern instanceof JsonNumber)) Object.values(pattern).forEach(checkPattern);
}

/** Parses one vector's text: `{name, comment, steps: [{kind: 'send'|'expect'|'eof', bytes?, pattern?, line}]}`. */
export function parseVector(text, name) {
  const fail = (line, message) => new VectorError(`${name}.vector${line ? `:${line}` : ''}: ${message}`);
  if (text.includes('\r')) throw fail(0, 'a carriage return in the file (write \\r in a >raw step)');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let index = 0;
  const headers = {};
  for (; index < lines.length && lines[index] !== ''; index++) {
    const line = lines[index];
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) throw fail(index + 1, 'a header line is `key: value`');
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (!headerKeys.has(key)) throw fail(index + 1, `unknown header key "${key}"`);
    if (key in headers) throw fail(index + 1, `header "${key}" given twice`);
    if (!value) throw fail(index + 1, `header "${key}" is empty`);
    headers[key] = value;
  }
  if (!headers.comment) throw fail(0, 'no comment header');
  for (const word of (headers.requires ?? '').split(' ').filter(Boolean)) {
    if (!requirements.has(word)) throw fail(0, `unknown requirement "${word}"`);
  }
  if (index >= lines.length) throw fail(0, 'no empty line and steps after the header');
  const steps = [];
  let sentLines = 0;
  let expected = 0;
  let ended = false;
  const saved = new Set();
  const checkReferences = (bytes, number) => {
    const names = references(bytes);
    if (names === null) throw fail(number, 'a ${ in a send step must be ${NAME} (NAME: letters, digits, _)');
    const unknown = names.find((name) => !saved.has(name));
    if (unknown !== undefined) throw fail(number, `\${${unknown}} is not saved by an earlier "$save:${unknown}"`);
  };
  for (index++; index < lines.length; index++) {
    const line = lines[index];
    const number = index + 1;
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('>') && ended) throw fail(number, 'a send step after >eof');
    if (line === '>eof') {
      ended = true;
      steps.push({ kind: 'eof', line: number });
    } else if (line.startsWith('>raw ')) {
      let bytes;
      try { bytes = decodeRaw(line.slice(5)); } catch (error) { throw fail(number, error.message); }
      if (bytes.length === 0) throw fail(number, 'an empty >raw step');
      checkReferences(bytes, number);
      sentLines += bytes.filter((b) => b === 0x0a).length;
      steps.push({ kind: 'send', bytes, line: number });
    } else if (line.startsWith('> ')) {
      sentLines++;
      const bytes = Buffer.from(line.slice(2) + '\n', 'utf8');
      checkReferences(bytes, number);
      steps.push({ kind: 'send', bytes, line: number });
    } else if (line.startsWith('< ')) {
      let pattern;
      try {
        pattern = parseJsonText(line.slice(2));
        checkPattern(pattern);
      } catch (error) { throw fail(number, `bad pattern: ${error.message}`); }
      for (const name of savedNames(pattern)) {
        if (saved.has(name)) throw fail(number, `"$save:${name}" saves a name already saved`);
        saved.add(name);
      }
      expected++;
      if (expected > sentLines) throw fail(number, `response ${expected} expected before its request line was sent`);
      steps.push({ kind: 'expect', pattern, line: number });
    } else throw fail(number, 'a step is "> ", ">raw ", "< ", ">eof", or "#" for a comment');
  }
  if (expected === 0) throw fail(0, 'no "<" step');
  if (expected !== sentLines) throw fail(0, `${sentLines} request lines sent but ${expected} responses expected`);
  return { name, comment: headers.comment, steps };
}

/** Every vector in the folder, sorted by name; throws on the first malformed one or an empty folder. */
export function loadVectors(folder = vectorFolder) {
  const names = readdirSync(folder).filter((file) => file.endsWith('.vector')).sort();
  if (names.length === 0) throw new VectorError(`no .vector files in ${folder}`);
  return names.map((file) => parseVector(readFileSync(path.join(folder, file), 'utf8'), file.slice(0, -7)));
}

/** `YYYY-MM-DDTHH:MM:SSZ` and a real date and time. */
export function isTimestamp(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function show(value) {
  if (value instanceof JsonNumber) return value.text;
  return JSON.stringify(value, (k, v) => (v instanceof JsonNumber ? Number(v.text) : v))?.slice(0, 200);
}

/** Matches a parsed response against a pattern: null on a match, else where and why not. */
export function match(pattern, actual, at = '$') {
  const no = (what) => `at ${at}: expected ${what}, got ${show(actual)}`;
  if (typeof pattern === 'string') {
    switch (pattern) {
      case '$any': return null;
      case '$string': return typeof actual === 'string' ? null : no('a string');
      case '$int': return actual instanceof JsonNumber && actual.isInteger ? null : no('an integer');
      case '$timestamp': return typeof actual === 'string' && isTimestamp(actual) ? null : no('a timestamp');
      case '$timestamp-or-null':
        return actual === null || (typeof actual === 'string' && isTimestamp(actual)) ? null : no('a timestamp or null');
      default: {
        if (pattern.startsWith(savePrefix)) return typeof actual === 'string' ? null : no('a string (to save)');
        const literal = pattern.startsWith('$$') ? pattern.slice(1) : pattern;
        return actual === literal ? null : no(JSON.stringify(literal));
      }
    }
  }
  if (pattern === null || typeof pattern === 'boolean') return actual === pattern ? null : no(String(pattern));
  if (pattern instanceof JsonNumber) {
    if (!(actual instanceof JsonNumber)) return no(pattern.text);
    // Integers compare exactly (as written, to any size; -0 is 0, as the vectors expect).
    if (pattern.isInteger && actual.isInteger) return BigInt(pattern.text) === BigInt(actual.text) ? null : no(pattern.text);
    return pattern.value === actual.value ? null : no(pattern.text);
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual)) return no('an array');
    if (actual.length !== pattern.length) return no(`an array of ${pattern.length} elements`);
    for (let i = 0; i < pattern.length; i++) {
      const problem = match(pattern[i], actual[i], `${at}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual) || actual instanceof JsonNumber) return no('an object');
  const want = Object.keys(pattern).sort();
  const got = Object.keys(actual).sort();
  const missing = want.find((name) => !got.includes(name));
  if (missing !== undefined) return `at ${at}: member "${missing}" is missing in ${show(actual)}`;
  const extra = got.find((name) => !want.includes(name));
  if (extra !== undefined) return `at ${at}: unexpected member "${extra}" in ${show(actual)}`;
  for (const name of want) {
    const problem = match(pattern[name], actual[name], `${at}.${name}`);
    if (problem) return problem;
  }
  return null;
}

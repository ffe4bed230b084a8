// A strict JSON parser that keeps each number's text, for the vectors' matching
// rule (integers compare as text: 9007199254740993 is not 9007199254740992).
// Numbers become `{number: text}`; everything else is as JSON.parse gives it.

/** A parsed JSON number, with its text. */
export class JsonNumber {
  constructor(text) { this.text = text; }
  /** Written without fraction or exponent. */
  get isInteger() { return !/[.eE]/.test(this.text); }
  get value() { return Number(this.text); }
}

/** Parses `text` (one JSON value, whitespace around allowed); throws SyntaxError. */
export function parseJsonText(text) {
  let i = 0;
  const fail = (what) => { throw new SyntaxError(`${what} at offset ${i}`); };
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  function value() {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const object = {};
      ws();
      if (text[i] === '}') { i++; return object; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a member name');
        const name = string();
        ws();
        if (text[i++] !== ':') fail('expected ":"');
        Object.defineProperty(object, name, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return object; }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const array = [];
      ws();
      if (text[i] === ']') { i++; return array; }
      for (;;) {
        array.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return array; }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    const number = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 4096));
    if (number && number[0].length > 0 && /[-0-9]/.test(c)) {
      i += number[0].length;
      return new JsonNumber(number[0]);
    }
    for (const [word, result] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return result; }
    }
    return fail('unexpected character');
  }
  function string() {
    const end = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(text.slice(i));
    if (!end) fail('bad string');
    i += end[0].length;
    return JSON.parse(end[0]);
  }
  const result = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return result;
}

// keytar's service/account strings as Locket names (PROTOCOL.md §8), reversibly.
//
// A Locket name is 1 to 256 UTF-8 bytes with no control character
// (U+0000-U+001F, U+007F) and no unpaired surrogate. keytar allows any string,
// so names are escaped: "%" becomes "%25", a control character "%XX" (two
// uppercase hex digits), an unpaired surrogate "%uXXXX", and the empty string
// the lone "%". Every other character is kept, so a name without "%" or
// controls is stored as written (and shows as such in `locket list`). The Go
// client escapes the same way (bytes of invalid UTF-8 there are "%XX", XX >= 80).
import { BadRequestError } from './errors.js';

const maxBytes = 256;

/** Escapes any string into a valid Locket name; BadRequestError when the result exceeds 256 UTF-8 bytes. */
export function escapeName(text) {
  if (typeof text !== 'string') throw new BadRequestError(`a name must be a string, not ${typeof text}`);
  if (text === '') return '%';
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0x25) {
      out += '%25';
    } else if (unit < 0x20 || unit === 0x7f) {
      out += '%' + unit.toString(16).toUpperCase().padStart(2, '0');
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length &&
               text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff) {
      out += text[i] + text[i + 1];
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += '%u' + unit.toString(16).toUpperCase();
    } else {
      out += text[i];
    }
  }
  if (Buffer.byteLength(out, 'utf8') > maxBytes) {
    throw new BadRequestError(`name too long: ${Buffer.byteLength(out, 'utf8')} UTF-8 bytes once escaped (at most ${maxBytes})`);
  }
  return out;
}

/** The string `escapeName` was given. A name that is no escape's output (a stray "%") comes back as written. */
export function unescapeName(name) {
  if (name === '%') return '';
  return name.replace(/%(u[0-9A-F]{4}|[0-9A-F]{2})/g, (match, hex) =>
    String.fromCharCode(parseInt(hex[0] === 'u' ? hex.slice(1) : hex, 16)));
}

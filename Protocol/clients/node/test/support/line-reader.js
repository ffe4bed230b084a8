// Reads a socket line by line with a deadline, for tests that speak raw bytes.
import { LineSplitter } from '../../lib/connection.js';

/** Lines from a socket: `next(ms)` resolves with a Buffer, or null once the peer closed. */
export class LineReader {
  #lines = [];
  #waiter = null;
  #splitter = new LineSplitter();
  closed = false;
  /** Bytes after the last "\n" when the peer closed. */
  rest = Buffer.alloc(0);

  constructor(socket) {
    socket.on('data', (chunk) => {
      for (const line of this.#splitter.push(chunk)) this.#lines.push(line);
      this.rest = Buffer.concat([this.rest, chunk]).subarray(Buffer.concat([this.rest, chunk]).lastIndexOf(0x0a) + 1);
      this.#wake();
    });
    const closed = () => { this.closed = true; this.#wake(); };
    socket.on('end', closed);
    socket.on('close', closed);
    socket.on('error', closed);
  }

  /** Lines received and not read yet. */
  get buffered() { return this.#lines.length; }

  #wake() {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  async next(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (this.#lines.length === 0 && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line within ${timeoutMs} ms`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => { clearTimeout(timer); resolve(); };
      });
    }
    return this.#lines.shift() ?? null;
  }
}

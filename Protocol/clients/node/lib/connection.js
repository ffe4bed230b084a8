// One connection to locketd: identity check, connect with a deadline, then
// pipelined request lines answered in order (PROTOCOL.md §3).
import net from 'node:net';
import { checkDaemonSocket } from './identity.js';
import {
  ConnectionFailedError, DaemonNotRunningError, ForbiddenError, TimeoutError,
} from './errors.js';

/** Connects to `path` after the identity check; a socket and what arrived before it was handed over. */
export async function connectChecked(path, connectTimeoutMs) {
  await checkDaemonSocket(path);
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TimeoutError(`could not connect to ${path} within ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      if (['ENOENT', 'ECONNREFUSED', 'ENOTDIR'].includes(error.code)) {
        reject(new DaemonNotRunningError(`locketd is not running (nothing listens on ${path}); start it with \`systemctl --user start locketd.socket\` or \`locketd &\``));
      } else if (error.code === 'EACCES' || error.code === 'EPERM') {
        reject(new ForbiddenError(`cannot open ${path}: ${error.code}`));
      } else {
        reject(new ConnectionFailedError(`connect(${path}): ${error.code ?? error.message}`));
      }
    });
  });
}

/** Splits a byte stream into lines (without "\n"), keeping a partial line across chunks. */
export class LineSplitter {
  #pending = [];

  /** The complete lines in `chunk` (Buffers), in order. */
  push(chunk) {
    const lines = [];
    let start = 0;
    let newline;
    while ((newline = chunk.indexOf(0x0a, start)) !== -1) {
      this.#pending.push(chunk.subarray(start, newline));
      lines.push(Buffer.concat(this.#pending));
      this.#pending = [];
      start = newline + 1;
    }
    if (start < chunk.length) this.#pending.push(chunk.subarray(start));
    return lines;
  }
}

/** A connection for requests: answers are matched to requests in order. */
export class RequestConnection {
  #socket;
  #waiting = [];
  #splitter = new LineSplitter();
  /** True once the socket closed or broke: the next request needs a new connection. */
  closed = false;

  constructor(socket) {
    this.#socket = socket;
    // An idle connection does not keep the process alive (a script ends when its work does).
    socket.unref();
    socket.on('data', (chunk) => {
      for (const line of this.#splitter.push(chunk)) {
        const waiter = this.#waiting.shift();
        if (!waiter) {
          this.#fail(new ConnectionFailedError('locketd sent a line nobody asked for'));
          return;
        }
        if (this.#waiting.length === 0) socket.unref();
        waiter.settle(null, line);
      }
    });
    socket.on('error', (error) => this.#fail(new ConnectionFailedError(`connection broke: ${error.code ?? error.message}`)));
    socket.on('close', () => this.#fail(new ConnectionFailedError('locketd closed the connection')));
    socket.on('end', () => this.#fail(new ConnectionFailedError('locketd closed the connection')));
  }

  /** Sends one line (no "\n") and resolves with the answer line (a Buffer). `sent` is set once written. */
  request(line, timeoutMs) {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(Object.assign(new ConnectionFailedError('the connection is closed'), { unsent: true }));
        return;
      }
      const timer = setTimeout(() => {
        // Later answers would no longer line up with their requests: give the connection up.
        this.#fail(new TimeoutError(`locketd did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#socket.ref();
      this.#waiting.push({
        settle: (error, answer) => {
          clearTimeout(timer);
          if (error) reject(error); else resolve(answer);
        },
      });
      this.#socket.write(line + '\n');
    });
  }

  /** Closes the connection; pending requests fail. */
  close() {
    this.#fail(new ConnectionFailedError('the connection was closed by the client'));
  }

  #fail(error) {
    this.closed = true;
    this.#socket.destroy();
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const waiter of waiting) waiter.settle(error);
  }
}

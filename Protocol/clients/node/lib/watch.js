// A `watch` connection as an async iterator of events (PROTOCOL.md §5, watch).
import { LineSplitter } from './connection.js';
import { ConnectionFailedError, TimeoutError, errorFromAnswer } from './errors.js';

/** Event objects, with `expires_at` as `expiresAt` (a Date or null). */
function event(object) {
  const { expires_at: expiresAt, ...rest } = object;
  return expiresAt === undefined ? rest : { ...rest, expiresAt: expiresAt === null ? null : new Date(expiresAt) };
}

/** Events from a connected socket once `request` is accepted; rejects with the daemon's error. */
export function openWatch(socket, request, timeoutMs) {
  const splitter = new LineSplitter();
  const events = [];
  const readers = [];
  let ended = false;
  let accepted = false;

  const watch = {
    /** Stops watching: the iteration ends. */
    close() {
      socket.destroy();
      finish();
    },
    next() {
      if (events.length) return Promise.resolve({ value: events.shift(), done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => readers.push(resolve));
    },
    return() {
      watch.close();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() { return watch; },
  };

  function deliver(item) {
    const reader = readers.shift();
    if (reader) reader({ value: item, done: false }); else events.push(item);
  }
  function finish() {
    ended = true;
    for (const reader of readers.splice(0)) reader({ value: undefined, done: true });
  }

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TimeoutError(`locketd did not answer the watch within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk) => {
      for (const line of splitter.push(chunk)) {
        let object;
        try {
          object = JSON.parse(line.toString('utf8'));
        } catch {
          continue; // a cut line at an overflow close is not an event
        }
        if (!accepted) {
          clearTimeout(timer);
          if (object.ok !== true) {
            socket.destroy();
            reject(errorFromAnswer(object.error));
            return;
          }
          accepted = true;
          resolve(watch);
        } else if (typeof object.event === 'string') {
          deliver(event(object));
        }
      }
    });
    const closed = () => {
      if (!accepted) {
        clearTimeout(timer);
        reject(new ConnectionFailedError('locketd closed the connection before answering the watch'));
      }
      finish();
    };
    socket.on('error', closed);
    socket.on('close', closed);
    socket.write(JSON.stringify(request) + '\n');
  });
}

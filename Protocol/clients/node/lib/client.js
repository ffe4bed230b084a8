// The full client: every op of PROTOCOL.md §5 over one pipelined connection,
// opened on first use and opened again after the daemon restarted.
import { connectChecked, RequestConnection } from './connection.js';
import { ConnectionFailedError, errorFromAnswer, BadRequestError } from './errors.js';
import { socketPath } from './socket-path.js';
import { openWatch } from './watch.js';
import { Lease } from './lease.js';
import { entryFrom } from './entry.js';

/** Ops that change nothing: retried once on a fresh connection when a reused one turns out closed. */
const idempotent = new Set(['hello', 'ping', 'get', 'list', 'status', 'audit', 'rules']);

/** `created_at` → `createdAt`, timestamps (`…_at`, `time`) as Dates, recursively through arrays and objects. */
function camel(value) {
  if (Array.isArray(value)) return value.map(camel);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [name, member] of Object.entries(value)) {
    const key = name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
    if ((name.endsWith('_at') || name === 'time') && typeof member === 'string') out[key] = new Date(member);
    else out[key] = camel(member);
  }
  return out;
}

/** The answer without `id` and `ok`, members camelCased. */
function members(answer) {
  const { id, ok, ...rest } = answer;
  return camel(rest);
}

function optional(request, name, value) {
  if (value !== undefined && value !== null) request[name] = value;
  return request;
}

/** A client of locketd. Calls may overlap: they are pipelined on one connection, answered in order. */
export class Locket {
  #connection = null;
  #connecting = null;
  #nextId = 0;

  /**
   * @param {object} [options]
   * @param {string} [options.socketPath] the socket (default: resolved like the daemon)
   * @param {number} [options.connectTimeoutMs] at most 1000
   * @param {number} [options.timeoutMs] how long to wait for an answer (default 10000)
   */
  constructor(options = {}) {
    this.socketPath = socketPath(options.socketPath);
    this.connectTimeoutMs = Math.min(options.connectTimeoutMs ?? 1000, 1000);
    this.timeoutMs = options.timeoutMs ?? 10000;
  }

  /** Sends `request` (an object with `op`) and resolves with the whole answer object; rejects with a LocketError. */
  async call(request, { timeoutMs = this.timeoutMs } = {}) {
    if (typeof request?.op !== 'string') throw new BadRequestError('a request needs an op');
    const id = ++this.#nextId;
    let line;
    try {
      line = JSON.stringify({ id, ...request });
    } catch (error) {
      throw new BadRequestError(`cannot encode the request as JSON: ${error.message}`);
    }
    const retry = idempotent.has(request.op);
    for (let attempt = 0; ; attempt++) {
      const { connection, fresh } = await this.#open();
      let answerLine;
      try {
        answerLine = await connection.request(line, timeoutMs);
      } catch (error) {
        // A connection the daemon closed while idle (a restart, the idle timeout)
        // is replaced: always when nothing was sent, else only for a read.
        const again = error instanceof ConnectionFailedError && attempt === 0 && (error.unsent || (!fresh && retry));
        if (again) continue;
        throw error;
      }
      let answer;
      try {
        answer = JSON.parse(answerLine.toString('utf8'));
      } catch {
        connection.close();
        throw new ConnectionFailedError('locketd answered a line that is not JSON');
      }
      if (answer.id === undefined && answer.ok === false) {
        // A refusal written before any request was read (forbidden, unavailable at the cap).
        connection.close();
        throw errorFromAnswer(answer.error);
      }
      if (answer.id !== id) {
        connection.close();
        throw new ConnectionFailedError(`answer for id ${JSON.stringify(answer.id)} to request ${id}`);
      }
      if (answer.ok !== true) throw errorFromAnswer(answer.error);
      return answer;
    }
  }

  async #open() {
    if (this.#connection && !this.#connection.closed) return { connection: this.#connection, fresh: false };
    if (!this.#connecting) {
      this.#connecting = connectChecked(this.socketPath, this.connectTimeoutMs)
        .then((socket) => { this.#connection = new RequestConnection(socket); return this.#connection; })
        .finally(() => { this.#connecting = null; });
    }
    return { connection: await this.#connecting, fresh: true };
  }

  /** Closes the connection (a later call opens a new one). */
  close() {
    this.#connection?.close();
    this.#connection = null;
  }

  /** `{protocol, server, ops}` */
  async hello(version = 1) { return members(await this.call({ op: 'hello', version })); }
  async ping() { await this.call({ op: 'ping' }); }

  /** Stores any JSON value; `{created, version, expiresAt}`. */
  async put(ns, key, value, { ttl, ifVersion, lease } = {}) {
    if (value === undefined) throw new BadRequestError('value is undefined: store null instead');
    const request = { op: 'put', ns, key, value };
    optional(request, 'ttl', ttl);
    optional(request, 'if_version', ifVersion);
    optional(request, 'lease', lease);
    return members(await this.call(request));
  }

  /** `{value, version, createdAt, updatedAt, expiresAt}`; NotFoundError when there is no live entry. */
  async get(ns, key) {
    return entryFrom(await this.call({ op: 'get', ns, key }));
  }

  /** The value, or `fallback` (default undefined) when there is no live entry. */
  async value(ns, key, fallback = undefined) {
    try {
      return (await this.get(ns, key)).value;
    } catch (error) {
      if (error.code === 'not_found') return fallback;
      throw error;
    }
  }

  /** True when a live entry was removed. */
  async delete(ns, key, { ifVersion, lease } = {}) {
    return (await this.call(optional(optional({ op: 'delete', ns, key }, 'if_version', ifVersion), 'lease', lease))).deleted;
  }

  /** `[{ns, key, version, createdAt, updatedAt, expiresAt}]`, never values. */
  async list(ns) { return members(await this.call(optional({ op: 'list' }, 'ns', ns))).items; }
  async status() { return members(await this.call({ op: 'status' })); }
  async lock() { await this.call({ op: 'lock' }); }
  async unlock(passphrase) { await this.call(optional({ op: 'unlock' }, 'passphrase', passphrase)); }
  /** Entries re-wrapped under the new master key. */
  async rotate() { return (await this.call({ op: 'rotate' })).rewrapped; }

  /** `{items, damage}`; show `damage` to the user: it is how tampering shows. */
  async audit({ ns, since, limit } = {}) {
    const request = optional(optional(optional({ op: 'audit' }, 'ns', ns), 'since', since), 'limit', limit);
    return members(await this.call(request));
  }

  /** `{created, sha256, programs}` */
  async allow(ns, path, { sha256, hash } = {}) {
    return members(await this.call(optional(optional({ op: 'allow', ns, path }, 'sha256', sha256), 'hash', hash)));
  }

  /** `{removed, ruleLeft, programs}` */
  async deny(ns, path) { return members(await this.call(optional({ op: 'deny', ns }, 'path', path))); }
  /** `[{ns, programs}]` */
  async rules(ns) { return members(await this.call(optional({ op: 'rules' }, 'ns', ns))).items; }

  /**
   * Asks for the refresh lease on ns/key, on a connection of its own, waiting
   * (up to `waitMs`, default 15 minutes) while another process holds it.
   * `staleVersion`: the version whose access token was rejected (a newer entry
   * is answered at once); `duration`: seconds wanted (the daemon may grant less).
   * Resolves with a Lease (see lease.js).
   */
  async lease(ns, key, { staleVersion, duration, waitMs = 15 * 60 * 1000 } = {}) {
    const own = new Locket({ socketPath: this.socketPath, connectTimeoutMs: this.connectTimeoutMs, timeoutMs: this.timeoutMs });
    const request = optional(optional({ op: 'lease', ns, key }, 'stale_version', staleVersion), 'duration', duration);
    try {
      return new Lease(own, ns, key, await own.call(request, { timeoutMs: waitMs }));
    } catch (error) {
      own.close();
      throw error;
    }
  }

  /** Ends a lease this client's connection holds without storing; false when it had already ended. */
  async release(ns, key, lease) {
    return (await this.call({ op: 'release', ns, key, lease })).released;
  }

  /**
   * Change events on a connection of their own, as an async iterator:
   * `for await (const event of await locket.watch({ns: 'app'})) …`. The loop
   * ends when the connection closes (daemon stopped, the watcher fell behind,
   * `close()`): watch again and re-sync with `list`.
   */
  async watch({ ns, expiringWithin } = {}) {
    const socket = await connectChecked(this.socketPath, this.connectTimeoutMs);
    const request = optional(optional({ id: 'watch', op: 'watch' }, 'ns', ns), 'expiring_within', expiringWithin);
    return openWatch(socket, request, this.timeoutMs);
  }
}

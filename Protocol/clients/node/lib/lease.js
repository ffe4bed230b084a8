// The refresh lease (PROTOCOL.md §5, lease and release), on a connection of
// its own: a waiting `lease` holds up every later request of its connection,
// and the lease belongs to the connection that got it.
import { BadRequestError } from './errors.js';
import { entryFrom } from './entry.js';

/**
 * The answer to `Locket.lease`. When `granted`, this process holds the lease:
 * refresh `entry` (or log in when it is null), then `store` the result (which
 * ends the lease) or `release`. When not granted, `entry` is the newer entry
 * another process stored: use it. Always `close` (store and release do).
 */
export class Lease {
  #client;
  #ns;
  #key;

  constructor(client, ns, key, answer) {
    this.#client = client;
    this.#ns = ns;
    this.#key = key;
    /** True when this process holds the lease. */
    this.granted = answer.granted === true;
    if (this.granted) {
      /** The lease token (opaque). */
      this.token = answer.lease;
      /** When the lease ends by itself. */
      this.expiresAt = new Date(answer.expires_at);
      /** Seconds granted. */
      this.duration = answer.duration;
      /** The entry to refresh, or null (log in). */
      this.entry = answer.entry ? entryFrom(answer.entry) : null;
    } else {
      this.entry = entryFrom(answer);
      client.close();
    }
  }

  #mustHold() {
    if (!this.granted) throw new BadRequestError('this lease was not granted: use its entry');
  }

  /** Stores `value` under the lease, which ends it; ConflictError when the lease had already ended. */
  async store(value, { ttl } = {}) {
    this.#mustHold();
    try {
      return await this.#client.put(this.#ns, this.#key, value, { ttl, lease: this.token });
    } finally {
      this.close();
    }
  }

  /** Deletes the entry under the lease, which ends it. */
  async delete() {
    this.#mustHold();
    try {
      return await this.#client.delete(this.#ns, this.#key, { lease: this.token });
    } finally {
      this.close();
    }
  }

  /** Gives the lease up without storing (the next waiter is served); false when it had already ended. */
  async release() {
    if (!this.granted) return false;
    try {
      return (await this.#client.call({ op: 'release', ns: this.#ns, key: this.#key, lease: this.token })).released;
    } catch {
      return false;
    } finally {
      this.close();
    }
  }

  /** Closes the lease's connection (which ends a lease still held). */
  close() {
    this.#client.close();
  }
}

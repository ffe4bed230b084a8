// Save a session after login, resume it on the next start, fall back to login.
// Sessions live under ns = app, key = account; the daemon forgets them after their ttl.
import { Locket } from './client.js';

/** A login session store over locketd (one entry per app and account). */
export class SessionStore {
  /** @param {Locket} [locket] */
  constructor(locket = new Locket()) {
    this.locket = locket;
  }

  /** Stores the session after a successful login; resolves with its version. `ttl` in seconds. */
  async save(app, account, session, { ttl } = {}) {
    return (await this.locket.put(app, account, session, { ttl })).version;
  }

  /** The saved session, or null (never saved, logged out, expired): then log in. */
  async resume(app, account) {
    return this.locket.value(app, account, null);
  }

  /**
   * The saved session, else `login()`'s, saved for `ttl` seconds.
   * Resolves with `{session, resumed}`.
   */
  async resumeOrLogin(app, account, login, { ttl } = {}) {
    const saved = await this.resume(app, account);
    if (saved !== null) return { session: saved, resumed: true };
    const session = await login();
    await this.save(app, account, session, { ttl });
    return { session, resumed: false };
  }

  /**
   * Replaces the session with `await transform(current)` only if nobody
   * changed it meanwhile (compare-and-swap on its version). Resolves with
   * `{outcome: 'updated', session}`, `{outcome: 'superseded', session}` (another
   * process stored a newer one first: use it, never the token you got) or
   * `{outcome: 'missing'}` (log in again).
   */
  async update(app, account, transform, { ttl } = {}) {
    let entry;
    try {
      entry = await this.locket.get(app, account);
    } catch (error) {
      if (error.code === 'not_found') return { outcome: 'missing' };
      throw error;
    }
    const next = await transform(entry.value);
    try {
      await this.locket.put(app, account, next, { ttl, ifVersion: entry.version });
      return { outcome: 'updated', session: next };
    } catch (error) {
      if (error.code !== 'conflict') throw error;
      const stored = await this.resume(app, account);
      return stored === null ? { outcome: 'missing' } : { outcome: 'superseded', session: stored };
    }
  }

  /** Forgets the session (log out); true when one was removed. */
  async remove(app, account) {
    return this.locket.delete(app, account);
  }
}

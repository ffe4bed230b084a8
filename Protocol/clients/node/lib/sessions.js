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

  /**
   * After the session's access token was rejected (or is known to be expired):
   * exactly one process refreshes, under the daemon's refresh lease; the others
   * wait and get its result (PROTOCOL.md, Refresh leases). `staleVersion` is the
   * version whose token failed (from `resumeEntry` or an earlier refresh);
   * `refresh(current)` calls the identity provider and resolves with the new
   * session; `login()` is the fallback when there is no session, the refresh
   * throws, or the lease ended before the store. Resolves with
   * `{session, version, outcome}`: outcome `refreshed`, `logged_in`, or
   * `shared` (another process refreshed; nothing was spent here).
   */
  async refresh(app, account, { staleVersion, refresh, login, ttl, duration }) {
    const lease = await this.locket.lease(app, account, { staleVersion, duration });
    if (!lease.granted) return { session: lease.entry.value, version: lease.entry.version, outcome: 'shared' };
    let session;
    let outcome;
    try {
      if (lease.entry) {
        try {
          session = await refresh(lease.entry.value);
          outcome = 'refreshed';
        } catch {
          // The provider refused (or a holder before us died after rotating): log in.
          session = await login();
          outcome = 'logged_in';
        }
      } else {
        session = await login();
        outcome = 'logged_in';
      }
    } catch (error) {
      await lease.release();
      throw error;
    }
    try {
      const put = await lease.store(session, { ttl });
      return { session, version: put.version, outcome };
    } catch (error) {
      if (error.code !== 'conflict') throw error;
    }
    // The lease ended before the store (its duration passed, the entry was deleted).
    const current = await this.locket.get(app, account).catch((error) => {
      if (error.code === 'not_found') return null;
      throw error;
    });
    if (current && (!lease.entry || current.version !== lease.entry.version)) {
      return { session: current.value, version: current.version, outcome: 'shared' };
    }
    const fresh = await login();
    const put = await this.locket.put(app, account, fresh, { ttl });
    return { session: fresh, version: put.version, outcome: 'logged_in' };
  }

  /** The saved session with its version (for `refresh`'s staleVersion), or null. */
  async resumeEntry(app, account) {
    try {
      const entry = await this.locket.get(app, account);
      return { session: entry.value, version: entry.version };
    } catch (error) {
      if (error.code === 'not_found') return null;
      throw error;
    }
  }

  /** Forgets the session (log out); true when one was removed. */
  async remove(app, account) {
    return this.locket.delete(app, account);
  }
}

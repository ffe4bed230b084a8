// An Electron-style app's session handling with locketd (a plain Node script:
// in Electron this is the main process, run from app.whenReady()).
//
//     node Examples/NodeSession/main.mjs [--socket PATH] [--account NAME] [--rejected]
//
// On start it resumes the saved session; without one (never saved, logged out,
// or expired: the daemon forgets it after its ttl) it "logs in" and saves the
// new session for an hour. `--rejected` acts as if the API answered 401 to the
// access token: the session is refreshed under the daemon's refresh lease, so
// of several app instances only one spends the refresh token. Without a daemon
// it still works: it logs in every time, saving nothing.
import { randomBytes } from 'node:crypto';
import { DaemonNotRunningError, Locket, SessionStore } from '../../Protocol/clients/node/index.js';

const app = 'example-electron-app';
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const account = option('--account', 'alice');
const sessions = new SessionStore(new Locket({ socketPath: option('--socket') }));

const token = (prefix) => prefix + randomBytes(16).toString('hex');

/** Stands for the real login (a browser window, a password, an OAuth flow). */
async function login() {
  return { accessToken: token('at-'), refreshToken: token('rt-'), expiresAt: Date.now() + 3600_000, account };
}

/** Stands for the identity provider's refresh endpoint (which rotates the refresh token). */
async function refreshAtProvider(session) {
  return { ...session, accessToken: token('at-'), refreshToken: token('rt-'), expiresAt: Date.now() + 3600_000 };
}

async function whenReady() {
  let saved;
  try {
    saved = await sessions.resumeEntry(app, account);
  } catch (error) {
    if (!(error instanceof DaemonNotRunningError)) throw error;
    console.log(`locketd is not running: logging in without saving (${error.message})`);
    return login();
  }
  if (saved && saved.session.expiresAt > Date.now()) {
    console.log(`Resumed session for ${account} (version ${saved.version}, no login needed)`);
    if (!args.includes('--rejected')) return saved.session;
    const { session, version, outcome } = await sessions.refresh(app, account, {
      staleVersion: saved.version, refresh: refreshAtProvider, login, ttl: 3600,
    });
    console.log(outcome === 'shared' ? `Another instance refreshed first; using its session (version ${version})`
      : outcome === 'refreshed' ? `Refreshed: refresh token rotated (version ${version})`
        : `The refresh failed: logged in again (version ${version})`);
    return session;
  }
  console.log('No saved session: logging in…');
  const session = await login();
  const version = await sessions.save(app, account, session, { ttl: 3600 });
  console.log(`Logged in; session saved for ${account} (version ${version}, forgotten after an hour)`);
  return session;
}

await whenReady();

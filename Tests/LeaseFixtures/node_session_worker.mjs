// A refresh-lease test worker on the Node client's own session helper
// (Protocol/clients/node, imported from the source tree): `SessionStore.resumeEntry`
// once (and `SessionStore.refresh` with staleVersion 0, "I saw no entry", when
// there is no session yet: one process logs in, and a session stored meanwhile
// comes back at once instead of being refreshed), then `SessionStore.refresh`
// with the rejected version on every 401.
// Environment as lease_worker.py: LOCKET_SOCKET, TOKEN_PORT, LEASE_NS, LEASE_KEY,
// LEASE_TARGET; WORKER_KIND defaults to node. Prints one JSON line of counts
// when it ends; exits 0 only if its final token works.
import { Locket, SessionStore } from '../../Protocol/clients/node/index.js';

const env = process.env;
const base = `http://127.0.0.1:${env.TOKEN_PORT}`;
const kind = env.WORKER_KIND || 'node';
const ns = env.LEASE_NS;
const key = env.LEASE_KEY;
const target = Number(env.LEASE_TARGET || '0');

async function http(method, path, { form, token } = {}) {
  const headers = { 'X-Worker-Kind': kind };
  if (token) headers.Authorization = `Bearer ${token}`;
  const body = form ? new URLSearchParams(form).toString() : undefined;
  if (body) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(base + path, { method, headers, body });
  return { status: response.status, body: await response.json() };
}

async function grant(form) {
  const { status, body } = await http('POST', '/token', { form });
  if (status !== 200) throw new Error(`grant refused: ${status}`);
  return { access_token: body.access_token, refresh_token: body.refresh_token };
}

const refresh = (session) => grant({ grant_type: 'refresh_token', refresh_token: session.refresh_token });
const login = () => grant({ grant_type: 'password', username: 'alice' });

const counts = { kind, calls: 0, refresh_rounds: 0, refreshed_here: 0, logins: 0, shared: 0, failures: 0 };
const locket = new Locket({ socketPath: env.LOCKET_SOCKET, timeoutMs: 60_000 });
const sessions = new SessionStore(locket);

function count(renewed) {
  counts.refresh_rounds += 1;
  if (renewed.outcome === 'refreshed') counts.refreshed_here += 1;
  if (renewed.outcome === 'logged_in') counts.logins += 1;
  if (renewed.outcome === 'shared') counts.shared += 1;
  return renewed;
}

let finalOK = false;
try {
  let current = await sessions.resumeEntry(ns, key);
  if (current === null) current = count(await sessions.refresh(ns, key, { staleVersion: 0, refresh, login }));
  let done = false;
  for (;;) {
    const { status } = await http('GET', '/resource', { token: current.session.access_token });
    if (status === 200) {
      counts.calls += 1;
      if (done) { finalOK = true; break; }
      continue;
    }
    if (!done && (await http('GET', '/stats')).body.refreshes >= target) done = true;
    current = count(await sessions.refresh(ns, key, { staleVersion: current.version, refresh, login }));
  }
} catch (error) {
  process.stderr.write(`node session worker: ${error?.code ?? ''} ${error?.message ?? error}\n`);
  counts.failures += 1;
}
locket.close();
counts.final_ok = finalOK;
console.log(JSON.stringify(counts));
process.exitCode = finalOK ? 0 : 1;

// Compiled (not run) by types.test.js with tsc --strict: index.d.ts must
// describe the package the way an app uses it.
import {
  ConflictError, Lease, Locket, LocketError, NotFoundError, NotTheDaemonError, SessionStore, checkDaemonSocket,
  deletePassword, escapeName, findCredentials, findPassword, getPassword, keytar, setPassword, socketPath, unescapeName,
  useClient,
} from '../../index.js';

interface Tokens { [name: string]: string; accessToken: string; refreshToken: string }

export async function app(): Promise<void> {
  const locket = new Locket({ socketPath: socketPath(), timeoutMs: 5000 });
  useClient(locket);
  await setPassword('my-app', 'ada', 's3cret');
  const password: string | null = await getPassword('my-app', 'ada');
  const removed: boolean = await deletePassword('my-app', 'ada');
  const all: Array<{ account: string; password: string }> = await findCredentials('my-app');
  const first: string | null = await findPassword('my-app');
  await keytar.setPassword('a', 'b', 'c');
  const name: string = unescapeName(escapeName(''));

  const put = await locket.put('app', 'k', { nested: [1, 'two', null] }, { ttl: 60, ifVersion: 0 });
  const version: number = put.version;
  const expires: Date | null = put.expiresAt;
  const entry = await locket.get<{ nested: unknown[] }>('app', 'k');
  const created: Date = entry.createdAt;
  const fallback: string | { nested: unknown[] } = await locket.value<{ nested: unknown[] }, string>('app', 'k', 'none');
  const items = await locket.list('app');
  const keys: string[] = items.map((item) => item.key);
  const status = await locket.status();
  const locked: boolean = status.locked;
  const watch = await locket.watch({ ns: 'app', expiringWithin: 60 });
  for await (const event of watch) {
    if (event.event === 'changed') console.log(event.event);
    watch.close();
  }
  try {
    await checkDaemonSocket('/tmp/x/locket.sock');
    await locket.get('app', 'missing');
  } catch (error) {
    if (error instanceof NotTheDaemonError) console.log(error.path, error.ownerUid);
    if (error instanceof NotFoundError || error instanceof ConflictError) console.log(error.code);
    if (error instanceof LocketError && error.code === 'not_found') console.log('absent');
  }

  const lease: Lease = await locket.lease('app', 'k', { staleVersion: 1, duration: 30 });
  if (lease.granted) await lease.store({ refreshed: true }, { ttl: 60 });
  else console.log(lease.entry?.version);

  const sessions = new SessionStore<Tokens>(locket);
  const { session, resumed } = await sessions.resumeOrLogin('app', 'ada', async () => ({ accessToken: 'a', refreshToken: 'r' }));
  const saved = await sessions.resumeEntry('app', 'ada');
  const refreshed = await sessions.refresh('app', 'ada', {
    staleVersion: saved?.version,
    refresh: async (current) => ({ ...current, accessToken: 'a2' }),
    login: () => ({ accessToken: 'a3', refreshToken: 'r3' }),
    ttl: 3600,
  });
  const outcome: 'refreshed' | 'logged_in' | 'shared' = refreshed.outcome;
  console.log(password, removed, all, first, name, version, expires, created, fallback, keys, locked, session, resumed, outcome);
  locket.close();
}

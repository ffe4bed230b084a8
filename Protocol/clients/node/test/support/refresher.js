// One process of lease.test.js's cross-process race: refreshes the session at
// ns "app", key argv[3] (stale version argv[4]) through SessionStore.refresh,
// appending a line to argv[5] whenever it spends the refresh token.
import { appendFileSync } from 'node:fs';
import { Locket, SessionStore } from '../../index.js';

const [socketPath, key, stale, spentLog] = process.argv.slice(2);
const store = new SessionStore(new Locket({ socketPath }));
const result = await store.refresh('app', key, {
  staleVersion: Number(stale),
  refresh: async (current) => {
    appendFileSync(spentLog, `${process.pid} spent ${current.refreshToken}\n`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the provider takes its time
    return { refreshToken: `r-${process.pid}`, accessToken: `a-${process.pid}` };
  },
  login: () => { throw new Error('no login expected'); },
});
console.log(JSON.stringify({ outcome: result.outcome, version: result.version, refreshToken: result.session.refreshToken }));
store.locket.close();

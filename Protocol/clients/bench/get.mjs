// Times `get` round trips for get-round-trip: one request at a time on one
// connection, through the Node client (--mode client) or a bare socket
// (--mode raw). Prints one JSON line of percentiles in µs.
import net from 'node:net';
import { Locket } from '../node/index.js';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const mode = option('--mode', 'client');
const socketPath = option('--socket');
const n = Number(option('--n', 2000));
const warmup = Number(option('--warmup', 200));

let get;
let done = () => {};
if (mode === 'client') {
  const locket = new Locket({ socketPath });
  get = () => locket.get('bench', 'k');
  done = () => locket.close();
} else {
  const socket = net.createConnection({ path: socketPath });
  await new Promise((resolve) => socket.once('connect', resolve));
  let pending = null;
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buffered += chunk;
    if (buffered.endsWith('\n')) { buffered = ''; const resolve = pending; pending = null; resolve(); }
  });
  const line = '{"id":1,"op":"get","ns":"bench","key":"k"}\n';
  get = () => new Promise((resolve) => { pending = resolve; socket.write(line); });
  done = () => socket.destroy();
}
const samples = [];
for (let i = 0; i < warmup + n; i++) {
  const start = process.hrtime.bigint();
  await get();
  if (i >= warmup) samples.push(Number(process.hrtime.bigint() - start) / 1000);
}
done();
samples.sort((a, b) => a - b);
const at = (q) => samples[Math.floor(q * (samples.length - 1))];
console.log(JSON.stringify({ n: samples.length, p50_us: at(0.5), p90_us: at(0.9), p99_us: at(0.99) }));

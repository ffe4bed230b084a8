// Run as another uid by identity-two-uids.test.js: pre-creates a victim's
// socket folder with the given mode and listens there, counting the bytes it
// receives. Prints "ready" once listening, then "got N" for every chunk read.
import { chmodSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const [folder, mode] = process.argv.slice(2);
mkdirSync(folder);
chmodSync(folder, parseInt(mode, 8));
const server = net.createServer((socket) => {
  socket.on('data', (chunk) => { process.stdout.write(`got ${chunk.length}\n`); });
  socket.on('error', () => {});
});
server.listen(path.join(folder, 'locket.sock'), () => {
  chmodSync(path.join(folder, 'locket.sock'), 0o777);
  process.stdout.write('ready\n');
});

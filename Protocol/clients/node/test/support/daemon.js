// Starts a real locketd on a fresh vault for a test: file key store, a temporary
// data folder, its socket in a 0700 folder. LOCKETD names the binary.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');

/** The locketd binary: $LOCKETD (read at each start), else the repository's debug build. */
export function locketdPath() {
  return process.env.LOCKETD || path.join(repository, '.build/debug/locketd');
}

function canConnect(socketPath) {
  return new Promise((resolve) => {
    const socket = net.createConnection({ path: socketPath });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** A running daemon: `socketPath`, `stop()`, `restart()`, `log()`. */
export class TestDaemon {
  constructor(root, args = []) {
    this.root = root;
    this.args = args;
    this.dataDir = path.join(root, 'data');
    this.socketPath = path.join(root, 's', 'locket.sock');
    this.stderr = '';
    this.process = null;
  }

  /** A daemon on a fresh vault, started and answering; `args` are more locketd options. */
  static async start(args = []) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'locket-node-'));
    mkdirSync(path.join(root, 's'), { mode: 0o700 });
    const daemon = new TestDaemon(root, args);
    await daemon.launch();
    return daemon;
  }

  async launch() {
    const binary = locketdPath();
    if (!existsSync(binary)) throw new Error(`no locketd at ${binary} (set LOCKETD)`);
    this.process = spawn(binary, ['--key-store', 'file', '--data-dir', this.dataDir, '--socket', this.socketPath,
      '--log-level', 'warning', ...this.args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process.stderr.on('data', (chunk) => { this.stderr += chunk; });
    this.exited = new Promise((resolve) => this.process.once('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`locketd exited at start: ${this.stderr}`);
      if (await canConnect(this.socketPath)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`locketd did not listen within 30 s: ${this.stderr}`);
  }

  /** SIGTERM, then the exit status `{code, signal}`. */
  async stop() {
    if (!this.process) return { code: 0, signal: null };
    this.process.kill('SIGTERM');
    // Never hang a test run on a daemon that does not stop: kill it after 30 s and say so.
    const timer = setTimeout(() => this.process?.kill('SIGKILL'), 30000);
    const status = await this.exited;
    clearTimeout(timer);
    this.process = null;
    return status;
  }

  /** Stops the daemon and starts it again on the same vault and socket. */
  async restart() {
    await this.stop();
    await this.launch();
  }

  /** Stops it and removes its folder. */
  async dispose() {
    await this.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

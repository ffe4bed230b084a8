// The server-identity check of client-trust.md, before a single byte is sent.
// Node cannot read SO_PEERCRED, so the folder is the check: nobody but its
// owner (and root) can create an entry in a 0700 folder, so a socket there
// that the caller owns was put there by the caller.
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DaemonNotRunningError, NotTheDaemonError } from './errors.js';

async function userName(uid) {
  try {
    const passwd = await readFile('/etc/passwd', 'utf8');
    for (const line of passwd.split('\n')) {
      const fields = line.split(':');
      if (fields.length > 2 && Number(fields[2]) === uid) return fields[0];
    }
  } catch {
    // No name then: the uid alone is still named.
  }
  return undefined;
}

async function refuse(file, uid, reason) {
  return new NotTheDaemonError(file, uid, await userName(uid), reason);
}

/**
 * Checks that `socket` is the caller's: its folder a real directory (not a
 * symlink) owned by the caller with no group or other permission bits, and the
 * socket itself owned by the caller. Throws NotTheDaemonError, or
 * DaemonNotRunningError when there is no folder or no socket.
 */
export async function checkDaemonSocket(socket, uid = process.getuid()) {
  const folder = path.dirname(path.resolve(socket));
  let info;
  try {
    info = await lstat(folder);
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      throw new DaemonNotRunningError(`locketd is not running (no folder ${folder}); start it with \`systemctl --user start locketd.socket\` or \`locketd &\``);
    }
    throw new DaemonNotRunningError(`cannot inspect ${folder}: ${error.code}`);
  }
  const mode = (info.mode & 0o7777).toString(8).padStart(4, '0');
  if (info.isSymbolicLink()) throw await refuse(folder, info.uid, 'the folder is a symbolic link');
  if (!info.isDirectory()) throw await refuse(folder, info.uid, 'it is not a folder');
  if (info.uid !== uid) throw await refuse(folder, info.uid, `the folder (mode ${mode}) is not yours`);
  if ((info.mode & 0o077) !== 0) throw await refuse(folder, info.uid, `the folder has mode ${mode}, open to other users (want 0700)`);
  try {
    info = await lstat(socket);
  } catch (error) {
    throw new DaemonNotRunningError(`locketd is not running (nothing listens on ${socket}); start it with \`systemctl --user start locketd.socket\` or \`locketd &\``);
  }
  if (info.uid !== uid) throw await refuse(socket, info.uid, 'the socket is not yours');
  if (!info.isSocket()) throw new DaemonNotRunningError(`locketd is not running (${socket} is not a socket)`);
}

// Where the daemon listens, resolved exactly like locketd does (PROTOCOL.md §2).
import path from 'node:path';

/**
 * The socket path: `explicit`, else `$LOCKET_SOCKET`, else
 * `$XDG_RUNTIME_DIR/locket/locket.sock`, else `/tmp/locket-$UID/locket.sock`.
 */
export function socketPath(explicit, env = process.env, uid = process.getuid()) {
  if (explicit) return explicit;
  if (env.LOCKET_SOCKET) return env.LOCKET_SOCKET;
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'locket', 'locket.sock');
  return `/tmp/locket-${uid}/locket.sock`;
}

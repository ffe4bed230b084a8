// locket-client: a zero-dependency Node client of locketd (Protocol/PROTOCOL.md).
export { Locket } from './lib/client.js';
export { SessionStore } from './lib/sessions.js';
export { Lease } from './lib/lease.js';
export { socketPath } from './lib/socket-path.js';
export { checkDaemonSocket } from './lib/identity.js';
export { escapeName, unescapeName } from './lib/names.js';
export {
  getPassword, setPassword, deletePassword, findCredentials, findPassword, useClient,
} from './lib/keytar.js';
export { default as keytar } from './lib/keytar.js';
export * from './lib/errors.js';

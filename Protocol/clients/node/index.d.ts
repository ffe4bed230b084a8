// Type declarations of locket-client (Protocol/PROTOCOL.md). Node 18+, Linux.

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [name: string]: JsonValue };

/** The protocol's error codes, and the client-side ones. */
export type ErrorCode =
  | 'not_found' | 'locked' | 'conflict' | 'bad_request' | 'unknown_op' | 'too_large' | 'forbidden'
  | 'unavailable' | 'internal'
  | 'daemon_not_running' | 'timed_out' | 'connection_failed' | 'not_the_daemon';

/** Every error this package throws. Act on `code` (or `instanceof`), never on the message. */
export class LocketError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string);
}
/** `not_found`: no live entry under ns/key. */
export class NotFoundError extends LocketError { constructor(message: string); }
/** `locked`: the vault's master key is not in memory. */
export class LockedError extends LocketError { constructor(message: string); }
/** `conflict`: `ifVersion` did not match, or a lease had ended. */
export class ConflictError extends LocketError { constructor(message: string); }
/** `bad_request`: malformed request or invalid name. */
export class BadRequestError extends LocketError { constructor(message: string); }
/** `unknown_op`: the daemon does not serve this op. */
export class UnknownOpError extends LocketError { constructor(message: string); }
/** `too_large`: a value or line over its limit. */
export class TooLargeError extends LocketError { constructor(message: string); }
/** `forbidden`: refused by the daemon's peer check or an access rule. */
export class ForbiddenError extends LocketError { constructor(message: string); }
/** `unavailable`: shutting down, over the connection cap, or the store cannot be written. */
export class UnavailableError extends LocketError { constructor(message: string); }
/** `internal` (also any code this client does not know). */
export class InternalError extends LocketError { constructor(message: string); }
/** `daemon_not_running`: nothing listens on the socket. */
export class DaemonNotRunningError extends LocketError { constructor(message: string); }
/** `timed_out`: no connection or no answer in time. */
export class TimeoutError extends LocketError { constructor(message: string); }
/** `connection_failed`: the connection broke, or the answer was unreadable. */
export class ConnectionFailedError extends LocketError { constructor(message: string); }
/**
 * `not_the_daemon`: the socket or its folder is not the caller's, so another
 * user's program may be listening. Nothing was sent. Suspect another user.
 */
export class NotTheDaemonError extends LocketError {
  /** The folder or socket that failed the check. */
  readonly path: string;
  /** Its owner's uid. */
  readonly ownerUid: number;
  constructor(path: string, ownerUid: number, ownerName: string | undefined, reason: string);
}
/** The error for a daemon's `{code, message}`. */
export function errorFromAnswer(error: { code?: string; message?: string } | undefined): LocketError;

export interface LocketOptions {
  /** The socket (default: `$LOCKET_SOCKET`, `$XDG_RUNTIME_DIR/locket/locket.sock`, `/tmp/locket-$UID/locket.sock`). */
  socketPath?: string;
  /** Connect timeout in ms, at most 1000 (the default). */
  connectTimeoutMs?: number;
  /** How long to wait for an answer, in ms (default 10000). */
  timeoutMs?: number;
}

export interface PutOptions {
  /** Seconds until the entry expires (1 to 3,153,600,000); none: never. */
  ttl?: number;
  /** Store only if the live version is this (0: only if absent). */
  ifVersion?: number;
  /** Store only under this lease (which the store ends). */
  lease?: string;
}
export interface PutResult { created: boolean; version: number; expiresAt: Date | null; }
export interface Entry<T = JsonValue> {
  value: T;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
}
export interface ListItem { ns: string; key: string; version: number; createdAt: Date; updatedAt: Date; expiresAt: Date | null; }
export interface Status {
  locked: boolean;
  lockReason?: string;
  keyStore: 'secret-service' | 'file' | 'passphrase' | string;
  keyStoreNotice?: string;
  entries: number;
  version: string;
  uptimeS: number;
  audit?: boolean;
  auditDropped?: number;
  [member: string]: unknown;
}
export interface Hello { protocol: number; server: string; ops: string[]; }
export interface AuditItem {
  time: Date; timeMs: number; op: string; ns?: string; keyHash?: string; outcome: string;
  exe: string | null; exeDeleted?: boolean; pid: number; uid: number; unit: string | null;
}
export interface AuditLog { items: AuditItem[]; damage: string[]; }
export interface Program { path: string; sha256: string | null; }
export interface Rule { ns: string; programs: Program[]; }

/** A change event; `event` names it. Ignore kinds you do not know. */
export type ChangeEvent =
  | { event: 'changed'; ns: string; key: string; version: number; expiresAt: Date | null }
  | { event: 'deleted' | 'expired'; ns: string; key: string }
  | { event: 'expiring'; ns: string; key: string; expiresAt: Date }
  | { event: 'locked'; reason: string }
  | { event: 'unlocked' }
  | { event: 'leased'; ns: string; key: string; expiresAt: Date }
  | { event: 'lease_ended'; ns: string; key: string; outcome: string }
  | { event: string; [member: string]: unknown };

/** A watch: an async iterator of events that ends when its connection closes. */
export interface Watch extends AsyncIterableIterator<ChangeEvent> {
  /** Stops watching; the iteration ends. */
  close(): void;
}

/**
 * The answer to `Locket.lease`, on a connection of its own. When `granted`,
 * this process holds the lease: refresh `entry` (or log in when it is null),
 * then `store` (which ends the lease) or `release`. When not granted, `entry`
 * is the newer entry another process stored: use it.
 */
export class Lease<T = JsonValue> {
  readonly granted: boolean;
  readonly entry: Entry<T> | null;
  /** The lease token (granted only). */
  readonly token?: string;
  readonly expiresAt?: Date;
  readonly duration?: number;
  /** Stores under the lease, ending it; ConflictError when the lease had already ended. */
  store(value: JsonValue, options?: { ttl?: number }): Promise<PutResult>;
  /** Deletes the entry under the lease, ending it. */
  delete(): Promise<boolean>;
  /** Gives the lease up; false when it had already ended. */
  release(): Promise<boolean>;
  /** Closes the lease's connection (ending a lease still held). */
  close(): void;
}

/** A client of locketd. Overlapping calls are pipelined on one connection. */
export class Locket {
  constructor(options?: LocketOptions);
  readonly socketPath: string;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
  /** Sends a raw request (an object with `op`); the whole success answer. */
  call(request: { op: string; [member: string]: unknown }, options?: { timeoutMs?: number }): Promise<Record<string, unknown>>;
  close(): void;
  hello(version?: number): Promise<Hello>;
  ping(): Promise<void>;
  put(ns: string, key: string, value: JsonValue, options?: PutOptions): Promise<PutResult>;
  get<T = JsonValue>(ns: string, key: string): Promise<Entry<T>>;
  /** The value, or `fallback` when there is no live entry. */
  value<T = JsonValue, F = undefined>(ns: string, key: string, fallback?: F): Promise<T | F>;
  delete(ns: string, key: string, options?: { ifVersion?: number; lease?: string }): Promise<boolean>;
  list(ns?: string): Promise<ListItem[]>;
  status(): Promise<Status>;
  lock(): Promise<void>;
  unlock(passphrase?: string): Promise<void>;
  rotate(): Promise<number>;
  audit(options?: { ns?: string; since?: string; limit?: number }): Promise<AuditLog>;
  allow(ns: string, path: string, options?: { sha256?: string; hash?: boolean }): Promise<{ created: boolean; sha256: string | null; programs: Program[] }>;
  deny(ns: string, path?: string): Promise<{ removed: number; ruleLeft: boolean; programs: Program[] }>;
  rules(ns?: string): Promise<Rule[]>;
  watch(options?: { ns?: string; expiringWithin?: number }): Promise<Watch>;
  /** Asks for the refresh lease on ns/key, on its own connection (waits up to `waitMs` while another holds it). */
  lease<T = JsonValue>(ns: string, key: string, options?: { staleVersion?: number; duration?: number; waitMs?: number }): Promise<Lease<T>>;
  /** Ends a lease this client's own connection holds; false when it had already ended. */
  release(ns: string, key: string, lease: string): Promise<boolean>;
}

/** The outcome of `SessionStore.update`. */
export type SessionUpdate<T> =
  | { outcome: 'updated'; session: T }
  | { outcome: 'superseded'; session: T }
  | { outcome: 'missing' };

/** Save a session after login, resume it on the next start, fall back to login. */
export class SessionStore<T extends JsonValue = JsonValue> {
  constructor(locket?: Locket);
  readonly locket: Locket;
  save(app: string, account: string, session: T, options?: { ttl?: number }): Promise<number>;
  resume(app: string, account: string): Promise<T | null>;
  resumeOrLogin(app: string, account: string, login: () => T | Promise<T>, options?: { ttl?: number }): Promise<{ session: T; resumed: boolean }>;
  update(app: string, account: string, transform: (current: T) => T | Promise<T>, options?: { ttl?: number }): Promise<SessionUpdate<T>>;
  /**
   * After the session's access token was rejected: exactly one process
   * refreshes (under the daemon's lease), the others get its result.
   * `refresh(current)` calls the identity provider; `login()` is the fallback
   * when there is no session or the refresh fails. Resolves with the session to use.
   */
  refresh(app: string, account: string, options: {
    staleVersion?: number;
    refresh: (current: T) => T | Promise<T>;
    login: () => T | Promise<T>;
    ttl?: number;
    duration?: number;
  }): Promise<{ session: T; version: number; outcome: 'refreshed' | 'logged_in' | 'shared' }>;
  /** The saved session with its version (for `refresh`'s staleVersion), or null. */
  resumeEntry(app: string, account: string): Promise<{ session: T; version: number } | null>;
  remove(app: string, account: string): Promise<boolean>;
}

/** The socket path, resolved like the daemon. */
export function socketPath(explicit?: string, env?: Record<string, string | undefined>, uid?: number): string;
/** The identity check (client-trust.md); throws NotTheDaemonError or DaemonNotRunningError. */
export function checkDaemonSocket(socket: string, uid?: number): Promise<void>;
/** Any string as a valid Locket name, reversibly ("%" → "%25", controls → "%XX", "" → "%"). */
export function escapeName(text: string): string;
export function unescapeName(name: string): string;

/** keytar's API: service → ns, account → key (escaped), the password stored as a JSON string. */
export function getPassword(service: string, account: string): Promise<string | null>;
export function setPassword(service: string, account: string, password: string): Promise<void>;
export function deletePassword(service: string, account: string): Promise<boolean>;
export function findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
export function findPassword(service: string): Promise<string | null>;
/** Makes the keytar functions use this client (another socket, timeouts). */
export function useClient(locket: Locket): void;
export const keytar: {
  getPassword: typeof getPassword;
  setPassword: typeof setPassword;
  deletePassword: typeof deletePassword;
  findCredentials: typeof findCredentials;
  findPassword: typeof findPassword;
  useClient: typeof useClient;
};

// Typed errors: one class per protocol error code, plus the client-side ones.
// Programs act on `error.code` (or `instanceof`), never on the message.

/** Every error this package throws. `code` is the protocol's code or a client-side one. */
export class LocketError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'LocketError';
    this.code = code;
  }
}

function errorClass(name, code) {
  const cls = class extends LocketError {
    constructor(message) {
      super(code, message);
      this.name = name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/** `not_found`: no live entry under ns/key. */
export const NotFoundError = errorClass('NotFoundError', 'not_found');
/** `locked`: the vault's master key is not in memory. */
export const LockedError = errorClass('LockedError', 'locked');
/** `conflict`: `ifVersion` did not match the live entry. */
export const ConflictError = errorClass('ConflictError', 'conflict');
/** `bad_request`: malformed request or invalid name (also raised before sending, for names this client can tell are invalid). */
export const BadRequestError = errorClass('BadRequestError', 'bad_request');
/** `unknown_op`: the daemon does not serve this op (an older daemon). */
export const UnknownOpError = errorClass('UnknownOpError', 'unknown_op');
/** `too_large`: a value or line over its limit. */
export const TooLargeError = errorClass('TooLargeError', 'too_large');
/** `forbidden`: the daemon refused this peer or an access rule refused this program. */
export const ForbiddenError = errorClass('ForbiddenError', 'forbidden');
/** `unavailable`: shutting down, over the connection cap, or the store cannot be written. */
export const UnavailableError = errorClass('UnavailableError', 'unavailable');
/** `internal`: a bug or damaged data in the daemon (also any code this client does not know). */
export const InternalError = errorClass('InternalError', 'internal');
/** `daemon_not_running`: nothing listens on the socket. */
export const DaemonNotRunningError = errorClass('DaemonNotRunningError', 'daemon_not_running');
/** `timed_out`: no connection or no answer in time. */
export const TimeoutError = errorClass('TimeoutError', 'timed_out');
/** `connection_failed`: the connection broke, or the daemon answered something unreadable. */
export const ConnectionFailedError = errorClass('ConnectionFailedError', 'connection_failed');

/**
 * `not_the_daemon`: the socket (or its folder) is not the caller's, so whatever
 * listens there may be another user's program. Nothing was sent. Suspect
 * another user; restarting the daemon does not help.
 */
export class NotTheDaemonError extends LocketError {
  constructor(path, ownerUid, ownerName, reason) {
    const owner = ownerName ? `uid ${ownerUid} (${ownerName})` : `uid ${ownerUid}`;
    super('not_the_daemon',
      `refusing to talk to ${path}: ${reason}, owned by ${owner}; it may be another user's program, ` +
      'not your locketd (nothing was sent; check who created it)');
    this.name = 'NotTheDaemonError';
    /** The folder or socket that failed the check. */
    this.path = path;
    /** Its owner's uid. */
    this.ownerUid = ownerUid;
  }
}

const byCode = {
  not_found: NotFoundError,
  locked: LockedError,
  conflict: ConflictError,
  bad_request: BadRequestError,
  unknown_op: UnknownOpError,
  too_large: TooLargeError,
  forbidden: ForbiddenError,
  unavailable: UnavailableError,
  internal: InternalError,
};

/** The error for a daemon's `{"code","message"}`; an unknown code counts as `internal` (PROTOCOL.md §6). */
export function errorFromAnswer(error) {
  const code = error && typeof error.code === 'string' ? error.code : 'internal';
  const message = error && typeof error.message === 'string' ? error.message : '';
  const cls = byCode[code] ?? InternalError;
  return new cls(message || code);
}

"""The errors a Locket call raises: one class per protocol error code, plus the
client-side failures (no daemon, not the daemon, timeout, broken connection).

Every error has ``code`` (a string) and ``message`` (for people). Programs act
on the class or the code, never on the message.
"""
from typing import Any, Dict, Optional, Tuple, Type

__all__ = [
    "LocketError", "NotRunning", "NotTheDaemon", "ConnectionFailed", "Timeout",
    "BadRequest", "UnknownOp", "NotFound", "TooLarge", "Conflict", "Locked",
    "Forbidden", "Unavailable", "InternalError", "error_for_code",
]


class LocketError(Exception):
    """Base of every Locket error: ``code`` (protocol or client code) and ``message``."""

    code = "internal"

    def __init__(self, *args: str) -> None:
        # LocketError(code, message), as before the package; a subclass: Subclass(message).
        if type(self) is LocketError or len(args) == 2:
            code, message = (args[0] if args else "internal"), (args[1] if len(args) > 1 else "")
        else:
            code, message = type(self).code, (args[0] if args else "")
        self.code, self.message = code, message
        super().__init__(f"{code}: {message}" if message else code)

    def __reduce__(self) -> Tuple[Any, ...]:  # picklable (multiprocessing, concurrent.futures)
        return (type(self), (self.code, self.message))


# Client-side failures: the daemon never sends these codes.

class NotRunning(LocketError):
    """Nothing listens on the socket (no file, no folder, or connection refused)."""

    code = "daemon_not_running"

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"locketd is not running (nothing listens on {path}); start it with "
            "`systemctl --user start locketd.socket` or `locketd &`")

    def __reduce__(self) -> Tuple[Any, ...]:  # picklable with its own constructor's arguments
        return (type(self), (self.path,))


class NotTheDaemon(LocketError):
    """The socket (or its folder) belongs to another user: nothing was sent.

    ``path`` is the socket or folder found unsafe, ``uid`` its owner (or the
    uid of the process listening), ``mode`` the folder's permission bits when
    the folder is the problem. Suspect another user, do not restart the daemon.
    """

    code = "not_the_daemon"

    def __init__(self, path: str, uid: int, detail: str, mode: Optional[int] = None) -> None:
        self.path, self.uid, self.mode, self.detail = path, uid, mode, detail
        super().__init__(f"the socket at {path} is not your daemon's: {detail}; nothing was sent")

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.path, self.uid, self.detail, self.mode))


class ConnectionFailed(LocketError):
    """The connection broke, or the answer could not be read."""

    code = "connection_failed"


class Timeout(ConnectionFailed):
    """No answer (or no connection) within the timeout."""

    code = "timed_out"


# The protocol's codes (PROTOCOL.md section 6).

class BadRequest(LocketError):
    """The request was malformed, or a name breaks the name rules."""

    code = "bad_request"


class UnknownOp(LocketError):
    """The daemon does not serve this op (an older daemon)."""

    code = "unknown_op"


class NotFound(LocketError):
    """No live entry under this ns/key."""

    code = "not_found"


class TooLarge(LocketError):
    """A value over 256 KiB of JSON text, or a request line over 1 MiB."""

    code = "too_large"


class Conflict(LocketError):
    """``if_version`` (or a lease) did not match: nothing changed."""

    code = "conflict"


class Locked(LocketError):
    """The vault's master key is not in memory."""

    code = "locked"


class Forbidden(LocketError):
    """The daemon refused this caller (another uid, or an access rule)."""

    code = "forbidden"


class Unavailable(LocketError):
    """Shutting down, over the connection cap, or the store cannot be written."""

    code = "unavailable"


class InternalError(LocketError):
    """A bug or damaged data in the daemon; also any code this client does not know."""

    code = "internal"


_BY_CODE: Dict[str, Type[LocketError]] = {
    cls.code: cls
    for cls in (BadRequest, UnknownOp, NotFound, TooLarge, Conflict, Locked, Forbidden, Unavailable, InternalError)
}


def error_for_code(code: str, message: str) -> LocketError:
    """The error for a daemon's error answer; an unknown code becomes InternalError keeping its code."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return InternalError(code, message)
    return cls(message)

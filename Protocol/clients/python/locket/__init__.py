"""A client of locketd, the per-user session vault (protocol version 1).

Standard library only. ``Locket`` speaks every op; errors are subclasses of
``LocketError`` named for the protocol's codes. Integrations, imported only
when used: ``locket.keyring_backend`` (a ``keyring`` backend) and
``locket.msal_cache`` (an ``msal-extensions`` persistence).
"""
from .client import Locket
from .errors import (BadRequest, Conflict, ConnectionFailed, Forbidden, InternalError, LocketError, Locked,
                     NotFound, NotRunning, NotTheDaemon, Timeout, TooLarge, Unavailable, UnknownOp)
from .paths import socket_path
from .session import Session, SessionState
from .types import Lease
from .watch import Watch

__version__ = "0.2.0"

__all__ = [
    "Locket", "Watch", "Lease", "Session", "SessionState", "socket_path", "LocketError", "NotRunning",
    "NotTheDaemon", "ConnectionFailed", "Timeout", "BadRequest", "UnknownOp", "NotFound", "TooLarge", "Conflict", "Locked", "Forbidden",
    "Unavailable", "InternalError",
]

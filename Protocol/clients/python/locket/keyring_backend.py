"""A ``keyring`` backend keeping passwords in locketd.

Registered under the ``keyring.backends`` entry point, so ``keyring`` finds it
by itself; select it explicitly with
``PYTHON_KEYRING_BACKEND=locket.keyring_backend.LocketKeyring`` or in
``keyringrc.cfg`` (``[backend]`` / ``default-keyring = locket.keyring_backend.LocketKeyring``).

**Priority.** 6 when the daemon answers a ``ping``: above the Secret Service
backend (5) and every plain-text or fallback backend (below 1), below
keyring's chainer (10), which then asks Locket first and the Secret Service
next. When no daemon answers, ``priority`` raises (keyring's way of saying
"not viable") after at most a bounded connect: a missing socket or folder
fails in a few system calls; a daemon that accepts but does not answer is
given 0.5 s. The verdict is kept for 5 s, since keyring asks for it often.

**Names.** ``(service, username)`` is stored in namespace
``keyring:`` + ``encode_name(service)`` under key ``encode_name(username)``
(see ``locket.names``: only ``%``, control characters and unpaired surrogates
are percent-encoded; the empty string is ``%``; over 256 bytes, a cut name
with a hash). The value is ``{"service", "username", "password"}``, so names
that had to be hashed are still recovered; a bare string value (for example
one stored with ``locket put``) is taken as the password.
"""
import threading
import time
from typing import Any, Dict, Optional, Tuple

from keyring import credentials, errors
from keyring.backend import KeyringBackend

try:
    from keyring.compat import properties
except ImportError:  # pragma: no cover - older keyring
    from jaraco.classes import properties  # type: ignore[no-redef]

from .client import Locket
from .errors import LocketError, Locked, NotFound
from .names import decode_name, encode_name

__all__ = ["LocketKeyring", "PRIORITY", "namespace_for", "key_for"]

#: The priority when the daemon answers: above SecretService (5), below the chainer (10).
PRIORITY = 6.0
#: How long a daemon that accepted the connection may take to answer the viability ping.
PROBE_TIMEOUT = 0.5
#: How long a viability verdict is reused.
VERDICT_SECONDS = 5.0
NAMESPACE_PREFIX = "keyring:"

_verdict_lock = threading.Lock()
_verdict: Optional[Tuple[float, str, Optional[str]]] = None  # (when, socket, failure or None)


def namespace_for(service: str) -> str:
    """The namespace holding ``service``'s passwords."""
    return encode_name(NAMESPACE_PREFIX + service)


def key_for(username: str) -> str:
    """The key of ``username`` in its service's namespace."""
    return encode_name(username)


def _probe() -> None:
    """Raises RuntimeError unless a daemon (the right one) answers on the default socket."""
    global _verdict
    client = Locket(timeout=PROBE_TIMEOUT)
    now = time.monotonic()
    with _verdict_lock:
        if _verdict is not None and _verdict[1] == client.path and now - _verdict[0] < VERDICT_SECONDS:
            failure = _verdict[2]
        else:
            failure = None
            try:
                client.ping()
            except LocketError as error:
                failure = str(error)
            finally:
                client.close()
            _verdict = (now, client.path, failure)
    if failure is not None:
        raise RuntimeError(failure)


class LocketKeyring(KeyringBackend):
    """Passwords sealed in locketd (see the module's documentation)."""

    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        _probe()
        return PRIORITY

    def __init__(self) -> None:
        super().__init__()
        self._client: Optional[Locket] = None

    def _vault(self) -> Locket:
        if self._client is None:
            self._client = Locket()
        return self._client

    def _read(self, service: str, username: str) -> Optional[Dict[str, Any]]:
        return self._read_key(service, key_for(username), username)

    def _read_key(self, service: str, key: str, username: Optional[str]) -> Optional[Dict[str, Any]]:
        """``{service, username, password}`` stored under ``key``, or None."""
        try:
            value = self._vault().get(namespace_for(service), key)
        except NotFound:
            return None
        except Locked as error:
            raise errors.KeyringLocked(str(error)) from None
        except LocketError as error:
            raise errors.KeyringError(str(error)) from None
        if isinstance(value, str) and username is not None:
            return {"service": service, "username": username, "password": value}
        if isinstance(value, dict) and isinstance(value.get("password"), str) and isinstance(value.get("username"), str):
            return value
        return None  # not something this backend stored

    def get_password(self, service: str, username: str) -> Optional[str]:
        """The password, or None when there is none."""
        found = self._read(service, username)
        return None if found is None else found["password"]

    def set_password(self, service: str, username: str, password: str) -> None:
        """Stores the password (no expiry)."""
        value = {"service": service, "username": username, "password": password}
        try:
            self._vault().put(namespace_for(service), key_for(username), value)
        except LocketError as error:
            raise errors.PasswordSetError(str(error)) from None

    def delete_password(self, service: str, username: str) -> None:
        """Deletes the password; PasswordDeleteError when there is none."""
        try:
            deleted = self._vault().delete(namespace_for(service), key_for(username))
        except LocketError as error:
            raise errors.PasswordDeleteError(str(error)) from None
        if not deleted:
            raise errors.PasswordDeleteError("Password not found")

    def get_credential(self, service: str, username: Optional[str]) -> Optional[credentials.Credential]:
        """The credential of ``username``, or without one, of the service's first username (in key order)."""
        if username is not None:
            found = self._read(service, username)
            return None if found is None else credentials.SimpleCredential(found["username"], found["password"])
        try:
            items = self._vault().list(namespace_for(service))
        except Locked as error:
            raise errors.KeyringLocked(str(error)) from None
        except LocketError as error:
            raise errors.KeyringError(str(error)) from None
        for item in items:
            found = self._read_key(service, item["key"], decode_name(item["key"]))
            if found is not None:
                return credentials.SimpleCredential(found["username"], found["password"])
        return None

"""The Locket client: every op of the protocol (PROTOCOL.md section 5) over one
checked connection (see ``connection.py``), opened on first use.

    from locket import Locket, NotFound
    with Locket() as vault:                  # socket resolved like the daemon
        vault.put("my-app", "session", {"token": "t-123"}, ttl=3600)
        vault.get("my-app", "session")       # -> {"token": "t-123"}
        try:
            vault.get("my-app", "nope")
        except NotFound:
            ...
"""
import json
import threading
from typing import Any, Dict, List, Optional

from .connection import CONNECT_TIMEOUT, Connection
from .errors import ConnectionFailed, Timeout, error_for_code
from .paths import socket_path
from .types import AuditLog, Entry, Item, Lease, PutResult, Rule, Status
from .watch import Watch

__all__ = ["Locket"]

#: How long ``lease`` waits for another holder by default (seconds): beyond the
#: daemon's default longest lease (300 s), so one holder always finishes first.
LEASE_WAIT = 600.0

#: Ops that change nothing when sent twice: resent once on a fresh connection
#: when the connection broke after the request was written.
_IDEMPOTENT = frozenset(["hello", "ping", "get", "list", "status", "audit", "rules", "lock", "unlock"])


def encode_line(request: Dict[str, Any]) -> bytes:
    """One request line: compact JSON, UTF-8, ``\\n``. NaN and infinities are refused (ValueError)."""
    return (json.dumps(request, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n").encode("utf-8")


class Locket:
    """A connection to locketd, opened on first use; one request at a time (threads share it in turn).

    ``path``: the socket (default: resolved like the daemon). ``timeout``:
    seconds to wait for an answer. Connecting takes at most 1 s. When the daemon
    closed the connection meanwhile (idle timeout, restart), the next call
    reconnects; a call whose connection breaks after the request was sent is
    resent once if it is idempotent, else it raises ConnectionFailed.
    """

    def __init__(self, path: Optional[str] = None, timeout: float = 10.0,
                 connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.path = socket_path(path)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._conn: Optional[Connection] = None
        self._next_id = 0
        self._lock = threading.RLock()

    # -- the ops --------------------------------------------------------------

    def hello(self, version: Optional[int] = 1) -> Dict[str, Any]:
        """``{protocol, server, ops}``: what the daemon serves."""
        return self._answer(self.call("hello", version=version))

    def ping(self) -> None:
        """Returns when the daemon answers."""
        self.call("ping")

    def put(self, ns: str, key: str, value: Any, ttl: Optional[int] = None,
            if_version: Optional[int] = None, lease: Optional[str] = None) -> PutResult:
        """Stores ``value`` (any JSON value, None included); ``{created, version, expires_at}``.

        ``ttl``: seconds until it expires (none: never). ``if_version``: only if
        the live version is this (0: only if absent), else Conflict. ``lease``:
        a refresh lease's token (see ``lease``); the put ends the lease.
        """
        request: Dict[str, Any] = {"op": "put", "ns": ns, "key": key, "value": value}
        for name, member in (("ttl", ttl), ("if_version", if_version), ("lease", lease)):
            if member is not None:
                request[name] = member
        answer = self._exchange(request)
        return {"created": answer["created"], "version": answer["version"], "expires_at": answer["expires_at"]}

    def get(self, ns: str, key: str) -> Any:
        """The stored value; NotFound when there is no live entry."""
        return self.get_entry(ns, key)["value"]

    def get_entry(self, ns: str, key: str) -> Entry:
        """The live entry: ``{value, version, created_at, updated_at, expires_at}``."""
        return self._answer(self.call("get", ns=ns, key=key))  # type: ignore[return-value]

    def delete(self, ns: str, key: str, if_version: Optional[int] = None, lease: Optional[str] = None) -> bool:
        """True when a live entry was removed, False when there was none. ``lease``: only under this lease."""
        return bool(self.call("delete", ns=ns, key=key, if_version=if_version, lease=lease)["deleted"])

    def list(self, ns: Optional[str] = None) -> List[Item]:
        """Names and metadata (never values), sorted by ns then key."""
        items: List[Item] = self.call("list", ns=ns)["items"]
        return items

    def status(self) -> Status:
        """``{locked, key_store, entries, version, uptime_s, ...}``."""
        return self._answer(self.call("status"))  # type: ignore[return-value]

    def lock(self) -> None:
        """Drops the master key from memory; data ops answer Locked until ``unlock``."""
        self.call("lock")

    def unlock(self, passphrase: Optional[str] = None) -> None:
        """Fetches the master key again (``passphrase`` for the passphrase key store)."""
        self.call("unlock", passphrase=passphrase)

    def rotate(self) -> int:
        """Makes a new master key and re-wraps every entry; the number re-wrapped."""
        return int(self.call("rotate")["rewrapped"])

    def audit(self, ns: Optional[str] = None, since: Optional[str] = None,
              limit: Optional[int] = None) -> AuditLog:
        """The access audit log, oldest first: ``{items, damage}``. Show ``damage`` to the user."""
        answer = self.call("audit", ns=ns, since=since, limit=limit)
        return {"items": answer["items"], "damage": answer.get("damage", [])}

    def watch(self, ns: Optional[str] = None, expiring_within: Optional[int] = None) -> Watch:
        """A stream of change events on a connection of its own (see ``Watch``)."""
        return Watch(self.path, ns=ns, expiring_within=expiring_within, timeout=self.timeout,
                     connect_timeout=self.connect_timeout)

    def allow(self, ns: str, path: str, sha256: Optional[str] = None, hash: Optional[bool] = None) -> Dict[str, Any]:
        """Allows the program at ``path`` to use ``ns``: ``{created, sha256, programs}``."""
        return self._answer(self.call("allow", ns=ns, path=path, sha256=sha256, hash=hash))

    def deny(self, ns: str, path: Optional[str] = None) -> Dict[str, Any]:
        """Removes one program (or, without ``path``, the whole rule): ``{removed, rule_left, programs}``."""
        return self._answer(self.call("deny", ns=ns, path=path))

    def rules(self, ns: Optional[str] = None) -> List[Rule]:
        """The access rules, sorted by ns."""
        items: List[Rule] = self.call("rules", ns=ns)["items"]
        return items

    def lease(self, ns: str, key: str, stale_version: Optional[int] = None, duration: Optional[int] = None,
              wait_timeout: Optional[float] = LEASE_WAIT) -> Lease:
        """Asks for the right to refresh ``ns``/``key`` (PROTOCOL.md, Refresh leases).

        ``stale_version``: the version seen rejected; a newer live entry is
        answered at once, not granted. ``duration``: seconds wanted (the daemon
        may grant less). Waits while another connection holds the lease, until
        it stores (then ``granted`` is False with its entry), releases or dies.
        A granted lease belongs to this connection: store with
        ``put(..., lease=grant.token)`` or give it back with ``release``, on
        this same ``Locket``. ``wait_timeout`` (None: no limit) bounds the wait;
        past it, Timeout (the connection is closed, which also leaves the queue).
        """
        answer = self._exchange({"op": "lease", "ns": ns, "key": key,
                                 **({} if stale_version is None else {"stale_version": stale_version}),
                                 **({} if duration is None else {"duration": duration})},
                                timeout=wait_timeout, unbounded=wait_timeout is None)
        if answer.get("granted") is True:
            entry = answer.get("entry")
            return Lease(True, answer["lease"], answer.get("expires_at"), answer.get("duration"),
                         None if entry is None else dict(entry))  # type: ignore[arg-type]
        entry = {name: answer[name] for name in ("value", "version", "created_at", "updated_at", "expires_at")}
        return Lease(False, None, None, None, entry)  # type: ignore[arg-type]

    def release(self, ns: str, key: str, token: str) -> bool:
        """Ends a lease without storing; True when this ended it, False when it had already ended."""
        return bool(self.call("release", ns=ns, key=key, lease=token)["released"])

    def call(self, op: str, **members: Any) -> Dict[str, Any]:
        """Sends one request (members that are None are left out); the whole answer, or raises."""
        request: Dict[str, Any] = {"op": op}
        request.update((name, value) for name, value in members.items() if value is not None)
        return self._exchange(request)

    # -- the connection -------------------------------------------------------

    def close(self) -> None:
        """Closes the connection (the next call opens a new one). From another thread, it also
        ends a call waiting on it (a ``lease`` waiting for its turn raises ConnectionFailed)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def __enter__(self) -> "Locket":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _exchange(self, request: Dict[str, Any], timeout: Optional[float] = None,
                  unbounded: bool = False) -> Dict[str, Any]:
        with self._lock:
            return self._exchange_locked(request, timeout, unbounded)

    def _exchange_locked(self, request: Dict[str, Any], timeout: Optional[float],
                         unbounded: bool) -> Dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        line = encode_line({"id": ident, **request})
        conn = self._conn
        if conn is not None and conn.peer_closed():
            self.close()  # closed by the daemon while idle (or it restarted): reconnect before sending
        reused = self._conn is not None
        try:
            answer = self._round_trip(line, timeout, unbounded)
        except Timeout:
            self.close()  # its answer may still come: this connection is out of step
            raise
        except ConnectionFailed:
            self.close()
            if not (reused and request["op"] in _IDEMPOTENT):
                raise
            answer = self._round_trip(line, timeout, unbounded)
        if "id" in answer and answer["id"] != ident:
            self.close()
            raise ConnectionFailed(f"answer to request {answer['id']!r} while waiting for {ident}")
        if answer.get("ok") is True:
            return answer
        found = answer.get("error")
        error: Dict[str, Any] = found if isinstance(found, dict) else {}
        raised = error_for_code(str(error.get("code", "internal")), str(error.get("message", "")))
        if "id" not in answer:
            self.close()  # an answer without id (forbidden, unavailable, too_large) ends the connection
        raise raised

    def _round_trip(self, line: bytes, timeout: Optional[float], unbounded: bool = False) -> Dict[str, Any]:
        conn = self._conn
        if conn is None:
            conn = self._conn = Connection(self.path, self.connect_timeout)
        wait = self.timeout if timeout is None else timeout
        conn.send(line, self.timeout)
        reply = conn.read_line(None if unbounded else wait)
        if reply is None:
            self.close()
            raise ConnectionFailed("locketd closed the connection")
        try:
            answer = json.loads(reply)
        except ValueError:
            self.close()
            raise ConnectionFailed("locketd answered a line that is not JSON") from None
        if not isinstance(answer, dict):
            self.close()
            raise ConnectionFailed("locketd answered a line that is not a JSON object")
        return answer

    @staticmethod
    def _answer(answer: Dict[str, Any]) -> Dict[str, Any]:
        return {name: value for name, value in answer.items() if name not in ("id", "ok")}

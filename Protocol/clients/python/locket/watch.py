"""``watch``: a connection that streams change events (PROTOCOL.md, watch)."""
import json
from typing import Any, Dict, Iterator, Optional

from .connection import CONNECT_TIMEOUT, Connection
from .errors import ConnectionFailed, error_for_code
from .types import Event

__all__ = ["Watch"]


class Watch:
    """Change events of one namespace (or all), as an iterator of dicts.

        with vault.watch("my-app", expiring_within=300) as events:
            for event in events:        # {"event": "changed", "ns": ..., "key": ..., ...}
                ...

    Events never carry values. Iteration ends when the daemon closes the
    connection (shutdown, or this watcher fell too far behind): watch again and
    re-read with ``list``, since events of the gap are lost. Unknown events are
    passed on as they are (ignore what you do not know). ``close()`` ends it.
    """

    def __init__(self, path: str, ns: Optional[str] = None, expiring_within: Optional[int] = None,
                 timeout: float = 10.0, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        request: Dict[str, Any] = {"id": "watch", "op": "watch"}
        if ns is not None:
            request["ns"] = ns
        if expiring_within is not None:
            request["expiring_within"] = expiring_within
        self._conn = Connection(path, connect_timeout)
        try:
            self._conn.send((json.dumps(request, ensure_ascii=False, separators=(",", ":")) + "\n").encode(), timeout)
            line = self._conn.read_line(timeout)
            if line is None:
                raise ConnectionFailed("locketd closed the connection before answering watch")
            answer = json.loads(line)
            if not isinstance(answer, dict) or answer.get("ok") is not True:
                error = answer.get("error", {}) if isinstance(answer, dict) else {}
                raise error_for_code(str(error.get("code", "internal")), str(error.get("message", "")))
        except BaseException:
            self._conn.close()
            raise

    def next_event(self, timeout: Optional[float] = None) -> Optional[Event]:
        """The next event; None at the end of the stream. Timeout when ``timeout`` s pass without one."""
        while True:
            line = self._conn.read_line(timeout)
            if line is None:
                self.close()
                return None
            try:
                event = json.loads(line)
            except ValueError:
                continue  # not an event; the protocol says to ignore what is not understood
            if isinstance(event, dict) and isinstance(event.get("event"), str):
                return event  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Event]:
        while not self._conn.closed:
            event = self.next_event()
            if event is None:
                return
            yield event

    def close(self) -> None:
        """Stops watching (closes the connection)."""
        self._conn.close()

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

"""Resume a saved login session, refresh it through a refresh lease when it is
stale or rejected, fall back to logging in, and save what comes out.

    from locket import Locket, Session
    sessions = Session(Locket())
    state = sessions.resume_or_login(
        "my-app", "ada",
        is_stale=lambda s: s["expires_at"] < time.time() + 60,
        refresh=lambda s: provider.refresh(s["refresh_token"]),   # -> a new session, or raise
        login=lambda: provider.login(),                            # -> a new session
        ttl=lambda s: 30 * 24 * 3600)
    use(state.value)
    ...                                    # the provider answers 401 for state.value's token:
    state = sessions.rejected("my-app", "ada", state.version, refresh=..., login=..., ttl=...)

However many processes do this at once, one refreshes (it holds the lease)
and the others wait and get its session: a rotating refresh token is spent
once. A refresh that fails (raises or returns None) falls back to ``login``.
"""
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from .client import Locket
from .errors import Conflict, NotFound
from .types import Entry

__all__ = ["Session", "SessionState"]

Ttl = Union[None, int, Callable[[Any], Optional[int]]]


@dataclass(frozen=True)
class SessionState:
    """A usable session: ``value``, its stored ``version``, and ``how`` it was had:
    ``"resumed"``, ``"refreshed"``, ``"logged_in"`` (by this process), or
    ``"shared"`` (another process refreshed or logged in while this one waited)."""

    value: Any
    version: int
    how: str


class Session:
    """Sessions under ``ns``/``key`` in Locket, refreshed under a lease (see the module's documentation)."""

    def __init__(self, client: Optional[Locket] = None) -> None:
        self.client = client or Locket()

    def resume_or_login(self, ns: str, key: str, *, is_stale: Callable[[Any], bool],
                        refresh: Callable[[Any], Any], login: Callable[[], Any], ttl: Ttl = None,
                        duration: Optional[int] = None) -> SessionState:
        """The saved session if it is not stale; else a refreshed one (or a login), saved."""
        try:
            entry: Optional[Entry] = self.client.get_entry(ns, key)
        except NotFound:
            entry = None
        if entry is not None and not is_stale(entry["value"]):
            return SessionState(entry["value"], entry["version"], "resumed")
        return self._renew(ns, key, None if entry is None else entry["version"], is_stale, refresh, login, ttl,
                           duration)

    def rejected(self, ns: str, key: str, version: int, *, refresh: Callable[[Any], Any],
                 login: Callable[[], Any], ttl: Ttl = None, is_stale: Optional[Callable[[Any], bool]] = None,
                 duration: Optional[int] = None) -> SessionState:
        """The provider rejected the session of ``version``: a newer one, refreshed here or by another process."""
        return self._renew(ns, key, version, is_stale or (lambda value: False), refresh, login, ttl, duration)

    def _renew(self, ns: str, key: str, stale_version: Optional[int], is_stale: Callable[[Any], bool],
               refresh: Callable[[Any], Any], login: Callable[[], Any], ttl: Ttl,
               duration: Optional[int]) -> SessionState:
        grant = self.client.lease(ns, key, stale_version=stale_version, duration=duration)
        if not grant.granted:
            assert grant.entry is not None
            return SessionState(grant.entry["value"], grant.entry["version"], "shared")
        token = grant.token
        assert token is not None
        try:
            entry = grant.entry
            if entry is not None and stale_version is None and not is_stale(entry["value"]):
                # Stored fresh by another process between our read and the grant: nothing to do.
                self.client.release(ns, key, token)
                return SessionState(entry["value"], entry["version"], "shared")
            value, how = None, "logged_in"
            if entry is not None:
                try:
                    value, how = refresh(entry["value"]), "refreshed"
                except Exception:  # the provider refused, the network is down: log in instead
                    value = None
            if value is None:
                value, how = login(), "logged_in"
            try:
                written = self.client.put(ns, key, value, ttl=_ttl(ttl, value), lease=token)
            except Conflict:
                return self._after_lost_lease(ns, key, entry, value, how, login, ttl)
            token = None  # the put ended the lease
            return SessionState(value, written["version"], how)
        finally:
            if token is not None:
                self.client.release(ns, key, token)  # on every error path: the next waiter goes on

    def _after_lost_lease(self, ns: str, key: str, leased: Optional[Entry], value: Any, how: str,
                          login: Callable[[], Any], ttl: Ttl) -> SessionState:
        """The lease ended before the put (it outlived its duration, or the entry was deleted)."""
        try:
            current: Optional[Entry] = self.client.get_entry(ns, key)
        except NotFound:
            current = None
        if current is not None and (leased is None or current["version"] != leased["version"]):
            return SessionState(current["value"], current["version"], "shared")  # someone stored: use theirs
        if how == "refreshed":
            value, how = login(), "logged_in"  # another holder may have spent the same refresh token
        expected = 0 if current is None else current["version"]
        try:
            written = self.client.put(ns, key, value, ttl=_ttl(ttl, value), if_version=expected)
        except Conflict:
            stored = self.client.get_entry(ns, key)
            return SessionState(stored["value"], stored["version"], "shared")
        return SessionState(value, written["version"], how)


def _ttl(ttl: Ttl, value: Any) -> Optional[int]:
    return ttl(value) if callable(ttl) else ttl

"""An ``msal-extensions`` persistence keeping an MSAL token cache sealed in locketd.

    from msal_extensions import PersistedTokenCache
    from locket.msal_cache import LocketPersistence, LocketTokenCache
    cache = PersistedTokenCache(LocketPersistence("my-app", "token-cache"))
    # or, without msal-extensions' lock file:
    cache = LocketTokenCache(LocketPersistence("my-app", "token-cache"))
    app = msal.PublicClientApplication(CLIENT_ID, token_cache=cache)

The cache blob (MSAL's JSON) is stored as a JSON value under ``ns``/``key``.
Writes are compare-and-swap on the entry's version (``if_version``), so
processes sharing the cache never lose each other's tokens, even without
msal-extensions' lock file (two processes with different lock files, or none):
on a conflict the save merges, section by section and entry by entry, what
this process changed since it last read the cache into what is stored now
(a three-way merge), and stores that. ``time_last_modified`` comes from the
entry's ``updated_at``, or is "now" when the stored version is not the one this
process last read or wrote, so a change by another process within the same
second is never missed.

``get_location`` names a file path used only for msal-extensions' lock file
(``PATH.lockfile``): under ``$XDG_RUNTIME_DIR/locket-msal/`` (or
``~/.cache/locket-msal/``). No token is ever written there.

``LocketTokenCache`` is ``PersistedTokenCache`` without that lock file. The
lock adds nothing once saves are compare-and-swap, and it has two failure
modes of its own: without ``portalocker`` it is a file created with
``O_EXCL`` and polled every 0.25 s, so a process that writes in a loop can
starve another past its 5 s limit (LockError), and a process killed while
holding it leaves a stale lock file that blocks every other process until
someone removes it.
"""
import copy
import hashlib
import json
import os
import random
import time
from datetime import datetime, timezone
from typing import Any, Dict, Optional

import msal
from msal_extensions import PersistedTokenCache
from msal_extensions.persistence import BasePersistence, PersistenceError, PersistenceNotFound

from .client import Locket
from .errors import Conflict, LocketError, NotFound

__all__ = ["LocketPersistence", "LocketTokenCache", "merge_token_caches"]

#: How long a save keeps merging and retrying while other processes store first (seconds).
SAVE_PATIENCE = 60.0


def merge_token_caches(base: Dict[str, Any], ours: Dict[str, Any], theirs: Dict[str, Any]) -> Dict[str, Any]:
    """``theirs`` with every change ``ours`` made to ``base`` applied (added, changed or removed entries)."""
    merged = copy.deepcopy(theirs)
    for section in set(base) | set(ours):
        before, after = base.get(section), ours.get(section)
        if not (isinstance(before, (dict, type(None))) and isinstance(after, (dict, type(None)))
                and isinstance(merged.get(section, {}), dict)):
            if after != before:  # not MSAL's shape: the whole section is ours when we changed it
                if after is None:
                    merged.pop(section, None)
                else:
                    merged[section] = copy.deepcopy(after)
            continue
        before, after = before or {}, after or {}
        target = merged.setdefault(section, {})
        for name in set(before) | set(after):
            if name in after and (name not in before or after[name] != before[name]):
                target[name] = copy.deepcopy(after[name])
            elif name not in after and name in before:
                target.pop(name, None)
        if not target and section not in theirs and section not in ours:
            merged.pop(section)
    return merged


def _timestamp(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def _default_location(ns: str, key: str) -> str:
    base = os.environ.get("XDG_RUNTIME_DIR") or os.path.join(os.path.expanduser("~"), ".cache")
    digest = hashlib.sha256(f"{ns}\0{key}".encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return os.path.join(base, "locket-msal", f"cache-{digest}")


class LocketPersistence(BasePersistence):
    """A token cache blob in Locket under ``ns``/``key`` (see the module's documentation)."""

    is_encrypted = True

    def __init__(self, ns: str = "msal", key: str = "token-cache", socket: Optional[str] = None,
                 location: Optional[str] = None, client: Optional[Locket] = None) -> None:
        self._client = client or Locket(socket)
        self._ns, self._key = ns, key
        self._location = location or _default_location(ns, key)
        self._version = 0           # the stored version this process last read or wrote (0: none)
        self._base: Dict[str, Any] = {}   # its content, the base of a merge
        self._in_sync = False       # whether the caller's cache holds exactly that version's content

    def save(self, content: str) -> None:
        """Stores ``content``; on a conflict merges this process's changes into the stored cache."""
        try:
            ours = json.loads(content) if content else {}
        except ValueError:
            raise PersistenceError(message="the token cache to save is not JSON", location=self.get_location()) from None
        merged = False
        value, base = ours, self._base  # base: what this process's cache was read as
        deadline = time.monotonic() + SAVE_PATIENCE
        while True:
            try:
                written = self._client.put(self._ns, self._key, value, if_version=self._version)
            except Conflict:
                # Another process stored first (so it made progress): merge onto what it stored, retry.
                if time.monotonic() > deadline:
                    raise PersistenceError(message=f"the token cache kept changing for {SAVE_PATIENCE} s: not saved",
                                           location=self.get_location()) from None
                current = self._entry()
                theirs = current["value"] if current and isinstance(current["value"], dict) else {}
                value = merge_token_caches(base, ours, theirs) if isinstance(ours, dict) else ours
                self._version = current["version"] if current else 0
                merged = True
                time.sleep(random.uniform(0, 0.01))  # let a burst of writers spread out
                continue
            except LocketError as error:
                raise PersistenceError(message=f"locket: {error}", location=self.get_location()) from None
            self._version, self._base = written["version"], copy.deepcopy(value)
            self._in_sync = not merged  # after a merge the caller lacks the others' entries: reload
            return

    def load(self) -> str:
        """The stored cache as JSON text; PersistenceNotFound before the first save."""
        entry = self._entry()
        if entry is None:
            raise PersistenceNotFound(message="no token cache in Locket yet", location=self.get_location())
        value = entry["value"]
        self._version, self._in_sync = entry["version"], True
        self._base = copy.deepcopy(value) if isinstance(value, dict) else {}
        return value if isinstance(value, str) else json.dumps(value)

    def time_last_modified(self) -> float:
        """When the stored cache last changed, as this process can tell (see the module's documentation)."""
        entry = self._entry()
        if entry is None:
            raise PersistenceNotFound(message="no token cache in Locket yet", location=self.get_location())
        if self._in_sync and entry["version"] == self._version:
            return _timestamp(entry["updated_at"])
        return time.time()

    def get_location(self) -> str:
        return self._location

    def _entry(self) -> Optional[Dict[str, Any]]:
        try:
            return self._client.get_entry(self._ns, self._key)  # type: ignore[return-value]
        except NotFound:
            return None
        except LocketError as error:
            raise PersistenceError(message=f"locket: {error}", location=self.get_location()) from None


class LocketTokenCache(PersistedTokenCache):
    """``PersistedTokenCache`` over a ``LocketPersistence`` without msal-extensions' lock file.

    Reads reload the cache when it changed (as ``PersistedTokenCache`` does);
    every change reloads, applies and saves under this process's own lock, and
    the save's compare-and-swap with merge keeps other processes' writes.
    """

    def __init__(self, persistence: Optional[LocketPersistence] = None, **persistence_options: Any) -> None:
        msal.SerializableTokenCache.__init__(self)  # not PersistedTokenCache's: it sets up the lock file
        self._persistence = persistence or LocketPersistence(**persistence_options)
        self._lock_location = None
        self._last_sync: float = 0
        self.is_encrypted = self._persistence.is_encrypted

    def modify(self, credential_type: Any, old_entry: Any, new_key_value_pairs: Any = None) -> None:
        with self._lock:
            self._reload_if_necessary()
            msal.SerializableTokenCache.modify(self, credential_type, old_entry,
                                               new_key_value_pairs=new_key_value_pairs)
            self._persistence.save(self.serialize())
            self._last_sync = time.time()

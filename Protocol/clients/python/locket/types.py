"""The shapes of the daemon's answers, for type checkers (at run time they are dicts)."""
import sys
from dataclasses import dataclass
from typing import Any, List, Optional

if sys.version_info >= (3, 8):
    from typing import TypedDict
else:  # pragma: no cover
    TypedDict = dict

__all__ = ["Lease", "PutResult", "Entry", "Item", "Status", "Program", "Rule", "AuditRecord", "AuditLog", "Event"]


class PutResult(TypedDict):
    created: bool
    version: int
    expires_at: Optional[str]


class Entry(TypedDict):
    value: Any
    version: int
    created_at: str
    updated_at: str
    expires_at: Optional[str]


class Item(TypedDict):
    ns: str
    key: str
    version: int
    created_at: str
    updated_at: str
    expires_at: Optional[str]


class Status(TypedDict, total=False):
    locked: bool
    key_store: str
    entries: int
    version: str
    uptime_s: int
    lock_reason: str
    key_store_notice: str
    audit: bool
    audit_dropped: int


class Program(TypedDict):
    path: str
    sha256: Optional[str]


class Rule(TypedDict):
    ns: str
    programs: List[Program]


class AuditRecord(TypedDict, total=False):
    time: str
    time_ms: int
    op: str
    ns: str
    key_hash: str
    outcome: str
    exe: Optional[str]
    exe_deleted: bool
    pid: int
    uid: int
    unit: Optional[str]


class AuditLog(TypedDict):
    items: List[AuditRecord]
    damage: List[str]


class Event(TypedDict, total=False):
    event: str
    ns: str
    key: str
    version: int
    expires_at: Optional[str]
    reason: str


@dataclass(frozen=True)
class Lease:
    """The answer to ``lease``.

    ``granted``: this connection holds the lease; ``token`` is its token,
    ``expires_at``/``duration`` when it ends, and ``entry`` the live entry to
    refresh (None: there is none, log in). Not granted: someone else refreshed
    and ``entry`` is what they stored: use it.
    """

    granted: bool
    token: Optional[str]
    expires_at: Optional[str]
    duration: Optional[int]
    entry: Optional[Entry]

"""Matching of response lines against vector patterns (PROTOCOL.md section 12):
equal as JSON, integers compared as their text, the placeholders, and
``$save:NAME`` (which matches any string and remembers it)."""
import json
import re
from typing import Any, Optional

SAVE_PREFIX = "$save:"


class IntText(str):
    """A JSON integer kept as its text, so integers compare exactly (section 12)."""


def parse_json(text: str) -> Any:
    """JSON with integers as IntText and no NaN/Infinity."""
    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_int=IntText, parse_constant=no_constant)


_TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z")


def is_timestamp(value: Any) -> bool:
    """``YYYY-MM-DDTHH:MM:SSZ`` naming a real date and time."""
    if not isinstance(value, str) or isinstance(value, IntText):
        return False
    found = _TIMESTAMP.fullmatch(value)
    if not found:
        return False
    year, month, day, hour, minute, second = map(int, found.groups())
    if not (1 <= month <= 12 and hour < 24 and minute < 60 and second < 60):
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return 1 <= day <= days


def _is_number(value: Any) -> bool:
    return isinstance(value, IntText) or (isinstance(value, float))


def match(pattern: Any, actual: Any, path: str = "$", saved: Optional[dict] = None) -> Optional[str]:
    """None when ``actual`` matches ``pattern`` (section 12), else the first mismatch."""
    def mismatch(what: str) -> str:
        return f"at {path}: expected {what}, got {json.dumps(actual)[:200]}"

    if isinstance(pattern, IntText):
        if isinstance(actual, IntText):
            return None if str(actual) == str(pattern) else mismatch(str(pattern))
        if isinstance(actual, float):
            return None if actual == float(pattern) else mismatch(str(pattern))
        return mismatch(f"the integer {pattern}")
    if isinstance(pattern, str):
        if pattern == "$any":
            return None
        if pattern.startswith(SAVE_PREFIX):
            if not isinstance(actual, str) or isinstance(actual, IntText):
                return mismatch("a string (to save)")
            if saved is not None:
                saved[pattern[len(SAVE_PREFIX):]] = actual
            return None
        if pattern == "$string":
            return None if isinstance(actual, str) and not isinstance(actual, IntText) else mismatch("a string")
        if pattern == "$int":
            return None if isinstance(actual, IntText) else mismatch("an integer")
        if pattern == "$timestamp":
            return None if is_timestamp(actual) else mismatch("a timestamp")
        if pattern == "$timestamp-or-null":
            return None if actual is None or is_timestamp(actual) else mismatch("a timestamp or null")
        literal = pattern[1:] if pattern.startswith("$$") else pattern
        ok = isinstance(actual, str) and not isinstance(actual, IntText) and actual == literal
        return None if ok else mismatch(json.dumps(literal))
    if pattern is None:
        return None if actual is None else mismatch("null")
    if isinstance(pattern, bool):
        return None if isinstance(actual, bool) and actual == pattern else mismatch(json.dumps(pattern))
    if isinstance(pattern, float):
        ok = _is_number(actual) and float(actual) == pattern
        return None if ok else mismatch(repr(pattern))
    if isinstance(pattern, list):
        if not isinstance(actual, list) or len(actual) != len(pattern):
            return mismatch(f"an array of {len(pattern)} elements")
        for i, (p, a) in enumerate(zip(pattern, actual)):
            problem = match(p, a, f"{path}[{i}]", saved)
            if problem:
                return problem
        return None
    if isinstance(pattern, dict):
        if not isinstance(actual, dict):
            return mismatch("an object")
        if set(pattern) != set(actual):
            return mismatch(f"the members {sorted(pattern)}")
        for name in sorted(pattern):
            problem = match(pattern[name], actual[name], f"{path}.{name}", saved)
            if problem:
                return problem
        return None
    return f"at {path}: the pattern holds {type(pattern).__name__}"


def match_line(pattern: Any, line: bytes, saved: Optional[dict] = None) -> Optional[str]:
    """Matches a response line; the strings of ``$save:NAME`` placeholders go into ``saved``."""
    try:
        actual = parse_json(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return f"the response is not JSON: {line[:200]!r}"
    return match(pattern, actual, saved=saved)

"""The vector format of PROTOCOL.md section 12, strictly: a parser that fails on
anything the format does not allow (the matcher is in vector_match.py)."""
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Optional, Tuple

from vector_match import SAVE_PREFIX, IntText, is_timestamp, match, match_line, parse_json  # noqa: F401

HEADER_KEYS = ("comment", "requires")
REQUIREMENTS = ("fresh-vault",)
PLACEHOLDERS = ("$any", "$string", "$int", "$timestamp", "$timestamp-or-null")
_NAME = re.compile(r"[A-Za-z0-9_]+")
_REFERENCE = re.compile(rb"\$\{([^}]*)\}")


class VectorError(Exception):
    """A malformed vector: the file, the line, what is wrong."""


@dataclass
class Step:
    kind: str          # "send", "expect" or "eof"
    line: int
    data: bytes = b""  # for "send"; may hold ${NAME} references
    pattern: Any = None  # for "expect"


def saved_names(pattern: Any) -> List[str]:
    """The NAMEs of the ``$save:NAME`` placeholders in a pattern."""
    if isinstance(pattern, IntText):
        return []
    if isinstance(pattern, str):
        return [pattern[len(SAVE_PREFIX):]] if pattern.startswith(SAVE_PREFIX) else []
    if isinstance(pattern, list):
        return [name for element in pattern for name in saved_names(element)]
    if isinstance(pattern, dict):
        return [name for element in pattern.values() for name in saved_names(element)]
    return []


def references(data: bytes, where: str) -> List[str]:
    """The ``${NAME}`` references of a send step; a ``${`` not forming one is an error."""
    names = [match.group(1).decode("utf-8", "replace") for match in _REFERENCE.finditer(data)]
    if data.count(b"${") != len(names) or not all(_NAME.fullmatch(name) for name in names):
        raise VectorError(f"{where}: a ${{ in a send step must start a ${{NAME}} reference")
    return names


def substitute(data: bytes, saved: dict) -> bytes:
    """``data`` with every ``${NAME}`` replaced by the saved string's UTF-8 bytes."""
    return _REFERENCE.sub(lambda match: saved[match.group(1).decode()].encode("utf-8"), data)


@dataclass
class Vector:
    name: str
    comment: str
    requires: List[str]
    steps: List[Step] = field(default_factory=list)

    @property
    def sent(self) -> bytes:
        return b"".join(step.data for step in self.steps if step.kind == "send")

    @property
    def ends_input(self) -> bool:
        return any(step.kind == "eof" for step in self.steps)


def decode_raw(text: str, where: str) -> bytes:
    """A ``>raw`` step: ``\\n \\r \\t \\\\ \\xHH`` decoded, every other character as its UTF-8 bytes."""
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\":
            out += char.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(text):
            raise VectorError(f"{where}: a >raw step ends with a lone backslash")
        escape = text[i + 1]
        if escape in "nrt\\":
            out += {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\"}[escape]
            i += 2
        elif escape == "x":
            digits = text[i + 2:i + 4]
            if not re.fullmatch(r"[0-9A-Fa-f]{2}", digits):
                raise VectorError(f"{where}: \\x must be followed by two hex digits")
            out.append(int(digits, 16))
            i += 4
        else:
            raise VectorError(f"{where}: unknown escape \\{escape} in a >raw step")
    return bytes(out)


def check_pattern(pattern: Any, where: str) -> None:
    """Fails on a ``$`` string that is not a placeholder (``$$`` is a literal ``$``)."""
    if isinstance(pattern, IntText):
        return
    if isinstance(pattern, str):
        if pattern.startswith(SAVE_PREFIX):
            if not _NAME.fullmatch(pattern[len(SAVE_PREFIX):]):
                raise VectorError(f"{where}: {pattern!r}: a saved NAME is ASCII letters, digits and _")
        elif pattern.startswith("$") and not pattern.startswith("$$") and pattern not in PLACEHOLDERS:
            raise VectorError(f"{where}: unknown placeholder {pattern!r}")
    elif isinstance(pattern, list):
        for element in pattern:
            check_pattern(element, where)
    elif isinstance(pattern, dict):
        for element in pattern.values():
            check_pattern(element, where)


def parse_vector(data: bytes, name: str) -> Vector:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise VectorError(f"{name}: not UTF-8") from None
    if "\r" in text:
        raise VectorError(f"{name}: a carriage return in the file (write \\r in a >raw step)")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    headers = {}
    index = 0
    while index < len(lines) and lines[index] != "":
        line = lines[index]
        where = f"{name}:{index + 1}"
        if not line.startswith("#"):
            key, colon, value = line.partition(":")
            if not colon:
                raise VectorError(f"{where}: a header line is `key: value`")
            if key not in HEADER_KEYS:
                raise VectorError(f"{where}: unknown header key {key!r}")
            if key in headers:
                raise VectorError(f"{where}: header {key!r} appears twice")
            if not value.strip():
                raise VectorError(f"{where}: header {key!r} is empty")
            headers[key] = value.strip()
        index += 1
    if "comment" not in headers:
        raise VectorError(f"{name}: missing the required header 'comment'")
    requires = headers.get("requires", "").split()
    for requirement in requires:
        if requirement not in REQUIREMENTS:
            raise VectorError(f"{name}: unknown requirement {requirement!r}")
    if index >= len(lines):
        raise VectorError(f"{name}: no blank line and steps after the header")
    vector = Vector(name, headers["comment"], requires)
    sent_lines = expected = 0
    ended = False
    saved = set()
    for number in range(index + 1, len(lines)):
        line = lines[number]
        where = f"{name}:{number + 1}"
        if line == "" or line.startswith("#"):
            continue
        if line.startswith(">") and ended:
            raise VectorError(f"{where}: nothing can be sent after >eof")
        if line == ">eof":
            ended = True
            vector.steps.append(Step("eof", number + 1))
        elif line.startswith(">raw "):
            data = decode_raw(line[5:], where)
            if not data:
                raise VectorError(f"{where}: empty >raw step")
            _check_references(data, saved, where)
            sent_lines += data.count(b"\n")
            vector.steps.append(Step("send", number + 1, data=data))
        elif line.startswith("> "):
            sent_lines += 1
            data = line[2:].encode("utf-8") + b"\n"
            _check_references(data, saved, where)
            vector.steps.append(Step("send", number + 1, data=data))
        elif line.startswith("< "):
            try:
                pattern = parse_json(line[2:])
            except ValueError as error:
                raise VectorError(f"{where}: the pattern is not JSON ({error})") from None
            check_pattern(pattern, where)
            for name in saved_names(pattern):
                if name in saved:
                    raise VectorError(f"{where}: {name!r} is saved twice")
                saved.add(name)
            expected += 1
            if expected > sent_lines:
                raise VectorError(f"{where}: expects response {expected} but only {sent_lines} lines were sent")
            vector.steps.append(Step("expect", number + 1, pattern=pattern))
        else:
            raise VectorError(f"{where}: a step starts with '> ', '>raw ' or '< ', or is '>eof'")
    if expected == 0:
        raise VectorError(f"{name}: a vector needs at least one '<' step")
    if expected != sent_lines:
        raise VectorError(f"{name}: {sent_lines} request lines are sent but {expected} responses expected")
    return vector


def _check_references(data: bytes, saved: set, where: str) -> None:
    if b"${" in data:
        for name in references(data, where):
            if name not in saved:
                raise VectorError(f"{where}: ${{{name}}} is not saved by an earlier step")


def load_vector(path: Path) -> Vector:
    return parse_vector(path.read_bytes(), path.name[:-len(".vector")])


def split_requests(data: bytes) -> List[bytes]:
    return [line for line in data.split(b"\n") if line]


def last_request_op(vector: Vector) -> Tuple[Optional[str], bool]:
    """The op of the vector's last complete request line (if it parses)."""
    lines = vector.sent.split(b"\n")[:-1]
    if not lines:
        return None, False
    try:
        request = json.loads(lines[-1])
    except ValueError:
        return None, False
    return (request.get("op") if isinstance(request, dict) else None), True

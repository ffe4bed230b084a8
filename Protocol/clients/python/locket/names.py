"""Fitting arbitrary strings into Locket names (PROTOCOL.md section 8: 1 to 256
UTF-8 bytes, no control character, no unpaired surrogate).

``encode_name`` is a percent-encoding of only what does not fit: ``%`` itself,
U+0000-U+001F, U+007F and unpaired surrogates (as the bytes of their
``surrogatepass`` UTF-8 form) become ``%XX``; every other character stays as
it is, so ordinary names read as themselves. The empty string becomes ``%``
alone (no percent-encoding of a non-empty string is ``%``). A result longer
than ``limit`` bytes is cut and ends in ``%~`` and 32 hex digits of its
SHA-256: still unique, no longer reversible (``decode_name`` returns None).
"""
import hashlib
from typing import Optional

__all__ = ["encode_name", "decode_name", "NAME_LIMIT"]

#: The longest name, in UTF-8 bytes.
NAME_LIMIT = 256


def _needs_escape(char: str) -> bool:
    code = ord(char)
    return char == "%" or code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF


def encode_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A valid name standing for ``text`` (see the module's documentation)."""
    if text == "":
        return "%"
    parts = []
    for char in text:
        if _needs_escape(char):
            parts.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass")))
        else:
            parts.append(char)
    encoded = "".join(parts)
    if len(encoded.encode("utf-8")) <= limit:
        return encoded
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    room = limit - len("%~") - len(digest)
    kept, used = [], 0
    for part in parts:  # whole characters and whole escapes only
        size = len(part.encode("utf-8"))
        if used + size > room:
            break
        kept.append(part)
        used += size
    return "".join(kept) + "%~" + digest


def decode_name(name: str) -> Optional[str]:
    """The string ``encode_name`` was given; None for a hashed (cut) name or one it cannot have made."""
    if name == "%":
        return ""
    if "%~" in name:
        return None
    raw = bytearray()
    i = 0
    while i < len(name):
        char = name[i]
        if char == "%":
            digits = name[i + 1:i + 3]
            if len(digits) != 2 or any(c not in "0123456789ABCDEFabcdef" for c in digits):
                return None
            raw.append(int(digits, 16))
            i += 3
        else:
            raw += char.encode("utf-8")
            i += 1
    try:
        return raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None

"""Data strings made safe for a terminal: control and bidi characters become visible escapes.

Every data string goes through ``safe`` before it reaches a screen (both backends, error
messages, progress bars): control characters and bidi controls are shown as visible escapes,
so no data can drive the terminal. JSON (``escape_json``) and exports written to a terminal
(``escape_export``) use their own syntax's escapes instead, so that they still read back the same.
"""

from __future__ import annotations

import re
from typing import TextIO

# C0 and C1 controls (ESC starts CSI/OSC sequences, BEL ends OSC, CR overwrites, NUL...), DEL,
# the bidi controls (they reorder what is shown) and the line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\n]+")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0xA0 else f"<U+{code:04X}>"


def safe(value: object) -> str:
    """``value`` as text that is safe to print on a terminal: every control character (C0, C1,
    DEL: so no ESC/CSI/OSC sequence, BEL, NUL or CR) becomes a visible ``\\xNN`` and every bidi
    control a visible ``<U+202E>``. Idempotent. The one place where data meets a screen.

    >>> safe("Evil\\x1b]0;pwned\\x07 \\u202eCorp")
    'Evil\\\\x1b]0;pwned\\\\x07 <U+202E>Corp'
    """
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escape, text)


def safe_prose(value: object) -> str:
    """``safe`` for running text (notes, descriptions): line breaks and tabs become spaces."""
    text = value if isinstance(value, str) else str(value)
    return safe(_SPACES.sub(" ", text).strip())


# What JSON on a terminal may not carry raw, besides the C0 controls JSON escapes anyway.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_json(text: str) -> str:
    """``text`` (a JSON document) with DEL, C1 and bidi controls written as ``\\uXXXX`` escapes:
    the same string to any JSON reader, and safe on a terminal.

    >>> escape_json('{"name": "Evil\\u202eCorp"}')
    '{"name": "Evil\\\\u202eCorp"}'
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# What an export written to a terminal may not carry raw: C0 controls but tab and line feed, DEL,
# C1, the bidi controls and the line/paragraph separators. Each syntax writes them as an escape its
# readers read back as the same character, so the document means the same (FalkorDB's Cypher
# reads no ``\\u`` escape: there the escape is only visible).
_EXPORT_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_EXPORT_ESCAPE = {"json": "\\u{:04x}", "xml": "&#x{:X};", "cypher": "\\u{:04x}"}
EXPORT_SYNTAX = {"json": "json", "cyjs": "json", "graphml": "xml", "gexf": "xml", "cypher": "cypher"}


def escape_export(text: str, fmt: str) -> str:
    """``text`` (a piece of an export in format ``fmt``) with every character that could drive a
    terminal written as the format's own escape (``\\u009b`` in JSON and Cypher, ``&#x9B;`` in XML).

    >>> escape_export('{"name": "Evil\\u202eCorp"}', "json")
    '{"name": "Evil\\\\u202eCorp"}'
    """
    escape = _EXPORT_ESCAPE[EXPORT_SYNTAX[fmt]]
    return _EXPORT_UNSAFE.sub(lambda m: escape.format(ord(m.group())), text)


class TerminalExport:
    """A text stream for an export written to a terminal: every ``write`` goes through
    ``escape_export`` (piped, an export is written as it is, byte for byte)."""

    def __init__(self, out: TextIO, fmt: str) -> None:
        self.out, self.fmt = out, fmt

    def write(self, text: str) -> int:
        """Write ``text``, its unsafe characters escaped."""
        return self.out.write(escape_export(text, self.fmt))

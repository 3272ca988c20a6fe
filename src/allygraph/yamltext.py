"""YAML text for records, shared by the editing commands (``edit``) and the importers
(``importers``): the contract's key orders, and the writers of one scalar, one flow value and one
entry of the ``sources:`` registry.

Written by hand rather than with a YAML library so that the output is the same on every run
and every machine (stable diffs), and fast for tens of thousands of records. Both packages build
on this module; neither needs the other's writer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

ENTITY_KEYS = ("id", "name", "type", "aliases", "description", "wikidata", "since", "until", "attributes", "sources")
RELATION_KEYS = ("id", "from", "to", "type", "tier", "status", "since", "until", "via", "attributes", "sources", "note")
SOURCE_KEYS = ("title", "url", "publisher", "date", "grade", "note")
DATE_FIELDS = {"since", "until", "date"}

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_\-./()' ]*")
_RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}
# What is written plain, in one match: ``_PLAIN``, not ending in a space, and not a reserved word
# in any case (spelled out: a case-blind pattern would also take the Kelvin sign for a K); a word
# ends at a NUL too, so that the pattern also matches one of several texts joined by NULs
_WORDS = "|".join("".join(f"[{c.upper()}{c}]" for c in w) for w in sorted(_RESERVED) if w != "~")
PLAIN_TEXT = re.compile(f"(?!(?:{_WORDS})(?:\\x00|\\Z)){_PLAIN.pattern}(?<! )")
# Text that json.dumps only puts in quotes: printable ASCII without a quote or a backslash
QUOTABLE = re.compile(r"[ !#-\[\]-~]*")
# Characters PyYAML will not read raw, or reads as line breaks: write them as escapes.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def scalar(value: object) -> str:
    """One YAML scalar that reads back as ``value`` (strings stay strings, dates stay text)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        mantissa, _, exponent = repr(value).partition("e")
        if "." not in mantissa:
            mantissa += ".0"
        return mantissa + (f"e{exponent}" if exponent else "")  # YAML 1.1 floats need the dot
    return text_scalar(str(value))


def text_scalar(text: str) -> str:
    """``scalar`` of a string: plain when YAML reads it back as the same text, else quoted."""
    if PLAIN_TEXT.fullmatch(text):
        return text
    if QUOTABLE.fullmatch(text):
        return f'"{text}"'  # what json.dumps would write, and no character to escape
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(
        lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) < 0xD800 or ord(m.group()) > 0xDFFF else "\\ufffd",
        quoted,
    )


def flow(value: object, scalar_of: Callable[[object], str] = scalar) -> str:
    """A value on one line: a scalar (written by ``scalar_of``), ``[a, b]`` or ``{k: v}``."""
    if isinstance(value, list):
        return "[" + ", ".join(flow(v, scalar_of) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar_of(k)}: {flow(v, scalar_of)}" for k, v in value.items()) + "}"
    return scalar_of(value)


def date_text(text: str) -> str:
    """A date as written: in double quotes, as JSON writes the text."""
    return f'"{text}"' if QUOTABLE.fullmatch(text) else json.dumps(text)  # JSON only quotes a quotable text


def value_text(key: str, value: object) -> str:
    """A field's value as it follows ``key: `` (dates always quoted, as the bundled data writes them)."""
    if key in DATE_FIELDS and value is not None:
        return date_text(str(value))
    return flow(value)


def source_entry(sid: str, src: dict, indent: int, nl: str = "\n") -> str:
    """One entry of the ``sources:`` registry at ``indent``."""
    pad = " " * indent
    ordered = [k for k in SOURCE_KEYS if k in src] + sorted(k for k in src if k not in SOURCE_KEYS)
    lines = [f"{pad}{scalar(sid)}:"] + [f"{pad}  {k}: {value_text(k, src[k])}" for k in ordered if src[k] is not None]
    return nl.join(lines) + nl

"""Plain contract dicts -> YAML text in the style of the bundled data: one record per block,
keys in contract order, short lists in flow style, attributes one per line.

Written by hand rather than with a YAML library so that the output is the same on every run
and every machine (stable diffs), and fast for tens of thousands of records.
"""

from __future__ import annotations

import json
import re

ENTITY_KEYS = ("id", "name", "type", "aliases", "description", "wikidata", "since", "until", "attributes", "sources")
RELATION_KEYS = ("id", "from", "to", "type", "tier", "status", "since", "until", "via", "attributes", "sources", "note")
SOURCE_KEYS = ("title", "url", "publisher", "date", "grade", "note")

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_\-./()' ]*")
_RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}
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
    text = str(value)
    if _PLAIN.fullmatch(text) and text == text.strip() and text.casefold() not in _RESERVED:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(
        lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) < 0xD800 or ord(m.group()) > 0xDFFF else "\\ufffd",
        quoted,
    )


def record(rec: dict, keys: tuple[str, ...], indent: int = 2) -> str:
    """One list item (``- id: ...``) with its fields, keys in ``keys`` order, then any others."""
    pad = " " * (indent + 2)
    lines: list[str] = []
    ordered = [k for k in keys if k in rec] + sorted(k for k in rec if k not in keys)
    for key in ordered:
        value = rec[key]
        if value is None or value == [] or value == {}:
            continue
        if isinstance(value, list):
            body = f"[{', '.join(scalar(v) for v in value)}]"
            lines.append(f"{key}: {body}")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {scalar(k)}: {scalar(v)}" for k, v in value.items())
        else:
            lines.append(f"{key}: {scalar(value)}")
    first, *rest = lines
    return "\n".join([" " * indent + "- " + first, *(pad + line for line in rest)]) + "\n"


def source(sid: str, src: dict, indent: int = 2) -> str:
    """One entry of the ``sources:`` registry."""
    pad = " " * indent
    lines = [f"{pad}{scalar(sid)}:"]
    for key in [k for k in SOURCE_KEYS if k in src] + sorted(k for k in src if k not in SOURCE_KEYS):
        lines.append(f"{pad}  {key}: {scalar(src[key])}")
    return "\n".join(lines) + "\n"

"""New records as YAML text in the style of the bundled data (``importers.yamlout``'s rules:
contract key order, short lists and mappings in flow style, dates quoted), with the file's own
line ending and indentation."""

from __future__ import annotations

from ..importers.yamlout import ENTITY_KEYS, RELATION_KEYS, SOURCE_KEYS, scalar

__all__ = [
    "ENTITY_KEYS",
    "RELATION_KEYS",
    "SOURCE_KEYS",
    "flow",
    "flow_record",
    "record",
    "scalar",
    "source_entry",
    "value_text",
]

DATE_FIELDS = {"since", "until", "date"}


def value_text(key: str, value: object) -> str:
    """A field's value as it follows ``key: `` (dates always quoted, as the bundled data writes them)."""
    if key in DATE_FIELDS and value is not None:
        import json

        return json.dumps(str(value))
    return flow(value)


def flow(value: object) -> str:
    """A value on one line: a scalar, ``[a, b]`` or ``{k: v}``."""
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    return scalar(value)


def record(rec: dict, keys: tuple[str, ...], indent: int, nl: str = "\n") -> str:
    """One list item (``- id: ...``) at ``indent``, keys in ``keys`` order then any others."""
    ordered = [k for k in keys if k in rec] + sorted(k for k in rec if k not in keys)
    lines = [f"{k}: {value_text(k, rec[k])}" for k in ordered if rec[k] not in (None, [], {})]
    pad = " " * (indent + 2)
    first, *rest = lines
    return nl.join([" " * indent + "- " + first, *(pad + line for line in rest)]) + nl


def flow_record(rec: dict, keys: tuple[str, ...]) -> str:
    """One record on one line, ``{id: ..., name: ...}``: what a section written in flow style gets."""
    ordered = [k for k in keys if k in rec] + sorted(k for k in rec if k not in keys)
    return "{" + ", ".join(f"{k}: {value_text(k, rec[k])}" for k in ordered if rec[k] not in (None, [], {})) + "}"


def source_entry(sid: str, src: dict, indent: int, nl: str = "\n") -> str:
    """One entry of the ``sources:`` registry at ``indent``."""
    pad = " " * indent
    ordered = [k for k in SOURCE_KEYS if k in src] + sorted(k for k in src if k not in SOURCE_KEYS)
    lines = [f"{pad}{scalar(sid)}:"] + [f"{pad}  {k}: {value_text(k, src[k])}" for k in ordered if src[k] is not None]
    return nl.join(lines) + nl

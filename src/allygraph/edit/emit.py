"""New records as YAML text in the style of the bundled data (contract key order, short lists
and mappings in flow style, dates quoted), with the file's own line ending and indentation.

The key orders and the scalar, flow and registry-entry writers live in ``allygraph.yamltext``
(shared with the importers); they are named here too so that the editing modules have one
place to take their writer from.
"""

from __future__ import annotations

from ..yamltext import (
    DATE_FIELDS,
    ENTITY_KEYS,
    PLAIN_TEXT,
    QUOTABLE,
    RELATION_KEYS,
    SOURCE_KEYS,
    date_text,
    flow,
    scalar,
    source_entry,
    text_scalar,
    value_text,
)

__all__ = [
    "DATE_FIELDS",
    "date_text",
    "ENTITY_KEYS",
    "PLAIN_TEXT",
    "QUOTABLE",
    "RELATION_KEYS",
    "SOURCE_KEYS",
    "flow",
    "flow_record",
    "record",
    "scalar",
    "source_entry",
    "text_scalar",
    "value_text",
]


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

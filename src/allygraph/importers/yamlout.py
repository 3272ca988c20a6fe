"""Imported records as YAML text, in the layout of the generated part of a data file: one record
per block, keys in contract order, short lists in flow style, attributes one per line.

The key orders and the scalar writer are ``allygraph.yamltext``'s (shared with ``edit``)."""

from __future__ import annotations

from ..yamltext import ENTITY_KEYS, RELATION_KEYS, scalar

__all__ = ["ENTITY_KEYS", "RELATION_KEYS", "record"]


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

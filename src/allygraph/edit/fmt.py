"""``fmt``: one canonical layout for both data files, the only change that rewrites layout.

Canonical: top-level sections in the order written, one blank line between them; list records
(entities, relations, tiers) as ``- id: ...`` blocks separated by one blank line; mapping
entries (sources, ladders, declared types) with no blank line between them; fields in contract
order (others after, sorted); two-space indentation;
dates quoted; lists and mappings in flow style on one line (as the bundled data writes
``aliases``, ``sources`` and ``attributes``), except a list holding mappings (a ladder's rungs),
written one item a line. Comments are kept: whole-line comments before a section, record or field stay
before it, and a comment at the end of a field's line stays there. Values never change
(``fmt`` is checked by loading before and after); running it twice gives what once gives.
"""

from __future__ import annotations

import os
import re

from ..errors import UsageError
from ..yamlsrc import _Builder
from .doc import Doc, last_end
from .emit import DATE_FIELDS, ENTITY_KEYS, SOURCE_KEYS, flow, scalar, value_text

RELATION_ORDER = ("id", "from", "to", "type", "tier", "designations", "status", "since", "until", "via",
                  "attributes", "sources", "contradicted_by", "note")  # fmt: skip
ORDERS = {"entities": ENTITY_KEYS, "relations": RELATION_ORDER, "sources": SOURCE_KEYS, "tiers": ("id", "name"),
          "ladders": ("rungs", "sources", "note"), "relation_types": ("symmetric", "description", "polarity", "layer", "tie", "strength"),
          "entity_types": ("description",)}  # fmt: skip
_COMMENT = re.compile(r"\s*(?:-[ \t]+)?#")  # a comment line, or a record's dash alone with a comment


def format_text(doc: Doc) -> str:
    """The canonical text of one parsed file (line endings as the file's own)."""
    if doc.root is None:
        return doc.text
    build = _Builder(doc.name, []).build
    out: list[str] = []
    at = 0
    for i, (key, value) in enumerate(doc.root.value):
        comments = _comments(doc, at, doc.line_start(key.start_mark.index), 0)
        if i and out:
            out.append("")
        out += comments
        order = ORDERS.get(key.value, ())
        if value.id == "sequence" and value.value and not value.flow_style:
            out.append(f"{scalar(key.value)}:")
            prev = doc.line_end(key.end_mark.index)
            for j, item in enumerate(value.value):
                lead = _comments(doc, prev, doc.line_start(item.start_mark.index), 2)
                if j:
                    out.append("")
                out += lead
                out += _record(doc, item, order, 2, build, dash=True)
                prev = doc.record_end(item)
            at = prev
        elif value.id == "mapping" and value.value and not value.flow_style:
            out.append(f"{scalar(key.value)}:")
            prev = doc.line_end(key.end_mark.index)
            for k, v in value.value:
                out += _comments(doc, prev, doc.line_start(k.start_mark.index), 2)
                if v.id == "mapping" and v.value and not v.flow_style:
                    out.append(f"  {scalar(k.value)}:" + _tail(doc, k.end_mark.index, inline_only=True))
                    out += _record(doc, v, order, 4, build, dash=False)
                else:
                    out.append(f"  {scalar(k.value)}: {_value(k.value, build(v), 2)[0]}")
                prev = doc.record_end(v)
            at = prev
        else:
            out.append(f"{scalar(key.value)}: {flow(build(value)) if value.value not in ('', None) else '[]'}")
            at = doc.record_end(value)
    out += _comments(doc, at, len(doc.text), 0)
    return doc.nl.join(out) + doc.nl


def _comments(doc: Doc, start: int, end: int, indent: int) -> list[str]:
    """The whole-line comments between two offsets, re-indented."""
    lines = doc.text[start:end].split("\n")
    return [" " * indent + line[line.index("#") :].strip() for line in lines if _COMMENT.match(line)]


def _tail(doc: Doc, offset: int, inline_only: bool = False) -> str:
    """A comment at the end of the line holding ``offset`` (after the value), as ``  # ...``."""
    rest = doc.text[offset : doc.line_end(offset)].rstrip("\r\n")
    m = re.match(r"\s*:?\s*(#.*)$", rest) if inline_only else re.match(r"\s*(#.*)$", rest)
    return f"  {m.group(1).rstrip()}" if m else ""


def _record(doc: Doc, node, order: tuple, indent: int, build, dash: bool) -> list[str]:
    fields = list(node.value)
    rank = {k: i for i, k in enumerate(order)}
    fields.sort(key=lambda kv: (rank.get(kv[0].value, len(order)), kv[0].value if kv[0].value not in rank else ""))
    lines: list[str] = []
    prev = None
    for k, v in fields:
        if prev is not None:
            lines += _comments(doc, doc.record_end(prev), doc.line_start(k.start_mark.index), indent + 2)
        body = _value(k.value, build(v), indent + 2 if dash else indent)
        body[0] = f"{scalar(k.value)}: {body[0]}".rstrip() + _tail(doc, last_end(v))
        lines += body
        prev = v
    pad = " " * (indent + 2 if dash else indent)
    first = (" " * indent + "- ") if dash else pad
    return [first + lines[0].lstrip()] + [line if line.startswith(" ") else pad + line for line in lines[1:]]


def _value(key: str, value: object, indent: int) -> list[str]:
    """A field's value: one line (``[0]``, to follow ``key: ``) and any block lines below it."""
    if isinstance(value, (list, dict)):
        one = flow(value)
        nested = isinstance(value, list) and any(isinstance(v, dict) for v in value)
        if not nested:
            return [one]
        pad = " " * (indent + 2)
        if isinstance(value, list):
            return ["", *(f"{pad}- {flow(v)}" for v in value)]
        return ["", *(f"{pad}{scalar(k)}: {flow(v)}" for k, v in value.items())]
    if key in DATE_FIELDS:
        return [value_text(key, value)]
    return [scalar(value)]


def fmt(data: str | os.PathLike | None = None, *, dry_run: bool = False, check: bool = False) -> dict:
    """Rewrite both data files in the canonical layout (see the module docstring);
    ``{"changed": [{"file", "id": null, "action": "formatted"}]}``. ``check``: write nothing,
    only report which files are not canonical (like ``dry_run``)."""
    from . import core

    def fn(ctx: core.Context) -> None:
        for name, doc in ctx.docs.items():
            new = format_text(doc)
            if new != doc.text:
                doc.splice(0, len(doc.text), new)
                ctx.note(name, None, "formatted")

    def same_values(ctx: core.Context, after) -> None:
        before = ctx.dataset
        for key in ("entities", "relations", "sources", "tiers", "relation_types", "entity_types", "ladders"):
            if getattr(before, key) != getattr(after, key):
                raise UsageError(f"fmt would change a value in {key}; nothing was written (please report this file)")

    return core.change(data, fn, dry_run or check, verify=same_values)

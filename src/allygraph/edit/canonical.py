"""The canonical layout that ``fmt`` (``ops.fmt``, the only change that rewrites layout) gives
both data files, written for a parsed file (``format_text``) or, on a large directory, for a
list's records in bulk (``canonical_records``).

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

import operator
import re

from ..yamlsrc import _Builder
from .doc import Doc, last_end
from .emit import (
    DATE_FIELDS,
    ENTITY_KEYS,
    PLAIN_TEXT,
    QUOTABLE,
    SOURCE_KEYS,
    date_text,
    flow,
    scalar,
    text_scalar,
    value_text,  # fmt: skip
)

RELATION_ORDER = ("id", "from", "to", "type", "tier", "designations", "status", "since", "until", "via",
                  "attributes", "sources", "contradicted_by", "note")  # fmt: skip
ORDERS = {"entities": ENTITY_KEYS, "relations": RELATION_ORDER, "sources": SOURCE_KEYS, "tiers": ("id", "name"),
          "ladders": ("rungs", "sources", "note"), "relation_types": ("symmetric", "description", "polarity", "layer", "tie", "strength"),
          "entity_types": ("description",)}  # fmt: skip
_COMMENT = re.compile(r"\s*(?:-[ \t]+)?#")  # a comment line, or a record's dash alone with a comment
_PLAIN_TEXT = PLAIN_TEXT.fullmatch  # what text_scalar writes as it is
_QUOTABLE = QUOTABLE.fullmatch  # what json.dumps only puts in quotes


def _plain_key(key: object) -> bool:
    """A mapping's key that ``flow`` writes as it is."""
    return type(key) is str and _PLAIN_TEXT(key) is not None


_QUOTED_ONLY = f"(?!(?:{PLAIN_TEXT.pattern})(?:\x00|\\Z)){QUOTABLE.pattern}"  # quotable, and not plain


def format_text(doc: Doc, records: dict[str, str] | None = None) -> str:
    """The canonical text of one parsed file (line endings as the file's own). ``records`` gives,
    for a list section, the canonical text of all its records (``canonical_records``), written in
    place of the records composed in ``doc`` (the large path: the section's first record alone is
    in ``doc``, for the comments before it and the sections around it)."""
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
            given = (records or {}).get(key.value)
            if given is not None:
                out += _comments(doc, prev, doc.line_start(value.value[0].start_mark.index), 2)
                out.append(given)
                at = doc.record_end(value.value[-1])
                continue
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


class Records:
    """The canonical text of list records given as plain values: what ``_record`` writes for a
    record without comments (``dash``, at indent 2), the lines joined by ``nl``; quicker for a
    million records because each set of keys is put in order once, into a template and a getter
    of its values in that order."""

    def __init__(self, order: tuple, nl: str = "\n") -> None:
        self.order, self.nl = order, nl
        self.rank = {k: i for i, k in enumerate(order)}
        self.shapes: dict[frozenset, list | None] = {}
        self.last: tuple = (None, None)  # the last record's keys, and their shape

    def _shape(self, keys) -> list | None:
        """A set of keys' [getter of the values in canonical order, (the keys in that order,
        whether each is a date field), the record's template, its quick way (``_quick``) once
        known]; None when a key is not text (the caller then formats the file the general way)."""
        if not all(type(k) is str for k in keys):
            return None
        rank, n = self.rank, len(self.order)
        ordered = sorted(keys, key=lambda k: (rank.get(k, n), k if k not in rank else ""))
        template = "  - " + (self.nl + "    ").join(
            scalar(k).replace("{", "{{").replace("}", "}}") + ": {}" for k in ordered
        )
        getter = operator.itemgetter(*ordered) if len(ordered) > 1 else lambda rec, k=ordered[0]: (rec[k],)
        return [getter, (ordered, [k in DATE_FIELDS for k in ordered]), template.format, None]

    def __call__(self, rec: dict) -> str | None:
        """One record's text, from its ``- `` to its last character (no line break after it);
        None when a key is not text (the caller then formats the file the general way)."""
        keys = tuple(rec)
        last, shape = self.last
        if keys != last:  # the keys of a parsed file are the same objects record after record
            found = frozenset(keys)
            shape = self.shapes[found] if found in self.shapes else self.shapes.setdefault(found, self._shape(keys))
            self.last = keys, shape
        if shape is None:
            return None
        getter, fields, template, quick = shape
        values = getter(rec)
        if quick:
            text = _quickly(quick, values)
            if text is not None:
                return text
        elif quick is None:  # the first record of these keys: how its values are written, for the next
            shape[3] = _quick(fields, values, self.nl)
        texts: list[str] = []
        put = texts.append
        plain = _PLAIN_TEXT
        for v, date in zip(values, fields[1], strict=True):
            if type(v) is str:
                if date:
                    put(date_text(v))
                else:
                    put(v if plain(v) else text_scalar(v))
            elif type(v) is list and len(v) == 1 and type(w := v[0]) is str:
                put(f"[{w}]" if plain(w) else f"[{text_scalar(w)}]")
            else:
                body = _value(fields[0][len(texts)], v, 4)
                if len(body) > 1:
                    return self._block(rec, fields[0])
                put(body[0])
        return template(*texts)

    def _block(self, rec: dict, keys: list[str]) -> str:
        """A record with a field written over several lines (a list of mappings), as ``_record``."""
        lines: list[str] = []
        for k in keys:
            body = _value(k, rec[k], 4)
            lines.append(f"{scalar(k)}: {body[0]}".rstrip())
            lines += body[1:]
        return self.nl.join(["  - " + lines[0], *(x if x.startswith(" ") else "    " + x for x in lines[1:])])


def _quick(fields: tuple, values: tuple, nl: str) -> tuple | bool:
    """How a record's values are written when they are like ``values`` (the first record with
    these keys): (the one-text lists' places, the other values' places and keys, one pattern
    for all the texts joined by NULs, the template with the quotes and brackets), for
    ``_quickly``; False when no value is a text (nothing to gain)."""
    keys, dates = fields
    lists, others, parts, slots = [], [], [], []
    for i, (k, date, v) in enumerate(zip(keys, dates, values, strict=True)):
        listed = type(v) is list and len(v) == 1 and type(v[0]) is str
        if listed:
            lists.append(i)
            v = v[0]
        if type(v) is str and not date and _PLAIN_TEXT(v):  # written as it is
            parts.append(PLAIN_TEXT.pattern)
            slots.append("[{}]" if listed else "{}")
        elif type(v) is str and _QUOTABLE(v):  # only quoted (a text that is not plain, or a date)
            parts.append(QUOTABLE.pattern if date else _QUOTED_ONLY)
            slots.append('["{}"]' if listed else '"{}"')
        elif listed:
            return False  # a text to escape: each record the general way
        else:
            others.append((i, k))
            parts.append("[^\\x00]*")
            slots.append("{}")
    if len(others) == len(keys):
        return False
    escaped = (scalar(k).replace("{", "{{").replace("}", "}}") for k in keys)
    template = "  - " + (nl + "    ").join(f"{k}: {slot}" for k, slot in zip(escaped, slots, strict=True))
    return lists, others, re.compile("\x00".join(f"(?:{p})" for p in parts)).fullmatch, template.format


def _quickly(quick: tuple, values: tuple) -> str | None:
    """A record's text by ``_quick``'s way, in a few C calls: the values, the one-text lists'
    texts taken out, joined by NULs and matched once (each plain, each date one JSON only
    quotes); None when they are not all so (the caller writes them one by one)."""
    lists, others, pattern, template = quick
    flat = list(values)
    for i in lists:
        v = flat[i]
        if type(v) is not list or len(v) != 1:
            return None
        flat[i] = v[0]
    for i, k in others:
        v = flat[i]
        if type(v) is dict and all(map(_plain_key, v)):  # attributes: flow's text, its plain keys as they are
            flat[i] = (
                "{" + ", ".join([f"{a}: {b}" if type(b) is int else f"{a}: {flow(b)}" for a, b in v.items()]) + "}"
            )
            continue
        body = _value(k, v, 4)
        if len(body) > 1:
            return None
        flat[i] = body[0]
    try:
        joined = "\x00".join(flat)
    except TypeError:  # a value that is not text where the first record had one
        return None
    return template(*flat) if pattern(joined) else None


# --- a large file: its records read and written in bulk -----------------------------------------


SMALL_PIECE = 1 << 16  # records are read and written this much text at a time: what yaml-rs
# made is written while it is still in the processor's cache (a tenth faster than whole halves), and
# a million records are never all in memory at once


def canonical_records(raw: bytes, item: bytes, section: str, nl: str) -> bytes | None:
    """The canonical text (UTF-8) of the records of the block list ``section`` written as ``raw``
    (whole lines, from the first record's dash, without comments; ``item`` starts a record after a
    line break): each as ``Records`` writes it, a blank line between them, none after the last; None
    when they cannot be read exactly as the loader reads them (``yamlsrc.list_items``) or a record
    is not a mapping of text keys (the caller then formats the file the general way)."""
    from ..validate import paused_gc
    from ..yamlsrc import list_items

    write = Records(ORDERS[section], nl)
    out: list[str] = []
    at = 0
    with paused_gc():
        while at < len(raw):
            cut = raw.find(item, at + SMALL_PIECE)
            end = len(raw) if cut < 0 else cut + 1
            items = list_items(raw[at:end].decode("utf-8"), section)
            if items is None or len(items) != raw.count(item, at, end) + 1:
                return None  # refused, or a record cut where a line inside it looks like a record's start
            if not all(type(x) is dict for x in items):
                return None
            texts = list(map(write, items))
            if None in texts:
                return None
            out.append((nl * 2).join(texts))  # type: ignore[arg-type]
            at = end
    return (nl * 2).join(out).encode("utf-8")


def canonical_pieces(jobs: list[tuple[bytes, bytes, int, int, str, str]]) -> list[bytes | None]:
    """``canonical_records`` of each job ``(raw, item, start, end, section, nl)`` (the records of
    ``raw[start:end]``), the last job in a forked process on Linux (the two cores each write
    about half: the caller cuts the jobs so), elsewhere one after the other."""

    def one(raw: bytes, item: bytes, a: int, b: int, section: str, nl: str) -> bytes | None:
        return canonical_records(raw[a:b], item, section, nl)

    if len(jobs) < 2 or not _can_fork():
        return [one(*job) for job in jobs]
    import multiprocessing

    fork = multiprocessing.get_context("fork")
    reader, writer = fork.Pipe(duplex=False)
    child = fork.Process(target=_piece_to, args=(writer, one, jobs[-1]), daemon=True)
    child.start()
    writer.close()
    try:
        mine = [one(*job) for job in jobs[:-1]]
        try:
            got = reader.recv_bytes()
            theirs = None if got == b"\0" else got
        except (EOFError, OSError):
            theirs = one(*jobs[-1])  # the child ended without an answer: write its piece here
    finally:
        reader.close()
        child.join()
    return [*mine, theirs]


def _piece_to(conn, one, job: tuple) -> None:
    """In the forked process: send the job's canonical text (``\\0`` for None)."""
    text = one(*job)
    conn.send_bytes(b"\0" if text is None else text)
    conn.close()


def _can_fork() -> bool:
    """Whether a piece may go to a forked process: on Linux, with no other thread running."""
    import sys
    import threading

    return sys.platform.startswith("linux") and threading.active_count() == 1

"""``link`` on a large directory: checked against the compiled cache instead of a full validation.

The SQLite cache was compiled from a valid directory, and its stamp (checked under the lock)
proves the files are unchanged since: so the directory plus one new relation is valid exactly
when that relation is (its shape, its entities, tier, sources and dates, an unused id). The
record is appended as text (nothing else in the file is touched), both files are committed as
usual, and the new row goes into the cache, which is re-stamped (``cache.add_relation``), so the
next query opens it at once instead of rebuilding it. When the cache is absent or stale, the
caller validates the whole directory as for any change.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InvalidChange, Problem
from ..inputs import read_input
from ..store import SQLiteStore

RELATIONS = "relations.yaml"
_TOP = re.compile(rb"\n(?=[^\s#-])")


class _Ids:
    """The store's entity ids as a container (``in`` asks SQLite; listing them only for a hint)."""

    def __init__(self, store):
        self.store = store

    def __contains__(self, eid: object) -> bool:
        return isinstance(eid, str) and self.store.has_entity(eid)

    def __iter__(self):
        return (eid for (eid,) in self.store.db.execute("SELECT id FROM entities"))


class _At:
    """Positions for check's messages: every field of the new record is reported on its line."""

    def __init__(self, line: int, lines: dict[str, int]):
        self.line, self.lines = line, lines

    def value(self, path: tuple):
        return (self.lines.get(path[2], self.line) if len(path) > 2 else self.line), 5

    key = value


def problems_for(store: SQLiteStore, rec: dict, file: str, line: int, text: str) -> list[Problem]:
    """What ``check`` would report about ``rec`` added to the valid directory behind ``store``."""
    from ..validate.relations import Known, check_relation_refs, relation_label
    from ..validate.report import File, check_records, date_field

    plain = {k: v for k, v in rec.items() if v is not None}
    lines = {m.group(1): line + i for i, m in enumerate(re.finditer(r"(?m)^\s*-?\s*([a-z_]+):", text))}
    f = File(file, _At(line, lines), [])
    path = ("relations", 0)
    declared = tuple(store.registry.declared_relation_types)
    check_records(f, "relations", "relation", [plain], declared=declared)
    if f.problems:
        return f.problems
    label = relation_label(plain, 0)
    known = Known(_Ids(store), list(store.registry.tier_names), {}, {})  # type: ignore[arg-type]
    check_relation_refs(f, path, plain, label, known)
    since, ok1 = date_field(f, path, label, plain, "since")
    until, ok2 = date_field(f, path, label, plain, "until")
    if ok1 and ok2 and since and until:
        from ..dates import ordered

        if not ordered(since, until):
            f.add((*path, "until"), f"{label}: until {until!r} is before since {since!r}")
    for i, ref in enumerate(plain.get("sources", [])):
        if "://" not in ref and store.source(ref) is None:
            f.add((*path, "sources", i), f"{label}: unknown source {ref!r} (add it under 'sources:' in relations.yaml, or give a URL)")  # fmt: skip
    if store.db.execute("SELECT 1 FROM relations WHERE id = ?", (plain["id"],)).fetchone():
        f.add((*path, "id"), f"duplicate relation id {plain['id']!r}")
    return [p for p in f.problems if p.severity == "error"]


def insertion(raw: bytes) -> tuple[int, bytes, bool, int] | None:
    """Where a relation goes in a large ``relations.yaml``: (offset, line ending, blank line
    first?, the column of the records' dashes) at the end of the file when ``relations:`` is its
    last section and a block list; else None (the caller takes the general path)."""
    last = None
    for m in _TOP.finditer(raw):  # a top-level line starts after a line break with no indentation
        last = m
    head = raw[last.end() : raw.find(b"\n", last.end())] if last else (raw[: raw.find(b"\n")] if raw else b"")
    if not re.fullmatch(rb"relations:[ \t]*\r?", head):
        return None
    nl = b"\r\n" if head.endswith(b"\r") else b"\n"
    body = (last.end() if last else 0) + len(head) + 1
    first = re.compile(rb"[ \t]*(?:#[^\n]*)?\r?\n").match  # blank and comment lines before the first record
    while body < len(raw) and (m := first(raw, body)):
        body = m.end()
    dash = re.match(rb" *-(?=[ \t\r\n])", raw[body : body + 200])
    if dash is None:
        return None
    column = len(dash.group()) - 1
    last_item = raw.rfind(b"\n" + b" " * column + b"- ")
    blank = last_item > 0 and raw[:last_item].rstrip(b"\r").endswith(b"\n")
    return len(raw), nl, blank, column


def link_large(directory: Path, a: str, type: str, b: str, dry_run: bool = False, **fields) -> dict | None:
    """Add a relation to a large directory through its compiled cache; None when the cache is
    absent or stale or the file's layout needs the general path (the caller then takes it)."""
    from .. import cache
    from ..fsutil import commit_data, lock_data
    from .core import relation_record
    from .emit import RELATION_KEYS, record

    with lock_data(directory):
        store = cache.get_sqlite(directory)
        if store is None:
            return None
        try:
            raw = read_input(directory / RELATIONS)
            where = insertion(raw)
            if where is None:
                return None
            at, nl, blank, column = where
            f = fields
            rec = relation_record(store.resolve, a, type, b, f["sources"], f["tier"], f["status"], f["since"],
                                  f["until"], f["via"], f["attributes"], f["note"], f["rid"])  # fmt: skip
            text = record(rec, RELATION_KEYS, column, nl.decode())
            lead = (b"" if raw.endswith(b"\n") or not raw else nl) + (nl if blank else b"")
            line = raw.count(b"\n") + 1 + lead.count(b"\n")
            errors = problems_for(store, rec, str(directory / RELATIONS), line, text)
            if errors:  # no line: the record is in no file yet
                from .core import NEW_RECORD

                raise InvalidChange([e._replace(line=0, column=0, message=e.message + NEW_RECORD) for e in errors], directory)  # fmt: skip
            result = {"changed": [{"file": str(directory / RELATIONS), "id": rec["id"], "action": "added"}]}
            if dry_run:
                new_lines = (lead + text.encode("utf-8")).decode("utf-8").splitlines()
                name = str(directory / RELATIONS)
                first = line - lead.count(b"\n")  # the new text's first line
                hunk = f"@@ -{first - 1},0 +{first},{len(new_lines)} @@"
                return {**result, "dry_run": True, "patch": "\n".join([f"--- {name}", f"+++ {name}", hunk, *("+" + x for x in new_lines)]) + "\n"}  # fmt: skip
            saved = store.stamp()
            store.close()
            store = None
            commit_data(directory, {RELATIONS: raw[:at] + lead + text.encode("utf-8")})
            rel = _loaded(rec)
            cache.add_relation(directory, rel, saved)  # the next query re-stamps it (cache._settle)
        finally:
            if store is not None:
                store.close()
    return result


def _loaded(rec: dict) -> dict:
    """The relation as the loader would hold it (status defaulted, no empty fields)."""
    from ..vocab import DEFAULT_STATUS

    rel = {k: v for k, v in rec.items() if v is not None}
    rel["status"] = rel.get("status") or DEFAULT_STATUS
    order = ("id", "from", "to", "type", "tier", "status", "since", "until", "via", "attributes", "sources", "note")
    return {k: rel[k] for k in order if k in rel}

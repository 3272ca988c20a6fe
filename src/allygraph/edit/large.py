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

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InvalidChange, Problem
from ..inputs import read_input
from ..store import SQLiteStore
from ..store.sqlite import RENAME_ENTITY, UPDATE_RELATION
from .doc import Doc, compose

RELATIONS = "relations.yaml"


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


def problems_for(
    store: SQLiteStore, rec: dict, file: str, line: int, text: str, own: int | None = None
) -> list[Problem]:
    """What ``check`` would report about ``rec`` added to the valid directory behind ``store``."""
    from ..validate.relations import Known, check_relation_refs, relation_label
    from ..validate.report import File, check_records, date_field

    plain = {k: v for k, v in rec.items() if v is not None}
    lines = {m.group(1): line + i for i, m in enumerate(re.finditer(r"(?m)^\s*-?\s*([a-z_]+):", text))}
    f = File(file, _At(line, lines), [])  # positions by field, as File reads them (the Positions protocol)
    path = ("relations", 0)
    declared = tuple(store.registry.declared_relation_types)
    check_records(f, "relations", "relation", [plain], declared=declared)
    if f.problems:
        return f.problems
    label = relation_label(plain, 0)
    known = Known(_Ids(store), list(store.registry.tier_names), {}, {})  # type: ignore[arg-type]  # _Ids answers `in` as the id set Known holds
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
    rid = plain.get("id")
    if rid is not None and store.db.execute("SELECT 1 FROM relations WHERE id = ? AND rowid IS NOT ?", (rid, own)).fetchone():  # fmt: skip
        f.add((*path, "id"), f"duplicate relation id {rid!r}")
    return [p for p in f.problems if p.severity == "error"]


def insertion(raw: bytes) -> tuple[int, bytes, bool, int] | None:
    """Where a relation goes in a large ``relations.yaml``: (offset, line ending, blank line
    first?, the column of the records' dashes) at the end of the file when ``relations:`` is its
    last section and a block list; else None (the caller takes the general path). Found by
    ``scan`` (a few searches at C speed, not a regex over every line of the file)."""
    try:
        first, end, column = scan(raw, "relations")
    except Fallback:
        return None
    if end != len(raw):
        return None  # another section follows
    header = raw.rfind(b"\n", 0, raw.rfind(b"relations:", 0, first) + 1)
    head = raw[header + 1 : raw.find(b"\n", header + 1)]
    if not re.fullmatch(rb"relations:[ \t]*\r?", head):
        return None
    nl = b"\r\n" if head.endswith(b"\r") else b"\n"
    last_item = raw.rfind(b"\n" + b" " * column + b"- ")
    before = last_item
    while before > 0 and raw[before - 1] == 13:  # \r
        before -= 1
    blank = last_item > 0 and before > 0 and raw[before - 1] == 10  # the line before it is empty
    return len(raw), nl, blank, column


def link_large(directory: Path, a: str, type: str, b: str, dry_run: bool = False, **fields) -> dict | None:
    """Add a relation to a large directory through its compiled cache; None when the cache is
    absent or stale or the file's layout needs the general path (the caller then takes it)."""
    from .. import cache
    from ..fsutil import commit_data, lock_data
    from ..vocab import TIER_TYPES
    from .core import relation_record
    from .emit import RELATION_KEYS, record

    if type in TIER_TYPES:
        return None  # a new tier may end older ones of the same pair (``_warn_superseded``): not local
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
            saved = store.stamp() or ""
            rel = _loaded(rec)
            codes = store.codes_of((rel["from"], rel["to"]))
            store.close()
            store = None
            commit_data(directory, {RELATIONS: raw[:at] + lead + text.encode("utf-8")})
            cache.add_relation(directory, rel, saved, codes)  # the next query re-stamps it (cache._settle)
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


# --- edit, rm and rename on a large directory: records located by a line scan (issue 20) -------
#
# A large file is never composed whole. Its list section (``relations:``, ``entities:``) is cut
# into records by a scan for the lines that start an item at the section's dash column; the
# count must equal the cache's, and the record a change touches (with its neighbours, so that
# blank lines and the last item are seen as in the whole file) is composed alone, its value
# checked against the cache's row before anything is spliced. The change is spliced by the same
# functions as the general path, checked against the cache, committed, and the cache's rows are
# updated in place (``cache.update_rows``). Anything this path does not know to be local (a
# tier, which later tiers supersede; ``contradicted_by``; a reference outside the list sections;
# an entity's fields) goes to the general path, which validates the whole directory.

ENTITIES = "entities.yaml"
_LEAD = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*")  # blank and comment lines
_DASH = re.compile(rb" *-(?=[ \t\r\n])")
_TOP_LINE = re.compile(rb"\n[^\s#-]")  # a line that starts a top-level key
_ID_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
CHUNK = 1 << 22  # the scan counts records per chunk of about this many bytes


class Fallback(Exception):
    """The large path cannot take this change: the caller takes the general path."""


class LargeFile:
    """One data file as bytes with the records of one list section located: the section is cut
    at the lines that start an item at its dash column, counted per chunk at C speed (a million
    records are never a million Python objects); ``start(k)`` finds record ``k``'s first line
    by scanning one chunk, ``index_of`` the record holding an offset."""

    def __init__(self, directory: Path, name: str, section: str):
        self.path = directory / name
        self.name, self.section = name, section
        try:
            self.raw = read_input(self.path)
        except OSError:
            raise Fallback from None
        self.nl = (
            "\r\n" if b"\r" in self.raw and b"\r\n" in self.raw else "\n"
        )  # a one-byte search first: ten times quicker
        self.first, self.end, column = scan(self.raw, section)
        self.item = b"\n" + b" " * column + b"-"  # what starts a record (a line like ``  -x`` too,
        # which no record of a valid file has: then the count is not the cache's, and this path falls back)
        self.replaced: dict[int, tuple[int, str | bytes]] = {}  # window start -> (its end, its new text)
        self._mentions: dict[bytes, bool] = {}

    @functools.cached_property
    def _chunked(self) -> tuple[list[int], list[int], int]:
        chunks: list[int] = []  # chunk start offsets (each at a line break, or the first record)
        counts: list[int] = []  # records starting after each chunk's start, up to the next
        at = self.first
        while at < self.end:
            nxt = self.raw.find(b"\n", min(at + CHUNK, self.end))
            nxt = self.end if nxt < 0 or nxt >= self.end else nxt
            chunks.append(at)
            counts.append(self._count(at, nxt))
            at = nxt
        return chunks, counts, 1 + sum(counts) if chunks else 0

    @property
    def chunks(self) -> list[int]:
        """Chunk start offsets (each at a line break, or the first record), counted when first asked."""
        return self._chunked[0]

    @property
    def counts(self) -> list[int]:
        """How many records start after each chunk's start, up to the next."""
        return self._chunked[1]

    @property
    def total(self) -> int:
        """How many records the section holds."""
        return self._chunked[2]

    def _count(self, a: int, b: int) -> int:
        """How many records start after a line break in ``[a, b)``."""
        return self.raw.count(self.item, a, b + len(self.item) - 1)

    def start(self, k: int) -> int:
        """The offset of record ``k``'s first line (``end`` for ``k == total``)."""
        if k == 0:
            return self.first
        if k >= self.total:
            return self.end
        seen = 0
        for at, n in zip(self.chunks, self.counts, strict=True):
            if seen + n >= k:
                for m in re.compile(re.escape(self.item)).finditer(self.raw, at, self.end):
                    seen += 1
                    if seen == k:
                        return m.start() + 1
            seen += n
        raise Fallback

    def window(self, lo: int, hi: int) -> tuple[Doc, int, int]:
        """Records ``lo`` to ``hi - 1`` composed alone: (their Doc, its offset in the file, its end)."""
        from ..errors import UsageError

        a, b = self.start(lo), self.start(hi)
        try:
            doc = Doc(str(self.path), self.raw[a:b].decode("utf-8"), "", self.nl)
            doc.root = compose(doc.text, doc.name)
        except (UsageError, UnicodeDecodeError):
            raise Fallback from None
        if doc.root is None or doc.root.id != "sequence" or len(doc.root.value) != hi - lo:
            raise Fallback
        return doc, a, b

    def index_of(self, offset: int) -> int:
        """The record holding ``offset`` (Fallback when it is outside the section's records)."""
        import bisect

        if not self.chunks or offset < self.first or offset >= self.end:
            raise Fallback
        i = bisect.bisect_right(self.chunks, offset) - 1
        return sum(self.counts[:i]) + self._count(self.chunks[i], offset)

    def line_of(self, offset: int) -> int:
        """The line number (from 1) of ``offset``."""
        return self.raw.count(b"\n", 0, offset) + 1

    def replace(self, start: int, end: int, new: str | bytes) -> None:
        """Replace ``raw[start:end]`` (a window) with ``new`` (text, or UTF-8) when the file is written."""
        self.replaced[start] = (end, new)

    def data(self) -> bytes:
        """The file's bytes with the windows replaced."""
        out, at = [], 0
        for start in sorted(self.replaced):
            end, new = self.replaced[start]
            out += [self.raw[at:start], new if isinstance(new, bytes) else new.encode("utf-8")]
            at = end
        out.append(self.raw[at:])
        return b"".join(out)

    def patch(self) -> str:
        """The change as ``--dry-run`` shows it: the hunks a unified diff of the whole file gives
        (each window with four lines around it, so that hunks group as they would)."""
        import difflib

        raw = self.raw
        regions: list[list[int]] = []
        for start in sorted(self.replaced):
            a, b = start, self.replaced[start][0]
            for _ in range(4):
                a = raw.rfind(b"\n", 0, max(a - 1, 0)) + 1 if a > 0 else 0
                nxt = raw.find(b"\n", b)
                b = len(raw) if nxt < 0 else nxt + 1
            if regions and a <= regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], b)
            else:
                regions.append([a, b])
        out: list[str] = []
        line, counted = 0, 0
        path = str(self.path)
        for a, b in regions:
            line += raw.count(b"\n", counted, a)
            counted = a
            new, at = [], a
            for start in sorted(s for s in self.replaced if a <= s < b):
                end, text = self.replaced[start]
                new += [raw[at:start].decode("utf-8"), text if isinstance(text, str) else text.decode("utf-8")]
                at = end
            new.append(raw[at:b].decode("utf-8"))
            old = raw[a:b].decode("utf-8")
            hunks = list(difflib.unified_diff(old.splitlines(True), "".join(new).splitlines(True), path, path))
            for h in hunks[2:] if out else hunks:
                m = re.match(r"@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", h)
                if m:
                    h = f"@@ -{int(m[1]) + line}{m[2] or ''} +{int(m[3]) + line}{m[4] or ''} @@\n"
                out.append(h)
        return "".join(x if x.endswith("\n") else x + "\n" for x in out)

    def hits(self, token: str) -> list[int]:
        """Offsets where ``token`` is written as a whole id (not inside a longer one)."""
        raw, ids = self.raw, _ID_CHARS
        pattern = re.compile(re.escape(token.encode("utf-8")) + rb"(?![A-Za-z0-9_.-])")
        return [m.start() for m in pattern.finditer(raw) if m.start() == 0 or raw[m.start() - 1] not in ids]

    def mentions(self, word: bytes) -> bool:
        """Whether ``word`` is written anywhere in the file (each word looked for once)."""
        if word not in self._mentions:
            self._mentions[word] = word in self.raw
        return self._mentions[word]


def scan(raw: bytes, section: str) -> tuple[int, int, int]:
    """(the offset of the first record, the end of the last, the dash column) of a block list
    section written at the top level of ``raw``; Fallback for any other layout (a BOM too)."""
    head = section.encode() + b":"
    at = 0 if raw.startswith(head) else raw.find(b"\n" + head) + 1
    if at == 0 and not raw.startswith(head):
        raise Fallback
    if raw.find(b"\n" + head, at) >= 0:
        raise Fallback  # written twice (the cache says it is not; this path does not guess)
    eol = raw.find(b"\n", at)
    eol = len(raw) if eol < 0 else eol
    rest = raw[at + len(head) : eol].strip()
    if rest and not rest.startswith(b"#"):
        raise Fallback  # a flow list (or a scalar) on the key's line
    body = min(eol + 1, len(raw))
    first = _LEAD.match(raw, body).end()  # type: ignore[union-attr]
    dash = _DASH.match(raw, first)
    if dash is None:
        raise Fallback
    top = _TOP_LINE.search(raw, body - 1)
    end = top.start() + 1 if top else len(raw)
    return first, end, len(dash.group()) - 1


def plain(node: object, name: str) -> dict:
    """A record node's value as the loader reads it (plain dicts and lists)."""
    from ..yamlsrc import _Builder

    problems: list = []
    value = _Builder(name, problems).build(node)
    if problems or not isinstance(value, dict):
        raise Fallback
    return _unwrap(value)


def _unwrap(value: object) -> Any:
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def stored_relation(rec: dict, status: str | None = None) -> dict:
    """A relation record as the loader stores it (dates checked, status defaulted, the id
    derived when none is written); ``status``: the stored status of a tier, which the loader
    may have set from later tiers (``_warn_superseded``)."""
    from ..dates import parse_checked
    from ..validate.relations import _stored, derive_relation_id
    from ..validate.report import names_of

    try:
        since = parse_checked(rec["since"]) if rec.get("since") is not None else None
        until = parse_checked(rec["until"]) if rec.get("until") is not None else None
    except (ValueError, TypeError):
        raise Fallback from None
    refs = rec.get("sources")
    refs = [] if refs is None else refs if type(refs) is list else names_of(refs)
    rel = _stored(rec, since, until, refs)
    rel["id"] = rec["id"] if rec.get("id") is not None else derive_relation_id(rel)
    if status is not None:
        rel["status"] = status
    return rel


def compile_cache(directory: Path) -> bool:
    """Compile ``directory``'s SQLite cache when it has none that is current (a first load, which
    validates it), so that a change can take the large path: True when it did. False when the cache
    was current already, or cannot be had (invalid data, which the general path then reports with
    its places; no trusted cache folder)."""
    from .. import cache
    from ..errors import DataError
    from ..load import open_store

    if cache.refusal(create=True) is not None:
        return False  # no trusted cache folder: a load would answer from memory and compile nothing
    store = cache.get_sqlite(directory)
    if store is not None:
        store.close()
        return False
    try:
        open_store(directory)  # compiles the cache; the store it gives is let go at once
    except DataError:
        return False
    compiled = cache.get_sqlite(directory)
    if compiled is None:
        return False  # no trusted cache folder: the store answered from memory
    compiled.close()
    return True


def _large(directory: Path, run: Callable[[SQLiteStore], dict]) -> dict | None:
    """``run(store)`` under the data lock with the directory's current SQLite cache; None when
    there is none or ``run`` falls back (the caller then takes the general path)."""
    from .. import cache
    from ..fsutil import lock_data

    with lock_data(directory):
        store = cache.get_sqlite(directory)
        if store is None:
            return None
        try:
            return run(store)
        except Fallback:
            return None
        finally:
            store.close()


def _relation_at(store: SQLiteStore, ident: str, directory: Path | None = None) -> tuple[int, dict, int, int]:
    """(rowid, stored record, place in the file, how many) of the relation ``ident``."""
    import marshal

    from ..vocab import TIER_TYPES

    parts = ident.rsplit(".", 3)  # a derived id starts with its ``from``: ask that index first
    row = None
    if len(parts) == 4:
        row = store.db.execute(
            "SELECT rowid, doc FROM relations WHERE src = ? AND id = ?", (parts[0], ident)
        ).fetchone()
    if row is None:
        row = store.db.execute("SELECT rowid, doc FROM relations WHERE id = ?", (ident,)).fetchone()
    if row is None and directory is not None and not store.has_entity(ident) and store.source(ident) is None:
        resolve(store, ident, directory)  # UnknownRecord, unless it names an entity
    if row is None or store.has_entity(ident) or store.source(ident) is not None:
        raise Fallback  # an entity or a source (the general path changes those), or both kinds
    rowid, old = row[0], marshal.loads(row[1])
    if old["type"] in TIER_TYPES or "contradicted_by" in old or "designations" in old:
        raise Fallback
    first, last, count = store.db.execute("SELECT min(rowid), max(rowid), count(*) FROM relations").fetchone()
    if last - first + 1 == count:
        rank = rowid - first
    else:
        rank = store.db.execute("SELECT count(*) FROM relations WHERE rowid < ?", (rowid,)).fetchone()[0]
    return rowid, old, rank, count


def _rowids_at(store: SQLiteStore, ranks: list[int], span: tuple[int, int, int]) -> dict[int, int]:
    """The rowids of the relations at places ``ranks`` (sorted; ``span``: min rowid, max rowid,
    count): computed when no row was ever removed, else read in one pass over the rowids."""
    first, last, count = span
    if last - first + 1 == count:
        return {k: first + k for k in ranks}
    out, wanted = {}, iter(ranks)
    k = next(wanted, None)
    for rank, (rowid,) in enumerate(store.db.execute("SELECT rowid FROM relations ORDER BY rowid")):
        if k is None:
            break
        if rank == k:
            out[k] = rowid
            k = next(wanted, None)
    if k is not None:
        raise Fallback
    return out


def _locate(store: SQLiteStore, f: LargeFile, ident: str, lo_pad: int = 1) -> tuple[int, dict, int, Doc, int, int]:
    """The relation ``ident`` in ``f``: (rowid, stored record, window's first record, window Doc,
    window start, window end); its record is ``doc.root.value[k - lo]``."""
    rowid, old, k, count = _relation_at(store, ident, f.path.parent)
    if f.total != count:
        raise Fallback  # the scan did not find the records the cache holds
    lo, hi = max(k - lo_pad, 0), min(k + 2, count)
    doc, a, b = f.window(lo, hi)
    if stored_relation(plain(doc.root.value[k - lo], doc.name)) != old:
        raise Fallback  # not the record the cache holds at that place
    return rowid, old, k - lo, doc, a, b


def _checked_relation(store: SQLiteStore, f: LargeFile, doc: Doc, a: int, i: int, rowid: int | None,
                      old_id: str | None) -> dict:  # fmt: skip
    """The changed relation record ``i`` of window ``doc`` (at offset ``a``) as stored, after
    checking it as ``check`` would against the cache (InvalidChange, nothing written)."""
    from ..errors import UsageError
    from ..vocab import TIER_TYPES
    from .core import NEW_RECORD

    new_text = doc.applied()
    try:
        root = compose(new_text, doc.name)
    except UsageError:
        raise Fallback from None
    if root is None or root.id != "sequence":
        raise Fallback
    node = root.value[i]
    new_doc = Doc(doc.name, new_text, "", doc.nl, root)
    rec = plain(node, doc.name)
    line = f.line_of(a) + new_text.count("\n", 0, node.start_mark.index)
    errors = problems_for(store, rec, str(f.path), line, new_text[node.start_mark.index : new_doc.value_end(node)], own=rowid)  # fmt: skip
    if errors:
        note = NEW_RECORD.replace("the new record", "the change")
        raise InvalidChange([e._replace(message=e.message + note) for e in errors], f.path.parent)
    if rec.get("type") in TIER_TYPES or rec.get("contradicted_by") or rec.get("designations"):
        raise Fallback
    rel = stored_relation(rec)
    if rel["id"] != old_id:
        if f.mentions(b"contradicted_by"):
            raise Fallback  # another record may name the old id
        if store.db.execute("SELECT 1 FROM relations WHERE id = ? AND rowid IS NOT ?", (rel["id"], rowid)).fetchone():
            raise Fallback  # it repeats another relation: the general path says where
    return rel


def _commit(directory: Path, store: SQLiteStore, files: list[LargeFile], statements: list[tuple[str, tuple]]) -> None:
    """Write the changed files together, then update the cache's rows in place."""
    from concurrent.futures import ThreadPoolExecutor

    from .. import cache
    from ..fsutil import commit_data

    saved = store.stamp() or ""
    store.close()
    data = {f.name: f.data() for f in files if f.replaced}
    # the new stamp's digests of the files written, computed on the other core while they are written
    with ThreadPoolExecutor(1) as pool:
        digests = pool.submit(lambda: {name: cache.digest_of(b) for name, b in data.items()})
        commit_data(directory, data)
        cache.update_rows(directory, saved, statements, digests.result())


def _result(changed: list[dict], files: list[LargeFile], dry_run: bool) -> dict:
    result: dict = {"changed": changed}
    if dry_run:
        result["dry_run"] = True
        result["patch"] = "".join(f.patch() for f in files if f.replaced)
    return result


def edit_large(directory: Path, ident: str, changes: list[tuple], apply_changes: Callable[..., None],
               dry_run: bool = False) -> dict | None:  # fmt: skip
    """``edit`` of one relation of a large directory (see above), its changes spliced by
    ``apply_changes`` (``ops``'s); None: take the general path."""

    def run(store: SQLiteStore) -> dict:
        from ..store.sqlite import relation_row

        f = LargeFile(directory, RELATIONS, "relations")
        rowid, old, i, doc, a, b = _locate(store, f, ident)
        apply_changes(doc, doc.root.value[i], "relation", ident, changes, lambda: doc.root.value[i], f.path)
        rel = _checked_relation(store, f, doc, a, i, rowid, ident)
        f.replace(a, b, doc.applied())
        if not dry_run:
            codes = store.codes_of((rel["from"], rel["to"]))
            _commit(directory, store, [f], [(UPDATE_RELATION, (*relation_row(rel, codes), rowid))])
        return _result([{"file": str(f.path), "id": ident, "action": "changed"}], [f], dry_run)

    return _large(directory, run)


def rm_large(directory: Path, ident: str, dry_run: bool = False) -> dict | None:
    """``rm`` of one relation of a large directory; None: take the general path."""
    from .core import remove_item

    def run(store: SQLiteStore) -> dict:
        f = LargeFile(directory, RELATIONS, "relations")
        rowid, old, i, doc, a, b = _locate(store, f, ident)
        if f.mentions(b"contradicted_by"):
            raise Fallback  # another record may name it
        remove_item(doc, doc.root, doc.root.value[i])
        f.replace(a, b, doc.applied())
        if not dry_run:
            _commit(directory, store, [f], [("DELETE FROM relations WHERE rowid = ?", (rowid,))])
        return _result([{"file": str(f.path), "id": ident, "action": "removed"}], [f], dry_run)

    return _large(directory, run)


def rename_large(directory: Path, old: str, new: str, refers: Callable[[str, tuple, bool], bool],
                 dry_run: bool = False) -> dict | None:  # fmt: skip
    """``rename`` of a relation or an entity of a large directory: the references are the rows
    SQL finds (an entity's ``from``/``to``/``via``) and the places a scan finds the id written,
    which must agree (``refers``: ``ops``'s rule for which places refer); None: take the general path."""

    def run(store: SQLiteStore) -> dict:
        nonlocal old
        if not store.has_entity(old) and store.source(old) is None and not _is_relation(store, old):
            old = resolve(store, old, directory)  # a name or alias; else UnknownRecord, as the general path
        if store.has_entity(old):
            if store.source(old) is not None or store.db.execute("SELECT 1 FROM relations WHERE id = ?", (old,)).fetchone():  # fmt: skip
                raise Fallback  # ambiguous: the general path says so
            return _rename_entity(directory, store, old, new, dry_run, refers)
        return _rename_relation(directory, store, old, new, dry_run)

    return _large(directory, run)


def _is_relation(store: SQLiteStore, rid: str) -> bool:
    parts = rid.rsplit(".", 3)  # a derived id starts with its ``from``: ask that index first
    if (
        len(parts) == 4
        and store.db.execute("SELECT 1 FROM relations WHERE src = ? AND id = ?", (parts[0], rid)).fetchone()
    ):
        return True
    return store.db.execute("SELECT 1 FROM relations WHERE id = ?", (rid,)).fetchone() is not None


def resolve(store: SQLiteStore, name: str, directory: Path) -> str:
    """An entity's id from its name or alias, through the cache's labels; else UnknownRecord
    with the close entity ids (the general path would load a million relations to say so)."""
    from ..errors import UnknownEntity, UnknownRecord

    try:
        return store.resolve(name)
    except UnknownEntity as exc:
        raise UnknownRecord(name, list(exc.suggestions), str(directory)) from None


def _rename_relation(directory: Path, store: SQLiteStore, old: str, new: str, dry_run: bool) -> dict:
    from ..errors import UsageError
    from ..store.sqlite import relation_row
    from .core import set_field
    from .doc import field_of, scalar_text
    from .emit import RELATION_KEYS, value_text

    f = LargeFile(directory, RELATIONS, "relations")
    rowid, rel, i, doc, a, b = _locate(store, f, old)
    if old == new:
        return {"changed": []}
    if store.db.execute("SELECT 1 FROM relations WHERE id = ?", (new,)).fetchone():
        raise UsageError(f"relation {new!r} already exists in {f.path}")
    if f.mentions(b"contradicted_by"):
        raise Fallback
    node = doc.root.value[i]
    written = field_of(node, "id")
    if written is not None:
        doc.splice(written[1].start_mark.index, written[1].end_mark.index, scalar_text(doc, written[1], new))
    else:
        set_field(doc, node, "id", value_text("id", new), RELATION_KEYS)
    f.replace(a, b, doc.applied())
    if not dry_run:
        codes = store.codes_of((rel["from"], rel["to"]))
        _commit(directory, store, [f], [(UPDATE_RELATION, (*relation_row({**rel, "id": new}, codes), rowid))])
    return _result([{"file": str(f.path), "id": new, "action": "renamed", "old": old}], [f], dry_run)


def _rename_entity(directory: Path, store: SQLiteStore, old: str, new: str, dry_run: bool,
                   refers: Callable[[str, tuple, bool], bool]) -> dict:  # fmt: skip
    import marshal

    from ..errors import UsageError
    from ..store.sqlite import relation_row
    from ..vocab import TIER_TYPES
    from .doc import scalar_text, walk

    ents = LargeFile(directory, ENTITIES, "entities")
    if old == new:
        return {"changed": []}
    if store.has_entity(new):
        raise UsageError(f"entity {new!r} already exists in {ents.path}")
    rels = LargeFile(directory, RELATIONS, "relations")
    span = store.db.execute("SELECT min(rowid), max(rowid), count(*) FROM relations").fetchone()
    count = span[2]
    if rels.total != count or ents.total != store.db.execute("SELECT count(*) FROM entities").fetchone()[0]:
        raise Fallback
    users = {r for (r,) in store.db.execute(
        "SELECT rowid FROM relations WHERE src = ?1 UNION SELECT rowid FROM relations WHERE dst = ?1 "
        "UNION SELECT rowid FROM relations WHERE via = ?1", (old,))}  # fmt: skip
    statements: list[tuple[str, tuple]] = []
    notes: list[dict] = [{"file": str(ents.path), "id": new, "action": "renamed", "old": old}]
    own, new_ids = 0, list[str]()
    places = {f: sorted({f.index_of(at) for at in f.hits(old)}) for f in (ents, rels)}
    rowids = _rowids_at(store, places[rels], span)
    codes = _Codes(store, {new: store.codes_of([old])[old]})  # the renamed entity keeps its number
    for f in (ents, rels):
        for k in places[f]:
            doc, a, b = f.window(k, k + 1)
            record = doc.root.value[0]
            before = plain(record, doc.name)
            changed, refs_entity = False, False
            for path, found, is_key in walk(doc.root):
                node: Any = found  # a PyYAML node
                if node.id != "scalar" or node.value != old:
                    continue
                full = (f.section, k, *path[1:])
                if refers("entity", full, is_key):
                    doc.splice(node.start_mark.index, node.end_mark.index, scalar_text(doc, node, new))
                    changed = True
                    refs_entity = refs_entity or (len(full) == 3 and full[2] in ("from", "to", "via"))
                    own += f is ents and full[2] == "id"
            if not changed:
                continue
            f.replace(a, b, doc.applied())
            after = plain(compose(doc.applied(), doc.name).value[0], doc.name)
            if f is ents:
                eid = before.get("id")
                statements += _entity_rows(store, eid, old, new)
                if eid != old:
                    notes.append({"file": str(ents.path), "id": eid, "action": "changed"})
                continue
            rowid = rowids[k]
            row = store.db.execute("SELECT doc FROM relations WHERE rowid = ?", (rowid,)).fetchone()
            cached = marshal.loads(row[0])
            status = cached["status"] if cached["type"] in TIER_TYPES else None
            if stored_relation(before, status) != cached:
                raise Fallback  # not the record the cache holds at that place
            rel = stored_relation(after, status)
            if rel["id"] != cached["id"]:
                if rels.mentions(b"contradicted_by"):
                    raise Fallback  # another record may name the old id
                new_ids.append(rel["id"])
            if refs_entity:
                users.discard(rowid)
            statements.append((UPDATE_RELATION, (*relation_row(rel, codes), rowid)))
            notes.append({"file": str(rels.path), "id": cached["id"], "action": "changed"})
    if own != 1 or users:
        raise Fallback  # the scan and the cache disagree
    for i in range(0, len(new_ids), 500):  # a new id another relation has: the general path says where
        part = new_ids[i : i + 500]
        if store.db.execute(f"SELECT 1 FROM relations WHERE id IN ({','.join('?' * len(part))})", part).fetchone():
            raise Fallback
    if not dry_run:
        _commit(directory, store, [ents, rels], statements)
    return _result(notes, [ents, rels], dry_run)


def _entity_rows(store: SQLiteStore, eid: object, old: str, new: str) -> list[tuple[str, tuple]]:
    """The cache's statements for entity ``eid`` once ``old`` is renamed ``new`` in its record
    (its id, then its labels too; or an attribute that names ``old``)."""
    import marshal

    from ..names import build_index

    cached = store.entity(eid) if isinstance(eid, str) and store.has_entity(eid) else None
    if cached is None:
        raise Fallback
    ent = _renamed_entity(cached, old, new)
    if eid != old:
        return [("UPDATE entities SET doc = ? WHERE id = ?", (marshal.dumps(ent), eid))]
    index = build_index({new: ent})
    return [(RENAME_ENTITY, (new, marshal.dumps(ent), old)), ("DELETE FROM labels WHERE id = ?", (old,))] + [
        ("INSERT INTO labels VALUES (?, ?, ?)", (key, loose, eid2))
        for loose, table in ((0, index["exact"]), (1, index["loose"])) for key, ids in table.items() for eid2 in ids
    ]  # fmt: skip


class _Codes(dict):
    """The entities' numbers (``entities.code``) an edit's rows name, read from the store as
    asked (``SQLiteStore.codes_of``); a ``KeyError`` for an id it does not number."""

    def __init__(self, store: SQLiteStore, known: dict[str, int]) -> None:
        super().__init__(known)
        self.store = store

    def __missing__(self, eid: str) -> int:
        code = self[eid] = self.store.codes_of([eid])[eid]
        return code


def _renamed_entity(ent: dict, old: str, new: str) -> dict:
    """A stored entity with the id and the attributes that name ``old`` renamed."""
    out = dict(ent)
    if out.get("id") == old:
        out["id"] = new
    if isinstance(out.get("attributes"), dict):
        out["attributes"] = {k: new if v == old else v for k, v in out["attributes"].items()}
    return out


# --- fmt ------------------------------------------------------------------------------------------

_COMMENT_MARK = re.compile(rb"(?:^|[ \t])#", re.M)  # a comment may start here (or a '#' in a quoted value)
CHECK_FIRST = 1 << 18  # fmt --check reads this much of a file's records first: most files differ early
_HERE = "\0records\0"  # where the records go in the text around them (no data file holds a NUL)


def fmt_large(directory: Path, check: bool = False) -> dict | None:
    """``fmt`` of a large directory whose cache is current (the files are valid, so the values
    ``fmt`` keeps need no new validation): the big list section of each file (its records without
    comments) is read by yaml-rs and written by ``canonical.Records``, the work split in two by size
    between this process and a forked one; the rest (the sections around the lists, and the
    comments there) is written by ``canonical.format_text`` as for any file. The cache keeps its rows
    (the values did not change) and is re-stamped. ``check``: write nothing, only say which files
    would change (each file's first records are compared first). None: take the general path."""

    def run(store: SQLiteStore) -> dict:
        from ..timing import stage

        with stage("fmt: read, and the text around the records"):
            files = [LargeFile(directory, name, section)
                     for name, section in ((ENTITIES, "entities"), (RELATIONS, "relations"))]  # fmt: skip
            plans = [_plan(f, check) for f in files]
        changed = [f for f, plan in zip(files, plans, strict=True) if plan is None]  # differs already (check)
        todo = [plan for plan in plans if plan is not None]
        for plan, new in zip(todo, _written(todo), strict=True):
            if new is not None:
                plan.f.replace(0, len(plan.f.raw), new)
                changed.append(plan.f)
        out = [{"file": str(f.path), "id": None, "action": "formatted"} for f in files if f in changed]
        if check:  # as the general path says it: dry_run only when there is a change to show
            return {"changed": out, "dry_run": True} if out else {"changed": []}
        if out:
            with stage("fmt: written, and the cache re-stamped"):
                _commit(directory, store, files, [])
        return {"changed": out}

    return _large(directory, run)


def _written(plans: list[_Plan]) -> list[bytes | None]:
    """Each planned file's canonical text (None when it is the file's own): the records still to
    write, in order, the last file's cut so that the two processes (``canonical_pieces``) get as
    much text each."""
    from ..timing import stage
    from .canonical import canonical_pieces

    jobs = [(p.f.raw, p.f.item, p.at, p.end, p.f.section, p.f.nl) for p in plans]
    owners = list(range(len(plans)))
    if jobs:
        raw, item, at, end, section, nl = jobs[-1]
        half = (sum(job[3] - job[2] for job in jobs) + 1) // 2
        cut = raw.find(item, max(at, end - half), end) + 1
        if at < cut < end:
            jobs[-1:] = [(raw, item, at, cut, section, nl), (raw, item, cut, end, section, nl)]
            owners.append(owners[-1])
    with stage("fmt: the records, on two processes"):
        pieces = canonical_pieces(jobs)
    written = [w for w in pieces if w is not None]
    if len(written) != len(pieces):
        raise Fallback
    with stage("fmt: the files put together"):
        return [p.assemble([*p.done, *(w for w, o in zip(written, owners, strict=True) if o == i)])
                for i, p in enumerate(plans)]  # fmt: skip


def _formatted(f: LargeFile, check: bool = False) -> bytes | None:
    """``fmt_large``'s work on one file alone: its canonical text, None when it is the file's own
    (with ``check``, b"" when it is found to differ before all its records are written)."""
    plan = _plan(f, check)
    return b"" if plan is None else _written([plan])[0]


class _Plan:
    """What ``fmt_large`` writes of one file: the records from ``at`` to ``end`` still to write
    (``done``: those before ``at``, written already), and the small file (the file with its first
    record alone, and its ``canonical`` text) that gives the text around them."""

    def __init__(self, f: LargeFile, small: Doc, canonical: str, at: int, end: int, done: list[bytes]):
        self.f, self.small, self.canonical, self.at, self.end, self.done = f, small, canonical, at, end, done

    def assemble(self, pieces: list[bytes]) -> bytes | None:
        """The file's canonical text from its records' pieces; None when it is the file's own."""
        from .canonical import format_text

        f, small, section = self.f, self.small, self.f.section
        sep = (f.nl * 2).encode("utf-8")
        # the one record the small file holds, written the general way, must be what this path wrote
        first = pieces[0].split(sep, 1)[0].decode("utf-8")
        if format_text(small, {section: first}) != self.canonical:
            raise Fallback
        around = (small.bom + format_text(small, {section: _HERE})).encode("utf-8").split(_HERE.encode())
        if len(around) != 2:
            raise Fallback
        new = sep.join([around[0] + pieces[0], *pieces[1:]]) + around[1]
        return None if new == f.raw else new


def _plan(f: LargeFile, check: bool) -> _Plan | None:
    """How to write ``f``'s records; None when ``check`` finds already that the file is not
    canonical. Fallback when its records cannot take this path."""
    from .canonical import canonical_pieces, format_text

    raw, nl, section = f.raw, f.nl, f.section
    if raw.find(b"#", f.first, f.end) >= 0 and _COMMENT_MARK.search(raw, f.first, f.end):
        raise Fallback
    # the records end with the last one's line; the blank lines after it go with what follows
    last = f.end
    while last > f.first and raw[last - 1] in b" \t\r\n":  # (a slice and rstrip would copy the file)
        last -= 1
    end = min(raw.find(b"\n", last) + 1 or f.end, f.end)
    # the file with its first record alone: the sections around the list, formatted as usual
    second = raw.find(f.item, f.first, end) + 1
    head = raw[: second or end]
    if second and head.endswith(nl.encode() * 2):
        head = head[: -len(nl)]  # the blank line that separates it from the next record
    small = Doc.parse(str(f.path), head + raw[end:])
    if small.root is None or small.root.id != "mapping":
        raise Fallback
    seq = next((v for k, v in small.root.value if k.value == section), None)
    if seq is None or seq.id != "sequence" or len(seq.value) != 1:
        raise Fallback
    canonical = format_text(small)
    if check and canonical != small.text:
        return None  # the sections around the list, or its first record, are not canonical
    at = f.first
    if check and end - at > 2 * CHECK_FIRST and (cut := raw.find(f.item, at + CHECK_FIRST, end)) > 0:
        (early,) = canonical_pieces([(raw, f.item, at, cut + 1, section, nl)])
        if early is None:
            raise Fallback
        if early + (nl * 2).encode("utf-8") != raw[at : cut + 1]:
            return None  # it differs early: no need to read the rest
        return _Plan(f, small, canonical, cut + 1, end, [early])
    return _Plan(f, small, canonical, at, end, [])

"""The compiled cache of a large data directory: an indexed SQLite file where each query touches
only the rows it needs, so a later query on a million relations costs a fraction of a second
instead of a full load. Records are kept as marshal blobs of the same plain dicts the in-memory
stores hand out (the contract's keys).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import marshal
import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import count
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from .. import fsutil
from ..errors import AmbiguousName, CacheDamaged, UnknownEntity
from ..names import exact_key, loose_key, suggest, word_matches
from ..vocab import Registry, effective_status
from .base import Counts, Store
from .shape import check_entity, check_registry, check_relation, check_source, check_warnings

if TYPE_CHECKING:
    from ..dataset import Dataset

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE entities(id TEXT PRIMARY KEY, doc BLOB, code INTEGER) WITHOUT ROWID;
CREATE TABLE labels(key TEXT, loose INTEGER, id TEXT);
CREATE TABLE relations(id TEXT, src TEXT, dst TEXT, via TEXT, doc BLOB, type TEXT, status TEXT, since TEXT, until TEXT,
                       a INTEGER, b INTEGER);
CREATE TABLE sources(id TEXT PRIMARY KEY, doc BLOB) WITHOUT ROWID;
"""
LABEL_INDEXES = """
CREATE INDEX labels_key ON labels(loose, key);
"""
RELATION_INDEXES = """
CREATE INDEX relations_src ON relations(src);
CREATE INDEX relations_dst ON relations(dst);
CREATE INDEX relations_via ON relations(via) WHERE via IS NOT NULL;
"""
INDEXES = LABEL_INDEXES + RELATION_INDEXES


INSERT_RELATION = "INSERT INTO relations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
UPDATE_CHANGED = "UPDATE relations SET doc = ?, type = ?, status = ?, since = ?, until = ? WHERE rowid = ?"
# a relation edited in place: ``(*relation_row(rel, codes), rowid)``, every column ``relation_row`` gives
UPDATE_RELATION = (
    "UPDATE relations SET id = ?, src = ?, dst = ?, via = ?, doc = ?, type = ?, status = ?, since = ?, until = ?, "
    "a = ?, b = ? WHERE rowid = ?"
)
# an entity's number (``entities.code``) goes with it when it is renamed in place
RENAME_ENTITY = "UPDATE entities SET id = ?, doc = ? WHERE id = ?"


def relation_row(rel: dict, codes: Mapping[str, int]) -> tuple:
    """A relation as a row of the ``relations`` table (for ``INSERT_RELATION``): ``codes`` gives
    each entity's number (``entities.code``: ``number`` when building, ``SQLiteStore.codes_of``
    for an edit), so that the analyses read ``(a, b)`` as two ints (``SQLiteStore.tie_codes``)."""
    src, dst = rel["from"], rel["to"]  # tuples joined, not unpacked into a list: a fifth of a load's row cost
    return (rel["id"], src, dst, rel.get("via"), marshal.dumps(rel)) + tie_columns(rel) + (codes[src], codes[dst])


def number(codes: dict[str, int], ids: Iterable[str]) -> dict[str, int]:
    """Give each of ``ids`` not yet in ``codes`` the next number (``len(codes)``), in order, and
    return ``codes``: the entities' numbers of a cache being built (a dict, not a subclass with
    a Python ``__missing__``, which makes ``relation_row``'s two lookups five times slower)."""
    for eid in ids:
        if eid not in codes:
            codes[eid] = len(codes)
    return codes


def tie_columns(rel: dict) -> tuple[str, str, str | None, str | None]:
    """What the time rule reads of a relation, as columns (``SQLiteStore.tie_rows`` filters on
    them in SQL): its type, effective status (``vocab.effective_status``), since and until."""
    status = effective_status(rel)
    since, until = rel.get("since"), rel.get("until")
    return (rel["type"], status, None if since is None else str(since),
            None if until is None else str(until))  # fmt: skip


def write_sqlite(path: Path, dataset: Dataset, meta: dict) -> None:
    """Compile a Dataset into an SQLite file at ``path`` in this thread: written aside (0600),
    flushed to disk, then renamed, so the cache folder only ever holds complete files. (The
    least work in all; ``SQLiteWriter`` does it beside validation.)"""
    from ..progress import track
    from ..timing import stage

    tmp = fsutil.temp_beside(path, exact_mode=0o600)
    try:
        db = fsutil.sqlite_connect(tmp)
        db.executescript(_PRAGMAS + SCHEMA)
        rels = dataset.relations
        codes = number({}, dataset.entities)
        with stage("cache: insert relations"):
            rows = (relation_row(r, codes) for r in track(rels.values(), len(rels), "compiling the cache"))
            db.executemany(INSERT_RELATION, rows)
        with stage("cache: relation indexes"):
            db.executescript(RELATION_INDEXES)
        _fill_rest(db, dataset, meta, codes)
        db.close()
        fsutil.publish(tmp, path)
    except BaseException:
        fsutil.discard(tmp)
        raise


def change_rows(path: Path, before: str | None, statements: list[tuple[str, tuple]], after: str) -> None:
    """Run ``statements`` (SQL, parameters: e.g. ``INSERT_RELATION`` or ``UPDATE_RELATION`` with
    ``relation_row``) on the complete cache at ``path`` in place, and change its stamp from
    ``before`` to ``after``, in one transaction. Raises ValueError when the cache no longer carries
    ``before`` (it changed meanwhile); nothing is written then."""
    db = fsutil.sqlite_connect(path)
    try:
        with db:
            row = db.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
            if row is None or marshal.loads(row[0]) != before:
                raise ValueError("the cache changed meanwhile")
            for sql, params in statements:
                db.execute(sql, params)
            db.execute("UPDATE meta SET value = ? WHERE key = 'stamp'", (marshal.dumps(after),))
    finally:
        db.close()


_DONE = object()  # on the writer's queue: every relation has been handed over


class SQLiteWriter:
    """Compiles the SQLite cache of a data directory while it is being validated.

    Validation hands over each batch of relations that passed their checks (``add``), then says
    they are all there (``relations_done``: the relation indexes are built); ``finish`` adds the
    entities, sources, labels and meta, and renames the file into place; ``abort`` (invalid data,
    an error) deletes it. The file is written aside (0600) with ``journal_mode=OFF,
    synchronous=OFF``: nothing reads it before it is complete, flushed and renamed.

    With ``thread``, a second thread inserts the batches (one statement each: sqlite3 lets go of
    the interpreter while it steps, so the B-tree work runs on the other core) and builds the
    indexes while validation finishes. Without it (the default), each batch is inserted as it
    comes: the least work in all, and the same speed on a machine whose cores are busy anyway.
    """

    def __init__(self, path: Path, thread: bool = False) -> None:
        import queue
        import threading

        self.path = path
        self.tmp = fsutil.temp_beside(path, exact_mode=0o600)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._db: sqlite3.Connection | None = None
        self.abandoned = self._done = False
        # the entities' numbers, each new id the next as it arrives (numbered in C: no pass over the ends)
        self._codes: dict[str, int] = defaultdict(count().__next__)
        self._thread: threading.Thread | None = None
        if thread:
            self._thread = threading.Thread(target=self._run, name="allygraph-sqlite", daemon=True)
            self._thread.start()
        else:
            self._db = fsutil.sqlite_connect(self.tmp)
            self._db.executescript(_PRAGMAS + SCHEMA)

    def add(self, relations: list[dict]) -> None:
        """Insert relations (valid so far, in the data's order) as they are now; with a thread,
        queued as one JSON array of (id, from, to, via, offset, length) and one blob of records."""
        codes = self._codes
        if self._thread is None:
            if self._db is not None:
                self._db.executemany(INSERT_RELATION, (relation_row(r, codes) for r in relations))
            return
        import json

        docs, rows, pos = [], [], 1
        for r in relations:  # relation_row's columns, the record's bytes given by place in the blob
            rid, src, dst, via, doc, *cols = relation_row(r, codes)
            docs.append(doc)
            rows.append((rid, src, dst, via, pos, len(doc), *cols))
            pos += len(doc)
        self._queue.put((json.dumps(rows), b"".join(docs), len(rows)))

    def changed(self, relations: list[tuple[int, dict]]) -> None:
        """Write again the records of relations changed after they were added, each with its
        place among the added ones (0 for the first)."""
        dumps = marshal.dumps
        rows = [(dumps(r), *tie_columns(r), n + 1) for n, r in relations]
        if self._thread is None:
            if self._db is not None:
                self._db.executemany(UPDATE_CHANGED, rows)
            return
        self._queue.put(("changed", rows))

    def relations_done(self) -> None:
        """Every relation is handed over: the relation indexes are built (by the thread, meanwhile)."""
        self._done = True
        if self._thread is None:
            from ..timing import stage

            if self._db is not None:
                with stage("cache: relation indexes"):
                    self._db.executescript(RELATION_INDEXES)
            return
        self._queue.put(_DONE)

    def _run(self) -> None:
        from ..timing import stage

        try:
            self._db = db = fsutil.sqlite_connect(self.tmp, check_same_thread=False)
            db.executescript(_PRAGMAS + SCHEMA)
            json_sql, rowid = _has_json(db), 1
            while (batch := self._queue.get()) is not _DONE and batch is not None:
                if batch[0] == "changed":  # changed after they were added
                    db.executemany(
                        UPDATE_CHANGED,
                        batch[1],
                    )
                elif json_sql:
                    db.execute(
                        _INSERT_BATCH, (batch[0], batch[1], rowid)
                    )  # one statement: no GIL from first row to last
                    rowid += batch[2]
                else:
                    db.executemany(INSERT_RELATION, _rows(*batch[:2]))
            if batch is _DONE:
                with stage("cache: relation indexes (second thread)"):
                    db.executescript(RELATION_INDEXES)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by finish()
            self._error = exc

    def _join(self) -> sqlite3.Connection:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._db is not None
        return self._db

    def finish(self, dataset: Dataset, meta: dict) -> None:
        """Wait for the relations, add the rest, and rename the complete file into place."""
        try:
            if not self._done:
                self.relations_done()
            db = self._join()
            _fill_rest(db, dataset, meta, self._codes)
            db.close()
            fsutil.publish(self.tmp, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Stop, and delete the unfinished file."""
        self.abandoned = True
        with contextlib.suppress(BaseException):
            self._join().close()
        fsutil.discard(self.tmp)

    def abandon(self) -> None:
        """Stop and delete the unfinished file: the data is read again without this writer
        (``abandoned`` is then true, and the cache is compiled after validation)."""
        self.abort()


# A batch in one statement: sqlite3 lets go of the GIL for the whole statement, where
# ``executemany`` takes it back for every row (and waits for the validating thread each time).
_INSERT_BATCH = (
    "INSERT INTO relations(rowid, id, src, dst, via, doc, type, status, since, until, a, b) SELECT ?3 + key, "
    "json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), "
    "json_extract(value, '$[3]'), substr(?2, json_extract(value, '$[4]'), json_extract(value, '$[5]')), "
    "json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]'), "
    "json_extract(value, '$[9]'), json_extract(value, '$[10]'), json_extract(value, '$[11]') FROM json_each(?1)"
)  # ?3: the rowid of the batch's first relation (rowids count relations in the data's order, from 1)


def _has_json(db: sqlite3.Connection) -> bool:
    """Does this SQLite have its JSON functions (built in since 3.38, and in most builds before)."""
    try:
        return db.execute("SELECT json_extract(?, '$[0]')", ("[1]",)).fetchone() == (1,)
    except sqlite3.OperationalError:
        return False


def _rows(rows_json: str, blob: bytes) -> list[tuple]:
    """A batch as ``executemany`` rows, for an SQLite without JSON functions."""
    import json

    return [(rid, src, dst, via, blob[pos - 1 : pos - 1 + n], *cols)
            for rid, src, dst, via, pos, n, *cols in json.loads(rows_json)]  # fmt: skip


_PRAGMAS = "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY;"


def _fill_rest(db: sqlite3.Connection, dataset: Dataset, meta: dict, codes: dict[str, int]) -> None:
    """Everything but the relations: meta, entities (each with its number in ``codes``, which
    the relations' rows already use), sources, labels and their index."""
    from ..timing import stage

    dumps = marshal.dumps
    with stage("cache: entities, sources, labels"):
        db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, dumps(v)) for k, v in meta.items()])
        number(codes, dataset.entities)  # the entities no relation names
        db.executemany("INSERT INTO entities VALUES (?, ?, ?)",
                       ((k, dumps(v), codes[k]) for k, v in dataset.entities.items()))  # fmt: skip
        db.executemany("INSERT INTO sources VALUES (?, ?)", ((k, dumps(v)) for k, v in dataset.sources.items()))
        db.executemany(
            "INSERT INTO labels VALUES (?, ?, ?)",
            ((key, loose, eid) for loose, table in ((0, dataset.index["exact"]), (1, dataset.index["loose"]))
             for key, ids in table.items() for eid in ids),
        )  # fmt: skip
        db.executescript(LABEL_INDEXES)
    db.commit()


def sqlite_intact(fh: IO[bytes]) -> bool:
    """Does the open SQLite file ``fh`` look whole: its header is SQLite's, and the file is as
    long as the header says (a truncated or overwritten file fails)."""
    head = fh.read(100)
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        return False
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    valid = head[24:28] == head[92:96]  # the page count is current (SQLite's own rule)
    return valid and pages > 0 and pages * page_size == os.fstat(fh.fileno()).st_size


# A record's blob is never near this large (a relation takes some 200 bytes); a planted one may be.
# (The meta, which holds every warning, may be larger: it is bounded by the file's size only.)
MAX_DOC_BYTES = 16 << 20


def _schema() -> list[tuple]:
    """What ``sqlite_master`` holds in a cache we wrote (read off an empty one, in memory)."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SCHEMA + INDEXES)
        return sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        db.close()


class TieCodes(NamedTuple):
    """Relations in force as the numbers of their ends (``SQLiteStore.tie_codes``): ``rows``,
    how many, and the ``from`` and ``to`` numbers each as one text of decimal numbers joined by
    commas ('' when none), in the same (unspecified) order."""

    rows: int
    a: str
    b: str


class TiePairs(NamedTuple):
    """Relations in force as pair codes (``SQLiteStore.tie_pairs``): ``rows``, how many, and the
    code ``lo << 32 | hi`` of each one's two ends (``lo < hi``; none for a self-tie) as one text
    of decimal numbers joined by commas ('' when none), in no particular order."""

    rows: int
    pairs: str


class SQLiteStore(Store):
    """A store over the compiled SQLite cache of a data directory.

    Trust: the file passed its seal, which catches damage but not forgery. So the schema and the
    meta are checked when it opens, and every record a lookup reads (``store.shape``): what the
    loader never writes raises ``CacheDamaged`` (the file is removed first), never a crash. The
    streams (``iter_*``) only decode, at full speed; a forged record that breaks a command further
    on is caught there (``cache.retry_on_damage``).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if sorted(self.db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")) != _schema():
                raise CacheDamaged("its tables are not ours")
            self.meta: dict[str, Any]
            self.meta = {k: self._loads(v, None) for k, v in self.db.execute("SELECT key, value FROM meta")}
            meta = self.meta
            if not (type(meta.get("stamp", "")) is str and type(meta.get("directory")) is str):
                raise CacheDamaged("meta")
            check_registry(meta.get("tiers"), *(meta.get(k, {}) for k in ("relation_types", "entity_types", "ladders")))
            check_warnings(meta.get("warnings", []))
            self.tiers = self.meta["tiers"]
            self.registry = Registry(self.tiers, *(meta.get(k) for k in ("relation_types", "entity_types", "ladders")))
        except CacheDamaged:
            self.discard()
            raise
        except Exception as exc:  # anything else a forged file can make happen
            self.discard()
            raise CacheDamaged(type(exc).__name__) from None
        self.tier_rank = self.registry.tier_rank
        self.directory = self.meta["directory"]
        self._entities: dict[str, dict] = {}
        self._rels: dict[tuple[str, str], list[dict]] = {}

    def discard(self) -> None:
        """Close and remove this cache (and its seal): it is rebuilt on the next open."""
        with contextlib.suppress(Exception):
            self.db.close()
        for name in (self.path, Path(f"{self.path}.seal")):
            with contextlib.suppress(OSError):
                os.unlink(name)

    def _damaged(self, what: str) -> CacheDamaged:
        self.discard()
        return CacheDamaged(what)

    def _loads(self, blob: object, limit: int | None = MAX_DOC_BYTES) -> object:
        if type(blob) is not bytes or (limit is not None and len(blob) > limit):
            raise self._damaged("a record is not ours")
        try:
            return marshal.loads(blob)
        except Exception:  # EOFError, ValueError, TypeError, MemoryError: not what we wrote
            raise self._damaged("a record does not decode") from None

    def _checked(self, check, *args) -> dict:
        try:
            return check(*args)
        except CacheDamaged as exc:
            raise self._damaged(exc.what) from None

    def stamp(self) -> str | None:
        """The stamp of the data files this cache was compiled from."""
        return self.meta.get("stamp")

    def entity(self, eid: str) -> dict:
        """An entity's record (read once, then kept); KeyError when there is none."""
        ent = self._entities.get(eid)
        if ent is None:
            row = self.db.execute("SELECT doc FROM entities WHERE id = ?", (eid,)).fetchone()
            if row is None:
                raise KeyError(eid)
            ent = self._entities[eid] = self._checked(check_entity, eid, self._loads(row[0]))
        return ent

    def has_entity(self, eid: str) -> bool:
        """Is there an entity with this id."""
        return self.db.execute("SELECT 1 FROM entities WHERE id = ?", (eid,)).fetchone() is not None

    def _rels_by(self, column: str, u: str) -> list[dict]:
        key = (column, u)
        found = self._rels.get(key)
        if found is None:
            field = {"src": "from", "dst": "to", "via": "via"}[column]
            found = []
            for (d,) in self.db.execute(f"SELECT doc FROM relations WHERE {column} = ?", (u,)):
                rel = self._checked(check_relation, self._loads(d), self.has_entity)
                if rel.get(field) != u:
                    raise self._damaged("a relation is filed under another entity")
                found.append(rel)
            self._rels[key] = found
        return found

    def out_rels(self, u: str) -> list[dict]:
        """The relations written from ``u``."""
        return self._rels_by("src", u)

    def in_rels(self, u: str) -> list[dict]:
        """The relations written to ``u``."""
        return self._rels_by("dst", u)

    def via_rels(self, u: str) -> list[dict]:
        """The relations that go through ``u``."""
        return self._rels_by("via", u)

    def relation(self, rid: str) -> dict | None:
        """The relation with id ``rid``, or None (a scan of the rows: ask rarely)."""
        row = self.db.execute("SELECT doc FROM relations WHERE id = ? LIMIT 1", (rid,)).fetchone()
        if row is None:
            return None
        rel = self._checked(check_relation, self._loads(row[0]), self.has_entity)
        if rel.get("id") != rid:
            raise self._damaged("a relation is filed under another id")
        return rel

    def source(self, sid: str) -> dict | None:
        """A source of the registry, or None."""
        row = self.db.execute("SELECT doc FROM sources WHERE id = ?", (sid,)).fetchone()
        return self._checked(check_source, sid, self._loads(row[0])) if row else None

    def resolve(self, name: str) -> str:
        """The id of the one entity ``name`` means: an id, else an exact then a loose name key,
        else a whole-word match; raises AmbiguousName or UnknownEntity (with suggestions)."""
        eid = self._resolve(name)
        if type(eid) is not str or not self.has_entity(eid):
            raise self._damaged("a name points at no entity")
        return eid

    def _resolve(self, name: str) -> str:
        if self.has_entity(name):
            return name
        for loose, key in ((0, exact_key(name)), (1, loose_key(name))):
            ids = [
                r[0]
                for r in self.db.execute("SELECT DISTINCT id FROM labels WHERE loose = ? AND key = ?", (loose, key))
            ]
            if len(ids) == 1:
                return ids[0]
            if ids:
                raise AmbiguousName(name, [(i, self.entity(i)["name"]) for i in sorted(ids)])
        labels = self.labels()
        ids = word_matches(name, labels)
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise AmbiguousName(name, [(i, self.entity(i)["name"]) for i in ids])
        suggestions: list[str] = []
        for label in suggest(name, labels):
            suggestions += [i for i in labels[label] if i not in suggestions]
        raise UnknownEntity(name, suggestions)

    def labels(self) -> dict[str, list[str]]:
        """Every exact name key -> the ids of the entities it names."""
        if self.db.execute("SELECT 1 FROM labels WHERE id NOT IN (SELECT id FROM entities) LIMIT 1").fetchone():
            raise self._damaged("a name points at no entity")
        out: dict[str, list[str]] = {}
        for key, eid in self.db.execute("SELECT key, id FROM labels WHERE loose = 0"):
            if type(key) is not str or type(eid) is not str:
                raise self._damaged("a name is not text")
            out.setdefault(key, []).append(eid)
        return out

    def iter_entities(self) -> Iterator[tuple[str, dict]]:
        """Every entity as (id, record), streamed from the file. (Streams are decoded at full
        speed: what a forged record breaks further on is caught by ``cache.retry_on_damage``.)"""
        for eid, doc in self.db.execute("SELECT id, doc FROM entities"):
            ent = self._loads(doc)
            if type(ent) is not dict or type(eid) is not str:
                raise self._damaged("an entity is not a record")
            yield eid, ent

    def iter_relations(self) -> Iterator[dict]:
        """Every relation, in the order of the data, streamed from the file (see ``iter_entities``)."""
        for (doc,) in self.db.execute("SELECT doc FROM relations ORDER BY rowid"):
            rel = self._loads(doc)
            if type(rel) is not dict:
                raise self._damaged("a relation is not a record")
            yield rel

    def all_sources(self) -> dict[str, dict]:
        """The whole source registry (id -> source)."""
        return {sid: self._checked(check_source, sid, self._loads(doc))
                for sid, doc in self.db.execute("SELECT id, doc FROM sources")}  # fmt: skip

    def entity_count(self) -> int:
        """How many entities."""
        return self.db.execute("SELECT count(*) FROM entities").fetchone()[0]

    def relation_count(self) -> int:
        """How many relations."""
        return self.db.execute("SELECT count(*) FROM relations").fetchone()[0]

    def counts(self) -> Counts:
        """How many entities, relations and sources (counted by SQLite, nothing decoded)."""
        one = "SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM relations), (SELECT count(*) FROM sources)"
        return Counts(*self.db.execute(one).fetchone())

    # ------------------------------------------------------------ the analyses' reads

    def tie_rows(self, types: Iterable[str], clock: Callable[[dict], bool]) -> Iterator[tuple[str, str]]:
        """``(from, to)`` of every relation of ``types`` in force by ``clock`` (a ``ties.Clock``:
        on its ``day``, any day when None; reported relations only when it counts them), in the
        data's order, without decoding a record: a dated relation is filtered in SQL over its
        columns (``tie_columns``) by the clock's rule; an undated one (placed by its sources) is
        decoded and asked of the clock."""
        wanted = sorted(set(types))
        if not wanted:
            return iter(())
        where, params = self._in_force_where(wanted, clock)
        rows = self.db.execute(  # one pass: a dated row filtered here, an undated one handed over with its record
            f"SELECT src, dst, CASE WHEN since IS NULL THEN coalesce(doc, x'') END FROM relations "
            f"WHERE {where} ORDER BY rowid", params)  # fmt: skip
        undated = self._undated(clock)
        return iter([(a, b) for a, b, doc in rows if doc is None or undated(doc)])  # a list: no generator step per row

    def tie_codes(self, types: Iterable[str], clock: Callable[[dict], bool]) -> TieCodes:
        """``tie_rows`` as the numbers of their two ends (``entities.code``; ``entity_ids`` names
        them): no string to intern and no row built in Python, an undated relation asked of the
        clock from SQL (``rank --by degree``). See ``TieCodes``."""
        n, a, b = self._aggregate("group_concat(a), group_concat(b)", types, clock)
        if n and not type(a) is type(b) is str:
            raise self._damaged("the relations' numbers are not ours")
        return TieCodes(n, a or "", b or "")

    def tie_pairs(self, types: Iterable[str], clock: Callable[[dict], bool]) -> TiePairs:
        """``tie_codes`` with the two numbers of each relation made one by SQLite: the pair code
        ``lo << 32 | hi`` of its ends (``lo < hi``; a self-tie has none), so that Python parses
        one number a relation and pairs none (``rank --by degree`` when no agency is rolled up).
        See ``TiePairs``."""
        n, pairs = self._aggregate(
            "group_concat(CASE WHEN a < b THEN (a << 32) | b WHEN b < a THEN (b << 32) | a END)", types, clock
        )
        if pairs is not None and type(pairs) is not str:
            raise self._damaged("the relations' numbers are not ours")
        return TiePairs(n, pairs or "")

    def _aggregate(self, columns: str, types: Iterable[str], clock: Callable[[dict], bool]) -> tuple:
        """``(how many, *columns)``: SQL aggregates ``columns`` over the relations of ``types`` in
        force by ``clock`` (a dated one by its columns, an undated one asked of the clock from SQL).
        (A number a damaged cache lacks or holds as text is found when it is read: ``centrality._parse``.)"""
        wanted = sorted(set(types))
        if not wanted:
            return (0, *(None for _ in range(columns.count("group_concat"))))
        where, params = self._in_force_where(wanted, clock, undated=True)
        caught: list[BaseException] = []
        undated = self._undated(clock)

        def ask(doc: object) -> bool:
            if caught:
                return False
            try:
                return undated(doc)
            except BaseException as exc:  # noqa: BLE001 - raised below, not as SQLite's own error
                caught.append(exc)
                return False

        self.db.create_function("allygraph_in_force", 1, ask)
        try:
            n, *out = self.db.execute(f"SELECT count(*), {columns} FROM relations WHERE {where}", params).fetchone()
        finally:
            self.db.create_function("allygraph_in_force", 1, None)
        if caught:
            raise caught[0]
        return (n, *out)

    def _in_force_where(
        self, wanted: list[str], clock: Callable[[dict], bool], undated: bool = False
    ) -> tuple[str, dict]:
        """The WHERE clause (and its arguments) of the relations of ``wanted`` types in force by
        ``clock``: a dated one by its columns (``_in_force_sql``); an undated one kept for the
        caller to decode, or with ``undated`` asked of the clock (``allygraph_in_force(doc)``)."""
        day: _dt.date | None = getattr(clock, "day")  # noqa: B009 - any object with the clock's day
        reported: bool = getattr(clock, "reported", False)
        params: dict[str, object] = {f"t{i}": t for i, t in enumerate(wanted)}
        marks = ", ".join(f":t{i}" for i in range(len(wanted)))
        rule, args = _in_force_sql(day, reported)
        other = "allygraph_in_force(doc)" if undated else "1"
        # (an OR, not a CASE: SQLite runs it faster; AND stops at the first false term, so only an
        # undated row is decoded)
        return f"type IN ({marks}) AND (since IS NULL AND {other} OR since IS NOT NULL AND ({rule}))", params | args

    def _undated(self, clock: Callable[[dict], bool]) -> Callable[[object], bool]:
        """Is the undated relation stored as ``doc`` in force by ``clock`` (placed by its sources)."""

        def undated(doc: object) -> bool:
            rel = self._loads(doc)
            if type(rel) is not dict:
                raise self._damaged("a relation is not a record")
            return clock(rel)

        return undated

    def codes_of(self, ids: Iterable[str]) -> dict[str, int]:
        """The number of each entity of ``ids`` that has one (``entities.code``)."""
        wanted = sorted(set(ids))
        out: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            marks = ", ".join("?" * len(part))
            out.update(self.db.execute(f"SELECT id, code FROM entities WHERE id IN ({marks})", part))
        return out

    def entity_ids(self) -> dict[int, str]:
        """Every entity's number (``entities.code``) -> its id."""
        ids = dict(self.db.execute("SELECT code, id FROM entities"))
        if len(ids) != self.entity_count() or not all(type(c) is int for c in ids):
            raise self._damaged("the entities' numbers are not ours")
        return ids

    def relations_of(self, types: Iterable[str]) -> Iterator[dict]:
        """Every relation of one of ``types``, in the data's order, decoding only those (as
        ``iter_relations``, whose records the others would have cost)."""
        wanted = sorted(set(types))
        marks = ", ".join("?" * len(wanted))
        for (doc,) in self.db.execute(f"SELECT doc FROM relations WHERE type IN ({marks}) ORDER BY rowid", wanted):
            rel = self._loads(doc)
            if type(rel) is not dict:
                raise self._damaged("a relation is not a record")
            yield rel

    def sources_of(self, rel_type: str) -> list[str]:
        """The distinct ``from`` of the relations of one type (e.g. who is ``part_of`` something)."""
        # one pass over the table (through the src index it would visit every row in random order)
        rows = self.db.execute("SELECT src FROM relations NOT INDEXED WHERE type = ?", (rel_type,))
        return list(dict.fromkeys(r[0] for r in rows))

    def close(self) -> None:
        """Close the database."""
        self.db.close()


# ``ties``' rule for a dated relation over its columns (``since`` is not null): a partial date
# padded to its first day (``2015`` -> ``2015-01-01``) compares as ISO text, as dates do. Against a
# whole day no padding is needed: ``first_day(s) <= day`` is ``s <= day`` as text (a prefix sorts
# first, and the padding, ``-01-01``, sorts before any month and day), so ``day < first_day(u)`` is
# ``day < u``; the per-row string work is left to the all-time rule, which compares two columns.
_FIRST = "({0} || substr('-01-01', length({0}) - 3))"
_STATUS_OK = ("status NOT IN ('signed', 'negotiating', 'proposed', 'contradicted'{reported}) "
              "AND (until IS NOT NULL OR status NOT IN ('ended', 'suspended'))")  # fmt: skip
_MAX = _dt.date.max.isoformat()


def _in_force_sql(day: _dt.date | None, reported: bool) -> tuple[str, dict[str, str]]:
    """The WHERE clause (and its named arguments) of ``ties.span`` / ``Clock.__call__`` for
    dated relations: in force on ``day`` (on some day when None)."""
    ok = _STATUS_OK.format(reported="" if reported else ", 'reported'")
    since, until = _FIRST.format("since"), _FIRST.format("until")
    if day is None:  # the span is not empty: [first(since), end) with end as ties._bounds says
        return (f"{ok} AND (CASE WHEN until IS NULL THEN {since} < :max WHEN since = until THEN since != :max "
                f"ELSE {since} < {until} END)"), {"max": _MAX}  # fmt: skip
    if day == _dt.date.max:  # every span ends on or before it
        return "0", {}
    # a one-time happening (since = until) covers its whole last day
    return (f"since <= :day AND {ok} AND (until IS NULL OR CASE WHEN since = until THEN "
            f"substr(:day, 1, length(until)) <= until ELSE :day < until END)"), {"day": day.isoformat()}  # fmt: skip

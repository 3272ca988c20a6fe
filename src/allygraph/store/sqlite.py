"""The compiled cache of a large data directory: an indexed SQLite file where each query touches
only the rows it needs, so a later query on a million relations costs a fraction of a second
instead of a full load. Records are kept as marshal blobs of the same plain dicts the in-memory
stores hand out (the contract's keys).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..names import exact_key, loose_key, suggest, word_matches
from ..problems import AmbiguousName, UnknownEntity
from ..vocab import Registry
from .base import Store

if TYPE_CHECKING:
    from ..dataset import Dataset

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE entities(id TEXT PRIMARY KEY, doc BLOB) WITHOUT ROWID;
CREATE TABLE labels(key TEXT, loose INTEGER, id TEXT);
CREATE TABLE relations(id TEXT, src TEXT, dst TEXT, via TEXT, doc BLOB);
CREATE TABLE sources(id TEXT PRIMARY KEY, doc BLOB) WITHOUT ROWID;
"""
INDEXES = """
CREATE INDEX labels_key ON labels(loose, key);
CREATE INDEX relations_src ON relations(src);
CREATE INDEX relations_dst ON relations(dst);
CREATE INDEX relations_via ON relations(via) WHERE via IS NOT NULL;
"""


def write_sqlite(path: Path, dataset: Dataset, meta: dict) -> None:
    """Compile a Dataset into an SQLite file at ``path``: written aside (0600), flushed to disk,
    then renamed, so the cache folder only ever holds complete files."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.allygraph-", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, 0o600)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        _fill(db, dataset, meta)
        db.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _fill(db: sqlite3.Connection, dataset: Dataset, meta: dict) -> None:
    """The schema, every row, then the indexes (built once over the whole table)."""
    from ..progress import track
    from ..timing import stage

    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY;" + SCHEMA)
    dumps = marshal.dumps
    db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, dumps(v)) for k, v in meta.items()])
    db.executemany("INSERT INTO entities VALUES (?, ?)", ((k, dumps(v)) for k, v in dataset.entities.items()))
    db.executemany("INSERT INTO sources VALUES (?, ?)", ((k, dumps(v)) for k, v in dataset.sources.items()))
    db.executemany(
        "INSERT INTO labels VALUES (?, ?, ?)",
        ((key, loose, eid) for loose, table in ((0, dataset.index["exact"]), (1, dataset.index["loose"]))
         for key, ids in table.items() for eid in ids),
    )  # fmt: skip
    rels = dataset.relations
    with stage("cache: insert relations"):
        db.executemany(
            "INSERT INTO relations VALUES (?, ?, ?, ?, ?)",
            ((rid, r["from"], r["to"], r.get("via"), dumps(r))
             for rid, r in track(rels.items(), len(rels), "compiling the cache")),
        )  # fmt: skip
    with stage("cache: indexes"):
        db.executescript(INDEXES)
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


class SQLiteStore(Store):
    """A store over the compiled SQLite cache of a data directory."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.meta = {k: marshal.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")}
        self.tiers = self.meta["tiers"]
        self.registry = Registry(self.tiers, *(self.meta.get(k) for k in ("relation_types", "entity_types", "ladders")))
        self.tier_rank = self.registry.tier_rank
        self.directory = self.meta["directory"]
        self._entities: dict[str, dict] = {}
        self._rels: dict[tuple[str, str], list[dict]] = {}

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
            ent = self._entities[eid] = marshal.loads(row[0])
        return ent

    def has_entity(self, eid: str) -> bool:
        """Is there an entity with this id."""
        return self.db.execute("SELECT 1 FROM entities WHERE id = ?", (eid,)).fetchone() is not None

    def _rels_by(self, column: str, u: str) -> list[dict]:
        key = (column, u)
        found = self._rels.get(key)
        if found is None:
            loads = marshal.loads
            found = [loads(d) for (d,) in self.db.execute(f"SELECT doc FROM relations WHERE {column} = ?", (u,))]
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

    def source(self, sid: str) -> dict | None:
        """A source of the registry, or None."""
        row = self.db.execute("SELECT doc FROM sources WHERE id = ?", (sid,)).fetchone()
        return marshal.loads(row[0]) if row else None

    def resolve(self, name: str) -> str:
        """The id of the one entity ``name`` means: an id, else an exact then a loose name key,
        else a whole-word match; raises AmbiguousName or UnknownEntity (with suggestions)."""
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
        out: dict[str, list[str]] = {}
        for key, eid in self.db.execute("SELECT key, id FROM labels WHERE loose = 0"):
            out.setdefault(key, []).append(eid)
        return out

    def iter_entities(self) -> Iterator[tuple[str, dict]]:
        """Every entity as (id, record), streamed from the file."""
        loads = marshal.loads
        return ((eid, loads(doc)) for eid, doc in self.db.execute("SELECT id, doc FROM entities"))

    def iter_relations(self) -> Iterator[dict]:
        """Every relation, in the order of the data, streamed from the file."""
        loads = marshal.loads
        return (loads(doc) for (doc,) in self.db.execute("SELECT doc FROM relations ORDER BY rowid"))

    def all_sources(self) -> dict[str, dict]:
        """The whole source registry (id -> source)."""
        return {sid: marshal.loads(doc) for sid, doc in self.db.execute("SELECT id, doc FROM sources")}

    def entity_count(self) -> int:
        """How many entities."""
        return self.db.execute("SELECT count(*) FROM entities").fetchone()[0]

    def relation_count(self) -> int:
        """How many relations."""
        return self.db.execute("SELECT count(*) FROM relations").fetchone()[0]

    def close(self) -> None:
        """Close the database."""
        self.db.close()

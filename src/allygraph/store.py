"""What queries read: a graph store with one small interface and two implementations.

- ``DatasetStore`` reads a loaded Dataset through adjacency lists (the command line on
  ordinary data); ``GraphStore`` reads a networkx MultiDiGraph (the Python API);
- ``SQLiteStore`` reads the compiled cache of a large data directory: an indexed SQLite file
  where each query touches only the rows it needs, so a later query on a million relations
  costs a fraction of a second instead of a full load.

Both hand out relations as the same plain dicts (the contract's keys).
"""

from __future__ import annotations

import contextlib
import marshal
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from .names import exact_key, loose_key, suggest, word_matches
from .problems import AmbiguousName, UnknownEntity
from .vocab import Registry


class Store:
    """The interface the queries use. Subclasses fill in the lookups."""

    tiers: list[dict]
    tier_rank: dict[str, int]
    directory: str
    registry: Registry  # the vocabularies: built-in types plus the data directory's own, and its ladders

    def tier_name(self, tier_id: str) -> str:
        return self.registry.tier_name(tier_id)

    def resolve(self, name: str) -> str:  # pragma: no cover - interface
        raise TypeError("Store is an interface")

    def entity(self, eid: str) -> dict:  # pragma: no cover - interface
        raise TypeError("Store is an interface")

    def out_rels(self, u: str) -> list[dict]:  # pragma: no cover - interface
        raise TypeError("Store is an interface")

    def in_rels(self, u: str) -> list[dict]:  # pragma: no cover - interface
        raise TypeError("Store is an interface")

    def via_rels(self, u: str) -> list[dict]:  # pragma: no cover - interface
        raise TypeError("Store is an interface")

    def source(self, sid: str) -> dict | None:  # pragma: no cover - interface
        raise TypeError("Store is an interface")

    def labels(self) -> dict[str, list[str]]:  # pragma: no cover - interface
        raise TypeError("Store is an interface")

    def brief(self, ids: Iterable[str]) -> dict[str, dict]:
        out = {}
        for i in ids:
            ent = self.entity(i)
            out[i] = {"name": ent["name"], "type": ent["type"]}
        return out

    def sources_for(self, records: Iterable[dict]) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for rec in records:
            for ref in rec.get("sources", ()):
                if ref not in out:
                    src = self.source(ref)
                    if src is not None:
                        out[ref] = src
        return out


class GraphStore(Store):
    """A store over the networkx graph built from a Dataset (``graph.build``)."""

    def __init__(self, G):
        self.G = G
        self.ds = G.graph["dataset"]
        self.tiers, self.tier_rank, self.directory = self.ds.tiers, self.ds.tier_rank, self.ds.directory
        self.registry = self.ds.registry

    def resolve(self, name: str) -> str:
        return self.ds.resolve(name)

    def entity(self, eid: str) -> dict:
        return self.ds.entities[eid]

    def out_rels(self, u: str) -> list[dict]:
        return [rel for edges in self.G._succ[u].values() for rel in edges.values()]

    def in_rels(self, u: str) -> list[dict]:
        return [rel for edges in self.G._pred[u].values() for rel in edges.values()]

    def via_rels(self, u: str) -> list[dict]:
        return [self.ds.relations[rid] for rid in self.G.graph["via"].get(u, ())]

    def source(self, sid: str) -> dict | None:
        return self.ds.sources.get(sid)

    def labels(self) -> dict[str, list[str]]:
        return self.ds.index["exact"]


class DatasetStore(Store):
    """A store straight over a Dataset: adjacency lists built once, no networkx needed."""

    def __init__(self, ds):
        self.ds = ds
        self.tiers, self.tier_rank, self.directory = ds.tiers, ds.tier_rank, ds.directory
        self.registry = ds.registry
        out: dict[str, list[dict]] = {}
        inn: dict[str, list[dict]] = {}
        via: dict[str, list[dict]] = {}
        for rel in ds.relations.values():
            out.setdefault(rel["from"], []).append(rel)
            inn.setdefault(rel["to"], []).append(rel)
            if "via" in rel:
                via.setdefault(rel["via"], []).append(rel)
        self._out, self._in, self._via = out, inn, via

    def resolve(self, name: str) -> str:
        return self.ds.resolve(name)

    def entity(self, eid: str) -> dict:
        return self.ds.entities[eid]

    def out_rels(self, u: str) -> list[dict]:
        return self._out.get(u, [])

    def in_rels(self, u: str) -> list[dict]:
        return self._in.get(u, [])

    def via_rels(self, u: str) -> list[dict]:
        return self._via.get(u, [])

    def source(self, sid: str) -> dict | None:
        return self.ds.sources.get(sid)

    def labels(self) -> dict[str, list[str]]:
        return self.ds.index["exact"]


def as_store(G) -> Store:
    """A Store for what a query was given: a Store as is, or a networkx graph wrapped once."""
    if isinstance(G, Store):
        return G
    store = G.graph.get("_store")
    if store is None:
        store = G.graph["_store"] = GraphStore(G)
    return store


# --- SQLite -----------------------------------------------------------------------------------

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


def write_sqlite(path: Path, dataset, meta: dict) -> None:
    """Compile a Dataset into an SQLite file at ``path``: written aside (0600), flushed to disk,
    then renamed, so the cache folder only ever holds complete files."""
    import os
    import tempfile

    from .progress import track
    from .timing import stage

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.allygraph-", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, 0o600)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
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


def sqlite_intact(fh) -> bool:
    """Does the open SQLite file ``fh`` look whole: its header is SQLite's, and the file is as
    long as the header says (a truncated or overwritten file fails)."""
    import os

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

    def __init__(self, path: Path):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.meta = {k: marshal.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")}
        self.tiers = self.meta["tiers"]
        self.registry = Registry(self.tiers, *(self.meta.get(k) for k in ("relation_types", "entity_types", "ladders")))
        self.tier_rank = self.registry.tier_rank
        self.directory = self.meta["directory"]
        self._entities: dict[str, dict] = {}
        self._rels: dict[tuple[str, str], list[dict]] = {}

    def stamp(self):
        return self.meta.get("stamp")

    def entity(self, eid: str) -> dict:
        ent = self._entities.get(eid)
        if ent is None:
            row = self.db.execute("SELECT doc FROM entities WHERE id = ?", (eid,)).fetchone()
            if row is None:
                raise KeyError(eid)
            ent = self._entities[eid] = marshal.loads(row[0])
        return ent

    def has_entity(self, eid: str) -> bool:
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
        return self._rels_by("src", u)

    def in_rels(self, u: str) -> list[dict]:
        return self._rels_by("dst", u)

    def via_rels(self, u: str) -> list[dict]:
        return self._rels_by("via", u)

    def source(self, sid: str) -> dict | None:
        row = self.db.execute("SELECT doc FROM sources WHERE id = ?", (sid,)).fetchone()
        return marshal.loads(row[0]) if row else None

    def resolve(self, name: str) -> str:
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
        out: dict[str, list[str]] = {}
        for key, eid in self.db.execute("SELECT key, id FROM labels WHERE loose = 0"):
            out.setdefault(key, []).append(eid)
        return out

    def close(self) -> None:
        self.db.close()


# --- streaming a large store to the exporters ---------------------------------------------------


class _Registry:
    """What exporters read off ``G.graph["dataset"]``: the source registry, the tier ladder and the
    vocabularies (``registry``)."""

    def __init__(self, store: SQLiteStore):
        self.tiers, self.tier_rank, self.registry = store.tiers, store.tier_rank, store.registry
        self.sources = {sid: marshal.loads(doc) for sid, doc in store.db.execute("SELECT id, doc FROM sources")}


class _NodeView:
    def __init__(self, store: SQLiteStore):
        self.store = store

    def __call__(self, data: bool = False):
        rows = self.store.db.execute("SELECT id, doc FROM entities")
        if data:
            return ((eid, marshal.loads(doc)) for eid, doc in rows)
        return (eid for eid, _ in rows)

    def __getitem__(self, eid: str) -> dict:
        return self.store.entity(eid)

    def __iter__(self):
        return self()

    def __len__(self) -> int:
        return self.store.db.execute("SELECT count(*) FROM entities").fetchone()[0]


class StoreGraph:
    """A read-only stand-in for a MultiDiGraph that streams a SQLiteStore's rows to the
    exporters, so exporting a million relations needs no more memory than a query does."""

    def __init__(self, store: SQLiteStore):
        self.store = store
        self.graph = {"dataset": _Registry(store), "_store": store}
        self.nodes = _NodeView(store)

    def __iter__(self):
        return self.nodes()

    def __contains__(self, eid: object) -> bool:
        return isinstance(eid, str) and self.store.has_entity(eid)

    def number_of_nodes(self) -> int:
        return len(self.nodes)

    def number_of_edges(self) -> int:
        return self.store.db.execute("SELECT count(*) FROM relations").fetchone()[0]

    def edges(self, keys: bool = False, data: bool = False):
        rows = self.store.db.execute("SELECT doc FROM relations ORDER BY rowid")
        for (doc,) in rows:
            rel = marshal.loads(doc)
            head = (rel["from"], rel["to"], rel["id"]) if keys else (rel["from"], rel["to"])
            yield (*head, rel) if data else head

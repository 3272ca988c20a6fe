"""``--server URL``: the ``store.base.Store`` interface answered by a graph server in Cypher, so
``path``, ``neighbors`` and ``show`` run unchanged and give the local answers.

Records come back as pushed (``allygraph_doc``: the contract's plain dicts), so the JSON is the
local JSON. Names resolve as locally (``names.resolve``): an id is looked up on the server; any
other name reads the label index (every entity's id, name and aliases) once per process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..errors import AmbiguousName, UsageError
from ..names import build_index, exact_key, loose_key
from ..names import resolve as resolve_name
from ..store.base import Counts, Store
from ..vocab import Registry
from .conn import Connection
from .push import DEFAULT_OWNER, READ_RECORD

ENTITY = "MATCH (n:Entity {id: $id}) WHERE n.allygraph_owner = $owner RETURN n.allygraph_doc"
SOURCE = "MATCH (n:Source {id: $id}) WHERE n.allygraph_owner = $owner RETURN n.allygraph_doc"
ENDS = ("MATCH (a:Entity {id: $id})-[r:RELATION]-() WHERE a.allygraph_owner = $owner AND r.allygraph_owner = $owner "
        "RETURN DISTINCT r.allygraph_doc")  # fmt: skip  # both directions in one round trip
RELATION = "MATCH ()-[r:RELATION {id: $id}]->() WHERE r.allygraph_owner = $owner RETURN r.allygraph_doc"
VIA = "MATCH ()-[r:RELATION]->() WHERE r.via = $id AND r.allygraph_owner = $owner RETURN r.allygraph_doc"
LABELS = "MATCH (n:Entity) WHERE n.allygraph_owner = $owner RETURN n.id, n.name, n.aliases"
EVERY = {  # every element allygraph pushed, in a stable order (the server keeps no order of the data)
    "entities": "MATCH (n:Entity) WHERE n.allygraph_owner = $owner RETURN n.id, n.allygraph_doc ORDER BY n.id",
    "relations": ("MATCH ()-[r:RELATION]->() WHERE r.allygraph_owner = $owner "
                  "RETURN r.allygraph_doc ORDER BY r.id"),
    "sources": "MATCH (n:Source) WHERE n.allygraph_owner = $owner RETURN n.id, n.allygraph_doc ORDER BY n.id",
}  # fmt: skip
COUNT = {
    "entities": "MATCH (n:Entity) WHERE n.allygraph_owner = $owner RETURN count(n)",
    "relations": "MATCH ()-[r:RELATION]->() WHERE r.allygraph_owner = $owner RETURN count(r)",
    "sources": "MATCH (n:Source) WHERE n.allygraph_owner = $owner RETURN count(n)",
}
BY_KEY = {  # the entities one name key names, found on the server (no label index shipped)
    "exact": "MATCH (n:Entity) WHERE n.allygraph_owner = $owner AND $key IN n.allygraph_keys RETURN n.id",
    "loose": "MATCH (n:Entity) WHERE n.allygraph_owner = $owner AND $key IN n.allygraph_loose RETURN n.id",
}


class ServerStore(Store):
    """A store over the graph that ``allygraph push`` left on a server (see the module docstring)."""

    def __init__(self, conn: Connection, owner: str = DEFAULT_OWNER) -> None:
        self.conn, self.owner = conn, owner
        rows = conn.read(READ_RECORD, {"owner": owner})
        record = dict(rows[0][0]) if rows else {}
        if not record.get("meta"):
            raise UsageError(
                f"{conn.display}: no complete allygraph push on this graph; run: allygraph push {conn.display}"
            )
        meta = json.loads(record["meta"])
        self.state = record.get("state")
        self.tiers = meta["tiers"]
        self.registry = Registry(self.tiers, meta.get("relation_types"), meta.get("entity_types"), meta.get("ladders"))
        self.tier_rank = self.registry.tier_rank
        self.directory = meta.get("directory", conn.display)
        self._entities: dict[str, dict | None] = {}
        self._rels: dict[tuple[str, str], list[dict]] = {}
        self._sources: dict[str, dict | None] = {}
        self._index: tuple[dict, dict] | None = None

    def _docs(self, cypher: str, key: str) -> list[dict]:
        return [json.loads(doc) for (doc,) in self.conn.read(cypher, {"id": key, "owner": self.owner})]

    def _entity(self, eid: str) -> dict | None:
        if eid not in self._entities:
            found = self._docs(ENTITY, eid)
            self._entities[eid] = found[0] if found else None
        return self._entities[eid]

    def entity(self, eid: str) -> dict:
        """An entity's record (read once, then kept); KeyError when there is none."""
        ent = self._entity(eid)
        if ent is None:
            raise KeyError(eid)
        return ent

    def _rels_by(self, cypher: str, u: str) -> list[dict]:
        key = (cypher, u)
        if key not in self._rels:
            self._rels[key] = self._docs(cypher, u)
        return self._rels[key]

    def _ends(self, u: str) -> tuple[list[dict], list[dict]]:
        """(written from ``u``, written to ``u``): one query for both, kept."""
        key = ("ends", u)
        if key not in self._rels:
            both = self._docs(ENDS, u)
            self._rels[key] = [r for r in both if r["from"] == u]
            self._rels[("in", u)] = [r for r in both if r["to"] == u]
        return self._rels[key], self._rels[("in", u)]

    def out_rels(self, u: str) -> list[dict]:
        """The relations written from ``u``."""
        return self._ends(u)[0]

    def in_rels(self, u: str) -> list[dict]:
        """The relations written to ``u``."""
        return self._ends(u)[1]

    def via_rels(self, u: str) -> list[dict]:
        """The relations that go through ``u``."""
        return self._rels_by(VIA, u)

    def source(self, sid: str) -> dict | None:
        """A source of the registry, or None."""
        if sid not in self._sources:
            found = self._docs(SOURCE, sid)
            self._sources[sid] = found[0] if found else None
        return self._sources[sid]

    def _label_index(self) -> tuple[dict, dict]:
        """(id -> {name, aliases}, ``names.build_index`` of them): read once per process."""
        if self._index is None:
            ents = {eid: {"name": name, "aliases": aliases or []}
                    for eid, name, aliases in self.conn.read(LABELS, {"owner": self.owner})}  # fmt: skip
            self._index = ents, build_index(ents)
        return self._index

    def resolve(self, name: str) -> str:
        """The id of the one entity ``name`` means, exactly as locally (``names.resolve``): an id,
        else an exact then a loose name key (matched on the server), else the words and typos of
        ``names.resolve`` over the label index (read once)."""
        if self._entity(name) is not None:
            return name
        if self._index is None:
            for table, key in (("exact", exact_key(name)), ("loose", loose_key(name))):
                if not key:
                    continue
                ids = sorted({eid for (eid,) in self.conn.read(BY_KEY[table], {"key": key, "owner": self.owner})})
                if len(ids) == 1:
                    return ids[0]
                if ids:
                    raise AmbiguousName(name, [(i, self.entity(i)["name"]) for i in ids])
        ents, index = self._label_index()
        return resolve_name(name, ents, index)

    def labels(self) -> dict[str, list[str]]:
        """Every exact name key -> the ids of the entities it names."""
        return self._label_index()[1]["exact"]

    def relation(self, rid: str) -> dict | None:
        """The relation with id ``rid``, or None."""
        found = self._docs(RELATION, rid)
        return found[0] if found else None

    def has_entity(self, eid: str) -> bool:
        """Whether the server holds entity ``eid`` (read once, then kept)."""
        return self._entity(eid) is not None

    def iter_entities(self) -> Iterator[tuple[str, dict]]:
        """Every entity as ``(id, record)``, ordered by id."""
        for eid, doc in self.conn.read(EVERY["entities"], {"owner": self.owner}):
            yield eid, json.loads(doc)

    def iter_relations(self) -> Iterator[dict]:
        """Every relation, ordered by id."""
        for (doc,) in self.conn.read(EVERY["relations"], {"owner": self.owner}):
            yield json.loads(doc)

    def all_sources(self) -> dict[str, dict]:
        """The whole source registry (id -> source)."""
        return {sid: json.loads(doc) for sid, doc in self.conn.read(EVERY["sources"], {"owner": self.owner})}

    def counts(self) -> Counts:
        """How many entities, relations and sources the server holds (counted there)."""
        one = {kind: self.conn.read(COUNT[kind], {"owner": self.owner})[0][0] for kind in COUNT}
        return Counts(one["entities"], one["relations"], one["sources"])

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

"""Stores over data held in memory: a loaded Dataset, or the networkx graph built from one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from ..errors import UnknownEntity
from .base import Counts, Store

if TYPE_CHECKING:
    import networkx as nx

    from ..dataset import Dataset


class _OverDataset(Store):
    """What both in-memory stores answer straight from the Dataset."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.tiers, self.tier_rank, self.directory = ds.tiers, ds.tier_rank, ds.directory
        self.registry = ds.registry

    def resolve(self, name: str) -> str:
        """The id of the one entity ``name`` means (``Dataset.resolve``)."""
        return self.ds.resolve(name)

    def entity(self, eid: str) -> dict:
        """An entity's record; KeyError when there is none."""
        return self.ds.entities[eid]

    def has_entity(self, eid: str) -> bool:
        """Whether the store holds entity ``eid`` (as ``SQLiteStore.has_entity``)."""
        return eid in self.ds.entities

    def source(self, sid: str) -> dict | None:
        """A source of the registry, or None."""
        return self.ds.sources.get(sid)

    def labels(self) -> dict[str, list[str]]:
        """Every exact name key -> the ids of the entities it names."""
        return self.ds.index["exact"]

    def relation(self, rid: str) -> dict | None:
        """The relation with id ``rid``, or None."""
        return self.ds.relations.get(rid)

    def all_sources(self) -> dict[str, dict]:
        """The whole source registry (a copy: id -> source)."""
        return dict(self.ds.sources)


class DatasetStore(_OverDataset):
    """A store straight over a Dataset: adjacency lists built once, no networkx needed."""

    def __init__(self, ds: Dataset) -> None:
        super().__init__(ds)
        out: dict[str, list[dict]] = {}
        inn: dict[str, list[dict]] = {}
        via: dict[str, list[dict]] = {}
        for rel in ds.relations.values():
            out.setdefault(rel["from"], []).append(rel)
            inn.setdefault(rel["to"], []).append(rel)
            if "via" in rel:
                via.setdefault(rel["via"], []).append(rel)
        self._out, self._in, self._via = out, inn, via
        self._graph: nx.MultiDiGraph | None = None

    def out_rels(self, u: str) -> list[dict]:
        """The relations written from ``u``."""
        return self._out.get(u, [])

    def in_rels(self, u: str) -> list[dict]:
        """The relations written to ``u``."""
        return self._in.get(u, [])

    def via_rels(self, u: str) -> list[dict]:
        """The relations that go through ``u``."""
        return self._via.get(u, [])

    def iter_entities(self) -> Iterator[tuple[str, dict]]:
        """Every entity as ``(id, record)``, in the data's order."""
        return iter(self.ds.entities.items())

    def iter_relations(self) -> Iterator[dict]:
        """Every relation, in the data's order."""
        return iter(self.ds.relations.values())

    def counts(self) -> Counts:
        """How many entities, relations and sources."""
        ds = self.ds
        return Counts(len(ds.entities), len(ds.relations), len(ds.sources))

    def memory_graph(self) -> nx.MultiDiGraph:
        """The Dataset's networkx graph (``graph.build``), built on first use and kept."""
        if self._graph is None:
            from ..graph import build

            self._graph = build(self.ds)
        return self._graph


class GraphStore(_OverDataset):
    """A store over the networkx graph built from a Dataset (``graph.build``): relations are read
    off the graph's edges (so a graph changed after it was built answers as it is now)."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        super().__init__(G.graph["dataset"])
        self.G = G

    def resolve(self, name: str) -> str:
        """The id ``name`` means (``Dataset.resolve``), when that entity is in the graph (a part
        chosen by ``export.select`` knows only its own); UnknownEntity otherwise."""
        eid = self.ds.resolve(name)
        if eid not in self.G:
            raise UnknownEntity(name, [])
        return eid

    def entity(self, eid: str) -> dict:
        """The record of an entity of the graph; KeyError when the graph has none."""
        if eid not in self.G:
            raise KeyError(eid)
        return self.ds.entities[eid]

    def has_entity(self, eid: str) -> bool:
        """Whether ``eid`` is an entity of the graph."""
        return eid in self.G and eid in self.ds.entities

    def out_rels(self, u: str) -> list[dict]:
        """The relations written from ``u`` (the data of its out-edges)."""
        return [rel for edges in self.G.succ[u].values() for rel in edges.values()]

    def in_rels(self, u: str) -> list[dict]:
        """The relations written to ``u`` (the data of its in-edges)."""
        return [rel for edges in self.G.pred[u].values() for rel in edges.values()]

    def _edge(self, rel: dict) -> dict | None:
        """The data of the graph's edge for a relation of the Dataset (None when the graph has no
        such edge, e.g. a part chosen by ``export.select``)."""
        edges = self.G.succ.get(rel["from"], {}).get(rel["to"])
        return edges.get(rel["id"]) if edges is not None else None

    def relation(self, rid: str) -> dict | None:
        """The graph's relation with id ``rid`` (its edge's data), or None."""
        rel = self.ds.relations.get(rid)
        return self._edge(rel) if rel is not None else None

    def via_rels(self, u: str) -> list[dict]:
        """The relations of the graph that go through ``u``."""
        rels = self.ds.relations
        found = (self._edge(rels[rid]) for rid in self.G.graph["via"].get(u, ()) if rid in rels)
        return [rel for rel in found if rel is not None]

    def iter_entities(self) -> Iterator[tuple[str, dict]]:
        """Every entity of the graph as ``(id, record)``, in the graph's order."""
        return iter(self.G.nodes(data=True))

    def iter_relations(self) -> Iterator[dict]:
        """Every relation of the graph (its edges' data): those of the Dataset in the data's order,
        then any edge added to the graph since."""
        rels = self.ds.relations
        found: dict[str, dict] = {}
        extra = []
        for u, v, rid, data in self.G.edges(keys=True, data=True):  # one pass over the graph
            rel = rels.get(rid)
            if rel is not None and rel["from"] == u and rel["to"] == v:
                found[rid] = data
            else:
                extra.append(data)
        if len(found) == len(rels):
            yield from (found[rid] for rid in rels)
        else:
            yield from (found[rid] for rid in rels if rid in found)
        yield from extra

    def counts(self) -> Counts:
        """How many entities and relations the graph holds, and sources the Dataset registers."""
        return Counts(self.G.number_of_nodes(), self.G.number_of_edges(), len(self.ds.sources))

    def memory_graph(self) -> nx.MultiDiGraph:
        """The graph itself."""
        return self.G


def as_store(G: object) -> Store:
    """The Store behind what a caller passed (the one adapter of "a graph or a store"): a Store as
    is; a graph source that holds one as ``.store`` (``export.StoreSource``), that store; a
    networkx graph from ``allygraph.load_graph()`` or ``export.select()``, wrapped once in a
    ``GraphStore``. TypeError for anything else."""
    if isinstance(G, Store):
        return G
    held = getattr(G, "store", None)
    if isinstance(held, Store):
        return held
    graph = getattr(G, "graph", None)
    if not (isinstance(graph, dict) and "dataset" in graph and hasattr(G, "succ")):
        raise TypeError(f"cannot read a {type(G).__name__}: give a Store or a graph from allygraph.load_graph()")
    store = graph.get("_store")
    if not (isinstance(store, GraphStore) and store.G is G):  # a copy of G.graph (select) names G's store
        store = graph["_store"] = GraphStore(cast("nx.MultiDiGraph", G))
    return store

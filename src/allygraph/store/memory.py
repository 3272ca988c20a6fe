"""Stores over data held in memory: a loaded Dataset, or the networkx graph built from one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Store

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

    def out_rels(self, u: str) -> list[dict]:
        """The relations written from ``u``."""
        return self._out.get(u, [])

    def in_rels(self, u: str) -> list[dict]:
        """The relations written to ``u``."""
        return self._in.get(u, [])

    def via_rels(self, u: str) -> list[dict]:
        """The relations that go through ``u``."""
        return self._via.get(u, [])


class GraphStore(_OverDataset):
    """A store over the networkx graph built from a Dataset (``graph.build``): relations are read
    off the graph's edges (so a graph changed after it was built answers as it is now)."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        super().__init__(G.graph["dataset"])
        self.G = G

    def out_rels(self, u: str) -> list[dict]:
        """The relations written from ``u`` (the data of its out-edges)."""
        return [rel for edges in self.G.succ[u].values() for rel in edges.values()]

    def in_rels(self, u: str) -> list[dict]:
        """The relations written to ``u`` (the data of its in-edges)."""
        return [rel for edges in self.G.pred[u].values() for rel in edges.values()]

    def via_rels(self, u: str) -> list[dict]:
        """The relations that go through ``u``."""
        return [self.ds.relations[rid] for rid in self.G.graph["via"].get(u, ())]


def as_store(G: Store | nx.MultiDiGraph) -> Store:
    """A Store for what a query was given: a Store as is, or a networkx graph wrapped once."""
    if isinstance(G, Store):
        return G
    store = G.graph.get("_store")
    if store is None:
        store = G.graph["_store"] = GraphStore(G)
    return store

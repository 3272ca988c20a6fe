"""What the exporters read: a graph source (``GraphSource``), never a networkx graph or a fake of one.

A source gives the entities (``nodes()``: ``(id, entity)``), the relations (``edges()``:
``(from, to, relation id, relation)``), their counts, the source registry (``sources``), the tier
ladder (``tiers``, ``tier_rank``), the relation types that read the same both ways
(``symmetric_types``, built-in and declared) and the data directory it came from (``directory``,
which exports never write into). Two adapters make one:

- ``NetworkxSource``: a MultiDiGraph from ``allygraph.load_graph()`` or ``export.select()`` (the
  Python API), its registries read off the Dataset in ``G.graph["dataset"]``;
- ``StoreSource``: any query ``Store`` (``store.base``), read through its ``iter_entities``,
  ``iter_relations`` and ``counts``: the SQLite cache of a large data directory streams row by
  row, so exporting a million relations needs no more memory than a query does.

``as_source`` picks the view (whatever is not a graph source or a networkx graph goes through
``store.as_store``, the one "graph or store" adapter); ``graph_for`` opens a data directory the way
the command line does.

>>> import allygraph
>>> src = as_source(allygraph.load_graph(use_cache=False))
>>> src.has_node("japan"), src.number_of_edges() > 0
(True, True)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

from ..store import Counts, Store, as_store
from ..vocab import SYMMETRIC_TYPES

if TYPE_CHECKING:
    import networkx as nx

Edge = tuple[str, str, str, dict]


@runtime_checkable
class GraphSource(Protocol):
    """The graph an exporter reads: entities, relations and the registries that describe them."""

    sources: dict[str, dict]
    tiers: list[dict]
    tier_rank: dict[str, int]
    symmetric_types: frozenset[str]
    directory: str | None

    def nodes(self) -> Iterator[tuple[str, dict]]:
        """Every entity as ``(id, entity)``."""
        ...

    def edges(self) -> Iterator[Edge]:
        """Every relation as ``(from, to, relation id, relation)``."""
        ...

    def has_node(self, eid: str) -> bool:
        """Is ``eid`` an entity of this graph?"""
        ...

    def number_of_nodes(self) -> int:
        """How many entities ``nodes()`` gives."""
        ...

    def number_of_edges(self) -> int:
        """How many relations ``edges()`` gives."""
        ...

    def query_store(self) -> Store:
        """The graph as a query ``Store`` (``select(around=...)`` asks ``neighbors`` on it)."""
        ...


class NetworkxSource:
    """A networkx MultiDiGraph as a source. Its registries come from ``like`` (another source) when
    given, else from the Dataset in ``G.graph["dataset"]`` (empty when the graph has none)."""

    def __init__(self, G: nx.MultiDiGraph, like: GraphSource | None = None) -> None:
        self.G = G
        meta: Any = like if like is not None else G.graph.get("dataset")
        self.sources: dict[str, dict] = dict(getattr(meta, "sources", None) or {})
        self.tiers: list[dict] = list(getattr(meta, "tiers", None) or [])
        self.tier_rank: dict[str, int] = dict(getattr(meta, "tier_rank", None) or {})
        registry = getattr(meta, "registry", None)
        symmetric = registry.symmetric_types if registry is not None else getattr(meta, "symmetric_types", None)
        self.symmetric_types: frozenset[str] = frozenset(symmetric if symmetric is not None else SYMMETRIC_TYPES)
        self.directory: str | None = getattr(meta, "directory", None) or getattr(
            G.graph.get("_store"), "directory", None
        )
        self.has_dataset = meta is not None
        self._like = like

    def nodes(self) -> Iterator[tuple[str, dict]]:
        """Every entity as ``(id, entity)``, in the graph's order."""
        return iter(self.G.nodes(data=True))

    def edges(self) -> Iterator[Edge]:
        """Every relation as ``(from, to, relation id, relation)``, in the graph's order."""
        return iter(self.G.edges(keys=True, data=True))

    def has_node(self, eid: str) -> bool:
        """Is ``eid`` an entity of this graph?"""
        return eid in self.G

    def number_of_nodes(self) -> int:
        """How many entities."""
        return self.G.number_of_nodes()

    def number_of_edges(self) -> int:
        """How many relations."""
        return self.G.number_of_edges()

    def query_store(self) -> Store:
        """The graph as a query ``Store``: the source it was selected from, or the graph itself."""
        return self._like.query_store() if self._like is not None else as_store(self.G)


class StoreSource:
    """A query Store as a source (e.g. the SQLite cache of a data directory, streamed row by row
    in the data's order): it reads only the ``Store`` interface."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.tiers, self.tier_rank = store.tiers, store.tier_rank
        self.symmetric_types: frozenset[str] = store.registry.symmetric_types
        self.directory: str | None = store.directory
        self.sources: dict[str, dict] = store.all_sources()
        self._counts: Counts | None = None

    def _count(self) -> Counts:
        if self._counts is None:
            self._counts = self.store.counts()  # once: a store on disk or a graded view counts by reading
        return self._counts

    def nodes(self) -> Iterator[tuple[str, dict]]:
        """Every entity as ``(id, entity)``."""
        return self.store.iter_entities()

    def edges(self) -> Iterator[Edge]:
        """Every relation as ``(from, to, relation id, relation)``, in the data's order."""
        for rel in self.store.iter_relations():
            yield rel["from"], rel["to"], rel["id"], rel

    def has_node(self, eid: str) -> bool:
        """Is ``eid`` an entity of this graph?"""
        return isinstance(eid, str) and self.store.has_entity(eid)

    def number_of_nodes(self) -> int:
        """How many entities."""
        return self._count().entities

    def number_of_edges(self) -> int:
        """How many relations."""
        return self._count().relations

    def query_store(self) -> Store:
        """The store itself."""
        return self.store


def as_source(G: object) -> GraphSource:
    """The export view of what an exporter was given: a source as is; a networkx graph read in the
    graph's order (``NetworkxSource``, its registries from its Dataset when it has one); anything
    else through ``store.as_store`` (the one "graph or store" adapter): a store that holds its data
    in memory exports from its networkx graph, as a graph would, and one on disk (or a server, or
    a graded view) streams through ``StoreSource``."""
    if isinstance(G, (NetworkxSource, StoreSource, GraphSource)):
        return G  # a source already (the views here, or any class with the same members)
    graph = getattr(G, "graph", None)
    if isinstance(graph, dict) and hasattr(G, "edges") and not isinstance(G, Store):
        return NetworkxSource(cast("nx.MultiDiGraph", G))  # a networkx graph (no dataset needed)
    try:
        store = as_store(G)
    except TypeError:
        raise TypeError(f"cannot export a {type(G).__name__}: give a networkx graph or a graph source") from None
    held = store.memory_graph()
    return StoreSource(store) if held is None else NetworkxSource(held)


def graph_for(data: str | os.PathLike | None = None, use_cache: bool = True) -> GraphSource:
    """The source to export a data directory from (the bundled one by default), as ``as_source``
    views the store the command line opens: a large directory's SQLite cache streams through a
    ``StoreSource``; ordinary data, held in memory anyway, exports from its networkx graph
    (``NetworkxSource``), as ``allygraph.load_graph()`` does."""
    from ..load import open_store

    return as_source(open_store(data, use_cache=use_cache))

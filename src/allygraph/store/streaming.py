"""A read-only stand-in for a networkx MultiDiGraph over a SQLiteStore, for the exporters (it
reads only the store's public methods)."""

from __future__ import annotations

from collections.abc import Iterator

from .sqlite import SQLiteStore


class _Registry:
    """What exporters read off ``G.graph["dataset"]``: the source registry, the tier ladder and the
    vocabularies (``registry``)."""

    def __init__(self, store: SQLiteStore) -> None:
        self.tiers, self.tier_rank, self.registry = store.tiers, store.tier_rank, store.registry
        self.sources = store.all_sources()


class _NodeView:
    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def __call__(self, data: bool = False) -> Iterator:
        rows = self.store.iter_entities()
        return rows if data else (eid for eid, _ in rows)

    def __getitem__(self, eid: str) -> dict:
        return self.store.entity(eid)

    def __iter__(self) -> Iterator[str]:
        return self()

    def __len__(self) -> int:
        return self.store.entity_count()


class StoreGraph:
    """A read-only stand-in for a MultiDiGraph that streams a SQLiteStore's rows to the
    exporters, so exporting a million relations needs no more memory than a query does."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.graph = {"dataset": _Registry(store), "_store": store}
        self.nodes = _NodeView(store)

    def __iter__(self) -> Iterator[str]:
        return self.nodes()

    def __contains__(self, eid: object) -> bool:
        return isinstance(eid, str) and self.store.has_entity(eid)

    def number_of_nodes(self) -> int:
        """How many entities."""
        return len(self.nodes)

    def number_of_edges(self) -> int:
        """How many relations."""
        return self.store.relation_count()

    def edges(self, keys: bool = False, data: bool = False) -> Iterator[tuple]:
        """(from, to[, id][, record]) for every relation, in the order of the data."""
        for rel in self.store.iter_relations():
            head = (rel["from"], rel["to"], rel["id"]) if keys else (rel["from"], rel["to"])
            yield (*head, rel) if data else head

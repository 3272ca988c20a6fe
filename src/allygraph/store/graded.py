"""``--min-grade``: a view of a store that keeps only the relations at least one source of the
given grade or stronger supports (``grades``); entities, sources and names are the store's own."""

from __future__ import annotations

from collections.abc import Iterator

from ..grades import grades_of, meets
from .base import Counts, Store


class GradedStore(Store):
    """``store`` seen through ``min_grade``: every way to reach a relation is filtered alike."""

    def __init__(self, store: Store, min_grade: str) -> None:
        self.inner = store
        self.min_grade = min_grade
        self.tiers, self.tier_rank, self.directory = store.tiers, store.tier_rank, store.directory
        self.registry = store.registry
        self._kept: dict[str, bool] = {}

    def keeps(self, rel: dict) -> bool:
        """Whether a relation rests on a source of ``min_grade`` or stronger."""
        rid = rel["id"]
        kept = self._kept.get(rid)
        if kept is None:
            kept = self._kept[rid] = meets(grades_of(rel.get("sources", ()), self.inner.source), self.min_grade)
        return kept

    def resolve(self, name: str) -> str:
        """The id ``name`` means, as in the store."""
        return self.inner.resolve(name)

    def entity(self, eid: str) -> dict:
        """An entity's record, as in the store."""
        return self.inner.entity(eid)

    def source(self, sid: str) -> dict | None:
        """A source of the registry, as in the store."""
        return self.inner.source(sid)

    def labels(self) -> dict[str, list[str]]:
        """The name index, as in the store."""
        return self.inner.labels()

    def out_rels(self, u: str) -> list[dict]:
        """The kept relations written from ``u``."""
        return [r for r in self.inner.out_rels(u) if self.keeps(r)]

    def in_rels(self, u: str) -> list[dict]:
        """The kept relations written to ``u``."""
        return [r for r in self.inner.in_rels(u) if self.keeps(r)]

    def via_rels(self, u: str) -> list[dict]:
        """The kept relations that went through ``u``."""
        return [r for r in self.inner.via_rels(u) if self.keeps(r)]

    def relation(self, rid: str) -> dict | None:
        """The relation with id ``rid`` when it is kept, else None."""
        rel = self.inner.relation(rid)
        return rel if rel is not None and self.keeps(rel) else None

    def has_entity(self, eid: str) -> bool:
        """Whether the store holds entity ``eid``."""
        return self.inner.has_entity(eid)

    def iter_relations(self) -> Iterator[dict]:
        """Every kept relation, in the store's order."""
        return (r for r in self.inner.iter_relations() if self.keeps(r))

    def iter_entities(self) -> Iterator[tuple[str, dict]]:
        """Every (id, entity) of the store."""
        return self.inner.iter_entities()

    def all_sources(self) -> dict[str, dict]:
        """The store's whole source registry."""
        return self.inner.all_sources()

    def counts(self) -> Counts:
        """The store's entities and sources, and the relations kept (counted by reading them)."""
        inner = self.inner.counts()
        return inner._replace(relations=sum(1 for _ in self.iter_relations()))

"""The one small interface every reader uses: entities, relations by end, sources, labels, and
every entity, relation and source in one pass (``iter_entities``, ``iter_relations``,
``all_sources``, ``counts``), so no caller needs to know which store it holds."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from ..vocab import Registry

if TYPE_CHECKING:
    import networkx as nx


class Counts(NamedTuple):
    """How many records a store holds."""

    entities: int
    relations: int
    sources: int


class Store(ABC):
    """The interface the queries, analyses and exporters use. Subclasses fill in the abstract
    lookups (a class that leaves one out cannot be made); what can be said in terms of them
    (``tier_name``, ``brief``, ``sources_for``) is said once, here."""

    tiers: list[dict]
    tier_rank: dict[str, int]
    directory: str
    registry: Registry  # the vocabularies: built-in types plus the data directory's own, and its ladders

    def tier_name(self, tier_id: str) -> str:
        """A tier's display name (its id when the ladders do not name it)."""
        return self.registry.tier_name(tier_id)

    @abstractmethod
    def resolve(self, name: str) -> str:
        """The id of the one entity ``name`` means (id, name or alias); raises AmbiguousName or
        UnknownEntity otherwise."""
        raise NotImplementedError

    @abstractmethod
    def entity(self, eid: str) -> dict:
        """An entity's record; KeyError when there is none."""
        raise NotImplementedError

    @abstractmethod
    def out_rels(self, u: str) -> list[dict]:
        """The relations written from ``u``."""
        raise NotImplementedError

    @abstractmethod
    def in_rels(self, u: str) -> list[dict]:
        """The relations written to ``u``."""
        raise NotImplementedError

    @abstractmethod
    def via_rels(self, u: str) -> list[dict]:
        """The relations that go through ``u`` (their ``via``)."""
        raise NotImplementedError

    @abstractmethod
    def source(self, sid: str) -> dict | None:
        """A source of the registry, or None."""
        raise NotImplementedError

    @abstractmethod
    def labels(self) -> dict[str, list[str]]:
        """Every exact name key -> the ids of the entities it names."""
        raise NotImplementedError

    @abstractmethod
    def relation(self, rid: str) -> dict | None:
        """The relation with id ``rid``, or None."""
        raise NotImplementedError

    @abstractmethod
    def has_entity(self, eid: str) -> bool:
        """Whether the store holds an entity with id ``eid``."""
        raise NotImplementedError

    @abstractmethod
    def iter_entities(self) -> Iterator[tuple[str, dict]]:
        """Every entity as ``(id, record)``, in the data's order where the store keeps it."""
        raise NotImplementedError

    @abstractmethod
    def iter_relations(self) -> Iterator[dict]:
        """Every relation (the contract's plain dict), in the data's order where the store keeps
        it. A store on disk streams them: no list of all relations is built."""
        raise NotImplementedError

    @abstractmethod
    def all_sources(self) -> dict[str, dict]:
        """The whole source registry: id -> source."""
        raise NotImplementedError

    @abstractmethod
    def counts(self) -> Counts:
        """How many entities, relations and sources ``iter_entities``, ``iter_relations`` and
        ``all_sources`` give (without reading them all where the store can count)."""
        raise NotImplementedError

    def memory_graph(self) -> nx.MultiDiGraph | None:
        """The data as a networkx MultiDiGraph (``graph.build``'s shape) when the store holds it
        in memory anyway; None for a store that reads from disk or a server (stream instead)."""
        return None

    def brief(self, ids: Iterable[str]) -> dict[str, dict]:
        """Name and type of each entity in ``ids`` (what a result lists beside the ids)."""
        out = {}
        for i in ids:
            ent = self.entity(i)
            out[i] = {"name": ent["name"], "type": ent["type"]}
        return out

    def sources_for(self, records: Iterable[dict]) -> dict[str, dict]:
        """The registry entries of every source the records cite (URLs cited directly are left
        out), each with its reliability ``grade`` (``grades.grade_of``)."""
        from ..grades import grade_of

        out: dict[str, dict] = {}
        for rec in records:
            for ref in rec.get("sources", ()):
                if ref not in out:
                    src = self.source(ref)
                    if src is not None:
                        out[ref] = {**src, "grade": grade_of(src)}
        return out

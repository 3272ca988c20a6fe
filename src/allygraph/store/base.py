"""The one small interface every query reads: entities, relations by end, sources, labels."""

from __future__ import annotations

from collections.abc import Iterable

from ..vocab import Registry


class Store:
    """The interface the queries use. Subclasses fill in the lookups; what can be said in terms of
    them (``tier_name``, ``brief``, ``sources_for``) is said once, here."""

    tiers: list[dict]
    tier_rank: dict[str, int]
    directory: str
    registry: Registry  # the vocabularies: built-in types plus the data directory's own, and its ladders

    def tier_name(self, tier_id: str) -> str:
        """A tier's display name (its id when the ladders do not name it)."""
        return self.registry.tier_name(tier_id)

    def resolve(self, name: str) -> str:  # pragma: no cover - interface
        """The id of the one entity ``name`` means (id, name or alias); raises AmbiguousName or
        UnknownEntity otherwise."""
        raise TypeError("Store is an interface")

    def entity(self, eid: str) -> dict:  # pragma: no cover - interface
        """An entity's record; KeyError when there is none."""
        raise TypeError("Store is an interface")

    def out_rels(self, u: str) -> list[dict]:  # pragma: no cover - interface
        """The relations written from ``u``."""
        raise TypeError("Store is an interface")

    def in_rels(self, u: str) -> list[dict]:  # pragma: no cover - interface
        """The relations written to ``u``."""
        raise TypeError("Store is an interface")

    def via_rels(self, u: str) -> list[dict]:  # pragma: no cover - interface
        """The relations that go through ``u`` (their ``via``)."""
        raise TypeError("Store is an interface")

    def source(self, sid: str) -> dict | None:  # pragma: no cover - interface
        """A source of the registry, or None."""
        raise TypeError("Store is an interface")

    def labels(self) -> dict[str, list[str]]:  # pragma: no cover - interface
        """Every exact name key -> the ids of the entities it names."""
        raise TypeError("Store is an interface")

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

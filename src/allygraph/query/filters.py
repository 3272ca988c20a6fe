"""What every query shares: which relations a traversal may use (``EdgeFilter``), the steps
from an entity to its neighbours, and the symmetric types a renderer draws both ways."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..errors import UsageError
from ..store import Store
from ..ties import as_of_day, in_force
from ..vocab import RELATION_TYPES


class EdgeFilter:
    """Which relations a traversal may use: allowed/excluded types and an as-of day.

    ``known`` is the relation types a type may name (a store's ``registry.relation_types``;
    the built-in ones when not given)."""

    def __init__(self, types: Iterable[str] | None = None, exclude: Iterable[str] | None = None,
                 as_of: str | None = None, known: dict | None = None):  # fmt: skip
        self.types = _check_types(types, known)
        self.exclude = _check_types(exclude, known) or frozenset()
        self.as_of = as_of
        self.day = as_of_day(as_of)

    def __call__(self, rel: dict) -> bool:
        t = rel["type"]
        if self.types and t not in self.types:
            return False
        if t in self.exclude:
            return False
        return self.day is None or in_force(rel, self.day, reported=True)


def _check_types(types: Iterable[str] | None, known: dict | None = None) -> frozenset[str] | None:
    if not types:
        return None
    from ..names import suggest

    known = RELATION_TYPES if known is None else known
    out = set()
    for t in types:
        if t not in known:
            hint = suggest(t, list(known), limit=1)
            tip = f" — did you mean {hint[0]!r}?" if hint else f" (types: {', '.join(known)})"
            raise UsageError(f"unknown relation type {t!r}{tip}")
        out.add(t)
    return frozenset(out)


def steps(S: Store, u: str, keep: EdgeFilter, direction: str) -> Iterator[tuple[str, dict]]:
    """(neighbour, relation) pairs leaving ``u``; ``direction`` is out, in or both.

    Symmetric relations (built-in or declared) are followed both ways whatever the direction.
    """
    symmetric = S.registry.symmetric_types
    for rel in S.out_rels(u):
        if (direction != "in" or rel["type"] in symmetric) and keep(rel):
            yield rel["to"], rel
    for rel in S.in_rels(u):
        if (direction != "out" or rel["type"] in symmetric) and keep(rel):
            yield rel["from"], rel


def via_steps(S: Store, u: str, keep: EdgeFilter) -> Iterator[tuple[str, dict]]:
    """Links through ``via``: a programme or platform to both parties of what went through it,
    and each party to the programme or platform its relation went through."""
    for rel in S.via_rels(u):
        if keep(rel):
            yield rel["from"], rel
            yield rel["to"], rel
    for rel in (*S.out_rels(u), *S.in_rels(u)):
        if "via" in rel and keep(rel):
            yield rel["via"], rel


def symmetric_seen(S: Store, rels: Iterable[dict]) -> list[str]:
    """The symmetric types among ``rels`` (built-in or declared), so a renderer draws them ↔."""
    symmetric = S.registry.symmetric_types
    return sorted({r["type"] for r in rels if r["type"] in symmetric})

"""``tiers`` and ``tier_history``: partners by tier on a party's ladder, and a pair's history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .. import dates
from ..store import Store, as_store
from ..ties import in_force
from ..vocab import TIER_TYPES, designation_of, tier_of
from .filters import as_of_day

if TYPE_CHECKING:
    import networkx as nx


def _rung(rung: str | None) -> str:
    """The rung of an alliance or partnership, which always has one (validation requires a tier)."""
    assert rung is not None, "an alliance or partnership without a rung"
    return rung


def _tier_rels(S: Store, eid: str) -> Iterator[tuple[str, dict]]:
    """(partner, relation) for every alliance or partnership touching ``eid``."""
    for rel in S.out_rels(eid):
        if rel["type"] in TIER_TYPES:
            yield rel["to"], rel
    for rel in S.in_rels(eid):
        if rel["type"] in TIER_TYPES:
            yield rel["from"], rel


def tiers(G: Store | nx.MultiDiGraph, x: str, *, as_of: str | None = None) -> dict:
    """Partners of ``x`` by tier, highest first, with the date each reached its current tier.

    A partner's tier on a day is the highest rung among its alliance and partnership relations
    with ``x`` in force that day; its ``since`` is the earliest start among those at that rung.
    Rungs are ``x``'s own ladder when the data gives it one (``ladders:``), else the default
    ladder, and a relation's rung is ``x``'s designation of it (``designations:``, else ``tier``);
    a partner whose designation differs gets ``designations`` ({party id: tier id}).
    """
    S = as_store(G)
    eid = S.resolve(x)
    day = as_of_day(as_of) or dates.today()
    reg = S.registry
    ranks = reg.ranks_for(eid)
    best: dict[str, tuple[int, list[dict]]] = {}
    for partner, rel in _tier_rels(S, eid):
        if partner == eid or not in_force(rel, day, reported=True):
            continue
        rank = ranks[_rung(designation_of(rel, eid))]
        cur = best.get(partner)
        if cur is None or rank < cur[0]:
            best[partner] = (rank, [rel])
        elif rank == cur[0]:
            cur[1].append(rel)
    partners = []
    for partner, (rank, rels) in best.items():
        rels.sort(key=lambda r: dates.sort_key(r.get("since")))
        tier = _rung(designation_of(rels[0], eid))
        partners.append({
            "id": partner, "name": S.entity(partner)["name"], "type": S.entity(partner)["type"],
            "tier": tier, "tier_name": S.tier_name(tier), "rank": rank, "since": rels[0].get("since"),
            "relations": [r["id"] for r in rels],
            "sources": sorted({s for r in rels for s in r.get("sources", ())}),
        })  # fmt: skip
        designations = _designations(S, rels[0], eid, partner)
        if designations:
            partners[-1]["designations"] = designations
    partners.sort(key=lambda p: (p["rank"], p["name"].casefold()))
    return {"entity": eid, "name": S.entity(eid)["name"], "as_of": as_of, "partners": partners,
            "ladder": eid if eid in reg.ladders else None,
            "tiers": [{"id": t["id"], "name": t["name"], "rank": ranks[t["id"]]} for t in reg.ladder_for(eid)]}  # fmt: skip


def _designations(S: Store, rel: dict, a: str, b: str) -> dict[str, dict] | None:
    """Each side's designation of a relation, {party: {"tier", "tier_name"}}, when the sides differ."""
    if "designations" not in rel:
        return None
    mine, theirs = _rung(designation_of(rel, a)), _rung(designation_of(rel, b))
    if mine == theirs:
        return None
    return {a: {"tier": mine, "tier_name": S.tier_name(mine)}, b: {"tier": theirs, "tier_name": S.tier_name(theirs)}}


def tier_history(G: Store | nx.MultiDiGraph, x: str, y: str, *, as_of: str | None = None) -> dict:
    """The tier between two parties on a day, and every designation they have had, oldest first.

    Ranks are on ``x``'s ladder, of ``x``'s designation (as in ``tiers``); ``tier`` is the
    relation's own; where the sides' designations differ, ``designations`` gives both.
    """
    S = as_store(G)
    a, b = S.resolve(x), S.resolve(y)
    day = as_of_day(as_of) or dates.today()
    ranks = S.registry.ranks_for(a)

    def rank_of(r: dict) -> int:
        return ranks[_rung(designation_of(r, a))]

    rels = [rel for partner, rel in _tier_rels(S, a) if partner == b]
    if as_of is not None:
        rels = [r for r in rels if r.get("since") is None or dates.first_day(r["since"]) <= day]
    rels.sort(key=lambda r: (dates.sort_key(r.get("since")), rank_of(r) * -1, r["id"]))
    history = []
    for i, rel in enumerate(rels):
        tier = _rung(tier_of(rel))
        later = [r for r in rels[i + 1 :] if rank_of(r) < rank_of(rel)
                 and r.get("since") and r.get("since") != rel.get("since")]  # fmt: skip
        history.append({
            "tier": tier, "tier_name": S.tier_name(tier), "rank": rank_of(rel),
            "since": rel.get("since"), "until": rel.get("until"), "status": rel.get("status"),
            "superseded_by": later[0]["id"] if later else None,
            "relation": rel["id"], "sources": rel.get("sources", []), "note": rel.get("note"),
        })  # fmt: skip
        designations = _designations(S, rel, a, b)
        if designations:
            history[-1]["designations"] = designations
    live = [r for r in rels if in_force(r, day, reported=True)]
    current = None
    if live:
        rank = min(rank_of(r) for r in live)
        top = sorted((r for r in live if rank_of(r) == rank),
                     key=lambda r: dates.sort_key(r.get("since")))  # fmt: skip
        tier = _rung(tier_of(top[0]))
        current = {"tier": tier, "tier_name": S.tier_name(tier), "rank": rank,
                   "since": top[0].get("since"), "relation": top[0]["id"]}  # fmt: skip
        designations = _designations(S, top[0], a, b)
        if designations:
            current["designations"] = designations
    return {
        "from": a, "to": b, "as_of": as_of, "current": current, "history": history,
        "ladder": a if a in S.registry.ladders else None,
        "entities": S.brief([a, b]),
        "sources": S.sources_for(rels),
    }  # fmt: skip

"""``show``: an entity card, with the conflicting claims among its relations."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import dates
from ..store import Store, as_store
from .filters import EdgeFilter, symmetric_seen

if TYPE_CHECKING:
    import networkx as nx


def _span(rel: dict) -> tuple[_dt.date, _dt.date]:
    lo = dates.first_day(rel["since"]) if rel.get("since") else _dt.date.min
    hi = dates.first_day(rel["until"]) if rel.get("until") else _dt.date.max
    return lo, hi


# How far along a claim is. A later claim may be further along (history); a later claim that is
# less far along than an earlier one contradicts it. "reported" and "suspended" have no place.
_STAGE = {"proposed": 0, "negotiating": 1, "signed": 2, "in_force": 3, "active": 3, "ended": 4}


def _claimed_on(S: Store, rel: dict) -> _dt.date | None:
    """When a claim says its status held: its ``since``, else the date of its latest dated
    source (an undated "negotiating" from a 2026 article is a claim about 2026), else unknown."""
    if rel.get("since"):
        return dates.first_day(rel["since"])
    days = [dates.first_day(src["date"]) for ref in rel.get("sources", ())
            if (src := S.source(ref)) is not None and src.get("date")]  # fmt: skip
    return max(days) if days else None


def _disagree(S: Store, r1: dict, r2: dict) -> set[str]:
    """The fields on which two claims about the same thing cannot both be true ({} if none)."""
    found: set[str] = set()
    (lo1, hi1), (lo2, hi2) = _span(r1), _span(r2)
    if not ((lo1 < hi2 and lo2 < hi1) or lo1 == lo2 == hi1 == hi2):
        return found  # successive periods (lapsed in 2008, revived in 2017): history
    s1, s2 = r1.get("status", ""), r2.get("status", "")
    if s1 != s2:
        t1, t2 = _claimed_on(S, r1), _claimed_on(S, r2)
        if t1 is None or t2 is None or t1 == t2:
            found.add("status")  # different statuses for the same moment (or one we cannot place)
        else:
            (_, early), (_, late) = sorted(((t1, s1), (t2, s2)))
            if _STAGE.get(late, -1) < _STAGE.get(early, -1) and late in _STAGE:
                found.add("status")  # a later claim less far along than an earlier one
    else:
        found |= {f for f in ("since", "until") if r1.get(f) != r2.get(f)}
    return found


def _conflicts(rels: list[dict], S: Store) -> list[dict]:
    """Claims about the same thing that cannot both be true at the same time (``show``).

    Two relations are about the same thing when they share type, parties (either order for a
    symmetric type), tier, via and attributes (different attributes are different records: two
    fiscal years of aid, two phases of a programme, a delivery and a further transfer). Such
    claims conflict when they give different statuses for the same moment, or a later claim is
    less far along (proposed, negotiating, signed, in force or active, ended) than an earlier
    one (the article's "negotiating" in 2026 against "in force" since 2025), or they give the
    same status with different dates for overlapping periods. Periods that do not overlap, and
    progress through the stages over time (proposed in 2025, negotiating in 2026), are history,
    not a conflict. A claim without a ``since`` is placed at the date of its latest dated source.
    """
    groups: dict[tuple, list[dict]] = {}
    symmetric = S.registry.symmetric_types
    for rel in rels:
        ends = (rel["from"], rel["to"])
        if rel["type"] in symmetric:
            ends = tuple(sorted(ends))
        attrs = tuple(sorted((k, repr(v)) for k, v in (rel.get("attributes") or {}).items()))
        key = (rel["type"], *ends, rel.get("tier"), rel.get("via"), attrs)
        groups.setdefault(key, []).append(rel)
    out = []
    for group in groups.values():
        if len(group) < 2:
            continue
        differ: set[str] = set()
        involved: dict[str, dict] = {}
        for i, r1 in enumerate(group):
            for r2 in group[i + 1 :]:
                found = _disagree(S, r1, r2)
                if found:
                    differ |= found
                    involved[r1["id"]], involved[r2["id"]] = r1, r2
        if differ:
            out.append({
                "relations": list(involved),
                "differ": sorted(differ),
                "claims": [{"id": r["id"], "status": r.get("status"), "since": r.get("since"),
                            "until": r.get("until"), "sources": r.get("sources", []),
                            "note": r.get("note")} for r in involved.values()],
            })  # fmt: skip
    return out


def show(G: Store | nx.MultiDiGraph, x: str, *, as_of: str | None = None, types: Iterable[str] | None = None) -> dict:
    """An entity card: the entity, its relations in and out, what goes through it, and conflicts.

    ``as_of`` keeps only the relations in force on that day, ``types`` only those types (contract
    v1.1), to narrow a large card. Conflicts are found among the relations shown.
    Returns ``{"entity", "relations", "via", "conflicts", "entities", "sources"}``.
    """
    S = as_store(G)
    eid = S.resolve(x)
    keep = EdgeFilter(types, None, as_of, S.registry.relation_types)
    seen: dict[str, dict] = {}
    for rel in (*S.out_rels(eid), *S.in_rels(eid)):
        if keep(rel):
            seen[rel["id"]] = rel
    rels = sorted(seen.values(), key=lambda r: (r["type"], dates.sort_key(r.get("since")), r["id"]))
    via = [rel for rel in S.via_rels(eid) if keep(rel)]
    via.sort(key=lambda r: (r["type"], dates.sort_key(r.get("since")), r["id"]))
    ids = {eid} | {r[k] for r in rels + via for k in ("from", "to", "via") if k in r}
    out: dict[str, Any] = {
        "entity": S.entity(eid),
        "relations": rels,
        "via": via,
        "conflicts": _conflicts(rels + via, S),
        "entities": S.brief(sorted(ids)),
        "sources": S.sources_for([S.entity(eid), *rels, *via]),
        "symmetric_types": symmetric_seen(S, rels + via),
    }
    if as_of is not None or types:
        out["as_of"], out["types"] = as_of, sorted(keep.types or ())
    return out

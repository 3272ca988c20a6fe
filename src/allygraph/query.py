"""Queries: a graph and plain arguments in, plain data (the contract's JSON shapes) out.

Every function here is what one CLI command calls; rendering happens in ``render.py``.
``G`` is a networkx graph from ``allygraph.load_graph()`` or any ``store.Store`` (the compiled
SQLite cache of a large directory); the queries read it only through the Store interface.
Names resolve by id, name or alias, in any case (``names.resolve``).
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from . import dates
from .problems import NoPath, UsageError
from .store import Store, as_store
from .vocab import RELATION_TYPES, TIER_TYPES, designation_of, tier_of

if TYPE_CHECKING:
    import networkx as nx

MAX_PATHS = 500


class EdgeFilter:
    """Which relations a traversal may use: allowed/excluded types and an as-of day.

    ``known`` is the relation types a type may name (a store's ``registry.relation_types``;
    the built-in ones when not given)."""

    def __init__(self, types: Iterable[str] | None = None, exclude: Iterable[str] | None = None,
                 as_of: str | None = None, known: dict | None = None):  # fmt: skip
        self.types = _check_types(types, known)
        self.exclude = _check_types(exclude, known) or frozenset()
        self.as_of = as_of
        self.day = _as_of_day(as_of)

    def __call__(self, rel: dict) -> bool:
        t = rel["type"]
        if self.types and t not in self.types:
            return False
        if t in self.exclude:
            return False
        return self.day is None or dates.relation_in_force(rel, self.day)


def _check_types(types: Iterable[str] | None, known: dict | None = None) -> frozenset[str] | None:
    if not types:
        return None
    from .names import suggest

    known = RELATION_TYPES if known is None else known
    out = set()
    for t in types:
        if t not in known:
            hint = suggest(t, list(known), limit=1)
            tip = f" — did you mean {hint[0]!r}?" if hint else f" (types: {', '.join(known)})"
            raise UsageError(f"unknown relation type {t!r}{tip}")
        out.add(t)
    return frozenset(out)


def _as_of_day(as_of: str | None) -> _dt.date | None:
    if as_of is None:
        return None
    try:
        return dates.as_of_day(as_of)
    except ValueError as exc:
        raise UsageError(f"--as-of: {exc}") from None


def _steps(S: Store, u: str, keep: EdgeFilter, direction: str) -> Iterator[tuple[str, dict]]:
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


def _via_steps(S: Store, u: str, keep: EdgeFilter) -> Iterator[tuple[str, dict]]:
    """Links through ``via``: a programme or platform to both parties of what went through it,
    and each party to the programme or platform its relation went through."""
    for rel in S.via_rels(u):
        if keep(rel):
            yield rel["from"], rel
            yield rel["to"], rel
    for rel in (*S.out_rels(u), *S.in_rels(u)):
        if "via" in rel and keep(rel):
            yield rel["via"], rel


def _path_steps(S: Store, u: str, keep: EdgeFilter, direction: str) -> Iterator[tuple[str, dict]]:
    """What ``path`` follows: a relation's own ends, and (undirected) its ``via`` entity, as in
    ``neighbors`` (contract v1.1: ``path TC-90 Philippines`` answers)."""
    yield from _steps(S, u, keep, direction)
    if direction == "both":
        yield from _via_steps(S, u, keep)


def _rel_order(S: Store, rel: dict) -> tuple:
    """Strongest first: tier rung, then most recent, then id."""
    rank = S.tier_rank.get(tier_of(rel), 999)
    since = rel.get("since") or ""
    return (rank, _neg(since), rel["id"])


def _neg(text: str) -> tuple:
    return tuple(-ord(c) for c in text)


def path(
    G: nx.MultiDiGraph,
    a: str,
    b: str,
    *,
    all_paths: bool = False,
    max_hops: int | None = None,
    types: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    as_of: str | None = None,
    directed: bool = False,
) -> dict:
    """Shortest path(s) between two entities, with every relation on each hop.

    Relations are followed both ways unless ``directed`` (symmetric ones always are).
    Returns ``{"from", "to", "paths": [{"nodes", "edges", "hops"}], ...}``: ``edges`` holds the
    strongest relation per hop, ``hops`` every relation between each pair of nodes.

    Raises UnknownEntity, AmbiguousName, UsageError (bad filter) or NoPath.

    >>> import allygraph
    >>> r = path(allygraph.load_graph(), "Japan", "PH")
    >>> r["paths"][0]["nodes"]
    ['japan', 'philippines']
    """
    S = as_store(G)
    src, dst = S.resolve(a), S.resolve(b)
    keep = EdgeFilter(types, exclude, as_of, S.registry.relation_types)
    if max_hops is not None and max_hops < 1:
        raise UsageError("--max-hops must be at least 1")
    direction = "out" if directed else "both"
    if src == dst:
        raise UsageError(f"{a!r} and {b!r} are the same entity ({src})")
    node_paths = _shortest_paths(S, src, dst, keep, direction, max_hops, limit=MAX_PATHS if all_paths else 1)
    if not node_paths:
        within = f" within {max_hops} hop(s)" if max_hops else ""
        filters = _describe_filter(keep, directed)
        raise NoPath(f"no path from {S.entity(src)['name']} to {S.entity(dst)['name']}{within}{filters}")
    paths = []
    used: list[dict] = []
    for nodes in node_paths:
        hops = []
        for u, v in zip(nodes, nodes[1:], strict=False):
            rels = sorted({r["id"]: r for w, r in _path_steps(S, u, keep, direction) if w == v}.values(),
                          key=lambda r: _rel_order(S, r))  # fmt: skip
            used += rels
            hops.append({"from": u, "to": v, "relations": rels})
        paths.append({"nodes": nodes, "edges": [h["relations"][0] for h in hops], "hops": hops})
    all_nodes = {n for p in node_paths for n in p}
    return {
        "from": src,
        "to": dst,
        "as_of": as_of,
        "directed": directed,
        "hops": len(node_paths[0]) - 1,
        "paths": paths,
        "truncated": all_paths and len(node_paths) >= MAX_PATHS,
        "entities": S.brief(sorted(all_nodes)),
        "sources": S.sources_for(used),
        "symmetric_types": _symmetric_seen(S, used),
    }


def _symmetric_seen(S: Store, rels: Iterable[dict]) -> list[str]:
    """The symmetric types among ``rels`` (built-in or declared), so a renderer draws them ↔."""
    symmetric = S.registry.symmetric_types
    return sorted({r["type"] for r in rels if r["type"] in symmetric})


def _describe_filter(keep: EdgeFilter, directed: bool) -> str:
    parts = []
    if keep.types:
        parts.append("types " + ", ".join(sorted(keep.types)))
    if keep.exclude:
        parts.append("excluding " + ", ".join(sorted(keep.exclude)))
    if keep.as_of:
        parts.append(f"as of {keep.as_of}")
    if directed:
        parts.append("directed")
    return f" ({'; '.join(parts)})" if parts else ""


_REVERSE = {"out": "in", "in": "out", "both": "both"}


def _shortest_paths(S: Store, src: str, dst: str, keep: EdgeFilter, direction: str, max_hops: int | None,
                    limit: int) -> list[list[str]]:  # fmt: skip
    """Every shortest path (at most ``limit``) from ``src`` to ``dst``, by bidirectional BFS.

    Both searches grow one whole layer at a time, the smaller frontier first, and keep every
    shortest-path predecessor; the first layer that touches the other side fixes the length.
    On a million relations this reads a few hundred nodes' relations instead of the graph.
    """
    preds = ({src: []}, {dst: []})  # forward: node -> predecessors; backward: node -> successors
    depth = [{src: 0}, {dst: 0}]
    frontier = [[src], [dst]]
    ways = (direction, _REVERSE[direction])
    meet: list[str] = []
    while frontier[0] and frontier[1] and not meet:
        if max_hops is not None and max(depth[0].values()) + max(depth[1].values()) >= max_hops:
            return []
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        layer: dict[str, list[str]] = {}
        seen = depth[side]
        for u in frontier[side]:
            for v, _ in _path_steps(S, u, keep, ways[side]):
                if v in seen:
                    continue
                got = layer.setdefault(v, [])
                if u not in got:
                    got.append(u)
        level = max(depth[side].values()) + 1
        for v, ps in layer.items():
            preds[side][v] = sorted(ps)  # sorted: the same answer whatever order a store reads in
            seen[v] = level
        frontier[side] = sorted(layer)
        other = depth[1 - side]
        touching = [v for v in frontier[side] if v in other]
        if touching:
            best = min(other[v] for v in touching)
            meet = [v for v in touching if other[v] == best]
    out: list[list[str]] = []
    for m in meet:
        for head in _walk(preds[0], m, src):
            for tail in _walk(preds[1], m, dst):
                out.append(head[::-1] + tail[1:])
                if len(out) >= limit:
                    return out
    return out


def _walk(preds: dict[str, list[str]], start: str, end: str) -> Iterator[list[str]]:
    """Every path from ``start`` back to ``end`` through the predecessor map."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    while stack:
        node, trail = stack.pop()
        if node == end:
            yield trail
            continue
        for p in reversed(preds[node]):
            stack.append((p, trail + [p]))


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
    s1, s2 = r1.get("status"), r2.get("status")
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


def show(G: nx.MultiDiGraph, x: str, *, as_of: str | None = None, types: Iterable[str] | None = None) -> dict:
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
    out = {
        "entity": S.entity(eid),
        "relations": rels,
        "via": via,
        "conflicts": _conflicts(rels + via, S),
        "entities": S.brief(sorted(ids)),
        "sources": S.sources_for([S.entity(eid), *rels, *via]),
        "symmetric_types": _symmetric_seen(S, rels + via),
    }
    if as_of is not None or types:
        out["as_of"], out["types"] = as_of, sorted(keep.types or ())
    return out


def neighbors(
    G: nx.MultiDiGraph,
    x: str,
    *,
    depth: int = 1,
    types: Iterable[str] | None = None,
    direction: str = "both",
    as_of: str | None = None,
) -> dict:
    """Entities within ``depth`` hops, each with its depth and the relations that reached it.

    Besides the relations' own ends, a relation links its parties with its ``via`` entity, so
    the neighbours of OSA are the states that gave and received OSA (and theirs include OSA);
    these links have no direction, so ``--direction in/out`` leaves them out.
    """
    if direction not in ("in", "out", "both"):
        raise UsageError(f"--direction must be in, out or both, not {direction!r}")
    if depth < 1:
        raise UsageError("--depth must be at least 1")
    S = as_store(G)
    eid = S.resolve(x)
    keep = EdgeFilter(types, None, as_of, S.registry.relation_types)
    found: dict[str, dict] = {}
    frontier = [eid]
    reached = {eid}
    for d in range(1, depth + 1):
        layer: dict[str, dict] = {}
        for u in frontier:
            via_steps = _via_steps(S, u, keep) if direction == "both" else ()
            for v, rel in itertools.chain(_steps(S, u, keep, direction), via_steps):
                if v in reached:
                    continue
                if v not in layer:
                    ent = S.entity(v)
                    layer[v] = {"id": v, "name": ent["name"], "type": ent["type"], "depth": d, "relations": []}
                entry = layer[v]
                if rel["id"] not in entry["relations"]:
                    entry["relations"].append(rel["id"])
        for entry in layer.values():
            entry["relations"].sort()
        reached.update(layer)
        found.update(layer)
        frontier = list(layer)
        if not frontier:
            break
    ordered = sorted(found.values(), key=lambda n: (n["depth"], n["name"].casefold()))
    return {
        "entity": eid,
        "name": S.entity(eid)["name"],
        "depth": depth,
        "direction": direction,
        "as_of": as_of,
        "neighbors": ordered,
    }


def _tier_rels(S: Store, eid: str) -> Iterator[tuple[str, dict]]:
    """(partner, relation) for every alliance or partnership touching ``eid``."""
    for rel in S.out_rels(eid):
        if rel["type"] in TIER_TYPES:
            yield rel["to"], rel
    for rel in S.in_rels(eid):
        if rel["type"] in TIER_TYPES:
            yield rel["from"], rel


def tiers(G: nx.MultiDiGraph, x: str, *, as_of: str | None = None) -> dict:
    """Partners of ``x`` by tier, highest first, with the date each reached its current tier.

    A partner's tier on a day is the highest rung among its alliance and partnership relations
    with ``x`` in force that day; its ``since`` is the earliest start among those at that rung.
    Rungs are ``x``'s own ladder when the data gives it one (``ladders:``), else the default
    ladder, and a relation's rung is ``x``'s designation of it (``designations:``, else ``tier``);
    a partner whose designation differs gets ``designations`` ({party id: tier id}).
    """
    S = as_store(G)
    eid = S.resolve(x)
    day = _as_of_day(as_of) or dates.today()
    reg = S.registry
    ranks = reg.ranks_for(eid)
    best: dict[str, tuple[int, list[dict]]] = {}
    for partner, rel in _tier_rels(S, eid):
        if partner == eid or not dates.relation_in_force(rel, day):
            continue
        rank = ranks[designation_of(rel, eid)]
        cur = best.get(partner)
        if cur is None or rank < cur[0]:
            best[partner] = (rank, [rel])
        elif rank == cur[0]:
            cur[1].append(rel)
    partners = []
    for partner, (rank, rels) in best.items():
        rels.sort(key=lambda r: dates.sort_key(r.get("since")))
        tier = designation_of(rels[0], eid)
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
    mine, theirs = designation_of(rel, a), designation_of(rel, b)
    if mine == theirs:
        return None
    return {a: {"tier": mine, "tier_name": S.tier_name(mine)}, b: {"tier": theirs, "tier_name": S.tier_name(theirs)}}


def tier_history(G: nx.MultiDiGraph, x: str, y: str, *, as_of: str | None = None) -> dict:
    """The tier between two parties on a day, and every designation they have had, oldest first.

    Ranks are on ``x``'s ladder, of ``x``'s designation (as in ``tiers``); ``tier`` is the
    relation's own; where the sides' designations differ, ``designations`` gives both.
    """
    S = as_store(G)
    a, b = S.resolve(x), S.resolve(y)
    day = _as_of_day(as_of) or dates.today()
    ranks = S.registry.ranks_for(a)

    def rank_of(r: dict) -> int:
        return ranks[designation_of(r, a)]

    rels = [rel for partner, rel in _tier_rels(S, a) if partner == b]
    if as_of is not None:
        rels = [r for r in rels if r.get("since") is None or dates.first_day(r["since"]) <= day]
    rels.sort(key=lambda r: (dates.sort_key(r.get("since")), rank_of(r) * -1, r["id"]))
    history = []
    for i, rel in enumerate(rels):
        tier = tier_of(rel)
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
    in_force = [r for r in rels if dates.relation_in_force(r, day)]
    current = None
    if in_force:
        rank = min(rank_of(r) for r in in_force)
        top = sorted((r for r in in_force if rank_of(r) == rank),
                     key=lambda r: dates.sort_key(r.get("since")))  # fmt: skip
        tier = tier_of(top[0])
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


def search(G: nx.MultiDiGraph, text: str, *, limit: int = 10, cutoff: float = 60.0) -> dict:
    """Fuzzy search over ids, names and aliases (rapidfuzz WRatio, 0-100), best first.

    At most ``limit`` matches, except that matches tied with the last one shown are shown too
    (``coast gard`` lists every coast guard, not the first in alphabetical order)."""
    from rapidfuzz import fuzz, process, utils

    S = as_store(G)
    if not text.strip():
        raise UsageError("search needs some text")
    labels = S.labels()
    # WRatio rewards partial matches, which makes two-letter aliases (IN, ID) match almost
    # anything: score those by plain edit distance instead.
    longer = sorted(label for label in labels if len(label) > 2)  # sorted: ties break alike in every store
    shorter = sorted(label for label in labels if len(label) <= 2)
    # every label above the cutoff (not the first few): an entity whose labels score lower than
    # another entity's many aliases must not fall out of a tie
    found = process.extract(text, longer, scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=None, score_cutoff=cutoff)  # fmt: skip
    found += process.extract(text, shorter, scorer=fuzz.ratio, processor=utils.default_process,
                             limit=limit, score_cutoff=max(cutoff, 80))  # fmt: skip
    best: dict[str, tuple[float, str]] = {}
    for label, score, _ in found:
        for eid in sorted(labels[label]):
            if eid not in best or score > best[eid][0]:
                best[eid] = (score, label)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], S.entity(kv[0])["name"].casefold()))
    keep = ranked[:limit]
    if len(ranked) > limit and keep:  # a tie at the limit is kept whole: no tied match is dropped
        last = round(keep[-1][1][0], 1)
        keep += [kv for kv in ranked[limit:] if round(kv[1][0], 1) == last]
    matches = [{"id": eid, "name": S.entity(eid)["name"], "type": S.entity(eid)["type"],
                "score": round(score, 1), "matched": label} for eid, (score, label) in keep]  # fmt: skip
    return {"query": text, "matches": matches}

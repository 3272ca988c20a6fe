"""``clusters``: minilateral security clusters on a day, declared and emergent.

Security ties between two states, on a day (the ``--type`` values that select them):

- ``alliance``: a treaty alliance in force;
- ``partnership``: a partnership in force at or above ``rung`` (default ``strategic_partnership``)
  as either party words it on its own ladder (so China's comprehensive strategic cooperative
  partnership counts, a plain "comprehensive partnership" does not);
- ``party_to``: an access agreement both are party to, in force (status ``in_force`` or
  ``active``: signed is not enough): an agreement entity whose
  ``attributes.kind`` is ``access``, or whose id or name says reciprocal access, visiting forces,
  force posture, use of facilities or enhanced defence cooperation;
- ``member_of``: a shared framework of at most ``max_framework`` states (a minilateral; the
  East Asia Summit's eighteen are a forum, not a security tie).

Declared clusters are frameworks with at least ``min_size`` member states on the day. Emergent
clusters are the maximal groups of at least ``min_size`` states each pair of which is tied, plus
each declared cluster whose own members are all tied without counting that framework (its
bilateral backing, marked ``"maximal": false``). A tie's date is when its unbroken run began, and
an emergent cluster's ``since`` is the latest of its pairs': the day the last tie closed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from ..problems import UsageError
from ..ties import is_access_agreement
from .common import all_entities, all_relations, as_of_day, check_date, later, neighbourhood, run_start, span, store_of

TIE_TYPES = ("alliance", "partnership", "party_to", "member_of")
DEFAULT_RUNG = "strategic_partnership"
MAX_FRAMEWORK = 6


class _Ties:
    """The ties between pairs of states: (start, end, since, tag, relation ids) per pair, where the
    tag is the relation type, or ``@framework`` for a shared framework."""

    def __init__(self) -> None:
        self.spans: dict[frozenset, list[tuple]] = {}

    def add(self, a: str, b: str, iv: tuple | None, tag: str, rel_ids: tuple[str, ...]) -> None:
        """Record that ``a`` and ``b`` are tied over ``iv`` (start, end, since) by ``rel_ids``."""
        if a != b and iv is not None:
            self.spans.setdefault(frozenset((a, b)), []).append((*iv, tag, rel_ids))

    def since(self, a: str, b: str, day, without: str | None = None) -> tuple[bool, str | None, list[str]]:
        """Whether ``a`` and ``b`` are tied on ``day`` (not counting tag ``without``), since when,
        and the relations that tie them that day."""
        spans = [s for s in self.spans.get(frozenset((a, b)), ()) if s[3] != without]
        ok, since = run_start(((lo, hi, sn) for lo, hi, sn, _, _ in spans), day)
        rels = sorted({r for lo, hi, _, _, ids in spans if lo <= day < hi for r in ids})
        return ok, since, rels


def _interval(rels: list[dict]) -> tuple | None:
    """The overlap of several relations' spans, with the later ``since`` as written."""
    lo, hi, since = None, None, None
    for rel in rels:
        sp = span(rel)
        if sp is None:
            return None
        lo = sp[0] if lo is None else max(lo, sp[0])
        hi = sp[1] if hi is None else min(hi, sp[1])
        since = later(since, rel.get("since"))
    return (lo, hi, since) if lo < hi else None


def _rung_ok(S, rel: dict, rung: str) -> bool:
    from ..vocab import designation_of

    reg = S.registry
    for p in (rel["from"], rel["to"]):
        ranks = reg.ranks_for(p)
        if ranks.get(designation_of(rel, p) or "", 10**6) <= ranks.get(rung, -1):
            return True
    return False


def _collect(S, rels: Iterable[dict], states: set[str], rung: str, types: set[str], max_framework: int, day):
    """The ties among ``states``, and each framework's member relations by state."""
    ties = _Ties()
    joined: dict[str, dict[str, list[dict]]] = {}  # agreement or framework -> state -> relations
    for rel in rels:
        a, b, t = rel["from"], rel["to"], rel["type"]
        if t in ("alliance", "partnership") and t in types and a in states and b in states:
            if t == "alliance" or _rung_ok(S, rel, rung):
                ties.add(a, b, _interval([rel]), t, (rel["id"],))
        elif t in ("party_to", "member_of") and a in states:
            joined.setdefault(b, {}).setdefault(a, []).append(rel)
    members: dict[str, dict[str, list[dict]]] = {}
    for target, parties in joined.items():
        ent = S.entity(target)
        if ent["type"] == "framework":
            members[target] = parties
        access = "party_to" in types and is_access_agreement(target, ent)
        small = "member_of" in types and ent["type"] == "framework" and _count_on(parties, day) <= max_framework
        if not (access or small):
            continue
        tag = "party_to" if access else f"@{target}"
        if access:  # an agreement ties its parties once in force, not when merely signed
            parties = {
                p: [r for r in rs if r.get("status", "active") in ("in_force", "active")] for p, rs in parties.items()
            }
        for (p, ra), (q, rb) in itertools.combinations(sorted(parties.items()), 2):
            for r1, r2 in itertools.product(ra, rb):
                ties.add(p, q, _interval([r1, r2]), tag, (r1["id"], r2["id"]))
    return ties, members


def _count_on(parties: dict[str, list[dict]], day) -> int:
    return sum(1 for rels in parties.values() if any((sp := span(r)) and sp[0] <= day < sp[1] for r in rels))


def _declared(S, members: dict, day, min_size: int) -> list[dict]:
    """Frameworks with at least ``min_size`` member states on ``day``, with their last change."""
    out = []
    for fw, parties in members.items():
        now, ties, last = [], [], None
        for state, rels in parties.items():
            for r in rels:
                sp = span(r)
                if sp and sp[0] <= day < sp[1]:
                    now.append(state)
                    ties.append(r["id"])
                    last = later(last, r.get("since"))
                elif r.get("until") and sp is not None and sp[1] <= day:
                    last = later(last, r["until"])  # a member left: the membership changed then
        now = sorted(set(now))
        if len(now) >= min_size:
            out.append({"kind": "declared", "framework": fw, "name": S.entity(fw)["name"], "members": now,
                        "since": last, "ties": sorted(ties)})  # fmt: skip
    return out


def _emergent(ties: _Ties, states: set[str], day, min_size: int) -> list[dict]:
    import networkx as nx

    H = nx.Graph()
    for key in ties.spans:
        a, b = sorted(key)
        if a in states and b in states and ties.since(a, b, day)[0]:
            H.add_edge(a, b)
    out = []
    for clique in nx.find_cliques(H):
        if len(clique) >= min_size:
            out.append(_clique(ties, sorted(clique), day, None) | {"maximal": True})
    return out


def _clique(ties: _Ties, members: list[str], day, without: str | None) -> dict:
    since, rels, pairs = None, set(), []
    for a, b in itertools.combinations(members, 2):
        _, s, r = ties.since(a, b, day, without)
        since = later(since, s)
        rels.update(r)
        pairs.append({"pair": [a, b], "since": s})
    return {
        "kind": "emergent",
        "framework": None,
        "members": members,
        "since": since,
        "ties": sorted(rels),
        "pairs": pairs,
    }


def _backing(ties: _Ties, declared: list[dict], emergent: list[dict], day) -> list[dict]:
    """Declared clusters whose members are tied without that framework, as emergent clusters
    (when no maximal one has exactly those members), and each declared cluster's match."""
    extra = []
    for d in declared:
        members = d["members"]
        same = [i for i, e in enumerate(emergent) if e["members"] == members]
        within = [i for i, e in enumerate(emergent) if set(members) < set(e["members"])]
        backed = all(ties.since(a, b, day, f"@{d['framework']}")[0] for a, b in itertools.combinations(members, 2))
        d["emergent"] = "same" if same else "within" if within else None
        d["backed"] = backed
        if backed:
            own = _clique(ties, members, day, f"@{d['framework']}")
            d["backed_since"] = own["since"]
            if not same:
                extra.append(own | {"maximal": False, "backs": d["framework"]})
    return extra


def clusters(G: object, *, as_of: str | None = None, min_size: int = 3, types: Iterable[str] | None = None,
             rung: str = DEFAULT_RUNG, max_framework: int = MAX_FRAMEWORK, around: str | None = None,
             depth: int = 1) -> dict:  # fmt: skip
    """Minilateral security clusters on ``as_of`` (default today): declared (frameworks of
    ``min_size`` or more states) and emergent (maximal groups of states all pairwise tied; see the
    module docstring for the ties and ``types``), which coincide, and the states in several.

    ``around``/``depth`` look only at one entity's neighbourhood (fast on a large store).
    Returns ``{"as_of", "clusters": [{"members", "since", "kind", "framework", "ties", ...}],
    "overlaps": [{"id", "name", "count", "clusters"}], "rung", "types", "entities"}``.
    """
    S = store_of(G)
    check_date("--as-of", as_of)
    day = as_of_day(as_of)
    if min_size < 2:
        raise UsageError("--min-size must be at least 2")
    chosen = set(types or TIE_TYPES)
    bad = sorted(chosen - set(TIE_TYPES))
    if bad:
        raise UsageError(f"--type {bad[0]!r} is not a security tie; choose from {', '.join(TIE_TYPES)}")
    if rung not in S.registry.tier_names:
        raise UsageError(f"--rung {rung!r} is not a rung of any ladder (see `allygraph types`)")
    if around is not None:
        reached, rels = neighbourhood(S, S.resolve(around), depth)
        states = {e for e in reached if S.entity(e)["type"] == "state"}
    else:
        states = {eid for eid, ent in all_entities(S) if ent["type"] == "state"}
        rels = all_relations(S)
    ties, members = _collect(S, rels, states, rung, chosen, max_framework, day)
    declared = _declared(S, members, day, min_size)
    emergent = _emergent(ties, states, day, min_size)
    emergent += _backing(ties, declared, emergent, day)
    found = sorted(declared, key=lambda c: (c["members"], c["framework"])) + sorted(
        emergent, key=lambda c: (-len(c["members"]), c["members"])
    )
    return {"as_of": as_of or day.isoformat(), "rung": rung, "types": sorted(chosen), "min_size": min_size,
            "around": around, "clusters": found, "overlaps": _overlaps(S, found),
            "entities": S.brief(sorted({m for c in found for m in c["members"]}))}  # fmt: skip


def _overlaps(S, found: list[dict]) -> list[dict]:
    """States in more than one cluster (declared or maximal emergent), most first: the article's
    "testing ground"."""
    count: dict[str, list[str]] = {}
    for c in found:
        if c["kind"] == "emergent" and not c.get("maximal"):
            continue
        label = c["framework"] or "+".join(c["members"])
        for m in c["members"]:
            count.setdefault(m, []).append(label)
    rows = [
        {"id": m, "name": S.entity(m)["name"], "count": len(c), "clusters": c} for m, c in count.items() if len(c) > 1
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["name"]))

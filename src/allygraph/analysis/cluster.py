"""``clusters``: minilateral security clusters on a day, declared and emergent, cores and communities.

Security ties between two states, on the clock's day (``ties.Clock``: today by default), by
layer (``ties.layer_of``; the ``--type`` values that select them):

- ``alliance``: a treaty alliance in force;
- ``access``: an access agreement both are party to, in force (signed is not enough);
- ``defence``, ``exercise``, ``arms``, ``deployment``: a relation of a type in that layer between
  the two (an exercise together, an arms transfer, forces deployed to the other);
- ``framework``: a shared framework of at most ``max_framework`` states (a minilateral; the East
  Asia Summit's eighteen are a forum, not a security tie);
- ``partnership`` (only when asked for): a partnership at or above ``rung`` as either party words
  it on its own ladder. A partnership label alone is not a security tie by default.

A pair of states in an active dispute (an adversarial tie in force, e.g. ``disputes_with``) is
never a security tie that day; the pairs dropped for it are listed (``dropped``). With roll-up
(the default) an agency's relations count for the state it is ``part_of`` (``ties.owner_state``),
and the agencies that acted are named (``actors``).

``method``:

- ``cliques`` (default): *declared* clusters are frameworks with at least ``min_size`` member
  states on the day; *emergent* clusters are the maximal groups of at least ``min_size`` states
  each pair of which is tied (networkx's ``find_cliques``), where a framework's tie never holds
  together a group that framework contains: a declared minilateral is emergent only if its
  members are tied without it. A tie's date is when its unbroken run began, and an emergent
  cluster's ``since`` is the latest of its pairs': the day the last tie closed;
- ``kcore``: the connected parts of each ``k``-core (``core_number``/``k_core``), kind ``core``;
- ``louvain``: ``louvain_communities`` with a fixed seed, kind ``community`` (a partition).

``around`` filters the whole-graph result to the clusters that contain one state; it never
changes them.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Iterable

from ..errors import UsageError
from ..store import as_store
from ..ties import Tie, is_access_agreement, strength, tie_of
from .common import Rollup, clock_of, later, relations_of, run_start

SECURITY_LAYERS = ("alliance", "access", "defence", "exercise", "arms", "deployment", "framework")
TIE_TYPES = (*SECURITY_LAYERS, "partnership")  # what --type may name: the layers above, and partnership
LEGACY = {"party_to": "access", "member_of": "framework"}  # v1.1 names of two of them
METHODS = ("cliques", "kcore", "louvain")
DEFAULT_RUNG = "strategic_partnership"
MAX_FRAMEWORK = 6
SEED = 18  # louvain's seed: the same graph always gives the same communities


class _Ties:
    """The ties between pairs of states: (start, end, since, tag, relation ids, actors, strength)
    per pair, where the tag is the layer, or ``@framework`` for a shared framework; and the
    adversarial spans (disputes) per pair."""

    def __init__(self) -> None:
        self.spans: dict[frozenset, list[tuple]] = {}
        self.disputes: dict[frozenset, list[tuple]] = {}

    def add(self, a: str, b: str, iv: tuple | None, tag: str, rel_ids: tuple[str, ...], actors=(), w=1.0) -> None:
        """Record that ``a`` and ``b`` are tied over ``iv`` (start, end, since) by ``rel_ids``."""
        if a != b and iv is not None:
            self.spans.setdefault(frozenset((a, b)), []).append((*iv, tag, rel_ids, tuple(actors), w))

    def dispute(self, a: str, b: str, iv: tuple | None, rel_id: str) -> None:
        """Record that ``a`` and ``b`` are in a dispute over ``iv``."""
        if a != b and iv is not None:
            self.disputes.setdefault(frozenset((a, b)), []).append((iv[0], iv[1], rel_id))

    def disputed(self, key: frozenset, day) -> list[str]:
        """The disputes in force between a pair on ``day`` (any day when None)."""
        return sorted({r for lo, hi, r in self.disputes.get(key, ()) if _covers(lo, hi, day)})

    def on(self, key: frozenset, day, without: Iterable[str] = ()) -> list[tuple]:
        """The pair's ties on ``day`` (not counting the tags in ``without``)."""
        drop = set(without)
        return [s for s in self.spans.get(key, ()) if s[3] not in drop and _covers(s[0], s[1], day)]

    def since(self, a: str, b: str, day, without: Iterable[str] = ()) -> tuple[bool, str | None, list[str], list]:
        """Whether ``a`` and ``b`` are tied on ``day`` (not counting the tags in ``without``),
        since when, the relations that tie them that day, and the agencies that acted."""
        drop = set(without)
        spans = [s for s in self.spans.get(frozenset((a, b)), ()) if s[3] not in drop]
        if day is None:
            ok = bool(spans)
            since = min((s[2] for s in spans if s[2]), key=_first, default=None) if ok else None
            on = spans
        else:
            ok, since = run_start(((s[0], s[1], s[2]) for s in spans), day)
            on = [s for s in spans if s[0] <= day < s[1]]
        rels = sorted({r for s in on for r in s[4]})
        actors = sorted({x for s in on for x in s[5]})
        return ok, since, rels, actors


def _first(d: str) -> _dt.date:
    from .. import dates

    return dates.first_day(d)


def _covers(lo, hi, day) -> bool:
    return day is None or lo <= day < hi


def _interval(clock, rels: list[dict]) -> tuple | None:
    """The overlap of several relations' spans by the clock's rule, with the later ``since``."""
    lo, hi, since = None, None, None
    for rel in rels:
        sp = clock.span(rel)
        if sp is None:
            return None
        lo = sp[0] if lo is None else max(lo, sp[0])
        hi = sp[1] if hi is None else min(hi, sp[1])
        since = later(since, rel.get("since"))
    return (lo, hi, since) if lo is not None and hi is not None and lo < hi else None


def _rung_ok(S, rel: dict, rung: str | None) -> bool:
    from ..vocab import designation_of

    if rung is None:  # any rung
        return True
    reg = S.registry
    for p in (rel["from"], rel["to"]):
        ranks = reg.ranks_for(p)
        if ranks.get(designation_of(rel, p) or "", 10**6) <= ranks.get(rung, -1):
            return True
    return False


def _collect(S, clock, rollup: Rollup, layers: set[str], rung: str | None, max_framework: int, relations=None):
    """The ties among states and each framework's member relations by state (from ``relations``
    when given, else every relation of ``S``)."""
    reg = S.registry
    ties = _Ties()
    joined: dict[str, dict[str, list[tuple[dict, str]]]] = {}  # agreement or framework -> state -> (rel, actor)
    entity = _entity_lookup(S)
    model: dict[str, Tie] = {}  # relation type -> its tie model (read once per type)
    for rel in _read(S, layers) if relations is None else relations:
        typ = rel["type"]
        t = model.get(typ)
        if t is None:
            t = model[typ] = tie_of(reg, typ)
        if not t.tie:
            continue
        if typ in ("party_to", "member_of"):
            a = rollup.state(rel["from"])
            if a is not None:
                joined.setdefault(rel["to"], {}).setdefault(a, []).append((rel, rel["from"]))
            continue
        adversarial = t.polarity == "adversarial"
        if not adversarial and (t.polarity != "cooperative" or t.layer not in layers):
            continue  # the layer of any type but party_to is its type's (ties.layer_of)
        sp = clock.span(rel)
        if sp is None:
            continue
        u, v = rel["from"], rel["to"]
        a, b = rollup.state(u), rollup.state(v)
        if a is None or b is None or a == b:
            continue
        if adversarial:
            ties.dispute(a, b, sp, rel["id"])
            continue
        if t.layer == "partnership" and not _rung_ok(S, rel, rung):
            continue
        acted = () if (a == u and b == v) else tuple(x for x, y in ((u, a), (v, b)) if x != y)
        w = strength(reg, rel) if typ in ("partnership", "alliance") else t.strength
        ties.add(a, b, (sp[0], sp[1], rel.get("since")), t.layer, (rel["id"],), acted, w)
    members: dict[str, dict[str, list[tuple[dict, str]]]] = {}
    for target, parties in joined.items():
        ent = entity(target)
        if ent is None:
            continue
        if ent["type"] == "framework":
            members[target] = parties
        access = "access" in layers and is_access_agreement(target, ent)
        small = "framework" in layers and ent["type"] == "framework" and _count_on(clock, parties) <= max_framework
        if not (access or small):
            continue
        tag = "access" if access else f"@{target}"
        w = 0.6 if access else 0.3
        for (p, ra), (q, rb) in itertools.combinations(sorted(parties.items()), 2):
            for (r1, x1), (r2, x2) in itertools.product(ra, rb):
                acted = tuple(x for x in (x1, x2) if rollup.type_of(x) != "state")
                ties.add(p, q, _interval(clock, [r1, r2]), tag, (r1["id"], r2["id"]), acted, w)
    return ties, members


def _read(S, layers: set[str]):
    """The relations ``_collect`` may use, in the data's order: ties that join an agreement or a
    framework, adversarial ties, and cooperative ties of ``layers`` (it skips every other type
    before it reads anything else of it, so the store need not decode them)."""
    reg = S.registry
    types = []
    for typ in reg.relation_types:
        t = tie_of(reg, typ)
        if t.tie and (typ in ("party_to", "member_of") or t.polarity == "adversarial"
                      or (t.polarity == "cooperative" and t.layer in layers)):  # fmt: skip
            types.append(typ)
    return relations_of(S, types)


def _entity_lookup(S):
    cache: dict[str, dict | None] = {}

    def entity(eid: str) -> dict | None:
        if eid not in cache:
            cache[eid] = S.entity(eid) if S.has_entity(eid) else None
        return cache[eid]

    return entity


def _count_on(clock, parties: dict[str, list[tuple[dict, str]]]) -> int:
    """How many of a framework's parties are members on the clock's day."""
    return sum(1 for rels in parties.values() if any(_in(clock, r) for r, _ in rels))


def _in(clock, rel: dict) -> bool:
    sp = clock.span(rel)
    return sp is not None and _covers(sp[0], sp[1], clock.day)


def _declared(S, clock, members: dict, min_size: int) -> list[dict]:
    """Frameworks with at least ``min_size`` member states on the day, with their last change."""
    out = []
    day = clock.day
    for fw, parties in members.items():
        now, ties, last, actors = [], [], None, set()
        for state, rels in parties.items():
            for r, actor in rels:
                sp = clock.span(r)
                if sp and _covers(sp[0], sp[1], day):
                    now.append(state)
                    ties.append(r["id"])
                    last = later(last, r.get("since"))
                    if actor != state:
                        actors.add(actor)
                elif r.get("until") and sp is not None and day is not None and sp[1] <= day:
                    last = later(last, r["until"])  # a member left: the membership changed then
        now = sorted(set(now))
        if len(now) >= min_size:
            out.append({"kind": "declared", "framework": fw, "name": S.entity(fw)["name"], "members": now,
                        "since": last, "ties": sorted(ties), "actors": sorted(actors)})  # fmt: skip
    return out


def _graph(ties: _Ties, day, weighted: bool = False):
    """The states tied on ``day`` (disputed pairs dropped), and the dropped pairs."""
    import networkx as nx

    H: nx.Graph = nx.Graph()
    dropped = []
    for key in ties.spans:
        on = ties.on(key, day)
        if not on:
            continue
        a, b = sorted(key)
        disputes = ties.disputed(key, day)
        if disputes:
            dropped.append({"pair": [a, b], "disputes": disputes, "ties": sorted({r for s in on for r in s[4]})})
            continue
        if weighted:
            H.add_edge(a, b, weight=max(s[6] for s in on))
        else:
            H.add_edge(a, b)
    return H, sorted(dropped, key=lambda d: d["pair"])


def _fw_members(members: dict, clock) -> dict[str, frozenset]:
    """Each framework's member states on the clock's day."""
    return {fw: frozenset(p for p, rels in parties.items() if any(_in(clock, r) for r, _ in rels))
            for fw, parties in members.items()}  # fmt: skip


def _emergent(ties: _Ties, H, fw: dict[str, frozenset], day, min_size: int, nodes=None) -> list[dict]:
    """Maximal cliques of at least ``min_size`` states in which no pair is tied only by frameworks
    that contain the whole clique (a framework never makes its own members emergent)."""
    import networkx as nx

    G = H if nodes is None else H.subgraph(nodes)
    stack = [frozenset(c) for c in nx.find_cliques(G) if len(c) >= min_size]
    seen: set[frozenset] = set()
    found: set[frozenset] = set()
    while stack:
        C = stack.pop()
        if C in seen:
            continue
        seen.add(C)
        inside = {f"@{f}" for f, m in fw.items() if m >= C}
        bad = [(a, b) for a, b in itertools.combinations(sorted(C), 2)
               if inside and not ties.on(frozenset((a, b)), day, inside)]  # fmt: skip
        if not bad:
            found.add(C)
            continue
        sub: nx.Graph = nx.Graph(G.subgraph(C))
        sub.remove_edges_from(bad)
        stack.extend(frozenset(c) for c in nx.find_cliques(sub) if len(c) >= min_size)
    maximal = [C for C in found if not any(C < D for D in found)]
    out = []
    for C in maximal:
        inside = {f"@{f}" for f, m in fw.items() if m >= C}
        out.append(_clique(ties, sorted(C), day, inside) | {"maximal": True})
    return out


def _clique(ties: _Ties, members: list[str], day, without: Iterable[str]) -> dict:
    since, rels, pairs, actors = None, set(), [], set()
    for a, b in itertools.combinations(members, 2):
        _, s, r, x = ties.since(a, b, day, without)
        since = later(since, s)
        rels.update(r)
        actors.update(x)
        pairs.append({"pair": [a, b], "since": s, "ties": r, "actors": x})
    return {"kind": "emergent", "framework": None, "members": members, "since": since, "ties": sorted(rels),
            "actors": sorted(actors), "pairs": pairs}  # fmt: skip


def _backing(ties: _Ties, declared: list[dict], emergent: list[dict], H, fw: dict[str, frozenset], day) -> list[dict]:
    """Declared clusters whose members are tied without that framework (nor any other that holds
    them all), as emergent clusters (when no maximal one has exactly those members), and each
    declared cluster's match."""
    extra = []
    for d in declared:
        members = d["members"]
        same = [e for e in emergent if e["members"] == members]
        within = [e for e in emergent if set(members) < set(e["members"])]
        without = {f"@{f}" for f, m in fw.items() if set(members) <= m}
        backed = all(H.has_edge(a, b) and ties.on(frozenset((a, b)), day, without)
                     for a, b in itertools.combinations(members, 2))  # fmt: skip
        # emergent only when its members are tied without it (a larger clique may lean on it)
        d["emergent"] = None if not backed else "same" if same else "within" if within else "backed"
        d["backed"] = backed
        if backed:
            own = _clique(ties, members, day, without)
            d["backed_since"] = own["since"]
            if not same:
                extra.append(own | {"maximal": False, "backs": d["framework"]})
    return extra


def _ties_within(ties: _Ties, members: Iterable[str], H, day) -> list[str]:
    ms = sorted(members)
    out: set[str] = set()
    for a in ms:
        for b in H[a]:
            if a < b and b in ms:
                out.update(r for s in ties.on(frozenset((a, b)), day) for r in s[4])
    return sorted(out)


def _cores(ties: _Ties, H, day, min_size: int) -> list[dict]:
    """The connected parts of each k-core (k >= 2) with at least ``min_size`` states."""
    import networkx as nx

    if not len(H):
        return []
    core = nx.core_number(H)
    out = []
    for k in sorted({v for v in core.values() if v >= 2}):
        K = nx.k_core(H, k, core_number=core)
        for comp in nx.connected_components(K):
            if len(comp) >= min_size:
                out.append({"kind": "core", "k": k, "framework": None, "members": sorted(comp), "since": None,
                            "ties": _ties_within(ties, comp, H, day)})  # fmt: skip
    return sorted(out, key=lambda c: (-c["k"], -len(c["members"]), c["members"]))


def _communities(ties: _Ties, H, day, min_size: int) -> list[dict]:
    """Louvain communities (networkx's, seed ``SEED``) of at least ``min_size`` states."""
    import networkx as nx

    out = []
    for comm in nx.community.louvain_communities(H, weight="weight", seed=SEED):
        if len(comm) >= min_size:
            out.append({"kind": "community", "framework": None, "members": sorted(comm), "since": None,
                        "ties": _ties_within(ties, comm, H, day)})  # fmt: skip
    return sorted(out, key=lambda c: (-len(c["members"]), c["members"]))


def _layers(S, types: Iterable[str] | None, layers: Iterable[str] | None) -> set[str]:
    """The layers that tie: those named, and the layer of each relation type named (``party_to``
    is ``access``, ``member_of`` ``framework``); the security layers when neither is given."""
    from ..query.filters import _check_types

    chosen = set(layers or ())
    bad = sorted(chosen - set(TIE_TYPES))
    if bad:
        raise UsageError(f"--layer {bad[0]!r} is not a security layer; choose from {', '.join(TIE_TYPES)}")
    for t in sorted(_check_types(types, S.registry.relation_types) or ()):
        layer = LEGACY.get(t) or tie_of(S.registry, t).layer
        if layer not in TIE_TYPES or not tie_of(S.registry, t).tie:
            raise UsageError(f"--type {t!r} is not a security tie; choose types of the layers {', '.join(TIE_TYPES)}")
        chosen.add(layer)
    return chosen or set(SECURITY_LAYERS)


def clusters(G: object, *, as_of: str | None = None, min_size: int = 3, types: Iterable[str] | None = None,
             rung: str = DEFAULT_RUNG, max_framework: int = MAX_FRAMEWORK, around: str | None = None,
             method: str = "cliques", all_time: bool = False, roll_up: bool = True, layers: Iterable[str] | None = None,
             years: str | None = None, relations: list[dict] | None = None, spans: dict | None = None) -> dict:  # fmt: skip
    """Security clusters of states on ``as_of`` (default today; any day with ``all_time``): see
    the module docstring for the ties (``layers``, or the relation ``types`` whose layers tie),
    the methods and ``around``.

    Returns ``{"as_of", "method", "clusters": [{"members", "since", "kind", "framework", "ties",
    "actors", ...}], "dropped": [{"pair", "disputes", "ties"}], "overlaps", "types", "entities"}``;
    with ``years`` (``Y1:Y2``), ``{"years": [{"year", ...}]}``. ``relations`` (every relation of
    the store, already read) and ``spans`` (a shared span cache) let a caller that reads several
    days read the store once.
    """
    if years is not None:
        from .common import by_years

        def one(year: str) -> dict:
            return clusters(G, as_of=year, min_size=min_size, types=types, rung=rung, max_framework=max_framework,
                            around=around, method=method, roll_up=roll_up, layers=layers, relations=relations,
                            spans=spans)  # fmt: skip

        return by_years(one, years, as_of, all_time)
    S = as_store(G)
    clock = clock_of(S, as_of, all_time, spans=spans)
    day = clock.day
    if min_size < 2:
        raise UsageError("--min-size must be at least 2")
    if method not in METHODS:
        raise UsageError(f"--method must be one of {', '.join(METHODS)}, not {method!r}")
    layers = _layers(S, types, layers)
    if rung not in S.registry.tier_names:
        raise UsageError(f"--rung {rung!r} is not a rung of any ladder (see `allygraph types`)")
    rollup = Rollup(S, roll_up)
    centre = None
    if around is not None:
        eid = S.resolve(around)
        centre = rollup.state(eid)
        if centre is None:
            raise UsageError(f"--around: {eid!r} is not a state and belongs to none (clusters are of states)")
    ties, members = _collect(S, clock, rollup, layers, rung, max_framework, relations)
    H, dropped = _graph(ties, day, weighted=method == "louvain")
    if method == "cliques":
        declared = _declared(S, clock, members, min_size)
        fw = _fw_members(members, clock)
        # every maximal clique holding ``centre`` lies among it and its neighbours: the same cliques, found faster
        nodes = None if centre is None else ({centre, *H[centre]} if centre in H else set())
        emergent = _emergent(ties, H, fw, day, min_size, nodes)
        if centre is not None:
            emergent = [e for e in emergent if centre in e["members"]]
        emergent += _backing(ties, declared, emergent, H, fw, day)
        found = sorted(declared, key=lambda c: (c["members"], c["framework"])) + sorted(
            emergent, key=lambda c: (-len(c["members"]), c["members"])
        )
    elif method == "kcore":
        found = _cores(ties, H, day, min_size)
    else:
        found = _communities(ties, H, day, min_size)
    if centre is not None:
        found = [c for c in found if centre in c["members"]]
        dropped = [d for d in dropped if centre in d["pair"]]
    return {"as_of": clock.as_of, "method": method, "rung": rung, "types": sorted(layers), "min_size": min_size,
            "around": centre, "roll_up": roll_up, "clusters": found, "dropped": dropped,
            "overlaps": _overlaps(S, found),
            "entities": S.brief(sorted({m for c in found for m in c["members"]} | {m for d in dropped for m in d["pair"]}))}  # fmt: skip


def _overlaps(S, found: list[dict]) -> list[dict]:
    """States in more than one cluster (declared or maximal emergent), most first: the article's
    "testing ground"."""
    count: dict[str, list[str]] = {}
    for c in found:
        if c["kind"] != "declared" and not c.get("maximal"):
            continue
        label = c["framework"] or "+".join(c["members"])
        for m in c["members"]:
            count.setdefault(m, []).append(label)
    rows = [
        {"id": m, "name": S.entity(m)["name"], "count": len(c), "clusters": c} for m, c in count.items() if len(c) > 1
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["name"]))

"""``changes``: what changed between two days, by the one rule of ``ties``.

- ``formed`` / ``ended``: the ties (``ties.tie_of``) in force on ``to`` and not on ``from``, and
  the reverse (a relation signed but not in force is neither);
- ``upgraded`` / ``downgraded``: pairs whose rung (the highest among their alliance and
  partnership relations in force, on the first party's own ladder) rose or fell, with the rung
  before and after and the relation that holds the new one;
- ``clusters``: the clusters (``clusters``, same method) there on ``to`` and not on ``from``
  (``formed``) and the reverse (``dissolved``), compared by kind, framework and members;
- ``movers``: the largest changes of weighted degree (``rank --by degree --weight``: a tie's
  strength counts, so an upgrade moves its parties).

``around`` keeps what touches one entity (an agency counts for its state).
"""

from __future__ import annotations

from ..errors import UsageError
from ..store import as_store
from ..ties import tie_of
from ..vocab import TIER_TYPES, designation_of
from .centrality import rank
from .cluster import clusters
from .common import Rollup, all_relations, check_date, clock_of


def _rungs(S, clock, rels: list[dict]) -> dict[tuple[str, str], tuple[int, str | None, str]]:
    """(a, b) sorted -> (rank, rung, relation id): each pair's highest rung on ``clock``'s day."""
    best: dict[tuple[str, str], tuple[int, str | None, str]] = {}
    for rel in rels:
        if rel["type"] not in TIER_TYPES or not clock(rel):
            continue
        a, b = sorted((rel["from"], rel["to"]))
        rung = designation_of(rel, a)
        r = S.registry.ranks_for(a).get(rung or "", 10**6)
        cur = best.get((a, b))
        if cur is None or (r, rel["id"]) < (cur[0], cur[2]):
            best[(a, b)] = (r, rung, rel["id"])
    return best


def _key(c: dict) -> tuple:
    return c["kind"], c.get("framework"), c.get("k"), tuple(c["members"])


def changes(G: object, date_from: str, date_to: str, *, around: str | None = None, roll_up: bool = True,
            method: str = "cliques", movers: int = 10) -> dict:  # fmt: skip
    """What changed from ``date_from`` to ``date_to`` (see the module docstring):
    ``{"from", "to", "as_of", "formed": [relation], "ended": [relation], "upgraded": [{"parties",
    "was", "now", "relation"}], "downgraded": [...], "clusters": {"formed", "dissolved"},
    "movers": [{"id", "name", "type", "was", "now", "change", "rank_was", "rank_now"}]}``."""
    for opt, value in (("--from", date_from), ("--to", date_to)):
        if value is None:
            raise UsageError(f"{opt} is required (a date: YYYY, YYYY-MM or YYYY-MM-DD)")
        check_date(opt, value)
    if movers < 0:
        raise UsageError("--movers must be at least 0")
    S = as_store(G)
    spans: dict = {}  # one span per relation, for both days
    c1, c2 = clock_of(S, date_from, spans=spans), clock_of(S, date_to, spans=spans)
    assert c1.day is not None and c2.day is not None  # both days are given (checked above)
    if c1.day > c2.day:
        raise UsageError(f"--from {date_from} is after --to {date_to}")
    rollup = Rollup(S, roll_up)
    centre = None
    if around is not None:
        eid = S.resolve(around)
        centre = rollup.state(eid) or eid

    def near(rel: dict) -> bool:
        return centre is None or centre in (rollup.node(rel["from"]), rollup.node(rel["to"]), rel.get("via"))

    reg = S.registry
    every = list(all_relations(S))  # read once: the clusters and the movers of both days read it too
    tied = [r for r in every if tie_of(reg, r["type"]).tie and near(r)]
    formed, ended = [], []
    for rel in tied:
        was, now = c1(rel), c2(rel)
        if now and not was:
            formed.append(rel)
        elif was and not now:
            ended.append(rel)
    r1, r2 = _rungs(S, c1, tied), _rungs(S, c2, tied)
    upgraded: list[dict] = []
    downgraded: list[dict] = []
    for pair, (rank_now, rung_now, rid) in sorted(r2.items()):
        old = r1.get(pair)
        if old is None or old[0] == rank_now:
            continue
        row = {"parties": list(pair), "was": old[1], "now": rung_now, "relation": rid, "was_relation": old[2]}
        (upgraded if rank_now < old[0] else downgraded).append(row)
    k1, k2 = ({_key(c): c for c in clusters(S, as_of=c.as_of, method=method, roll_up=roll_up, relations=every,
                                              spans=spans)["clusters"]} for c in (c1, c2))  # fmt: skip
    if centre is not None:
        k1 = {k: c for k, c in k1.items() if centre in c["members"]}
        k2 = {k: c for k, c in k2.items() if centre in c["members"]}
    moved = _movers(S, c1.as_of, c2.as_of, roll_up, movers, centre, formed + ended, every, spans)
    names = {m for r in formed + ended for m in (r["from"], r["to"])} | {m for u in upgraded + downgraded
                                                                          for m in u["parties"]}  # fmt: skip
    return {"from": date_from, "to": date_to, "as_of": c2.as_of, "around": centre, "roll_up": roll_up,
            "formed": formed, "ended": ended, "upgraded": upgraded, "downgraded": downgraded,
            "clusters": {"method": method, "formed": [c for k, c in k2.items() if k not in k1],
                         "dissolved": [c for k, c in k1.items() if k not in k2]},
            "movers": moved, "entities": S.brief(sorted(names | {m["id"] for m in moved}))}  # fmt: skip


def _movers(S, d1: str | None, d2: str | None, roll_up: bool, limit: int, centre: str | None, touched: list[dict],
            every: list[dict], spans: dict) -> list[dict]:  # fmt: skip
    """The entities whose weighted degree changed most (around ``centre``: it and the parties of
    the relations that formed or ended)."""
    if limit == 0:
        return []
    a, b = ({r["id"]: r for r in rank(S, "degree", as_of=d, limit=None, weight=True, roll_up=roll_up, relations=every,
                                      spans=spans)["ranking"]} for d in (d1, d2))  # fmt: skip
    pos1 = {eid: i for i, eid in enumerate(a, 1)}
    pos2 = {eid: i for i, eid in enumerate(b, 1)}
    keep = None
    if centre is not None:
        rollup = Rollup(S, roll_up)
        keep = {centre} | {rollup.node(x) for r in touched for x in (r["from"], r["to"])}
    rows = []
    for eid in set(a) | set(b):
        if keep is not None and eid not in keep:
            continue
        was, now = a.get(eid, {}).get("score", 0.0), b.get(eid, {}).get("score", 0.0)
        if round(now - was, 6) == 0:
            continue
        ent = b.get(eid) or a[eid]
        rows.append({"id": eid, "name": ent["name"], "type": ent["type"], "was": was, "now": now,
                     "change": round(now - was, 6), "rank_was": pos1.get(eid), "rank_now": pos2.get(eid)})  # fmt: skip
    rows.sort(key=lambda r: (-abs(r["change"]), r["id"]))
    return rows[:limit]

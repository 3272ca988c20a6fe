"""``balance``: the signed network of states on a day, and its balanced and unbalanced triangles.

A pair of states is positive (+) when a cooperative tie holds between them that day (any layer:
an alliance, a partnership at any rung, an access agreement, a shared framework of at most six
states, an exercise, a transfer, aid, a deployment, other cooperation; agencies count for their
state) and negative (−) when an adversarial tie does (a dispute in force), whatever else holds:
a pair in an active dispute is never counted as friends (such pairs are ``mixed``). A triangle of
three signed pairs is balanced when the product of its signs is positive (+++, +−−: "the enemy
of my enemy"), unbalanced otherwise (++−, −−−), as structural balance theory reads it.
"""

from __future__ import annotations

import itertools

from ..store import as_store
from .cluster import MAX_FRAMEWORK, _collect, _Ties
from .common import Rollup, clock_of


def _signs(ties: _Ties, day) -> tuple[dict[frozenset, int], dict[frozenset, dict]]:
    """Each signed pair's sign and what made it: its ties and disputes that day."""
    signs, why = {}, {}
    for key in set(ties.spans) | set(ties.disputes):
        disputes = ties.disputed(key, day)
        on = sorted({r for s in ties.on(key, day) for r in s[4]})
        if not disputes and not on:
            continue
        signs[key] = -1 if disputes else 1
        why[key] = {"ties": on, "disputes": disputes}
    return signs, why


def balance(G: object, *, as_of: str | None = None, all_time: bool = False, roll_up: bool = True) -> dict:
    """Structural balance of the states on ``as_of`` (today by default; any day with
    ``all_time``): ``{"as_of", "pairs": {"positive", "negative", "mixed"}, "triangles": n,
    "balanced": n, "unbalanced": [[a, b, c], ...], "details": [{"members", "signs", "relations"}]}``,
    unbalanced triangles sorted, each with its three pairs' signs (ab, ac, bc) and relations."""
    S = as_store(G)
    clock = clock_of(S, as_of, all_time)
    reg = S.registry
    layers = {t.layer for t in reg.relation_types.values() if t.tie and t.polarity == "cooperative"}
    layers |= {"access", "framework"}
    ties, _ = _collect(S, clock, Rollup(S, roll_up), layers, None, MAX_FRAMEWORK)
    signs, why = _signs(ties, clock.day)
    adj: dict[str, set[str]] = {}
    for key in signs:
        a, b = sorted(key)
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    total = balanced = 0
    unbalanced, details = [], []
    for a in sorted(adj):
        for b, c in itertools.combinations(sorted(x for x in adj[a] if x > a), 2):
            if c not in adj[b]:
                continue
            total += 1
            pairs = [frozenset(p) for p in ((a, b), (a, c), (b, c))]
            product = signs[pairs[0]] * signs[pairs[1]] * signs[pairs[2]]
            if product > 0:
                balanced += 1
                continue
            unbalanced.append([a, b, c])
            details.append({"members": [a, b, c], "signs": ["+" if signs[p] > 0 else "-" for p in pairs],
                            "pairs": [{"pair": sorted(p), **why[p]} for p in pairs]})  # fmt: skip
    mixed = sum(1 for k, w in why.items() if w["ties"] and w["disputes"])
    positive = sum(1 for v in signs.values() if v > 0)
    return {"as_of": clock.as_of, "roll_up": roll_up, "states": len(adj),
            "pairs": {"positive": positive, "negative": len(signs) - positive, "mixed": mixed},
            "triangles": total, "balanced": balanced, "unbalanced": unbalanced, "details": details,
            "entities": S.brief(sorted({m for t in unbalanced for m in t}))}  # fmt: skip

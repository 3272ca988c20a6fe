"""``neighbors``: the entities within a few hops of one, layer by layer."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..store import Store, as_store
from .filters import EdgeFilter, steps, via_steps

if TYPE_CHECKING:
    import networkx as nx


def neighbors(
    G: Store | nx.MultiDiGraph,
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
    these links have no direction, so ``--direction in/out`` leaves them out. ``labels`` names,
    for each listed relation that is a contradicted claim or a report, what it is.
    """
    if direction not in ("in", "out", "both"):
        raise UsageError(f"--direction must be in, out or both, not {direction!r}")
    if depth < 1:
        raise UsageError("--depth must be at least 1")
    S = as_store(G)
    eid = S.resolve(x)
    keep = EdgeFilter(types, None, as_of, S.registry.relation_types)
    found: dict[str, dict] = {}
    labels: dict[str, str] = {}  # relation id -> "contradicted by ..." or "reported"
    frontier = [eid]
    reached = {eid}
    for d in range(1, depth + 1):
        layer: dict[str, dict] = {}
        for u in frontier:
            through = via_steps(S, u, keep) if direction == "both" else ()
            for v, rel in itertools.chain(steps(S, u, keep, direction), through):
                if v in reached:
                    continue
                if v not in layer:
                    ent = S.entity(v)
                    layer[v] = {"id": v, "name": ent["name"], "type": ent["type"], "depth": d, "relations": []}
                entry = layer[v]
                if rel["id"] not in entry["relations"]:
                    entry["relations"].append(rel["id"])
                    if rel.get("contradicted_by") or rel.get("status") == "reported":
                        labels[rel["id"]] = _label(rel)
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
        "labels": {r: labels[r] for r in sorted(labels) if any(r in n["relations"] for n in ordered)},
    }


def _label(rel: dict) -> str:
    """How a doubtful relation is labelled where it is listed: what contradicts it, or reported."""
    if rel.get("contradicted_by"):
        return "contradicted by " + ", ".join(rel["contradicted_by"])
    return "reported"

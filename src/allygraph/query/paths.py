"""``path``: shortest paths between two entities, by bidirectional breadth-first search."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ..errors import NoPath, UsageError
from ..store import Store, as_store
from ..vocab import effective_status, tier_of
from .filters import EdgeFilter, steps, symmetric_seen, via_steps

if TYPE_CHECKING:
    import networkx as nx

MAX_PATHS = 500


def _path_steps(S: Store, u: str, keep: EdgeFilter, direction: str) -> Iterator[tuple[str, dict]]:
    """What ``path`` follows: a relation's own ends, and (undirected) its ``via`` entity, as in
    ``neighbors`` (contract v1.1: ``path TC-90 Philippines`` answers)."""
    yield from steps(S, u, keep, direction)
    if direction == "both":
        yield from via_steps(S, u, keep)


def _rel_order(S: Store, rel: dict) -> tuple:
    """Confirmed first (a reported relation after them, a contradicted claim last), then
    strongest: tier rung, then most recent, then id."""
    doubt = {"reported": 1, "contradicted": 2}.get(effective_status(rel), 0)
    rank = S.tier_rank.get(tier_of(rel) or "", 999)
    since = rel.get("since") or ""
    return (doubt, rank, _neg(since), rel["id"])


class _Where(EdgeFilter):
    """An EdgeFilter with one more test (what ``path(where=...)`` adds)."""

    def __init__(self, base: EdgeFilter, where: Callable[[dict], bool]) -> None:  # noqa: D107
        self.__dict__.update(base.__dict__)
        self._base, self._where = base, where

    def __call__(self, rel: dict) -> bool:
        return self._base(rel) and self._where(rel)


def _neg(text: str) -> tuple:
    return tuple(-ord(c) for c in text)


def path(
    G: Store | nx.MultiDiGraph,
    a: str,
    b: str,
    *,
    all_paths: bool = False,
    max_hops: int | None = None,
    types: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    as_of: str | None = None,
    directed: bool = False,
    where: Callable[[dict], bool] | None = None,
) -> dict:
    """Shortest path(s) between two entities, with every relation on each hop.

    Relations are followed both ways unless ``directed`` (symmetric ones always are); ``where``,
    when given, is one more test a relation must pass (``explain`` passes its clock and the tie
    model). On each hop a contradicted claim comes last (it is shown, labelled, never the hop's
    ``edges`` entry while another relation makes the hop), then a reported one.
    Returns ``{"from", "to", "paths": [{"nodes", "edges", "hops"}], ...}``: ``edges`` holds the
    strongest relation per hop, ``hops`` every relation between each pair of nodes.

    Raises UnknownEntity, AmbiguousName, UsageError (bad filter) or NoPath.

    >>> import allygraph
    >>> r = path(allygraph.load_graph(use_cache=False), "Japan", "PH")
    >>> r["paths"][0]["nodes"]
    ['japan', 'philippines']
    """
    S = as_store(G)
    src, dst = S.resolve(a), S.resolve(b)
    keep = EdgeFilter(types, exclude, as_of, S.registry.relation_types)
    if where is not None:
        keep = _Where(keep, where)
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
    all_nodes = {n for p in node_paths for n in p} | {r[k] for r in used for k in ("from", "to", "via") if r.get(k)}
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
        "symmetric_types": symmetric_seen(S, used),
    }


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
    preds: tuple[dict[str, list[str]], ...]
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

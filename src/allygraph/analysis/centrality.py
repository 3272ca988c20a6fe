"""``rank``: who brokers the network, by networkx's own centrality implementations.

The graph handed to networkx is a plain ``nx.Graph`` (each pair of entities tied by any kept
relation, undirected), so a networkx backend (nx-cugraph on a GPU, graphblas, parallel) runs
these same calls unchanged: install it and set ``NETWORKX_AUTOMATIC_BACKENDS`` (or
``NETWORKX_BACKEND_PRIORITY``), and networkx dispatches to it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..problems import UsageError
from ..query import EdgeFilter
from .common import all_relations, check_date, neighbourhood, store_of

METRICS = ("degree", "betweenness", "pagerank", "eigenvector")
MAX_EDGES = 2_000_000  # above this, whole-graph ranking refuses with advice
EXACT_BETWEENNESS = 2_000  # up to this many nodes betweenness is exact; above, it samples
DEFAULT_SAMPLE = 256
BETWEENNESS_EDGES = 200_000  # above this, betweenness needs an explicit --sample (each source costs seconds)
PAGERANK_HINT = "--by pagerank needs numpy and scipy: install them (pip install numpy scipy)"


def _build(S, keep: EdgeFilter, around: str | None, depth: int, max_edges: int):
    import networkx as nx

    H = nx.Graph()
    if around is not None:
        eid = S.resolve(around)
        _, rels = neighbourhood(S, eid, depth, keep)
    else:
        rels = (r for r in all_relations(S) if keep(r))
    add = H.add_edge
    for n, rel in enumerate(rels, 1):
        if n > max_edges:
            raise UsageError(
                f"more than {max_edges:,} relations to rank: narrow it with --type (e.g. --type alliance "
                f"--type partnership), --as-of, or --around X --depth N")  # fmt: skip
        if rel["from"] != rel["to"]:
            add(rel["from"], rel["to"])
    return H


def _scores(H, by: str, sample: int | None, seed: int) -> tuple[dict, int | None]:
    import networkx as nx

    if by == "degree":
        return nx.degree_centrality(H), None
    if by == "pagerank":
        try:
            import scipy  # noqa: F401  (networkx's pagerank runs on scipy)
        except ImportError:
            # true for a wheel and for a clone alike: allygraph is not on the package index, so
            # ``pip install 'allygraph[analysis]'`` finds nothing (from a clone: pip install '.[analysis]')
            raise UsageError(PAGERANK_HINT) from None
        return nx.pagerank(H), None
    if by == "betweenness":
        n = H.number_of_nodes()
        if sample is None and H.number_of_edges() > BETWEENNESS_EDGES:
            raise UsageError(
                f"betweenness over {H.number_of_edges():,} ties costs seconds per sampled source: give the sample "
                f"size (--sample 8 is about a minute on a million relations), or narrow with --around X --depth N "
                f"or --type")  # fmt: skip
        k = sample if sample is not None else (None if n <= EXACT_BETWEENNESS else DEFAULT_SAMPLE)
        k = None if k is not None and k >= n else k
        return nx.betweenness_centrality(H, k=k, seed=seed if k else None), k
    try:
        return nx.eigenvector_centrality(H, max_iter=1000), None
    except nx.PowerIterationFailedConvergence:
        raise UsageError("eigenvector centrality did not converge: try --by pagerank, or narrow with --type") from None


def rank(G: object, by: str = "degree", *, types: Iterable[str] | None = None, as_of: str | None = None,
         limit: int | None = 20, around: str | None = None, depth: int = 2, sample: int | None = None,
         seed: int = 1, entity_types: Iterable[str] | None = None, max_edges: int = MAX_EDGES) -> dict:  # fmt: skip
    """Entities ranked by a centrality ``by`` (degree, betweenness, pagerank, eigenvector),
    highest first, over the relations of ``types`` in force on ``as_of`` (all when not given).

    ``around``/``depth`` rank one entity's neighbourhood instead of the whole graph.
    Betweenness is exact up to 2,000 entities; above, or when ``sample`` is given, it samples
    ``sample`` source nodes (networkx's ``k``, with ``seed``; 256 by default) and says so
    (``"sample"``); above 200,000 ties it refuses without an explicit ``sample``.
    ``entity_types`` keeps only entities of those types in the ranking (scores are computed on
    the whole graph). Returns ``{"by", "ranking": [{"id", "name", "type", "score"}], "nodes",
    "edges", "sample", ...}``.
    """
    if by not in METRICS:
        raise UsageError(f"--by must be one of {', '.join(METRICS)}, not {by!r}")
    if limit is not None and limit < 1:
        raise UsageError("--limit must be at least 1")
    if sample is not None and sample < 1:
        raise UsageError("--sample must be at least 1")
    S = store_of(G)
    check_date("--as-of", as_of)
    for t in entity_types or ():
        if t not in S.registry.entity_types:
            raise UsageError(f"--entity-type {t!r} is not an entity type ({', '.join(S.registry.entity_types)})")
    keep = EdgeFilter(types, None, as_of, S.registry.relation_types)
    H = _build(S, keep, around, depth, max_edges)
    scores, k = _scores(H, by, sample, seed) if H.number_of_nodes() else ({}, None)
    wanted = set(entity_types or ())
    ranked = []
    for eid, score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        ent = S.entity(eid)
        if wanted and ent["type"] not in wanted:
            continue
        ranked.append({"id": eid, "name": ent["name"], "type": ent["type"], "score": round(float(score), 6)})
        if limit is not None and len(ranked) >= limit:
            break
    return {"by": by, "as_of": as_of, "types": sorted(keep.types or ()), "around": around,
            "nodes": H.number_of_nodes(), "edges": H.number_of_edges(), "sample": k, "seed": seed if k else None,
            "ranking": ranked}  # fmt: skip

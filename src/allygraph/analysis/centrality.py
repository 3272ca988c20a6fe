"""``rank``: who brokers the network, by networkx's own centrality implementations.

The graph handed to networkx is a plain ``nx.Graph``: each pair of entities tied by a kept
relation (a cooperative tie in force on the clock's day, by ``ties``; adversarial ties too when
asked), undirected, an agency rolled up to its state; with ``weight``, each edge carries its
strongest tie's ``weight`` (``ties.strength``) and ``distance`` (its inverse). A networkx backend
(nx-cugraph on a GPU, graphblas, parallel) runs these same calls unchanged: install it and set
``NETWORKX_AUTOMATIC_BACKENDS`` (or ``NETWORKX_BACKEND_PRIORITY``), and networkx dispatches to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import UsageError
from ..store import as_store
from .common import Rollup, all_relations, clock_of, neighbourhood, tie_ends

METRICS = ("degree", "betweenness", "pagerank", "eigenvector")
MAX_EDGES = 2_000_000  # above this, whole-graph ranking refuses with advice
EXACT_BETWEENNESS = 2_000  # up to this many nodes betweenness is exact; above, it samples
DEFAULT_SAMPLE = 256
BETWEENNESS_EDGES = 200_000  # above this, betweenness needs an explicit --sample (each source costs seconds)
PAGERANK_HINT = "--by pagerank needs numpy and scipy: install them (pip install numpy scipy)"


def _keep(S, types: Iterable[str] | None, clock, include_adversarial: bool):
    """The relations ``rank`` follows: ties (``ties.tie_of``) that are cooperative, or adversarial
    when asked, of ``types`` when given, in force by ``clock``."""
    from ..query.filters import _check_types
    from ..ties import tie_of

    wanted = _check_types(types, S.registry.relation_types)
    reg = S.registry
    polarities = {"cooperative", "adversarial"} if include_adversarial else {"cooperative"}
    followed = {t for t in reg.relation_types if (tie := tie_of(reg, t)).tie and tie.polarity in polarities}
    if wanted:
        for t in sorted(wanted - followed):
            tie = tie_of(reg, t)
            if tie.tie and tie.polarity == "adversarial":
                raise UsageError(f"--type {t}: an adversarial tie; rank follows it only with --include-adversarial")
        followed &= wanted

    def keep(rel: dict) -> bool:
        return rel["type"] in followed and clock(rel)

    keep.types = wanted  # type: ignore[attr-defined]
    keep.followed = followed  # type: ignore[attr-defined]
    keep.clock = clock  # type: ignore[attr-defined]
    return keep


def _pairs(S, keep, max_edges: int, rollup) -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    """What ``_build`` adds without weights over the whole graph, read from the store's rows in
    force (``common.tie_ends``: no record decoded on the SQLite store): each kept relation's
    (rolled-up) ends in the data's order, self-ties left out, and the agencies each state stands for."""
    moved = rollup.moved()
    rows = list(tie_ends(S, keep.followed, keep.clock))
    if len(rows) > max_edges:
        raise UsageError(
            f"more than {max_edges:,} relations to rank: narrow it with --type (e.g. --type alliance "
            f"--type partnership), --as-of, or --around X --depth N")  # fmt: skip
    actors: dict[str, set[str]] = {}
    if not moved:
        return [(a, b) for a, b in rows if a != b], actors
    pairs: list[tuple[str, str]] = []
    for a, b in rows:
        u, v = moved.get(a, a), moved.get(b, b)
        if u != a:
            actors.setdefault(u, set()).add(a)
        if v != b:
            actors.setdefault(v, set()).add(b)
        if u != v:
            pairs.append((u, v))
    return pairs, actors


def _degree(pairs: list[tuple[str, str]]) -> tuple[dict[str, float], int, int]:
    """``nx.degree_centrality`` of the graph of ``pairs`` (and its nodes and edges), without
    building it: each node's distinct neighbours over ``n - 1`` (``_degree_of_codes``, each node
    numbered first)."""
    from itertools import chain

    index: dict[str, int] = {}  # each node a number, so that a tie is one int (cheaper than a pair of strings)
    number = index.setdefault
    codes = [number(x, len(index)) for x in chain.from_iterable(pairs)]
    counts, edges = _degree_of_codes(codes[0::2], codes[1::2])
    names = list(index)
    return _centrality({names[c]: d for c, d in counts.items()}), len(counts), edges


def _centrality(counts: dict) -> dict:
    """Degree counts as ``nx.degree_centrality`` gives them: over ``n - 1`` (1 for a lone node)."""
    n = len(counts)
    if n <= 1:
        return dict.fromkeys(counts, 1)
    s = 1.0 / (n - 1)
    return {x: d * s for x, d in counts.items()}


NUMPY_FROM = 50_000  # numpy counts from this many ties (below, importing it costs more than it saves)


def _numpy() -> Any:
    """numpy when installed (the ``analysis`` extra), else None: the counts are then pure Python."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _degree_of_codes(a: Sequence[int], b: Sequence[int]) -> tuple[dict[int, int], int]:
    """Each node's number of distinct neighbours in the graph whose ties are ``zip(a, b)`` (node
    numbers from 0 to 2**31 - 1; a self-tie is no edge), for the nodes with one, and the number
    of edges (``_count_pairs``): numpy's when ``a`` and ``b`` are its arrays, else pure Python."""
    if isinstance(a, list):
        return _count_pairs([x << 32 | y if x < y else y << 32 | x for x, y in zip(a, b, strict=True) if x != y])
    np = _numpy()
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    tied = lo != hi
    return _count_pairs((lo[tied] << 32) | hi[tied])


def _count_pairs(pairs: Any) -> tuple[dict[int, int], int]:
    """Each node's number of distinct neighbours, for the nodes with one, and the number of
    edges, from the pair codes ``lo << 32 | hi`` (``lo < hi``, each below 2**31) of the ties, a
    pair tied twice given twice: with numpy when ``pairs`` is its array (sorted, each pair once,
    ``bincount``), else (the same counts) a set and ``Counter``."""
    if not isinstance(pairs, list):
        np = _numpy()
        edges = np.sort(pairs)
        edges = edges[np.concatenate(([True], edges[1:] != edges[:-1]))] if len(edges) else edges  # each pair once
        counts = np.bincount(np.concatenate((edges >> 32, edges & 0xFFFFFFFF)))
        nodes = np.flatnonzero(counts)
        return dict(zip(nodes.tolist(), counts[nodes].tolist(), strict=True)), len(edges)
    from collections import Counter
    from itertools import repeat
    from operator import and_, rshift

    edges = set(pairs)
    found = Counter(map(rshift, edges, repeat(32)))
    found.update(map(and_, edges, repeat(0xFFFFFFFF)))
    return dict(found), len(edges)


def _parse(text: str, count: int | None, np: Any, top: int) -> Any:
    """The numbers from 0 to ``top - 1`` written as ``text`` (joined by commas), ``count`` of
    them when given: numpy's array when ``np`` is numpy, else a list; ValueError when that is not
    what ``text`` holds (a damaged cache: ``cache.retry_on_damage`` then reads the YAML)."""
    if np is not None:
        import warnings

        with warnings.catch_warnings():  # text it cannot read is a short array (checked below), not a warning
            warnings.simplefilter("ignore")
            x = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
        ok = count in (None, len(x)) and text.count(",") + 1 == len(x) if text else count in (None, 0)
        ok = ok and (not len(x) or (x.min() >= 0 and x.max() < top))
    else:
        x = list(map(int, text.split(","))) if text else []
        ok = count in (None, len(x)) and (not x or (min(x) >= 0 and max(x) < top))
    if not ok:
        raise ValueError("the relations' numbers are damaged")
    return x


def _numbers(codes, fast: bool) -> tuple[Any, Any]:
    """The two ends of ``SQLiteStore.tie_codes`` as sequences of ints (``_parse``): numpy arrays
    when numpy is installed and there are ``NUMPY_FROM`` ties or more (``fast``), else lists."""
    np = _numpy() if fast and codes.rows >= NUMPY_FROM else None
    return _parse(codes.a, codes.rows, np, 1 << 31), _parse(codes.b, codes.rows, np, 1 << 31)


def _degree_by_codes(S, keep, max_edges: int, rollup, fast: bool = True):
    """``rank --by degree`` of the whole graph on the SQLite store: the ties in force read as the
    numbers of their ends, no string interned and no row built: as pair codes made by SQLite
    (``SQLiteStore.tie_pairs``) when no agency is rolled up, else as two columns
    (``SQLiteStore.tie_codes``) rolled up by number; counted by ``_count_pairs`` (numpy's when
    installed and ``fast``), and only then named (``entity_ids``). The same scores, nodes, edges
    and agencies as ``_degree`` of ``_pairs``: ``(scores, nodes, edges, actors)``."""

    def check(rows: int) -> None:
        if rows > max_edges:
            raise UsageError(
                f"more than {max_edges:,} relations to rank: narrow it with --type (e.g. --type alliance "
                f"--type partnership), --as-of, or --around X --depth N")  # fmt: skip

    moved = rollup.moved()
    if not moved:
        tied = S.tie_pairs(keep.followed, keep.clock)
        check(tied.rows)
        np = _numpy() if fast and tied.rows >= NUMPY_FROM else None
        counts, edges = _count_pairs(_parse(tied.pairs, None, np, 1 << 63))
        del tied
        ids = S.entity_ids()
        return _centrality({ids[c]: d for c, d in counts.items()}), len(counts), edges, {}
    codes = S.tie_codes(keep.followed, keep.clock)
    check(codes.rows)
    a, b = _numbers(codes, fast)
    del codes
    ids = S.entity_ids()
    number = S.codes_of([*moved, *moved.values()])
    to = {number[x]: number[y] for x, y in moved.items()}
    acting: dict[int, set[int]] = {}
    for ends in (a, b):  # each agency that acts in a tie, for its state
        for x in set(ends if isinstance(ends, list) else _numpy().unique(ends).tolist()) & to.keys():
            acting.setdefault(to[x], set()).add(x)
    if acting:
        if isinstance(a, list):
            get = to.get
            a, b = [get(x, x) for x in a], [get(x, x) for x in b]
        else:
            np = _numpy()
            node = np.arange(max(int(a.max()), int(b.max()), *to) + 1)  # each number -> its node's
            node[list(to)] = list(to.values())
            a, b = node[a], node[b]
    counts, edges = _degree_of_codes(a, b)
    del a, b
    actors = {ids[s]: {ids[x] for x in xs} for s, xs in acting.items()}
    return _centrality({ids[c]: d for c, d in counts.items()}), len(counts), edges, actors


def _build(S, keep, around: str | None, depth: int, max_edges: int, rollup, weight: bool, relations=None):
    """The graph ranked: one edge per pair of (rolled-up) entities; with ``weight``, its
    ``weight`` is the strongest tie's strength and ``distance`` its inverse."""
    import networkx as nx

    from ..ties import strength

    H: nx.Graph = nx.Graph()
    rels: Iterable[dict]
    if around is not None:
        eid = S.resolve(around)
        _, rels = neighbourhood(S, eid, depth, keep)
    else:
        rels = (r for r in (all_relations(S) if relations is None else relations) if keep(r))
    adj = H._adj  # type: ignore[attr-defined]  # networkx's own adjacency dict, filled directly for speed
    actors: dict[str, set[str]] = {}
    reg = S.registry
    fixed: dict[str, float] = {}  # a type's strength, but for the rung-read partnership and alliance
    for n, rel in enumerate(rels, 1):
        if n > max_edges:
            raise UsageError(
                f"more than {max_edges:,} relations to rank: narrow it with --type (e.g. --type alliance "
                f"--type partnership), --as-of, or --around X --depth N")  # fmt: skip
        a, b = rel["from"], rel["to"]
        if rollup.on:
            u, v = rollup.node(a), rollup.node(b)
            for x, y in ((a, u), (b, v)):
                if x != y:
                    actors.setdefault(y, set()).add(x)
            a, b = u, v
        if a == b:
            continue
        if not weight:
            if b not in adj.get(a, ()):
                H.add_edge(a, b)
            continue
        t = rel["type"]
        w = (
            strength(reg, rel)
            if t in ("partnership", "alliance")
            else fixed.get(t) or fixed.setdefault(t, strength(reg, rel))
        ) or 1e-9
        old = adj.get(a, {}).get(b)
        if old is None:
            H.add_edge(a, b, weight=w, distance=1.0 / w)
        elif w > old["weight"]:
            old["weight"], old["distance"] = w, 1.0 / w
    return H, actors


def _scores(H, by: str, sample: int | None, seed: int, weight: bool = False) -> tuple[dict, int | None]:
    import networkx as nx

    w = "weight" if weight else None  # pagerank reads "weight" by default: set only with --weight
    if by == "degree":
        if not weight:
            return nx.degree_centrality(H), None
        s = 1.0 / (len(H) - 1) if len(H) > 1 else 1.0  # degree_centrality's scale, strengths summed
        return {n: d * s for n, d in H.degree(weight="weight")}, None
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
        if k is None:
            return nx.betweenness_centrality(H, weight="distance" if weight else None), None
        return _sampled_betweenness(H, k, seed, "distance" if weight else None), k
    try:
        return nx.eigenvector_centrality(H, max_iter=1000, weight=w), None
    except nx.PowerIterationFailedConvergence:
        raise UsageError("eigenvector centrality did not converge: try --by pagerank, or narrow with --type") from None


class Sampled(dict):
    """Betweenness estimated from a sample of sources: the scores, and each one's standard error
    (``stderr``)."""

    stderr: dict


def _sampled_betweenness(H, k: int, seed: int, weight: str | None) -> Sampled:
    """``nx.betweenness_centrality(H, k=k, seed=seed, weight=weight)``, the same scores by the same
    steps (networkx's own single-source and accumulation functions), with each score's standard
    error from the sample: a node's score is the mean of its dependency on each sampled source
    (scaled), so its error is the sample's standard deviation over the square root of the number
    of sources, times the finite-population correction (sources are drawn without replacement)."""
    import math

    import networkx as nx
    from networkx.algorithms.centrality import betweenness

    nxb: Any = betweenness  # its per-source helpers are private: the stubs do not name them

    n = len(H)
    sources = nx.utils.create_py_random_state(seed).sample(list(H.nodes()), k)
    total = dict.fromkeys(H, 0.0)
    squares = dict.fromkeys(H, 0.0)
    for s in sources:
        if weight is None:
            S, P, sigma, _ = nxb._single_source_shortest_path_basic(H, s)
        else:
            S, P, sigma, _ = nxb._single_source_dijkstra_path_basic(H, s, weight)
        total, delta = nxb._accumulate_basic(total, S, P, sigma, s)
        for w, d in delta.items():
            if w != s:
                squares[w] += d * d
    raw = dict(total)
    out = Sampled(nxb._rescale(total, n, normalized=True, directed=False, endpoints=False, sampled_nodes=sources))
    picked = set(sources)
    out.stderr = {}
    for v, sum1 in raw.items():
        m, pop = (k - 1, n - 1) if v in picked else (k, n)  # a sampled node is no source of its own
        if m < 2 or pop < 2 or n < 3:
            out.stderr[v] = math.nan if m < 2 and pop > m else 0.0
            continue
        var = max(squares[v] - sum1 * sum1 / m, 0.0) / (m - 1)  # the sample variance of the dependencies
        se_mean = math.sqrt(var / m * (pop - m) / pop)
        out.stderr[v] = se_mean / (n - 2)  # scaled as the score is: over the n - 2 other targets
    return out


def _ranked(S, keep, by: str, around: str | None, depth: int, max_edges: int, rollup, weight: bool, relations,
            sample: int | None, seed: int) -> tuple[dict, int | None, int, int, dict]:  # fmt: skip
    """The scores (and the betweenness sample), the graph's nodes and edges, and the agencies
    each state stands for: the whole graph from the store's rows in force when unweighted (degree
    without building it), else ``_build``."""
    if around is None and relations is None and not weight:
        if by == "degree" and hasattr(S, "tie_codes"):
            scores, nodes, edges, actors = _degree_by_codes(S, keep, max_edges, rollup)
            return scores, None, nodes, edges, actors
        pairs, actors = _pairs(S, keep, max_edges, rollup)
        if by == "degree":
            scores, nodes, edges = _degree(pairs)
            return scores, None, nodes, edges, actors
        import networkx as nx

        H: nx.Graph = nx.Graph()
        H.add_edges_from(pairs)
        del pairs
    else:
        H, actors = _build(S, keep, around, depth, max_edges, rollup, weight, relations)
    scores, k = _scores(H, by, sample, seed, weight) if H.number_of_nodes() else ({}, None)
    return scores, k, H.number_of_nodes(), H.number_of_edges(), actors


def rank(G: object, by: str = "degree", *, types: Iterable[str] | None = None, as_of: str | None = None,
         limit: int | None = 20, around: str | None = None, depth: int = 2, sample: int | None = None,
         seed: int = 1, entity_types: Iterable[str] | None = None, max_edges: int = MAX_EDGES,
         all_time: bool = False, include_adversarial: bool = False, weight: bool = False, roll_up: bool = True,
         years: str | None = None, relations: list[dict] | None = None, spans: dict | None = None) -> dict:  # fmt: skip
    """Entities ranked by a centrality ``by`` (degree, betweenness, pagerank, eigenvector),
    highest first, over the cooperative ties (``ties.tie_of``; adversarial ones too with
    ``include_adversarial``) of ``types`` in force on ``as_of`` (today when not given; every
    relation ever in force with ``all_time``), by the one rule of ``ties``.

    ``weight`` weighs each pair by its strongest tie's ``ties.strength`` (a partnership's from its
    rung): degree sums strengths, pagerank and eigenvector use them as weights, betweenness their
    inverse as distance. With ``roll_up`` (the default) an agency's ties count for its state
    (``ties.owner_state``), and the state's entry names the agencies (``actors``).
    ``around``/``depth`` rank one entity's neighbourhood instead of the whole graph.
    Betweenness is exact up to 2,000 entities; above, or when ``sample`` is given, it samples
    ``sample`` source nodes (networkx's ``k``, with ``seed``; 256 by default) and says so
    (``"sample"``); above 200,000 ties it refuses without an explicit ``sample``.
    ``entity_types`` keeps only entities of those types in the ranking (scores are computed on
    the whole graph). ``years`` (``Y1:Y2``) gives ``{"years": [{"year", ...}]}``, one ranking per
    year read on its last day. Returns ``{"by", "as_of", "ranking": [{"id", "name", "type",
    "score", "actors"?}], "nodes", "edges", "sample", "weight", "roll_up", ...}``. ``relations``
    (every relation of the store, already read) and ``spans`` (a shared span cache) let a caller
    that reads several days read the store once.
    """
    if years is not None:
        from .common import by_years

        def one(year: str) -> dict:
            return rank(G, by, types=types, as_of=year, limit=limit, around=around, depth=depth, sample=sample,
                        seed=seed, entity_types=entity_types, max_edges=max_edges,
                        include_adversarial=include_adversarial, weight=weight, roll_up=roll_up,
                        relations=relations, spans=spans)  # fmt: skip

        return by_years(one, years, as_of, all_time)
    if by not in METRICS:
        raise UsageError(f"--by must be one of {', '.join(METRICS)}, not {by!r}")
    if limit is not None and limit < 1:
        raise UsageError("--limit must be at least 1")
    if sample is not None and sample < 1:
        raise UsageError("--sample must be at least 1")
    S = as_store(G)
    clock = clock_of(S, as_of, all_time, spans=spans)
    for t in entity_types or ():
        if t not in S.registry.entity_types:
            raise UsageError(f"--entity-type {t!r} is not an entity type ({', '.join(S.registry.entity_types)})")
    keep = _keep(S, types, clock, include_adversarial)
    scores, k, nodes, edges, actors = _ranked(S, keep, by, around, depth, max_edges, Rollup(S, roll_up), weight,
                                              relations, sample, seed)  # fmt: skip
    errors = getattr(scores, "stderr", None)
    wanted = set(entity_types or ())
    ranked = []
    from operator import itemgetter

    order = sorted(scores.items(), key=itemgetter(0))  # by id, then (stable) by score, highest first:
    order.sort(key=itemgetter(1), reverse=True)  # (-score, id) order without a Python key per entity
    for eid, score in order:
        ent = S.entity(eid)
        if wanted and ent["type"] not in wanted:
            continue
        row = {"id": eid, "name": ent["name"], "type": ent["type"], "score": round(float(score), 6)}
        if errors is not None:
            row["stderr"] = _err(errors[eid])
        if eid in actors:
            row["actors"] = sorted(actors[eid])
        ranked.append(row)
        if limit is not None and len(ranked) >= limit:
            break
    return {"by": by, "as_of": clock.as_of, "types": sorted(keep.types or ()), "around": around,
            "nodes": nodes, "edges": edges, "sample": k, "seed": seed if k else None,
            "weight": weight, "roll_up": roll_up, "include_adversarial": include_adversarial,
            "ranking": ranked, **_error(by, k, errors)}  # fmt: skip


def _err(x: float) -> float | None:
    """A standard error as JSON writes it (None when the sample cannot tell: one source)."""
    import math

    return None if math.isnan(x) else round(float(x), 6)


def _error(by: str, k: int | None, errors: dict | None) -> dict:
    """What ``rank --by betweenness`` says of its accuracy: ``exact``, and when sampled the
    largest standard error of any entity's score (``stderr``) and how it was estimated."""
    if by != "betweenness":
        return {}
    if errors is None:
        return {"exact": True, "stderr": 0.0, "error": "exact: every entity was a source"}
    worst = max((_err(x) for x in errors.values()), key=lambda x: -1.0 if x is None else x, default=0.0)
    return {"exact": False, "stderr": worst,
            "error": f"sampled {k} sources: each score's standard error from the spread of its dependency on the "
                     f"sampled sources, with the finite-population correction; stderr is the largest"}  # fmt: skip

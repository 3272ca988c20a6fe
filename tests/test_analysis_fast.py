"""The analyses' fast paths at a million relations (issue 20) compute the one rule of ``ties``:
the SQLite store's relations in force (``SQLiteStore.tie_rows``, the rule in SQL), whole-graph
``rank`` built from them and ``clusters`` reading only the types it uses agree with the
relation-by-relation path on random small graphs, with
reported, contradicted, ended, suspended, signed, undated-with-dated-sources, one-day, adversarial
relations and agencies rolled up through ``part_of``."""

from __future__ import annotations

import datetime as _dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from allygraph import cache, load
from allygraph.analysis import clusters, rank
from allygraph.analysis.common import Rollup, all_relations
from allygraph.store import DatasetStore, SQLiteStore
from allygraph.ties import Clock
from helpers import invoke, write_records

STATES = ["s0", "s1", "s2", "s3", "s4"]
ORGS = ["o0", "o1", "o2"]  # agencies: each part of a state, of another agency, or of nothing
OTHERS = ["fw", "acc"]  # a framework and an access agreement
TYPES = ["alliance", "partnership", "exercises_with", "arms_transfer", "party_to", "member_of", "disputes_with"]
STATUSES = [None, "active", "in_force", "ended", "suspended", "reported", "signed", "negotiating", "proposed"]
DATES = ["1999", "2010", "2010-06", "2010-06-15", "2015", "2015-01", "2015-01-01", "2020-12-31", "9999", "9999-12-31"]
DAYS = [None, _dt.date(2010, 6, 15), _dt.date(2014, 12, 31), _dt.date(2015, 1, 1), _dt.date(2020, 12, 31),
        _dt.date(9999, 12, 30), _dt.date(9999, 12, 31)]  # fmt: skip

relation = st.fixed_dictionaries(
    {
        "type": st.sampled_from(TYPES),
        "from": st.sampled_from(STATES + ORGS),
        "to": st.sampled_from(STATES + ORGS + OTHERS),
        "status": st.sampled_from(STATUSES),
        "dates": st.lists(st.sampled_from(DATES), max_size=2),
        "one_day": st.booleans(),
        "source": st.sampled_from(["dated", "undated", "both"]),
        "contradicted": st.booleans(),
    }
)


def _drawn(type: str, frm: str, to: str, dates: list[str] | None = None, *, status: str | None = None,
           one_day: bool = False, source: str = "dated", contradicted: bool = False) -> dict:  # fmt: skip
    """One relation as ``relation`` draws it, for the ``@example``s."""
    return {"type": type, "from": frm, "to": to, "status": status, "dates": dates or [], "one_day": one_day,
            "source": source, "contradicted": contradicted}  # fmt: skip


def _records(raw: list[dict], owners: list[str | None]) -> tuple[list[dict], list[dict]]:
    """Valid entities and relations from what hypothesis drew."""
    ents = [{"id": s, "name": s.upper(), "type": "state"} for s in STATES]
    ents += [{"id": o, "name": o.upper(), "type": "organization"} for o in ORGS]
    ents += [
        {"id": "fw", "name": "FW", "type": "framework"},
        {"id": "acc", "name": "Reciprocal Access", "type": "agreement"},
    ]
    rels: list[dict] = []
    for o, owner in zip(ORGS, owners, strict=True):
        if owner is not None and owner != o:
            rels.append({"id": f"p-{o}", "from": o, "to": owner, "type": "part_of", "sources": ["dated"]})
    for i, r in enumerate(raw):
        rel = {"id": f"r{i}", "from": r["from"], "to": r["to"], "type": r["type"]}
        if r["type"] == "partnership":
            rel["tier"] = "strategic_partnership"
        if r["status"] is not None:
            rel["status"] = r["status"]
        ds = sorted(r["dates"], key=lambda d: (_dt.date.fromisoformat((d + "-01-01")[:10]), len(d)))
        if r["one_day"] and ds:
            ds = [ds[0], ds[0]]
        if len(ds) >= 1:
            rel["since"] = ds[0]
        if len(ds) == 2:
            rel["until"] = ds[1]
        rel["sources"] = {"dated": ["dated"], "undated": ["undated"], "both": ["undated", "dated"]}[r["source"]]
        if r["contradicted"] and i > 0:
            rel["contradicted_by"] = [f"r{i - 1}"]
        rels.append(rel)
    return ents, rels


SOURCES = {"dated": {"title": "A dated report", "date": "2012-03"}, "undated": {"title": "An undated page"}}
DISPUTES = {"disputes_with": {"symmetric": True, "description": "Contest an area.", "polarity": "adversarial",
                              "layer": "dispute", "tie": True, "strength": 1.0}}  # fmt: skip


def _write(d: Path, ents: list[dict], rels: list[dict]) -> Path:
    """The data directory, with an adversarial relation type declared."""
    import yaml

    write_records(d, ents, rels, SOURCES)
    doc = yaml.safe_load((d / "relations.yaml").read_text(encoding="utf-8"))
    (d / "relations.yaml").write_text(yaml.safe_dump({"relation_types": DISPUTES, **doc}), encoding="utf-8")
    return d


def _stores(d: Path, monkeypatch, thread: bool) -> tuple[SQLiteStore, DatasetStore]:
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    monkeypatch.setenv("ALLYGRAPH_SQLITE_THREAD", "1" if thread else "0")
    sql = load.open_store(d)
    assert isinstance(sql, SQLiteStore)
    return sql, DatasetStore(load.load(d, use_cache=False))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.lists(relation, max_size=14),
    owners=st.lists(st.sampled_from([None, *STATES, *ORGS]), min_size=3, max_size=3),
    thread=st.booleans(),
)
@example(  # the edges of the calendar: a happening on its last day, and an undated tie placed by its source
    raw=[
        _drawn("alliance", "s0", "s1", ["9999-12-31"], one_day=True),
        _drawn("exercises_with", "o0", "s2", source="both"),
    ],
    owners=["s3", "o0", None],
    thread=True,
)  # fmt: skip
@example(  # a dispute in force drops a security tie; a framework of three; an agency's exercise counts for its state
    raw=[
        _drawn("alliance", "s0", "s1", ["2010"]),
        _drawn("disputes_with", "s1", "s0", ["2010-06"]),
        _drawn("exercises_with", "o0", "s2", ["2010"]),
        _drawn("alliance", "s1", "s2", ["2010"]),
    ] + [_drawn("member_of", s, "fw", ["1999"], source="undated") for s in ("s0", "s2", "s3")],
    owners=["s0", None, None],
    thread=False,
)  # fmt: skip
def test_the_fast_paths_compute_the_one_rule(tmp_path, monkeypatch, raw, owners, thread):
    ents, rels = _records(raw, owners)
    with tempfile.TemporaryDirectory(dir=tmp_path) as tmp:
        d = _write(Path(tmp) / "d", ents, rels)
        sql, mem = _stores(d, monkeypatch, thread)
        try:
            every = list(all_relations(mem))
            for day in DAYS:
                for reported in (False, True):
                    for types in (TYPES, ["partnership"], ["disputes_with", "party_to"]):
                        clock = Clock(day, reported=reported, store=mem)
                        want = [(r["from"], r["to"]) for r in every if r["type"] in types and clock(r)]
                        got = list(sql.tie_rows(types, Clock(day, reported=reported, store=sql)))
                        assert got == want, (day, reported, types)
            for roll_up in (True, False):
                rollup = Rollup(mem, roll_up)
                moved = Rollup(sql, roll_up).moved()
                assert {e["id"]: moved.get(e["id"], e["id"]) for e in ents} == {
                    e["id"]: rollup.node(e["id"]) for e in ents
                }
                for by in ("degree", "pagerank", "betweenness"):
                    for opts in (
                        {"as_of": "2015"},
                        {"all_time": True},
                        {"as_of": "2010-06-15", "include_adversarial": True},
                    ):
                        slow = rank(mem, by, roll_up=roll_up, limit=None, relations=every, **opts)
                        assert rank(sql, by, roll_up=roll_up, limit=None, **opts) == slow
                        assert rank(mem, by, roll_up=roll_up, limit=None, **opts) == slow
                for method in ("cliques", "louvain"):
                    for opts in ({"as_of": "2015"}, {"all_time": True}):
                        kw = {"method": method, "roll_up": roll_up, "min_size": 2, **opts}
                        slow = clusters(mem, relations=every, **kw)  # every relation, read one by one
                        assert clusters(sql, **kw) == slow
                        assert clusters(mem, **kw) == slow
        finally:
            sql.close()


def test_the_cache_columns_read_the_status_as_ties_does():
    """``tie_columns`` writes the status ``ties`` reads (``vocab.effective_status``)."""
    from allygraph.store.sqlite import tie_columns
    from allygraph.vocab import effective_status

    for rel in ({}, {"status": "signed"}, {"status": "reported", "contradicted_by": ["x"]}, {"contradicted_by": []},
                {"status": None}, {"status": "ended", "contradicted_by": ["a", "b"]}):  # fmt: skip
        assert tie_columns({"type": "alliance", **rel})[1] == effective_status(rel)


# --- betweenness states its sample and its error --------------------------------------------------


def _random_graph(seed: int, n: int = 60, p: float = 0.07):
    import networkx as nx

    G = nx.gnp_random_graph(n, p, seed=seed)
    return nx.relabel_nodes(G, {i: f"n{i:02d}" for i in G})


def test_sampled_betweenness_is_networkx_s_own_scores():
    """The same scores as ``nx.betweenness_centrality(k, seed)``, unweighted and weighted."""
    import random

    import networkx as nx

    from allygraph.analysis.centrality import _sampled_betweenness

    for seed in range(6):
        G = _random_graph(seed)
        rng = random.Random(seed)
        for u, v in G.edges:
            G[u][v]["distance"] = rng.choice([1.0, 1.25, 2.0, 5.0])
        for k in (2, 9, 30):
            assert dict(_sampled_betweenness(G, k, seed, None)) == nx.betweenness_centrality(G, k=k, seed=seed)
            assert dict(_sampled_betweenness(G, k, seed, "distance")) == nx.betweenness_centrality(
                G, k=k, seed=seed, weight="distance"
            )


def test_the_standard_error_is_the_spread_of_the_estimate():
    """Over many seeds, a sampled score scatters around the exact one as its stated standard error
    says: the stated variance (its mean over the seeds) is within 20% of the observed spread for
    the busiest entities, and sampling every source but one gives errors near zero."""
    import statistics

    import networkx as nx

    from allygraph.analysis.centrality import _sampled_betweenness

    G = _random_graph(7)
    exact = nx.betweenness_centrality(G)
    top = sorted(exact, key=lambda v: -exact[v])[:5]
    runs = [_sampled_betweenness(G, 12, seed, None) for seed in range(300)]
    for v in top:
        spread = statistics.pstdev(r[v] for r in runs)
        stated = statistics.fmean(r.stderr[v] ** 2 for r in runs) ** 0.5
        assert 0.8 < stated / spread < 1.2, (v, stated, spread)
        assert abs(statistics.fmean(r[v] for r in runs) - exact[v]) < 3 * spread / len(runs) ** 0.5
    nearly_all = _sampled_betweenness(G, len(G) - 1, 1, None)
    assert max(nearly_all.stderr.values()) < 0.2 * max(r.stderr[v] for r in runs for v in top)


def test_rank_says_its_sample_seed_and_error(tmp_path):
    """``--json`` has the sample size, the seed, ``exact`` and the largest standard error (each
    ranked entity its own); the plain output says them too; a small graph is exact."""
    import json

    ents = [{"id": f"s{i}", "name": f"S{i}", "type": "state"} for i in range(8)]
    rels = [{"id": f"r{i}", "from": f"s{i}", "to": f"s{(i * 3 + 1) % 8}", "type": "alliance", "since": "2000"}
            for i in range(8)]  # fmt: skip
    rels += [{"id": f"q{i}", "from": f"s{i}", "to": f"s{(i + 1) % 8}", "type": "alliance", "since": "2000"}
             for i in range(8)]  # fmt: skip
    d = write_records(tmp_path / "d", ents, rels)
    got = invoke("rank", "--by", "betweenness", "--sample", "3", "--json", "--data", str(d))
    doc = json.loads(got.stdout)
    assert (doc["sample"], doc["seed"], doc["exact"]) == (3, 1, False)
    assert doc["stderr"] == max(r["stderr"] for r in doc["ranking"]) and doc["stderr"] > 0
    assert "standard error" in doc["error"]
    plain = invoke("rank", "--by", "betweenness", "--sample", "3", "--data", str(d)).stdout
    assert "sampled from 3 sources (seed 1; standard error of a score at most" in plain and " ± " in plain
    exact = json.loads(invoke("rank", "--by", "betweenness", "--json", "--data", str(d)).stdout)
    assert (exact["sample"], exact["exact"], exact["stderr"]) == (None, True, 0.0)
    assert all("stderr" not in r for r in exact["ranking"])
    assert "betweenness exact" in invoke("rank", "--by", "betweenness", "--data", str(d)).stdout


def test_the_analysis_extra_is_part_of_the_test_extra():
    """CI installs ``.[test]``: it must bring everything ``.[analysis]`` does, so pagerank runs there."""
    import tomllib

    extras = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert set(extras["analysis"]) <= set(extras["test"])


# --- rank --by degree on the SQLite store: entity numbers, numpy or not (issue 20) -----------------


def _slow_degree(mem: DatasetStore, opts: dict, roll_up: bool) -> tuple[dict, int, int]:
    """``nx.degree_centrality`` of the graph ``centrality`` describes, built the slow way: each
    relation of the store asked of the tie model and the clock, its ends rolled up, one edge per
    pair, self-ties dropped."""
    import networkx as nx

    from allygraph.analysis.centrality import _keep
    from allygraph.analysis.common import clock_of

    clock = clock_of(mem, opts.get("as_of"), opts.get("all_time", False))
    keep = _keep(mem, opts.get("types"), clock, opts.get("include_adversarial", False))
    rollup = Rollup(mem, roll_up)
    H: nx.Graph = nx.Graph()
    for rel in all_relations(mem):
        if keep(rel):
            a, b = rollup.node(rel["from"]), rollup.node(rel["to"])
            if a != b:
                H.add_edge(a, b)
    return {n: round(s, 6) for n, s in nx.degree_centrality(H).items()}, len(H), H.number_of_edges()


DEGREE_OPTS = ({"as_of": "2015"}, {"as_of": "2010-06-15", "types": ["exercises_with", "arms_transfer"]},
               {"all_time": True}, {"as_of": "2020-12-31", "include_adversarial": True}, {})  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.lists(relation, max_size=16),
    owners=st.lists(st.sampled_from([None, *STATES, *ORGS]), min_size=3, max_size=3),
)
@example(  # the same pair tied three times (twice by an agency of s0), a self-tie, an undated tie
    raw=[
        _drawn("alliance", "s0", "s1", ["2010"]),
        _drawn("exercises_with", "o0", "s1", ["1999"]),
        _drawn("exercises_with", "s1", "o0", ["1999"]),
        _drawn("exercises_with", "o0", "s0", ["1999"]),
        _drawn("alliance", "s2", "s3", source="both"),
        _drawn("alliance", "s3", "s4", ["2010"], status="signed"),
    ],
    owners=["s0", None, None],
)  # fmt: skip
def test_degree_on_the_cache_is_networkx_s_degree_centrality(tmp_path, monkeypatch, raw, owners):
    """``rank --by degree`` of the whole graph on the SQLite store (the ends as entity numbers,
    ``SQLiteStore.tie_codes``) gives ``nx.degree_centrality`` of the graph built relation by relation,
    with numpy counting the pairs and without it (the pure-Python fallback): pairs tied several
    times, self-ties (an agency with its own state), agencies rolled up, relations not in force,
    undated relations placed by their sources, ``--as-of``, ``--all-time``, ``--type``."""
    from allygraph.analysis import centrality

    ents, rels = _records(raw, owners)
    with tempfile.TemporaryDirectory(dir=tmp_path) as tmp:
        d = _write(Path(tmp) / "d", ents, rels)
        sql, mem = _stores(d, monkeypatch, thread=False)
        try:
            for roll_up in (True, False):
                for opts in DEGREE_OPTS:
                    want, nodes, edges = _slow_degree(mem, opts, roll_up)
                    for numpy in (True, False):
                        monkeypatch.setattr(centrality, "NUMPY_FROM", 0 if numpy else 10**9)
                        got = rank(sql, "degree", roll_up=roll_up, limit=None, **opts)
                        assert {r["id"]: r["score"] for r in got["ranking"]} == want, (opts, numpy)
                        assert (got["nodes"], got["edges"]) == (nodes, edges)
                        assert got == rank(mem, "degree", roll_up=roll_up, limit=None, **opts)
        finally:
            sql.close()


def test_degree_without_numpy_is_the_same(tmp_path, monkeypatch):
    """With numpy not installed (``_numpy`` finds none) the counts are pure Python, and the same."""
    from allygraph.analysis import centrality

    ents = [{"id": s, "name": s.upper(), "type": "state"} for s in STATES]
    rels = [{"id": f"r{i}", "from": a, "to": b, "type": "alliance", "since": "2001", "sources": ["dated"]}
            for i, (a, b) in enumerate([("s0", "s1"), ("s1", "s0"), ("s1", "s2"), ("s2", "s2"), ("s3", "s4")])]  # fmt: skip
    sql, mem = _stores(_write(tmp_path / "d", ents, rels), monkeypatch, thread=True)
    try:
        monkeypatch.setattr(centrality, "NUMPY_FROM", 0)
        with_numpy = rank(sql, "degree", limit=None)
        monkeypatch.setattr(centrality, "_numpy", lambda: None)
        assert rank(sql, "degree", limit=None) == with_numpy == rank(mem, "degree", limit=None)
        assert {r["id"]: r["score"] for r in with_numpy["ranking"]} == {"s0": 0.25, "s1": 0.5, "s2": 0.25,
                                                                         "s3": 0.25, "s4": 0.25}  # fmt: skip
        assert (with_numpy["nodes"], with_numpy["edges"]) == (5, 3)
    finally:
        sql.close()


def test_damaged_entity_numbers_are_refused(monkeypatch):
    """A cache whose numbers are not ints (a NULL reads as ``x``), too few, or out of range is
    refused (ValueError: ``cache.retry_on_damage`` then reads the YAML), numpy or not."""
    import pytest

    from allygraph.analysis import centrality
    from allygraph.store.sqlite import TieCodes

    monkeypatch.setattr(centrality, "NUMPY_FROM", 0)
    assert [list(x) for x in centrality._numbers(TieCodes(2, "1,7", "2,3"), True)] == [[1, 7], [2, 3]]
    for codes in (TieCodes(2, "1,x", "2,3"), TieCodes(3, "1,2", "2,3"), TieCodes(2, "1,-2", "2,3"),
                  TieCodes(1, "4294967296", "1"), TieCodes(2, "1,2", "2,x")):  # fmt: skip
        for fast in (True, False):
            with pytest.raises(ValueError):
                centrality._numbers(codes, fast)


def test_an_old_cache_is_rebuilt_never_misread(tmp_path, monkeypatch):
    """A cache of the format before entity numbers (FORMAT 4) is stale: the next command
    compiles a new one (``entities.code``, ``relations.a``/``b``) and ranks by it."""
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    ents = [{"id": s, "name": s.upper(), "type": "state"} for s in STATES]
    rels = [{"id": "r0", "from": "s0", "to": "s1", "type": "alliance", "since": "2001", "sources": ["dated"]}]
    d = _write(tmp_path / "d", ents, rels).resolve()
    monkeypatch.setattr(cache, "FORMAT", 4)
    sql, _ = _stores(d, monkeypatch, thread=False)
    sql.close()
    monkeypatch.setattr(cache, "FORMAT", 5)
    assert cache.get_sqlite(d) is None  # stale: not opened
    sql = load.open_store(d)
    try:
        assert isinstance(sql, SQLiteStore) and sql.stamp().startswith("v5 ")
        assert dict(sql.db.execute("SELECT id, code FROM entities WHERE id IN ('s0', 's1')")) == dict(
            sql.db.execute("SELECT src, a FROM relations UNION SELECT dst, b FROM relations")
        )
        assert rank(sql, "degree")["edges"] == 1
    finally:
        sql.close()


def test_every_build_numbers_each_entity_once(tmp_path, monkeypatch):
    """Whichever way the cache is compiled (after validation, by the writer beside it, or by the
    writer's second thread), each entity has one number of its own and each relation's row holds
    the numbers of its two ends (what ``tie_codes`` and ``tie_pairs`` read)."""
    ents = [{"id": s, "name": s.upper(), "type": "state"} for s in STATES]
    ents += [{"id": "o0", "name": "O0", "type": "organization"}]  # named by no relation: numbered all the same
    rels = [{"id": f"r{i}", "from": a, "to": b, "type": "alliance", "since": "2001", "sources": ["dated"]}
            for i, (a, b) in enumerate([("s3", "s1"), ("s1", "s0"), ("s4", "s4"), ("s0", "s2")])]  # fmt: skip
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    for flag in ("0", None, "1"):  # write_sqlite after validation; SQLiteWriter; SQLiteWriter with a thread
        d = _write(tmp_path / f"d{flag}", ents, rels)
        if flag is None:
            monkeypatch.delenv("ALLYGRAPH_SQLITE_THREAD", raising=False)
        else:
            monkeypatch.setenv("ALLYGRAPH_SQLITE_THREAD", flag)
        sql = load.open_store(d)
        try:
            assert isinstance(sql, SQLiteStore)
            codes = dict(sql.db.execute("SELECT id, code FROM entities"))
            assert sorted(codes) == sorted(e["id"] for e in ents)
            assert sorted(codes.values()) == list(range(len(ents))), flag
            assert list(sql.db.execute("SELECT a, b FROM relations ORDER BY rowid")) == [
                (codes[r["from"]], codes[r["to"]]) for r in rels
            ]
            assert sql.entity_ids() == {c: e for e, c in codes.items()}
        finally:
            sql.close()

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
        {"type": "alliance", "from": "s0", "to": "s1", "status": None, "dates": ["9999-12-31"], "one_day": True,
         "source": "dated", "contradicted": False},
        {"type": "exercises_with", "from": "o0", "to": "s2", "status": None, "dates": [], "one_day": False,
         "source": "both", "contradicted": False},
    ],
    owners=["s3", "o0", None],
    thread=True,
)  # fmt: skip
@example(  # a dispute in force drops a security tie; a framework of three; an agency's exercise counts for its state
    raw=[
        {"type": "alliance", "from": "s0", "to": "s1", "status": None, "dates": ["2010"], "one_day": False,
         "source": "dated", "contradicted": False},
        {"type": "disputes_with", "from": "s1", "to": "s0", "status": None, "dates": ["2010-06"], "one_day": False,
         "source": "dated", "contradicted": False},
        {"type": "exercises_with", "from": "o0", "to": "s2", "status": None, "dates": ["2010"], "one_day": False,
         "source": "dated", "contradicted": False},
        {"type": "alliance", "from": "s1", "to": "s2", "status": None, "dates": ["2010"], "one_day": False,
         "source": "dated", "contradicted": False},
    ] + [{"type": "member_of", "from": s, "to": "fw", "status": None, "dates": ["1999"], "one_day": False,
          "source": "undated", "contradicted": False} for s in ("s0", "s2", "s3")],
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

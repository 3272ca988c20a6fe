"""The analyses' fast paths at a million relations (issue 20) compute the one rule of ``ties``:
the SQLite store's relations in force (``SQLiteStore.tie_rows``, the rule in SQL) and whole-graph
``rank`` built from them agree with the relation-by-relation path on random small graphs, with
reported, contradicted, ended, suspended, signed, undated-with-dated-sources, one-day, adversarial
relations and agencies rolled up through ``part_of``."""

from __future__ import annotations

import datetime as _dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from allygraph import cache, load
from allygraph.analysis import rank
from allygraph.analysis.common import Rollup, all_relations
from allygraph.store import DatasetStore, SQLiteStore
from allygraph.ties import Clock
from helpers import write_records

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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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
                        assert list(sql.tie_rows(types, day, reported=reported)) == want, (day, reported, types)
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
        finally:
            sql.close()

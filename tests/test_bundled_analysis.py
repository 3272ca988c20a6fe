"""Issue 18 on the bundled data: the seed's thesis read by rank, clusters, balance and changes.

These are answers about the bundled data (what an analyst reads in the README): when the data is
edited, they are expected to be revisited."""

from __future__ import annotations

import itertools

import pytest

import allygraph
from allygraph import analysis
from allygraph.analysis import clusters, rank, timeline

TRIO = ["japan", "philippines", "united_states"]


@pytest.fixture(scope="module")
def g():
    return allygraph.load_graph()


def _kind(r, kind):
    return {tuple(c["members"]): c for c in r["clusters"] if c["kind"] == kind}


def test_us_japan_philippines_declared_in_2024_emergent_on_security_ties_not_labels(g):
    now = clusters(g, as_of="2026-06")
    declared = _kind(now, "declared")[tuple(TRIO)]
    assert declared["framework"] == "us_jp_ph_trilateral" and declared["since"] == "2024-04-11"
    backing = _kind(now, "emergent")[tuple(TRIO)]
    assert backing["backs"] == "us_jp_ph_trilateral"
    jp_ph = next(p for p in backing["pairs"] if p["pair"] == ["japan", "philippines"])
    # the 2011 strategic partnership (a label) no longer closes the triangle: security ties do
    assert "jp-ph-strategic-partnership" not in jp_ph["ties"] and "jp-raa-in-force" in jp_ph["ties"]
    then = clusters(g, as_of="2016")
    assert not any(set(TRIO) <= set(c["members"]) for c in then["clusters"] if c["kind"] == "emergent")


def test_no_security_cluster_holds_a_pair_in_an_active_dispute(g):
    r = clusters(g, as_of="2026-06")
    disputed = {frozenset(d["pair"]) for d in r["dropped"]}
    assert disputed  # Japan and South Korea (Dokdo/Takeshima) share a trilateral: dropped, and said so
    for c in r["clusters"]:
        if c["kind"] == "emergent":
            assert not any(frozenset(p) in disputed for p in itertools.combinations(c["members"], 2))
    wide = ("australia", "china", "indonesia", "south_korea", "united_kingdom", "vietnam")
    assert not any(set(wide) <= set(c["members"]) for c in r["clusters"] if c["kind"] == "emergent")


def test_clusters_around_japan_are_maximal_in_the_whole_graph(g):
    whole = clusters(g, as_of="2026-06")
    near = clusters(g, as_of="2026-06", around="Japan")
    assert near["clusters"] == [c for c in whole["clusters"] if "japan" in c["members"]]


def test_the_2026_upgrade_shows_in_changes_and_weighted_rank(g):
    r = analysis.changes(g, "2026-05-27", "2026-05-28")
    up = [u for u in r["upgraded"] if u["parties"] == ["japan", "philippines"]]
    assert up and up[0]["now"] == "comprehensive_strategic_partnership"
    assert up[0]["was"] == "strengthened_strategic_partnership"
    before, after = (rank(g, as_of=d, weight=True, limit=None) for d in ("2026-05-27", "2026-05-28"))
    score = {d: {x["id"]: x["score"] for x in r["ranking"]} for d, r in (("b", before), ("a", after))}
    assert score["a"]["japan"] > score["b"]["japan"] and score["a"]["philippines"] > score["b"]["philippines"]


def test_balance_reads_disputes_as_negative(g):
    r = analysis.balance(g, as_of="2026-06")
    assert r["triangles"] == r["balanced"] + len(r["unbalanced"]) and r["pairs"]["negative"] > 0


def test_timeline_whole_data_and_pair_on_bundled(g):
    events = timeline(g, "Japan", "Philippines")["events"]
    raa = [e for e in events if e["kind"] == "agreement_in_force" and e["parties"][-1] == "jp_ph_raa"]
    assert [e["date"] for e in raa] == ["2025-09-11"] and set(raa[0]["parties"]) == {
        "japan",
        "philippines",
        "jp_ph_raa",
    }
    assert len(timeline(g)["events"]) > 250  # an exercise's or a transfer's last day is no event of its own


def test_rank_on_bundled_japan_brokers(g):
    top = [r["id"] for r in rank(g, "betweenness", entity_types=["state"], limit=3)["ranking"]]
    assert "japan" in top and "united_states" in top  # the region's two brokers of cooperative ties

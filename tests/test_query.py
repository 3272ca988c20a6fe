"""Queries on small fixtures: paths, cards, neighbours, tiers, search (the bundled data's answers
are in test_bundled_query.py)."""

from __future__ import annotations

import pytest

import allygraph
from allygraph import query
from allygraph.errors import AmbiguousName, NoPath, UnknownEntity, UsageError
from helpers import entities_yaml, japan_philippines_direct, write_data


@pytest.fixture
def S(small_dir):
    return allygraph.load_graph(small_dir)


def test_path_direct_lists_every_tie_strongest_first(S):
    r, p, rels = japan_philippines_direct(S)
    assert {x["id"] for x in rels} == {"jp-ph-sp", "jp-ph-ssp", "tc90", "osa-ph"}  # every tie of the hop
    assert p["edges"][0]["id"] == "jp-ph-ssp"  # the strongest rung first
    assert all(x["sources"] for x in rels)
    assert set(r["sources"]) == {s for x in rels for s in x["sources"]}


def test_all_shortest_paths_lists_each(tmp_path):
    ents = "entities:\n" + "".join(f"  - {{id: {x}, name: {x.upper()}land, type: state}}\n" for x in "abcd")
    rels = "sources:\n  s1: {title: T, url: 'https://e.org/s1'}\nrelations:\n" + "".join(
        f"  - {{id: {u}{v}, from: {u}, to: {v}, type: alliance, sources: [s1]}}\n" for u, v in ("ab", "bd", "ac", "cd")
    )
    G = allygraph.load_graph(write_data(tmp_path / "d", ents, rels))
    r = query.path(G, "Aland", "Dland", all_paths=True)
    assert [p["nodes"] for p in r["paths"]] == [["a", "b", "d"], ["a", "c", "d"]] and r["hops"] == 2
    assert [p["nodes"] for p in query.path(G, "Aland", "Dland")["paths"]] == [["a", "b", "d"]]


def test_path_filters(S):
    # without partnerships and transfers, Japan reaches the Philippines through the US alliances
    r = query.path(S, "JPN", "PH", types=["alliance"])
    assert r["paths"][0]["nodes"] == ["japan", "united_states", "philippines"]
    r = query.path(S, "japan", "philippines", exclude=["partnership", "arms_transfer", "provides"])
    assert r["hops"] == 2
    with pytest.raises(NoPath, match="within 1 hop"):
        query.path(S, "japan", "philippines", types=["alliance"], max_hops=1)
    with pytest.raises(UsageError, match="unknown relation type 'aliance' — did you mean 'alliance'"):
        query.path(S, "japan", "philippines", types=["aliance"])


def test_path_as_of_uses_relations_in_force(S):
    # 1955: the US-Philippines alliance exists, the US-Japan one (1960) does not yet
    with pytest.raises(NoPath, match="as of 1955"):
        query.path(S, "japan", "philippines", as_of="1955")
    r = query.path(S, "japan", "philippines", as_of="2012")
    assert [x["id"] for x in r["paths"][0]["hops"][0]["relations"]] == ["jp-ph-sp"]
    # partial as-of: 2011 means 2011-12-31, so the September 2011 partnership is in force
    assert query.path(S, "japan", "philippines", as_of="2011")["hops"] == 1
    assert query.path(S, "japan", "philippines", as_of="2011-08")["hops"] == 2


def test_path_all_and_directed(S):
    r = query.path(S, "united_states", "japan", all_paths=True, types=["alliance", "partnership"])
    assert [p["nodes"] for p in r["paths"]] == [["united_states", "japan"]]
    # directed: arms_transfer japan->philippines cannot be walked backwards
    with pytest.raises(NoPath):
        query.path(S, "philippines", "japan", types=["arms_transfer"], directed=True)
    assert query.path(S, "japan", "philippines", types=["arms_transfer"], directed=True)["hops"] == 1
    # symmetric relations are followed both ways even when directed
    assert query.path(S, "philippines", "japan", types=["partnership"], directed=True)["hops"] == 1


def test_show_lists_what_went_through_it(S):
    r = query.show(S, "OSA")
    assert r["entity"]["id"] == "osa" and r["entity"]["type"] == "program"
    assert [(x["id"], x["to"], x["attributes"]["fiscal_year"]) for x in r["via"]] == [("osa-ph", "philippines", 2023)]
    assert r["relations"] == [] and set(r["entities"]) == {"osa", "japan", "philippines"}


def test_show_makes_a_disagreement_visible(tmp_path):
    """A news claim that talks are under way against an official record of entry into force: both
    claims are kept, and the card shows them side by side with their sources."""
    rels = """
sources:
  news: {title: A news article, url: 'https://example.org/news', date: '2026-06-01'}
  mofa: {title: The ministry, url: 'https://example.org/mofa'}
relations:
  - {id: jp-raa-neg, from: japan, to: raa, type: party_to, status: negotiating, sources: [news], contradicted_by: [jp-raa-in-force]}
  - {id: jp-raa-in-force, from: japan, to: raa, type: party_to, status: in_force, since: '2025-09-11', sources: [mofa]}
"""
    ents = entities_yaml(("raa", "Reciprocal Access Agreement", "agreement"))
    r = query.show(allygraph.load_graph(write_data(tmp_path / "d", ents, rels)), "raa")
    [conflict] = r["conflicts"]
    assert conflict["differ"] == ["status"] and conflict["relations"] == ["jp-raa-neg", "jp-raa-in-force"]
    assert [(c["status"], c["sources"]) for c in conflict["claims"]] == [
        ("negotiating", ["news"]),
        ("in_force", ["mofa"]),
    ]


def test_successive_periods_are_history_not_conflict(S):
    r = query.show(S, "japan")
    assert r["conflicts"] == []


def test_neighbors_depth_and_direction(S):
    r = query.neighbors(S, "japan")
    # osa and tc_90 are reached through the `via` of Japan's relations
    assert {n["id"] for n in r["neighbors"]} == {"philippines", "united_states", "osa", "tc_90"}
    r = query.neighbors(S, "OSA")
    assert [(n["id"], n["relations"]) for n in r["neighbors"]] == [("japan", ["osa-ph"]), ("philippines", ["osa-ph"])]
    assert all(n["depth"] == 1 for n in r["neighbors"])
    r = query.neighbors(S, "philippines", direction="out", types=["arms_transfer"])
    assert r["neighbors"] == []
    r = query.neighbors(S, "philippines", direction="in", types=["arms_transfer"])
    assert [n["id"] for n in r["neighbors"]] == ["japan"]
    r = query.neighbors(S, "united_states", depth=2, types=["alliance"], as_of="1955")
    assert [(n["id"], n["depth"]) for n in r["neighbors"]] == [("philippines", 1)]
    with pytest.raises(UsageError):
        query.neighbors(S, "japan", direction="sideways")


def test_tiers_order_and_since(S):
    r = query.tiers(S, "Japan", as_of="2026-11-25")
    assert [(p["id"], p["tier"], p["since"]) for p in r["partners"]] == [
        ("united_states", "alliance", "1960"),
        ("philippines", "strengthened_strategic_partnership", "2015"),
    ]
    ranks = [p["rank"] for p in r["partners"]]
    assert ranks == sorted(ranks)


def test_tier_history_and_partial_dates(S):
    r = query.tier_history(S, "Japan", "Philippines")
    assert r["current"]["tier"] == "strengthened_strategic_partnership"
    assert [(h["tier"], h["since"]) for h in r["history"]] == [
        ("strategic_partnership", "2011-09"),
        ("strengthened_strategic_partnership", "2015"),
    ]
    assert all(h["sources"] for h in r["history"])
    assert query.tier_history(S, "Japan", "Philippines", as_of="2012")["current"]["tier"] == "strategic_partnership"
    assert query.tier_history(S, "Japan", "Philippines", as_of="2010")["current"] is None
    # a partial as-of is its last day: "2011" is 2011-12-31 (the 2011-09 partnership is in force), "2011-08" is not
    assert query.tier_history(S, "japan", "philippines", as_of="2011")["current"]["tier"] == "strategic_partnership"
    assert query.tier_history(S, "japan", "philippines", as_of="2011-08")["current"] is None


def test_name_resolution(S):
    ds = S.graph["dataset"]
    assert (
        ds.resolve("OSA") == "osa" and ds.resolve("ph") == "philippines" and ds.resolve("PHILIPPINES") == "philippines"
    )
    with pytest.raises(UnknownEntity) as exc:
        ds.resolve("Phillipines")
    assert exc.value.suggestions[0] == "philippines"
    assert str(exc.value) == "unknown entity 'Phillipines' — did you mean 'philippines'?"


def test_search_is_fuzzy(S):
    assert query.search(S, "philipines")["matches"][0]["id"] == "philippines"
    assert query.search(S, "oficial security asistance")["matches"][0]["id"] == "osa"
    assert all(m["score"] >= 60 for m in query.search(S, "jpan")["matches"])


def test_ambiguous_name(tmp_path):
    d = write_data(tmp_path / "amb", "entities:\n  - {id: a, name: Georgia, type: state}\n  - {id: b, name: Georgia, type: organization}\n", "relations: []\n")  # fmt: skip
    g = allygraph.load_graph(d)
    with pytest.raises(AmbiguousName) as exc:
        query.show(g, "georgia")
    assert exc.value.choices == [("a", "Georgia"), ("b", "Georgia")]
    assert "could be a (Georgia), b (Georgia)" in str(exc.value)

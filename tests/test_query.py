"""Queries on the bundled data and on a small fixture: paths, cards, neighbours, tiers, search."""

from __future__ import annotations

import pytest

import allygraph
from allygraph import query
from allygraph.errors import AmbiguousName, NoPath, UnknownEntity, UsageError


@pytest.fixture(scope="module")
def G():
    return allygraph.load_graph()


@pytest.fixture
def S(small_dir):
    return allygraph.load_graph(small_dir)


def test_path_japan_philippines_is_direct_with_every_tie(G):
    r = query.path(G, "Japan", "Philippines")
    assert r["from"] == "japan" and r["to"] == "philippines"
    [p] = r["paths"]
    assert p["nodes"] == ["japan", "philippines"]
    rels = p["hops"][0]["relations"]
    ids = {x["id"] for x in rels}
    assert {"jp-ph-comprehensive-strategic-partnership", "jp-ph-strengthened-strategic-partnership",
            "jp-ph-strategic-partnership", "osa-2023-philippines"} <= ids  # fmt: skip
    assert p["edges"][0]["id"] == "jp-ph-comprehensive-strategic-partnership"  # strongest first
    assert all(x["sources"] for x in rels)
    assert set(r["sources"]) >= {s for x in rels for s in x["sources"] if "://" not in s}


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


def test_all_shortest_paths_lists_each(G):
    # India and Australia meet in the Quad, the Australia-India-Japan trilateral and the East Asia Summit
    r = query.path(G, "India", "Australia", all_paths=True, exclude=["partnership"])
    assert len(r["paths"]) >= 2
    assert len({tuple(p["nodes"]) for p in r["paths"]}) == len(r["paths"])
    assert all(len(p["nodes"]) == r["hops"] + 1 for p in r["paths"])


def test_show_osa_lists_what_went_through_it(G):
    r = query.show(G, "OSA")
    assert r["entity"]["id"] == "osa" and r["entity"]["type"] == "program"
    recipients = {(x["to"], x["attributes"]["fiscal_year"]) for x in r["via"]}
    assert {("philippines", 2023), ("malaysia", 2023), ("bangladesh", 2023), ("fiji", 2023),
            ("philippines", 2024), ("indonesia", 2024), ("mongolia", 2024), ("djibouti", 2024)} <= recipients  # fmt: skip
    assert any(x["type"] == "administers" and x["from"] == "japan_mofa" for x in r["relations"])


def test_show_makes_the_raa_disagreement_visible(G):
    r = query.show(G, "jp_ph_raa")
    conflicts = r["conflicts"]
    assert conflicts, "the article and MOFA disagree on the RAA"
    statuses = {c["status"] for c in conflicts[0]["claims"]}
    assert {"negotiating", "in_force"} <= statuses  # the signature (status signed) is a separate fact too
    srcs = {s for c in conflicts[0]["claims"] for s in c["sources"]}
    assert "article" in srcs and "mofa-raa-signing-2024" in srcs


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


def test_tiers_order_and_since(G):
    r = query.tiers(G, "Japan", as_of="2026-11-25")
    ranks = [p["rank"] for p in r["partners"]]
    assert ranks == sorted(ranks) and r["partners"][0]["id"] == "united_states"
    by_id = {p["id"]: p for p in r["partners"]}
    assert by_id["philippines"]["tier"] == "comprehensive_strategic_partnership"
    assert by_id["philippines"]["since"] == "2026-05-28"
    assert by_id["india"]["tier"] == "special_strategic_global_partnership"
    assert by_id["vietnam"]["tier"] == "comprehensive_strategic_partnership"


def test_tier_history_japan_philippines(G):
    r = query.tier_history(G, "Japan", "Philippines", as_of="2020")
    assert r["current"]["tier"] == "strengthened_strategic_partnership"
    assert [h["tier"] for h in r["history"]] == ["strategic_partnership", "strengthened_strategic_partnership"]
    r = query.tier_history(G, "Japan", "Philippines")
    assert r["current"]["tier"] == "comprehensive_strategic_partnership"
    assert [h["since"] for h in r["history"]] == ["2011-09-27", "2015-06-04", "2026-05-28"]
    assert all(h["sources"] for h in r["history"])
    assert query.tier_history(G, "Japan", "Philippines", as_of="2010")["current"] is None


def test_tier_as_of_partial_dates(G):
    # Vietnam: Extensive (2014-03-18) -> Comprehensive (2023-11-27); "2023" means 2023-12-31
    assert (
        query.tier_history(G, "japan", "vietnam", as_of="2023")["current"]["tier"]
        == "comprehensive_strategic_partnership"
    )
    assert (
        query.tier_history(G, "japan", "vietnam", as_of="2023-10")["current"]["tier"]
        == "extensive_strategic_partnership"
    )


def test_name_resolution(G, S):
    ds = G.graph["dataset"]
    assert (
        ds.resolve("OSA") == "osa" and ds.resolve("ph") == "philippines" and ds.resolve("PHILIPPINES") == "philippines"
    )
    assert ds.resolve("Viet Nam") == "vietnam" and ds.resolve("marcos jr") in ds.entities
    with pytest.raises(UnknownEntity) as exc:
        ds.resolve("Phillipines")
    assert exc.value.suggestions[0] == "philippines"
    assert str(exc.value) == "unknown entity 'Phillipines' — did you mean 'philippines'?"


def test_ambiguous_name(tmp_path):
    from helpers import write_data

    d = write_data(tmp_path / "amb", "entities:\n  - {id: a, name: Georgia, type: state}\n  - {id: b, name: Georgia, type: organization}\n", "relations: []\n")  # fmt: skip
    g = allygraph.load_graph(d)
    with pytest.raises(AmbiguousName) as exc:
        query.show(g, "georgia")
    assert exc.value.choices == [("a", "Georgia"), ("b", "Georgia")]
    assert "could be a (Georgia), b (Georgia)" in str(exc.value)


def test_search_is_fuzzy(G):
    r = query.search(G, "philipines coast gard")
    assert r["matches"][0]["id"] == "philippine_coast_guard"
    assert query.search(G, "vietnm")["matches"][0]["id"] == "vietnam"
    assert all(m["score"] >= 60 for m in query.search(G, "quad")["matches"])

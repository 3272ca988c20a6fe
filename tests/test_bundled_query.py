"""The bundled data's answers to the queries: paths, cards, tiers, names and search.

These are answers about the bundled data (what an analyst reads in the README): when the data is
edited, they are expected to be revisited. What the queries do is tested on small fixtures in
test_query.py."""

from __future__ import annotations

import pytest

import allygraph
from allygraph import query
from allygraph.errors import UnknownEntity
from helpers import japan_philippines_direct


@pytest.fixture(scope="module")
def G():
    return allygraph.load_graph()


def test_path_japan_philippines_is_direct_with_every_tie(G):
    r, p, rels = japan_philippines_direct(G)
    ids = {x["id"] for x in rels}
    assert {"jp-ph-comprehensive-strategic-partnership", "jp-ph-strengthened-strategic-partnership",
            "jp-ph-strategic-partnership", "osa-2023-philippines"} <= ids  # fmt: skip
    assert p["edges"][0]["id"] == "jp-ph-comprehensive-strategic-partnership"  # strongest first
    assert all(x["sources"] for x in rels)
    assert set(r["sources"]) >= {s for x in rels for s in x["sources"] if "://" not in s}


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


def test_name_resolution(G):
    ds = G.graph["dataset"]
    assert (
        ds.resolve("OSA") == "osa" and ds.resolve("ph") == "philippines" and ds.resolve("PHILIPPINES") == "philippines"
    )
    assert ds.resolve("Viet Nam") == "vietnam" and ds.resolve("marcos jr") in ds.entities
    with pytest.raises(UnknownEntity) as exc:
        ds.resolve("Phillipines")
    assert exc.value.suggestions[0] == "philippines"
    assert str(exc.value) == "unknown entity 'Phillipines' — did you mean 'philippines'?"


def test_search_is_fuzzy(G):
    r = query.search(G, "philipines coast gard")
    assert r["matches"][0]["id"] == "philippine_coast_guard"
    assert query.search(G, "vietnm")["matches"][0]["id"] == "vietnam"
    assert all(m["score"] >= 60 for m in query.search(G, "quad")["matches"])

"""Issue 18, "words", on the bundled data (a data test: the answers the issue quotes; if analysts
change these facts, change this file): explain and timeline say what the data means."""

from __future__ import annotations

import re

import pytest

import allygraph
from allygraph.analysis import explain, timeline

DAY = "2026-11-27"


@pytest.fixture(scope="module")
def G():
    return allygraph.load_graph()


def test_explain_japan_france_goes_through_no_dispute(G):
    r = explain(G, "Japan", "France", as_of=DAY)
    assert all("disputes_with" not in route["kinds"] for route in r["routes"])
    assert "china" not in r["routes"][0]["nodes"]


def test_explain_japan_philippines_arms_prefers_the_delivered_tc90(G):
    r = explain(G, "Japan", "Philippines", types=["arms_transfer"], as_of=DAY)
    first = r["routes"][0]["hops"][0]
    # a delivered transfer (the TC-90s, or the air-surveillance radars), never the reported Type 88 study
    assert first["relation"]["id"] in ("jp-ph-tc90-transfer", "jp-ph-air-surveillance-radar-transfer")
    assert first["status"] == "active" and first["sentence"].startswith("Japan transferred ")
    assert "reportedly" not in first["sentence"]


def test_explain_japan_philippines_party_to_never_says_negotiating_the_raa(G):
    r = explain(G, "Japan", "Philippines", types=["party_to"], k=5, as_of=DAY)
    assert "negotiating the Japan-Philippines Reciprocal Access Agreement" not in r["markdown"]
    assert (
        "Japan has been party to the Japan-Philippines Reciprocal Access Agreement since 2025-09-11." in r["markdown"]
    )


def test_timeline_china_philippines_has_its_own_history(G):
    events = timeline(G, "China", "Philippines", as_of=DAY)["events"]
    dated = {(e["date"][:4], e.get("relations", [e.get("relation")])[0]) for e in events}
    years = {y for y, _ in dated}
    assert {"2012", "2013", "2019", "2023", "2024"} <= years  # Scarborough, arbitration, Reed Bank, Second Thomas Shoal
    shoal = [e for e in events if e["kind"] == "incident" and "Second Thomas Shoal" in e["summary"]]
    assert len(shoal) >= 3 and any("china_coast_guard" in e["actors"] for e in shoal)


def test_timeline_japan_philippines_rolls_up_and_qualifies_reports(G):
    events = timeline(G, "Japan", "Philippines", as_of=DAY)["events"]
    summaries = [e["summary"] for e in events]
    assert any("KAMANDAG" in s for s in summaries) and any("Balikatan 2025" in s for s in summaries)
    abukuma = next(e for e in events if e.get("relation") == "jp-ph-abukuma-transfer")
    assert abukuma["status"] == "reported" and "reportedly" in abukuma["summary"]
    type88 = next(e for e in events if e.get("relation") == "jp-ph-type88-export-study")
    assert "reportedly" in type88["summary"]
    claims = [e for e in events if e.get("relation") in ("jp-raa-negotiating-article", "ph-raa-negotiating-article")]
    assert claims and all("contradicted by" in e["summary"] for e in claims)
    bad = re.compile(
        r" a Extensive|\bthe ASEAN\b(?! Defence| Regional)|part of Japan"
    )  # "the ASEAN Regional Forum" is right
    assert not any(bad.search(s) for s in summaries)

"""Issue 12, part B, on the bundled data: the region's states, their leaders, partnerships and ladders."""

from __future__ import annotations

import pytest

from allygraph import load, query
from allygraph.load import check
from allygraph.store import DatasetStore
from helpers import BUNDLED

TODAY = "2026-11-27"

NEW_STATES = {  # id: (Wikidata id, ISO 3166 alpha-3)
    "china": ("Q148", "CHN"),
    "south_korea": ("Q884", "KOR"),
    "thailand": ("Q869", "THA"),
    "singapore": ("Q334", "SGP"),
    "new_zealand": ("Q664", "NZL"),
    "france": ("Q142", "FRA"),
    "russia": ("Q159", "RUS"),
    "brunei": ("Q921", "BRN"),
    "canada": ("Q16", "CAN"),
    "timor_leste": ("Q574", "TLS"),
    "pakistan": ("Q843", "PAK"),
}


@pytest.fixture(scope="module")
def ds():
    return load.load(BUNDLED, use_cache=False)


@pytest.fixture(scope="module")
def store(ds):
    return DatasetStore(ds)


def test_bundled_data_checks_clean():
    assert check(BUNDLED) == []


def test_the_new_states_carry_wikidata_and_iso3(ds):
    for sid, (qid, iso3) in NEW_STATES.items():
        e = ds.entities[sid]
        assert (e["type"], e["wikidata"], e["attributes"]["iso3"]) == ("state", qid, iso3), sid


def test_each_leader_leads_one_state_today(ds):
    leads = {
        r["to"]: r["from"]
        for r in ds.relations.values()
        if r["type"] == "leads" and r.get("status", "active") == "active" and not r.get("until")
    }
    assert {s: leads.get(s) for s in ("china", "south_korea", "thailand", "france", "russia")} == {
        "china": "xi_jinping",
        "south_korea": "lee_jae_myung",
        "thailand": "anutin_charnvirakul",
        "france": "emmanuel_macron",
        "russia": "vladimir_putin",
    }
    # issue 19: Starmer announced his resignation on 22 June 2026; no stored source dates his leaving office,
    # so his tenure is open but 'reported', not asserted as today's fact.
    starmer = ds.relations["starmer-leads-united-kingdom"]
    assert (starmer["status"], starmer.get("until")) == ("reported", None)


def test_vietnam_ranks_its_partners_on_its_own_ladder(store):
    r = query.tiers(store, "Vietnam", as_of=TODAY)
    assert r["ladder"] == "vietnam"
    top = {p["id"] for p in r["partners"] if p["rank"] == 1}
    assert {"china", "russia", "india", "south_korea", "united_states", "japan", "australia", "france"} <= top
    assert all(p["tier"] == "comprehensive_strategic_partnership" for p in r["partners"] if p["rank"] == 1)
    assert [(p["id"], p["tier"], p["rank"]) for p in r["partners"] if p["rank"] > 1] == [
        ("philippines", "strategic_partnership", 3),
        ("brunei", "comprehensive_partnership", 4),  # Vietnam's own rung below the SP
        ("canada", "comprehensive_partnership", 4),
    ]


def test_an_upgrade_ends_the_earlier_rung(store):
    r = query.tier_history(store, "Vietnam", "United States", as_of=TODAY)
    assert [(h["tier"], h["until"], h["status"]) for h in r["history"]] == [
        ("comprehensive_partnership", "2023-09-10", "ended"),
        ("comprehensive_strategic_partnership", None, "active"),
    ]
    assert r["current"]["tier"] == "comprehensive_strategic_partnership"


def test_china_and_russia_keep_their_own_wording(store):
    r = query.tier_history(store, "China", "Russia", as_of=TODAY)
    assert r["ladder"] == "china"
    assert {k: v["tier"] for k, v in r["current"]["designations"].items()} == {
        "china": "comprehensive_strategic_partnership_of_coordination_new_era",
        "russia": "comprehensive_partnership_and_strategic_cooperation",
    }


def test_the_shipped_data_is_in_the_canonical_layout():
    """`fmt --check` passes on the bundled data, so an analyst's first `fmt` changes only their own edit."""
    from helpers import invoke

    r = invoke("fmt", "--check", "--data", str(BUNDLED))
    assert r.exit_code == 0, r.stdout[-2000:]

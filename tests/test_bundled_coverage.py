"""Issue 19 on the bundled data: corrections, the strength of the evidence, and the region's coverage.

A data test: it relies on facts of the bundled data (the only kind of test allowed to). The weak-host
figure is measured here by the tool's own rule (``allygraph.grades.weak_reason``), not claimed in prose.
"""

from __future__ import annotations

import json

import pytest

from allygraph import load
from allygraph.grades import weak_reason
from helpers import BUNDLED, invoke

# Hosts whose copy of a fact is not evidence of it on its own (issue 19). Each pattern is matched
# (re.search) against the URL's host name; the reason is what the report prints.
# The weak-host rule is the tool's own (``allygraph.grades``), the one `check` and `--min-grade` use.


@pytest.fixture(scope="module")
def ds():
    return load.load(BUNDLED, use_cache=False)


@pytest.fixture(scope="module")
def weak(ds):
    return {sid: why for sid, src in ds.sources.items() if (why := weak_reason(src.get("url")))}


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://en.wikipedia.org/wiki/ANZUS", "encyclopedia anyone can edit"),
        ("http://en.people.cn./n/2014/1120/c90883-8811965.html", "host with a trailing dot"),
        ("https://www.pm.gov.au/?page=1", "a home page, not the document"),
        ("https://betaen.vietnamplus.vn/x-post1.vnp", "staging host"),
        ("https://www.einpresswire.com/article/1/x", "press-release repost"),
        ("https://ia801006.us.archive.org/9/items/x/y.txt", "catalogue or file host"),
        ("https://www.mofa.go.jp/press/release/x.html", None),
        ("https://news.usni.org/2024/03/05/x", None),
        (None, None),  # no URL: graded by its record (the starting article), not weak
    ],
)
def test_the_weak_host_rule(url, reason):
    assert weak_reason(url) == reason


def test_weak_hosts_are_at_most_two_percent_of_sources(ds, weak):
    share = len(weak) / len(ds.sources)
    assert share <= 0.02, f"{len(weak)} of {len(ds.sources)} sources are weak ({share:.1%}): {sorted(weak.items())}"


def test_no_relation_rests_only_on_weak_sources(ds, weak):
    """Each relation has a source outside the weak hosts, unless it says why not: a claim recorded as
    contradicted (``contradicted_by``) or a ``reported`` one with a note."""
    only_weak = [
        rid
        for rid, rel in ds.relations.items()
        if all(s in weak for s in rel["sources"])
        and not rel.get("contradicted_by")
        and not (rel.get("status") == "reported" and rel.get("note"))
    ]
    assert only_weak == []


@pytest.mark.parametrize(
    ("rid", "field", "value"),
    [
        ("us-nz-anzus-alliance", "until", "1986-08-11"),
        ("us-member-eas", "since", "2011"),
        ("ru-member-eas", "since", "2011"),
        ("fr-in-strategic-partnership", "until", "2026-02-17"),
        ("fr-in-special-global-strategic-partnership", "since", "2026-02-17"),
        ("kr-ca-strategic-partnership", "since", "2014-09-22"),
        ("bn-asean-member", "since", "1984-01-07"),
        ("la-asean-member", "since", "1997-07-23"),
        ("mm-asean-member", "since", "1997-07-23"),
        ("kh-asean-member", "since", "1999-04-30"),
        ("us-us-ph-vfa-signed", "since", "1998-02-10"),
        ("ph-us-ph-vfa-in-force", "since", "1999-06-01"),
        ("starmer-leads-united-kingdom", "status", "reported"),
    ],
)
def test_the_corrections(ds, rid, field, value):
    assert str(ds.relations[rid].get(field)) == value


def test_a_rung_or_a_record_ends_where_its_successor_begins(ds):
    r = ds.relations
    pairs = [
        ("th-manila-pact-signed", "th-manila-pact-in-force"),
        ("us-us-ph-vfa-signed", "us-us-ph-vfa-in-force"),
        ("ph-us-ph-vfa-signed", "ph-us-ph-vfa-in-force"),
        ("kr-ca-strategic-partnership", "kr-ca-comprehensive-strategic-partnership"),
        ("uk-id-strategic-partnership-earlier", "uk-id-strategic-partnership"),
        ("fr-in-strategic-partnership", "fr-in-special-global-strategic-partnership"),
        ("ru-ru-kp-csp-treaty-signed", "ru-ru-kp-csp-treaty-in-force"),
        ("au-falepili-union-signed", "au-falepili-union-in-force"),
    ]
    assert [(a, str(r[a]["until"])) for a, b in pairs] == [(a, str(r[b]["since"])) for a, b in pairs]
    assert r["fr-in-strategic-partnership"]["status"] == "ended"


def test_taiwan_is_a_declared_kind_of_its_own(ds):
    assert ds.entities["taiwan"]["type"] == "polity" != "state"
    rel = ds.relations["us-taiwan-relations-act"]
    assert (rel["from"], rel["to"], rel["type"], str(rel["since"])) == (
        "united_states",
        "taiwan",
        "cooperates_with",
        "1979-04-10",
    )


def test_the_new_states_carry_iso3_and_cow_codes(ds):
    codes = {
        s: (ds.entities[s]["attributes"]["iso3"], ds.entities[s]["attributes"]["cow_code"])
        for s in ("north_korea", "papua_new_guinea", "tuvalu")
    }
    assert {s: codes[s] for s in ("north_korea", "papua_new_guinea", "tuvalu")} == {
        "north_korea": ("PRK", 731),
        "papua_new_guinea": ("PNG", 910),
        "tuvalu": ("TUV", 947),
    }
    assert all("cow-states-2016" in ds.entities[s]["sources"] for s in ("north_korea", "papua_new_guinea", "tuvalu"))


def test_the_new_areas_of_coverage_are_there(ds):
    expected = {
        "ru-ru-kp-csp-treaty-in-force",
        "cn-cn-kp-treaty-1961",
        "in-cn-dispute-boundary",
        "india-galwan-clash-2020",
        "tv-falepili-union-in-force",
        "pg-us-png-dca-signed",
        "ph-sts-provisional-arrangement",
        "in-ph-brahmos-transfer",
        "jp-bd-strategic-partnership",
        "vn-au-comprehensive-partnership",
        "in-us-comprehensive-global-strategic-partnership",
    }
    assert expected <= set(ds.relations)


def test_incidents_are_shown_at_the_feature_they_happened_at():
    out = invoke("show", "Second Thomas Shoal", "--json", "--data", str(BUNDLED))
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    at = {r["from"] for r in doc["relations"] if r["type"] == "occurred_at"}
    assert {
        "second_thomas_shoal_incident_2023_08_05",
        "second_thomas_shoal_incident_2024_03_05",
        "second_thomas_shoal_incident_2024_03_23",
        "second_thomas_shoal_incident_2024_06_17",
        "sts_provisional_arrangement_2024",
    } <= at


def test_occurred_at_is_a_neutral_incident_layer_that_is_no_tie(ds):
    decl = ds.relation_types["occurred_at"]
    assert (decl["polarity"], decl["layer"], decl["tie"]) == ("neutral", "incident", False)

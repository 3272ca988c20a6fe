"""Issue 18, "words": what timeline, explain, show, path, neighbors and viz say a relation means.

Small fixtures only (the bundled data's answers are in test_bundled_meaning.py): disputes are no
route, the clock reads one day, reported relations are qualified and second to confirmed ones,
contradicted claims never drive an answer and are labelled, agencies roll up to their states,
and the sentences use articles right.
"""

from __future__ import annotations

import datetime as _dt
import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allygraph
from allygraph import dates
from allygraph.analysis import explain, timeline
from allygraph.analysis.words import indefinite, noun, takes_the
from allygraph.dataset import Dataset
from allygraph.errors import NoPath, UsageError
from allygraph.store import DatasetStore
from helpers import flow_entities, invoke, write_data

ENTITIES = flow_entities(
    state={"jp": "Japan", "ph": "Philippines", "cn": "China", "fr": "France", "us": "United States"},
    area={"isles": "Senkaku Islands"},
    platform={"tc90": "TC-90", "t88": "Type 88 missile"},
    agreement={"raa": "Japan-Philippines Reciprocal Access Agreement"},
    organization={
        "jsdf": "Japan Self-Defense Forces",
        "jgsdf": "Japan Ground Self-Defense Force",
        "afp": "Armed Forces of the Philippines",
        "ccg": "China Coast Guard",
        "pcg": "Philippine Coast Guard",
    },
    event={"kamandag": "KAMANDAG 7", "shoal": "Second Thomas Shoal incident", "standoff": "Scarborough standoff"},
)
RELATIONS = """
sources:
  s1: {title: "One", url: "https://example.org/1", date: "2014-09-01"}
  art: {title: "The article", date: "2026"}
entity_types:
  area: {description: "A disputed area."}
relation_types:
  disputes_with: {symmetric: true, description: "Contest an area.", polarity: adversarial, layer: dispute, tie: true}
  involved_in: {symmetric: false, description: "Takes part in an event.", polarity: neutral, layer: incident, tie: false}
relations:
  - {id: jp-cn-dispute, from: jp, to: cn, type: disputes_with, via: isles, sources: [s1]}
  - {id: cn-fr, from: cn, to: fr, type: partnership, tier: comprehensive_strategic_partnership, since: "2004", sources: [s1]}
  - {id: jp-us, from: jp, to: us, type: alliance, since: "1960", sources: [s1]}
  - {id: us-fr-old, from: us, to: fr, type: alliance, since: "1990", until: "2000", status: ended, sources: [s1]}
  - {id: us-fr-idea, from: us, to: fr, type: partnership, tier: strategic_partnership, status: proposed, since: "2020", sources: [s1]}
  - {id: jp-ph-tc90, from: jp, to: ph, type: arms_transfer, via: tc90, since: "2017-03-27", sources: [s1]}
  - {id: jp-ph-t88, from: jp, to: ph, type: arms_transfer, via: t88, status: reported, since: "2026-05-15", sources: [s1]}
  - {id: jp-raa-in-force, from: jp, to: raa, type: party_to, status: in_force, since: "2025-09-11", sources: [s1]}
  - {id: ph-raa-in-force, from: ph, to: raa, type: party_to, status: in_force, since: "2025-09-11", sources: [s1]}
  - {id: jp-raa-claim, from: jp, to: raa, type: party_to, status: negotiating, sources: [art], contradicted_by: [jp-raa-in-force]}
  - {id: ph-raa-claim, from: ph, to: raa, type: party_to, status: negotiating, sources: [art], contradicted_by: [ph-raa-in-force]}
  - {id: jsdf-jp, from: jsdf, to: jp, type: part_of, sources: [s1]}
  - {id: jgsdf-jsdf, from: jgsdf, to: jsdf, type: part_of, sources: [s1]}
  - {id: afp-ph, from: afp, to: ph, type: part_of, sources: [s1]}
  - {id: ccg-cn, from: ccg, to: cn, type: part_of, sources: [s1]}
  - {id: pcg-ph, from: pcg, to: ph, type: part_of, sources: [s1]}
  - {id: kamandag-7, from: jgsdf, to: afp, type: exercises_with, via: kamandag, since: "2023-11-09", until: "2023-11-20", sources: [s1]}
  - {id: ccg-shoal, from: ccg, to: shoal, type: involved_in, since: "2023-08-05", sources: [s1]}
  - {id: pcg-shoal, from: pcg, to: shoal, type: involved_in, since: "2023-08-05", sources: [s1]}
  - {id: cn-standoff, from: cn, to: standoff, type: involved_in, since: "2012-04-08", sources: [s1]}
  - {id: ph-standoff, from: ph, to: standoff, type: involved_in, since: "2012-04-08", sources: [s1]}
  - {id: ph-jp-sp, from: ph, to: jp, type: partnership, tier: extensive_strategic_partnership, since: "2011", until: "2015", status: ended, sources: [s1]}
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_data(tmp_path_factory.mktemp("words") / "d", ENTITIES, RELATIONS)


@pytest.fixture(scope="module")
def G(data):
    return allygraph.load_graph(data)


def _hops(result):
    return [[h["relation"]["id"] for h in r["hops"]] for r in result["routes"]]


# --- explain: which ties make a route -----------------------------------------------------------


def test_a_dispute_is_never_a_route_unless_asked(G):
    """Issue 18: `explain Japan France` answered Japan → China (Senkaku dispute) → France."""
    routes = explain(G, "Japan", "France", as_of="2026-06-01")["routes"] if _has_route(G) else []
    assert all("jp-cn-dispute" not in hops for hops in _hops({"routes": routes}))
    hostile = explain(G, "Japan", "France", include_adversarial=True, as_of="2026-06-01")
    assert ["jp-cn-dispute", "cn-fr"] in _hops(hostile)
    assert "Japan and China have disputed the Senkaku Islands." in hostile["markdown"]
    with pytest.raises(UsageError, match="--include-adversarial"):
        explain(G, "Japan", "France", types=["disputes_with"])


def _has_route(G) -> bool:
    try:
        explain(G, "Japan", "France", as_of="2026-06-01")
    except NoPath:
        return False
    return True


def test_ended_and_proposed_ties_are_no_route_today_but_history_reads_them(G):
    """Issue 18: with no --as-of, ended and proposed relations counted too."""
    with pytest.raises(NoPath, match=r"cooperative ties in force on .*--all-time for history"):
        explain(G, "Japan", "France")  # today: the alliance ended in 2000, the partnership is only proposed
    past = explain(G, "Japan", "France", as_of="1995")
    assert _hops(past) == [["jp-us", "us-fr-old"]]
    assert "The United States and France have been treaty allies since 1990." in past["markdown"]  # as of 1995
    history = explain(G, "Japan", "France", all_time=True)
    assert ["jp-us", "us-fr-old"] in _hops(history) and history["as_of"] is None
    assert "were treaty allies from 1990 to 2000" in history["markdown"]
    assert all("us-fr-idea" not in hops for hops in _hops(history))


def test_confirmed_transfer_preferred_over_a_reported_one(G):
    """Issue 18: `explain Japan Philippines --type arms_transfer` picked the reported Type 88."""
    r = explain(G, "Japan", "Philippines", types=["arms_transfer"])
    assert _hops(r)[0] == ["jp-ph-tc90"]
    assert r["routes"][0]["hops"][0]["sentence"] == "Japan transferred TC-90 to the Philippines (2017-03-27)."
    assert r["markdown"].startswith("## How Japan connects to the Philippines (as of ")


def test_a_reported_hop_is_qualified_when_it_is_the_only_one(tmp_path):
    ents = "entities:\n  - {id: a, name: A, type: state}\n  - {id: b, name: B, type: state}\n  - {id: p, name: P, type: platform}\n"
    rels = "relations:\n  - {id: r, from: a, to: b, type: arms_transfer, via: p, status: reported, since: '2026-05'}\n"
    r = explain(allygraph.load_graph(write_data(tmp_path / "r", ents, rels)), "a", "b", as_of="2026-06")
    assert r["routes"][0]["hops"][0]["status"] == "reported"
    assert r["routes"][0]["hops"][0]["sentence"] == "A reportedly discussed the transfer of P to B (2026-05)."


def test_a_contradicted_claim_never_drives_an_answer(G):
    """Issue 18: `explain ... --type party_to` said "Japan is negotiating the RAA" (the article's
    claim) although the data has the RAA in force since 2025-09-11."""
    r = explain(G, "Japan", "Philippines", types=["party_to"], k=5, as_of="2026-06-01")
    assert _hops(r) == [["jp-raa-in-force", "ph-raa-in-force"]]
    assert "negotiating" not in r["markdown"]
    assert (
        "Japan has been party to the Japan-Philippines Reciprocal Access Agreement since 2025-09-11." in r["markdown"]
    )
    with pytest.raises(NoPath):
        explain(G, "Japan", "Philippines", types=["party_to"], as_of="2025-01-01")  # the claim alone: no route


def test_explain_cli_options_and_json(data):
    res = invoke(
        "explain", "Japan", "France", "--include-adversarial", "--as-of", "2026-06-01", "--data", str(data), "--json"
    )
    assert res.exit_code == 0 and json.loads(res.stdout)["as_of"] == "2026-06-01"
    res = invoke("explain", "Japan", "France", "--all-time", "--data", str(data), "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["as_of"] is None
    res = invoke("explain", "Japan", "France", "--all-time", "--as-of", "2020", "--data", str(data))
    assert res.exit_code == 2 and res.stderr.count("\n") == 1


# --- timeline: status, actors, roll-up, the clock --------------------------------------------


def _events(result, kind=None):
    return [e for e in result["events"] if kind is None or e["kind"] == kind]


def test_timeline_events_carry_status_and_reported_ones_say_so(G):
    """Issue 18: the timeline said "Japan transfers arms to Philippines" for a reported study."""
    r = timeline(G, "Japan", "Philippines", as_of="2026-06-01")
    t88 = next(e for e in r["events"] if e.get("relation") == "jp-ph-t88")
    assert t88["status"] == "reported" and t88["actors"] == ["jp", "ph"]
    assert t88["summary"] == "Japan reportedly discussed the transfer of Type 88 missile to the Philippines."
    tc90 = next(e for e in r["events"] if e.get("relation") == "jp-ph-tc90")
    assert tc90["status"] == "active" and tc90["summary"] == "Japan transferred TC-90 to the Philippines."
    assert all("status" in e and "actors" in e for e in r["events"]) and r["as_of"] == "2026-06-01"


def test_timeline_labels_a_contradicted_claim(G):
    r = timeline(G, "Japan", "Philippines", as_of="2026-06-01")
    claims = [e for e in r["events"] if e.get("relation") in ("jp-raa-claim", "ph-raa-claim")]
    assert {e["status"] for e in claims} == {"contradicted"} and {e["date"] for e in claims} == {"2026"}
    assert "a claim contradicted by jp-raa-in-force (in force since 2025-09-11)" in claims[0]["summary"]


def test_timeline_as_of_reads_each_status_that_day(G):
    """Issue 18: --as-of only cut later events; it did not read their status that day."""
    then = next(
        e for e in timeline(G, "Japan", "Philippines", as_of="2013")["events"] if e.get("relation") == "ph-jp-sp"
    )
    later = next(
        e for e in timeline(G, "Japan", "Philippines", as_of="2020")["events"] if e.get("relation") == "ph-jp-sp"
    )
    assert then["status"] == "active" and later["status"] == "ended"
    assert then["summary"] == "The Philippines and Japan set up an Extensive Strategic Partnership."
    assert not any(e["date"] >= "2014" for e in timeline(G, "Japan", "Philippines", as_of="2013")["events"])
    assert timeline(G, "Japan", "Philippines", all_time=True)["as_of"] is None


def test_roll_up_counts_agencies_for_their_states(G):
    """Issue 18: Kamandag (JGSDF with the AFP) and the coast guards' incidents were missing from pair timelines."""
    r = timeline(G, "Japan", "Philippines", as_of="2026-06-01")
    kam = next(e for e in r["events"] if e.get("relation") == "kamandag-7")
    assert kam["actors"] == ["jgsdf", "afp"] and kam["acting_for"] == {"jgsdf": "jp", "afp": "ph"}
    assert kam["summary"] == ("The Japan Ground Self-Defense Force and the Armed Forces of the Philippines "
                              "exercised together in KAMANDAG 7.")  # fmt: skip
    assert not any(
        e.get("relation") == "kamandag-7" for e in timeline(G, "Japan", "Philippines", roll_up=False)["events"]
    )
    cp = timeline(G, "China", "Philippines", as_of="2026-06-01")
    incident = next(e for e in cp["events"] if e["kind"] == "incident" and e["date"] == "2023-08-05")
    assert set(incident["actors"]) == {"ccg", "pcg"} and incident["relations"] == ["ccg-shoal", "pcg-shoal"]
    assert (
        incident["summary"]
        == "The China Coast Guard and the Philippine Coast Guard took part in the Second Thomas Shoal incident."
    )
    standoff = next(e for e in cp["events"] if e["date"] == "2012-04-08" and e["kind"] == "incident")
    assert (
        standoff["summary"] == "China and the Philippines took part in the Scarborough standoff."
    )  # two states, one event
    bare = timeline(G, "China", "Philippines", roll_up=False)
    assert not any(e["date"] == "2023-08-05" for e in bare["events"]) and any(
        e["date"] == "2012-04-08" for e in bare["events"]
    )


def test_an_undated_dispute_is_placed_by_its_sources(G):
    r = timeline(G, "Japan", "China", as_of="2026-06-01")
    cited = _events(r, "first_cited")
    assert [(e["date"], e["relation"]) for e in cited] == [("2014-09-01", "jp-cn-dispute")]
    assert cited[0]["summary"] == "First cited: Japan and China have disputed the Senkaku Islands."


def test_timeline_cli_no_roll_up_and_all_time(data):
    res = invoke("timeline", "Japan", "Philippines", "--no-roll-up", "--all-time", "--data", str(data), "--json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["as_of"] is None and doc["roll_up"] is False
    assert not any(e.get("relation") == "kamandag-7" for e in doc["events"])
    res = invoke("timeline", "Japan", "Philippines", "--data", str(data))
    assert res.exit_code == 0 and "reportedly discussed the transfer" in res.stdout


# --- the words themselves -----------------------------------------------------------------------


@pytest.mark.parametrize(("ent", "said"), [
    ({"name": "Philippines", "type": "state"}, "the Philippines"),
    ({"name": "United States", "type": "state"}, "the United States"),
    ({"name": "Republic of Korea", "type": "state"}, "the Republic of Korea"),
    ({"name": "Japan", "type": "state"}, "Japan"),
    ({"name": "ASEAN", "type": "organization"}, "ASEAN"),
    ({"name": "Quad", "type": "framework"}, "the Quad"),
    ({"name": "Balikatan 2025", "type": "event"}, "Balikatan 2025"),
    ({"name": "Second Thomas Shoal", "type": "area"}, "Second Thomas Shoal"),
    ({"name": "Senkaku Islands", "type": "area"}, "the Senkaku Islands"),
    ({"name": "Official Security Assistance", "type": "program"}, "Official Security Assistance"),
    ({"name": "Gambia", "type": "state", "attributes": {"article": "the"}}, "the Gambia"),
    ({"name": "Squad", "type": "framework", "attributes": {"article": "none"}}, "Squad"),
])  # fmt: skip
def test_names_take_the_article_they_take(ent, said):
    assert noun(ent) == said and takes_the(ent) == said.startswith("the ")


def test_a_or_an_by_sound():
    assert indefinite("Extensive Strategic Partnership") == "an Extensive Strategic Partnership"
    assert indefinite("Strategic Partnership") == "a Strategic Partnership"
    assert indefinite("United Front") == "a United Front"


def test_structure_is_no_route_and_never_a_sentence(G):
    """Issue 18: explain said "Japan Self-Defense Forces part of Japan"."""
    r = explain(G, "Japan", "Philippines", all_time=True, k=5)
    assert r["routes"] and all("part_of" not in route["kinds"] for route in r["routes"])
    assert "part of" not in r["markdown"] and " a Extensive" not in r["markdown"]


# --- show, path, neighbors: the labels ------------------------------------------------------------


def test_show_path_and_neighbors_label_contradicted_and_reported(data, G):
    show = invoke("show", "Japan-Philippines Reciprocal Access Agreement", "--data", str(data))
    assert show.exit_code == 0 and "negotiating, contradicted by jp-raa-in-force" in show.stdout
    path = allygraph.query.path(G, "Japan", "Japan-Philippines Reciprocal Access Agreement")
    assert path["paths"][0]["edges"][0]["id"] == "jp-raa-in-force"  # the claim is shown last, never the hop
    assert [r["id"] for r in path["paths"][0]["hops"][0]["relations"]][-1] == "jp-raa-claim"
    out = invoke("path", "Japan", "Japan-Philippines Reciprocal Access Agreement", "--data", str(data)).stdout
    assert "contradicted by jp-raa-in-force" in out
    out = invoke("path", "Japan", "Philippines", "--type", "arms_transfer", "--data", str(data)).stdout
    assert "reported (unconfirmed)" in out
    nb = invoke("neighbors", "Japan-Philippines Reciprocal Access Agreement", "--data", str(data), "--json")
    assert json.loads(nb.stdout)["labels"] == {"jp-raa-claim": "contradicted by jp-raa-in-force",
                                               "ph-raa-claim": "contradicted by ph-raa-in-force"}  # fmt: skip
    out = invoke("neighbors", "Japan-Philippines Reciprocal Access Agreement", "--data", str(data)).stdout
    assert "jp-raa-claim (contradicted by jp-raa-in-force)" in out


# --- viz -------------------------------------------------------------------------------------------


def test_viz_dashes_and_labels_doubt_and_draws_only_live_entities_on_a_day(G, tmp_path):
    from allygraph.viz import picture, viz

    pic = picture(G, "Japan", depth=1)
    edges = {e["id"]: e for e in pic["relations"]}
    assert edges["jp-ph-t88"]["doubt"] == "reported" and edges["jp-ph-t88"]["label"] == "reported, unconfirmed"
    assert edges["jp-raa-claim"]["label"] == "contradicted by jp-raa-in-force"
    assert edges["jp-cn-dispute"]["start"] == "2014-09-01"  # undated: placed by its source
    assert edges["jp-ph-tc90"].get("doubt") is None
    then = picture(G, "Japan", depth=1, as_of="2000")
    assert {e["id"] for e in then["entities"]} == {"jp", "us"}  # only what had something in force
    out = tmp_path / "m.svg"
    viz(G, "Japan", out=out, as_of="2026-06-01")
    lines = [e for e in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}line")
             if "reported" in "".join(e.itertext())]  # fmt: skip
    assert lines and all(e.get("stroke-dasharray") for e in lines)


# --- the default clock is today --------------------------------------------------------------------

_DAYS = st.dates(min_value=_dt.date(1990, 1, 1), max_value=_dt.date(2030, 12, 31)).map(lambda d: d.isoformat())
_REL = st.fixed_dictionaries(
    {"type": st.sampled_from(["alliance", "partnership", "arms_transfer", "exercises_with", "disputes_with"]),
     "ends": st.sampled_from([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("a", "d")]),
     "status": st.sampled_from([None, "active", "ended", "reported", "proposed", "signed", "contradicted"])},
    optional={"since": _DAYS, "until": _DAYS},
)  # fmt: skip


def _store(specs: list[dict]) -> DatasetStore:
    ents = {i: {"id": i, "name": i.upper(), "type": "state"} for i in "abcd"}
    rels = {}
    for n, spec in enumerate(specs):
        rel = {"id": f"r{n}", "from": spec["ends"][0], "to": spec["ends"][1], "type": spec["type"], "sources": []}
        if spec["type"] == "partnership":
            rel["tier"] = "strategic_partnership"
        for key in ("since", "until"):
            if key in spec:
                rel[key] = spec[key]
        if spec["status"] == "contradicted":
            rel["status"], rel["contradicted_by"] = "negotiating", ["r0"]
        elif spec["status"]:
            rel["status"] = spec["status"]
        rels[rel["id"]] = rel
    decl = {
        "disputes_with": {
            "symmetric": True,
            "description": "d",
            "polarity": "adversarial",
            "layer": "dispute",
            "tie": True,
        }
    }
    return DatasetStore(
        Dataset("mem", ents, rels, {}, [{"id": "strategic_partnership", "name": "SP"}], relation_types=decl)
    )


def _explained(S, **kw):
    try:
        return explain(S, "a", "d", **kw)
    except NoPath:
        return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_REL, min_size=1, max_size=7))
def test_default_and_as_of_today_agree(specs):
    S = _store(specs)
    today = dates.today().isoformat()
    assert timeline(S, "a") == timeline(S, "a", as_of=today)
    assert timeline(S, "a", "c") == timeline(S, "a", "c", as_of=today)
    assert _explained(S) == _explained(S, as_of=today)
    assert _explained(S, include_adversarial=True) == _explained(S, include_adversarial=True, as_of=today)


def test_the_sqlite_store_says_the_same(tmp_path, monkeypatch, G):
    """Roll-up, labels and words read a large directory's cache the same way."""
    from allygraph import cache
    from allygraph.load import open_store

    d = write_data(tmp_path / "big", ENTITIES, RELATIONS)
    monkeypatch.setattr(cache, "is_large", lambda directory: True)
    S = open_store(d)
    assert type(S).__name__ == "SQLiteStore"
    for pair in (("Japan", "Philippines"), ("China", "Philippines")):
        assert timeline(S, *pair, as_of="2026-06-01") == timeline(G, *pair, as_of="2026-06-01")
    assert explain(S, "Japan", "Philippines", k=5) == explain(G, "Japan", "Philippines", k=5)


def test_one_exercise_both_sides_took_part_in_is_the_pairs(tmp_path):
    ents = """
entities:
  - {id: a, name: Aland, type: state}
  - {id: b, name: United Bland, type: state}
  - {id: c, name: Cland, type: state}
  - {id: navy, name: Aland Navy, type: organization}
  - {id: ex, name: Tide 2026, type: event, since: "2026-04-20"}
"""
    rels = """
relations:
  - {id: navy-a, from: navy, to: a, type: part_of}
  - {id: navy-c, from: navy, to: c, type: exercises_with, via: ex, since: "2026-04-20", until: "2026-05-08"}
  - {id: b-c, from: b, to: c, type: exercises_with, via: ex, since: "2026-04-20", until: "2026-05-08"}
"""
    g = allygraph.load_graph(write_data(tmp_path / "x", ents, rels))
    r = timeline(g, "Aland", "United Bland", as_of="2026-06-01")
    assert [e.get("relation") for e in r["events"] if e["kind"] == "exercise"] == ["navy-c", "b-c"]
    said = {e["summary"] for e in r["events"]}
    assert "The United Bland and Cland exercised together in Tide 2026." in said
    assert r["entities"]["b"]["noun"] == "the United Bland"
    assert not [e for e in timeline(g, "Aland", "United Bland", roll_up=False)["events"] if e["kind"] == "exercise"]

"""Issue 13: timeline, clusters, rank and explain, as library calls (the CLI is in test_cli_analysis)."""

from __future__ import annotations

import pytest

import allygraph
from allygraph.analysis import clusters, explain, rank, timeline
from allygraph.errors import NoPath, UsageError
from allygraph.load import open_store
from helpers import write_data

ENTITIES = """
entities:
  - {id: aa, name: Aland, type: state}
  - {id: bb, name: Bland, type: state}
  - {id: cc, name: "Cland <img src=x onerror=alert(1)>", type: state}
  - {id: dd, name: Dland, type: state}
  - {id: trio, name: Trio, type: framework}
  - {id: big, name: Big Forum, type: framework}
  - {id: ab_raa, name: Aland-Bland Reciprocal Access Agreement, type: agreement, attributes: {signed: "2019-05-01"}}
  - {id: ab_trade, name: Aland-Bland Trade Pact, type: agreement}
"""
RELATIONS = """
sources:
  s1: {title: "First source", url: "https://example.org/one", publisher: Pub, date: "2020"}
  s2: {title: "Second source", url: "https://example.org/two"}
relations:
  - {id: ab-ally, from: aa, to: bb, type: alliance, since: "1990", sources: [s1]}
  - {id: bc-sp, from: bb, to: cc, type: partnership, tier: strategic_partnership, since: "2012", until: "2016", sources: [s2]}
  - {id: bc-csp, from: bb, to: cc, type: partnership, tier: comprehensive_strategic_partnership, since: "2016", sources: [s2]}
  - {id: ac-gp, from: aa, to: cc, type: partnership, tier: global_partnership, since: "2005", sources: [s1]}
  - {id: a-raa, from: aa, to: ab_raa, type: party_to, status: in_force, since: "2020-03-01", sources: [s1]}
  - {id: c-raa, from: cc, to: ab_raa, type: party_to, status: in_force, since: "2020-03-01", sources: [s1]}
  - {id: a-trade, from: aa, to: ab_trade, type: party_to, status: in_force, since: "2001", sources: [s1]}
  - {id: d-trade, from: dd, to: ab_trade, type: party_to, status: in_force, since: "2001", sources: [s1]}
  - {id: a-trio, from: aa, to: trio, type: member_of, since: "2022-06", sources: [s2]}
  - {id: b-trio, from: bb, to: trio, type: member_of, since: "2022-06", sources: [s2]}
  - {id: c-trio, from: cc, to: trio, type: member_of, since: "2022-06", sources: [s2]}
  - {id: d-trio, from: dd, to: trio, type: member_of, since: "2018", until: "2021", status: ended, sources: [s2]}
  - {id: a-big, from: aa, to: big, type: member_of, since: "2000", sources: [s2]}
  - {id: b-big, from: bb, to: big, type: member_of, since: "2000", sources: [s2]}
  - {id: d-big, from: dd, to: big, type: member_of, since: "2000", sources: [s2]}
"""


@pytest.fixture
def small(tmp_path):
    return allygraph.load_graph(write_data(tmp_path / "d", ENTITIES, RELATIONS))


# --- timeline ---------------------------------------------------------------------------------


def test_timeline_pair_oldest_first_with_upgrades_and_merged_agreements(small):
    r = timeline(small, "Bland", "cc")
    kinds = [(e["date"], e["kind"]) for e in r["events"]]
    assert kinds == [("2012", "tier_set"), ("2016", "tier_upgrade"), ("2022-06", "membership_began")]
    assert r["events"][1]["summary"].endswith("from a Strategic Partnership to a Comprehensive Strategic Partnership.")
    assert r["events"][1]["sources"] == ["s2"]
    assert r["events"][2]["relations"] == ["b-trio", "c-trio"]  # both sides joining Trio: one event


def test_timeline_entity_reads_the_agreements_own_dates_and_filters(small):
    r = timeline(small, "aa")
    got = {(e["date"], e["kind"]) for e in r["events"]}
    assert ("2019-05-01", "agreement_signed") in got  # from the agreement's own attributes
    assert ("2020-03-01", "agreement_in_force") in got
    assert [e["date"] for e in r["events"]] == sorted((e["date"] for e in r["events"]), key=lambda d: (d[:4], d))
    assert all(e["date"] >= "2019" for e in timeline(small, "aa", date_from="2019")["events"])
    assert all(e["date"][:4] <= "2005" for e in timeline(small, "aa", as_of="2005")["events"])
    only = timeline(small, "aa", types=["alliance"])["events"]
    assert [e["kind"] for e in only] == ["alliance_began"]


def test_timeline_of_the_whole_data(small):
    """Neither a pair nor an entity: every event of the data, oldest first, a shared one once."""
    events = timeline(small)["events"]
    assert [(e["date"], e["kind"]) for e in events] == [
        ("1990", "alliance_began"), ("2000", "membership_began"), ("2001", "agreement_in_force"),
        ("2005", "tier_set"), ("2012", "tier_set"), ("2016", "tier_upgrade"), ("2018", "membership_began"),
        ("2019-05-01", "agreement_signed"), ("2020-03-01", "agreement_in_force"), ("2021", "membership_ended"),
        ("2022-06", "membership_began"),
    ]  # fmt: skip
    assert events[-1]["relations"] == ["a-trio", "b-trio", "c-trio"]


def test_timeline_bad_arguments(small):
    with pytest.raises(UsageError, match="--from"):
        timeline(small, "aa", date_from="20x")
    with pytest.raises(UsageError, match="unknown relation type"):
        timeline(small, "aa", types=["alliances"])


# --- clusters ---------------------------------------------------------------------------------


def _members(r, kind):
    return {tuple(c["members"]): c for c in r["clusters"] if c["kind"] == kind}


ALL_FOUR = ["alliance", "partnership", "party_to", "member_of"]  # v1.1's four kinds of tie, partnerships included


def test_clusters_declared_and_emergent_with_dates(small):
    r = clusters(small, as_of="2023")
    declared = _members(r, "declared")
    assert set(declared) == {("aa", "bb", "cc"), ("aa", "bb", "dd")}
    assert declared[("aa", "bb", "cc")]["since"] == "2022-06"  # last change: the three joined
    # b-c are tied by Trio alone (a partnership label is no security tie), a-d and b-d by Big alone:
    # a framework never makes its own members emergent
    assert _members(r, "emergent") == {}
    assert declared[("aa", "bb", "cc")]["emergent"] is None and declared[("aa", "bb", "dd")]["emergent"] is None
    r = clusters(small, as_of="2023", types=ALL_FOUR)  # partnerships asked for: b-c since 2012 unbroken
    emergent = _members(r, "emergent")
    trio = emergent[("aa", "bb", "cc")]
    assert trio["since"] == "2020-03-01" and trio["maximal"] is True  # the last tie to close: the RAA
    declared = _members(r, "declared")
    assert declared[("aa", "bb", "cc")]["emergent"] == "same"
    assert declared[("aa", "bb", "cc")]["backed_since"] == "2020-03-01"
    assert ("aa", "bb", "dd") not in emergent  # Big Forum still holds a-d and b-d alone


def test_clusters_follow_the_day_the_rung_and_the_types(small):
    assert _members(clusters(small, as_of="2011", types=ALL_FOUR), "emergent") == {}
    no_fw = clusters(small, as_of="2023", types=["alliance", "partnership", "party_to"])
    assert set(_members(no_fw, "emergent")) == {("aa", "bb", "cc")}
    high = clusters(small, as_of="2014", rung="comprehensive_strategic_partnership", types=["alliance", "partnership"])
    assert _members(high, "emergent") == {}
    low = clusters(small, as_of="2014", rung="global_partnership", types=["alliance", "partnership"])
    assert _members(low, "emergent")[("aa", "bb", "cc")]["since"] == "2012"
    assert clusters(small, as_of="2023", layers=["access", "alliance"])["types"] == ["access", "alliance"]
    with pytest.raises(UsageError, match="security tie"):
        clusters(small, types=["leads"])
    with pytest.raises(UsageError, match="security layer"):
        clusters(small, layers=["dispute"])
    with pytest.raises(UsageError, match="--min-size"):
        clusters(small, min_size=1)
    with pytest.raises(UsageError, match="--method"):
        clusters(small, method="cliquez")


def test_clusters_overlaps_name_states_in_several(small):
    r = clusters(small, as_of="2023", types=ALL_FOUR)
    assert r["overlaps"][0]["id"] in ("aa", "bb") and r["overlaps"][0]["count"] == 3  # Trio, Big, a+b+c


def test_clusters_around_one_state_on_the_sqlite_store(tmp_path, small):
    r = clusters(small, as_of="2023", around="cc", types=ALL_FOUR)
    assert ("aa", "bb", "cc") in _members(r, "emergent") and r["around"] == "cc"
    assert all("cc" in c["members"] for c in r["clusters"])


# --- rank -------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["degree", "pagerank", "betweenness", "eigenvector"])
def test_rank_every_metric(small, by):
    r = rank(small, by, entity_types=["state"])
    assert r["by"] == by and r["ranking"][0]["id"] == "aa"  # Aland touches everything
    assert [x["score"] for x in r["ranking"]] == sorted((x["score"] for x in r["ranking"]), reverse=True)


def test_rank_betweenness_sample_is_stated_and_filters_apply(small):
    r = rank(small, "betweenness", sample=2, seed=3)
    assert r["sample"] == 2 and r["seed"] == 3
    assert rank(small, "degree", types=["alliance"])["nodes"] == 2
    assert rank(small, "degree", as_of="1995")["edges"] == 1  # the alliance alone
    assert rank(small, "degree", as_of="2000")["edges"] == 4  # and three memberships of Big
    with pytest.raises(UsageError, match="--by"):
        rank(small, "closeness")
    with pytest.raises(UsageError, match="--entity-type 'stat'"):
        rank(small, "degree", entity_types=["stat"])
    with pytest.raises(UsageError, match="narrow it"):
        rank(small, "degree", max_edges=3)


def test_rank_betweenness_on_a_large_graph_needs_a_stated_sample(small, monkeypatch):
    from allygraph.analysis import centrality

    monkeypatch.setattr(centrality, "BETWEENNESS_EDGES", 3)
    with pytest.raises(UsageError, match="--sample"):
        rank(small, "betweenness")
    assert rank(small, "betweenness", sample=2)["sample"] == 2


# --- explain ----------------------------------------------------------------------------------


def test_explain_prefers_distinct_kinds_and_cites(small):
    r = explain(small, "Aland", "Cland <img src=x onerror=alert(1)>", k=3)
    kinds = [route["kinds"] for route in r["routes"]]
    assert [route["nodes"] for route in r["routes"]] == [["aa", "cc"], ["aa", "ab_raa", "cc"], ["aa", "trio", "cc"]]
    assert kinds == [["partnership"], ["party_to"], ["member_of"]]  # three kinds of tie, not three alike
    md = r["markdown"]
    assert md.startswith("## How Aland connects to Cland \\<img src=x onerror=alert\\(1\\)\\>")
    assert "<img" not in md.replace("\\<img", "")  # every < of the name is escaped
    assert "[^1]: First source, Pub, 2020. <https://example.org/one>" in md


def test_explain_no_route(tmp_path):
    d = write_data(tmp_path / "n", "entities:\n  - {id: x, name: X, type: state}\n  - {id: y, name: Y, type: state}\n",
                   "relations: []\n")  # fmt: skip
    with pytest.raises(NoPath):
        explain(allygraph.load_graph(d), "x", "y")


def test_the_sqlite_store_gives_the_same_answers(tmp_path, monkeypatch, small):
    from allygraph import cache

    d = write_data(tmp_path / "big", ENTITIES, RELATIONS)
    monkeypatch.setattr(cache, "is_large", lambda directory: True)
    store = open_store(d)
    assert type(store).__name__ == "SQLiteStore"
    assert clusters(store, as_of="2023")["clusters"] == clusters(small, as_of="2023")["clusters"]
    assert rank(store, "pagerank")["ranking"] == rank(small, "pagerank")["ranking"]
    assert timeline(store)["events"] == timeline(small)["events"]


# --- the command line (in-process) ---------------------------------------------------------------


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    from allygraph.cli import main

    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_cli_json_shapes(capsys, tmp_path):
    import json

    d = str(write_data(tmp_path / "d", ENTITIES, RELATIONS))
    code, out, _ = _cli(capsys, "timeline", "bb", "cc", "--data", d, "--json")
    assert code == 0 and [e["kind"] for e in json.loads(out)["events"]][:2] == ["tier_set", "tier_upgrade"]
    code, out, _ = _cli(capsys, "clusters", "--as-of", "2023", "--data", d, "--json")
    doc = json.loads(out)
    assert (
        code == 0
        and doc["as_of"] == "2023-12-31"
        and {"members", "since", "kind", "framework", "ties"} <= set(doc["clusters"][0])
    )
    code, out, _ = _cli(capsys, "rank", "--by", "pagerank", "--data", d, "--json")
    assert code == 0 and json.loads(out)["by"] == "pagerank" and json.loads(out)["ranking"][0]["id"] == "aa"
    code, out, _ = _cli(capsys, "explain", "aa", "cc", "--data", d, "--json")
    assert code == 0 and json.loads(out)["markdown"].startswith("## How Aland")
    code, out, _ = _cli(capsys, "viz", "aa", "-o", str(tmp_path / "m.svg"), "--data", d, "--json")
    assert code == 0 and json.loads(out) == {
        "file": str(tmp_path / "m.svg"),
        "entities": 7,
        "relations": 12,
    }  # dd is two hops away
    code, out, _ = _cli(capsys, "tiers", "bb", "--plot", str(tmp_path / "l.svg"), "--data", d, "--json")
    assert code == 0 and json.loads(out)["partners"] == 2 and (tmp_path / "l.svg").read_text().startswith("<svg")


def test_cli_plain_output_is_safe_and_bad_arguments_exit_2(capsys, tmp_path):
    d = str(write_data(tmp_path / "d", ENTITIES, RELATIONS))
    code, out, _ = _cli(capsys, "clusters", "--as-of", "2023", *(f"--type={t}" for t in ALL_FOUR), "--data", d)
    assert code == 0 and "Declared" in out and "Emergent" in out and "Cland <img" in out
    code, out, _ = _cli(capsys, "explain", "aa", "cc", "--data", d)
    assert code == 0 and "1. Aland and Cland \\<img" in out
    for args in (["rank", "--by", "fame"], ["clusters", "--type", "leads"], ["timeline", "--from", "2020-13"],
                 ["viz", "-o", str(tmp_path / "x.png")], ["clusters", "--as-of", "soon"]):  # fmt: skip
        code, out, err = _cli(capsys, *args, "--data", d)
        assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err, args
    code, _, err = _cli(capsys, "timeline", "Atlantis", "--data", d)
    assert code == 1 and "unknown entity" in err


def test_a_signed_access_agreement_is_no_tie_until_in_force(tmp_path):
    ents = """
entities:
  - {id: x, name: X, type: state}
  - {id: y, name: Y, type: state}
  - {id: z, name: Z, type: state}
  - {id: xy_vfa, name: X-Y Visiting Forces Agreement, type: agreement}
"""
    rels = """
relations:
  - {id: xz, from: x, to: z, type: alliance, since: "2000"}
  - {id: yz, from: y, to: z, type: alliance, since: "2000"}
  - {id: x-signed, from: x, to: xy_vfa, type: party_to, status: signed, since: "2010", until: "2015"}
  - {id: y-signed, from: y, to: xy_vfa, type: party_to, status: signed, since: "2010", until: "2015"}
  - {id: x-vfa, from: x, to: xy_vfa, type: party_to, status: in_force, since: "2015"}
  - {id: y-vfa, from: y, to: xy_vfa, type: party_to, status: in_force, since: "2015"}
"""
    g = allygraph.load_graph(write_data(tmp_path / "v", ents, rels))
    assert _members(clusters(g, as_of="2012"), "emergent") == {}
    assert _members(clusters(g, as_of="2016"), "emergent")[("x", "y", "z")]["since"] == "2015"


def test_explain_markdown_keeps_a_hostile_url_one_autolink():
    from allygraph.analysis.routes import markdown

    result = {"from": "a", "to": "b", "entities": {"a": {"name": "A"}, "b": {"name": "B"}},
              "sources": {"s": {"title": "T", "url": "https://e.org/x> <script>"}},
              "routes": [{"nodes": ["a", "b"], "kinds": ["alliance"],
                          "hops": [{"sentence": "A and B are treaty allies.", "sources": ["s"]}]}]}  # fmt: skip
    assert markdown(result).endswith("[^1]: T. <https://e.org/x%3E%20%3Cscript%3E>\n")


def test_explain_finds_a_longer_route_of_a_third_kind(tmp_path):
    ents = "entities:\n" + "".join(f"  - {{id: {i}, name: {i.upper()}, type: state}}\n" for i in "abcde")
    rels = """
relations:
  - {id: ab, from: a, to: b, type: alliance}
  - {id: ac, from: a, to: c, type: partnership, tier: strategic_partnership}
  - {id: cb, from: c, to: b, type: partnership, tier: strategic_partnership}
  - {id: ad, from: a, to: d, type: cooperates_with}
  - {id: de, from: d, to: e, type: cooperates_with}
  - {id: eb, from: e, to: b, type: cooperates_with}
"""
    r = explain(allygraph.load_graph(write_data(tmp_path / "e", ents, rels)), "a", "b")
    assert [route["nodes"] for route in r["routes"]] == [["a", "b"], ["a", "c", "b"], ["a", "d", "e", "b"]]


def test_explain_sentences_date_happenings_and_qualify_unconfirmed_claims(tmp_path):
    from allygraph.analysis.routes import sentence
    from allygraph.store import as_store

    ents = """
entities:
  - {id: a, name: A, type: state}
  - {id: b, name: B, type: state}
  - {id: p, name: P-1, type: platform}
  - {id: t, name: T Pact, type: agreement}
"""
    rels = """
relations:
  - {id: tr, from: a, to: b, type: arms_transfer, via: p, status: reported, since: "2026-05"}
  - {id: sg, from: a, to: t, type: party_to, status: signed, since: "2020-09-09"}
  - {id: pt, from: b, to: a, type: partnership, tier: strategic_partnership, since: "2011"}
"""
    S = as_store(allygraph.load_graph(write_data(tmp_path / "s", ents, rels)))
    rel = {r["id"]: r for r in S.ds.relations.values()}
    assert sentence(S, rel["tr"]) == "A reportedly discussed the transfer of P-1 to B (2026-05)."
    assert sentence(S, rel["sg"]) == "A signed the T Pact (2020-09-09), not yet in force."
    assert sentence(S, rel["pt"], "a") == "A and B have held a Strategic Partnership since 2011."

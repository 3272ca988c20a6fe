"""Issue 18 ("Meaning"), items 2-5: rank, clusters, balance and changes read ties by the tie model
and the one clock (small fixtures and generated graphs; the bundled data's answers are in
test_bundled_analysis.py)."""

from __future__ import annotations

import datetime as _dt
import json

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allygraph
from allygraph import analysis, dates
from allygraph.analysis import clusters, rank
from allygraph.dataset import Dataset
from allygraph.errors import UsageError
from allygraph.store import DatasetStore
from allygraph.vocab import BUNDLED_TIERS
from helpers import invoke, write_data

DISPUTE_TYPES = """
relation_types:
  disputes_with:
    symmetric: true
    description: "The parties contest sovereignty."
    polarity: adversarial
    layer: dispute
    tie: true
    strength: 1.0
"""
TIERS = [{"id": t.id, "name": t.name} for t in BUNDLED_TIERS]
DISPUTE_DECL = {"disputes_with": {"symmetric": True, "description": "contest", "polarity": "adversarial",
                                  "layer": "dispute", "tie": True, "strength": 1.0}}  # fmt: skip


def _states(*ids: str, extra: str = "") -> str:
    return "entities:\n" + "".join(f"  - {{id: {i}, name: {i.upper()}, type: state}}\n" for i in ids) + extra


def _load(tmp_path, ents: str, rels: str):
    return allygraph.load_graph(write_data(tmp_path / "d", ents, rels))


def _emergent(r) -> set[tuple]:
    return {tuple(c["members"]) for c in r["clusters"] if c["kind"] == "emergent"}


def _scores(r) -> dict:
    return {x["id"]: x["score"] for x in r["ranking"]}


# --- rank: cooperative ties only, in force on the clock's day ---------------------------------


def test_rank_follows_cooperative_ties_only_unless_asked(tmp_path):
    g = _load(tmp_path, _states("a", "b", "c", "d"), DISPUTE_TYPES + """
relations:
  - {id: ab, from: a, to: b, type: alliance, since: "2000"}
  - {id: bc, from: b, to: c, type: exercises_with, since: "2000"}
  - {id: cd-dispute, from: c, to: d, type: disputes_with, since: "2000"}
  - {id: ad-dispute, from: a, to: d, type: disputes_with, since: "2000"}
""")  # fmt: skip
    r = rank(g, "degree")
    assert "d" not in _scores(r) and r["edges"] == 2 and r["include_adversarial"] is False
    both = rank(g, "degree", include_adversarial=True)
    assert _scores(both)["d"] > 0 and both["edges"] == 4
    with pytest.raises(UsageError, match="--include-adversarial"):
        rank(g, "degree", types=["disputes_with"])
    assert rank(g, "degree", types=["disputes_with"], include_adversarial=True)["edges"] == 2


def test_rank_reads_the_graph_on_today_by_default(tmp_path):
    g = _load(tmp_path, _states("a", "b", "c", "d", "e"), """
relations:
  - {id: ab, from: a, to: b, type: alliance, since: "2000"}
  - {id: ac-ended, from: a, to: c, type: alliance, since: "1990", until: "1995", status: ended}
  - {id: ad-proposed, from: a, to: d, type: partnership, tier: strategic_partnership, status: proposed}
  - {id: ae-signed, from: a, to: e, type: alliance, since: "2020", status: signed}
""")  # fmt: skip
    now = rank(g, "degree")
    assert now["as_of"] == dates.today().isoformat() and set(_scores(now)) == {"a", "b"}
    ever = rank(g, "degree", all_time=True)
    assert ever["as_of"] is None and set(_scores(ever)) == {"a", "b", "c"}  # proposed, signed: never in force
    assert set(_scores(rank(g, "degree", as_of="1992"))) == {"a", "c"}
    with pytest.raises(UsageError, match="--all-time"):
        rank(g, "degree", as_of="2000", all_time=True)


def test_rank_weight_uses_tie_strength_and_sees_an_upgrade(tmp_path):
    g = _load(tmp_path, _states("a", "b", "c"), """
relations:
  - {id: ab-sp, from: a, to: b, type: partnership, tier: strategic_partnership, since: "2010", until: "2026-05-28", status: ended}
  - {id: ab-csp, from: a, to: b, type: partnership, tier: comprehensive_strategic_partnership, since: "2026-05-28"}
  - {id: bc, from: b, to: c, type: alliance, since: "2000"}
""")  # fmt: skip
    before, after = (rank(g, "degree", as_of=d) for d in ("2026-05-27", "2026-05-28"))
    assert _scores(before) == _scores(after)  # unweighted, the upgrade is invisible
    wb, wa = (rank(g, "degree", as_of=d, weight=True) for d in ("2026-05-27", "2026-05-28"))
    assert _scores(wa)["a"] > _scores(wb)["a"] and wa["weight"] is True


def test_rank_weighted_betweenness_takes_the_strong_route(tmp_path):
    g = _load(tmp_path, _states("x", "y", "strong", "weak"), """
relations:
  - {id: x-s, from: x, to: strong, type: alliance}
  - {id: s-y, from: strong, to: y, type: alliance}
  - {id: x-w, from: x, to: weak, type: partnership, tier: global_partnership}
  - {id: w-y, from: weak, to: y, type: partnership, tier: global_partnership}
""")  # fmt: skip
    plain = _scores(rank(g, "betweenness"))
    assert plain["strong"] == plain["weak"]
    weighted = _scores(rank(g, "betweenness", weight=True))  # distance 1/strength: the alliances are shorter
    assert weighted["strong"] > weighted["weak"]
    assert _scores(rank(g, "pagerank"))["strong"] == _scores(rank(g, "pagerank"))["weak"]
    assert _scores(rank(g, "pagerank", weight=True))["strong"] > _scores(rank(g, "pagerank", weight=True))["weak"]


AGENCIES = """
  - {id: a_cg, name: A Coast Guard, type: organization}
  - {id: b_cg, name: B Coast Guard, type: organization}
"""
AGENCY_RELS = """
relations:
  - {id: acg-a, from: a_cg, to: a, type: part_of}
  - {id: bcg-b, from: b_cg, to: b, type: part_of}
  - {id: cg-ex, from: a_cg, to: b_cg, type: exercises_with, since: "2020"}
  - {id: ac, from: a, to: c, type: alliance, since: "2000"}
  - {id: bc, from: b, to: c, type: alliance, since: "2000"}
"""


def test_roll_up_counts_an_agencys_ties_for_its_state(tmp_path):
    g = _load(tmp_path, _states("a", "b", "c", extra=AGENCIES), AGENCY_RELS)
    r = rank(g, "degree")
    assert set(_scores(r)) == {"a", "b", "c"}
    assert {x["id"]: x.get("actors") for x in r["ranking"]}["a"] == ["a_cg"]
    assert {"a_cg", "b_cg"} <= set(_scores(rank(g, "degree", roll_up=False)))
    c = clusters(g)
    (cl,) = [x for x in c["clusters"] if x["kind"] == "emergent"]
    assert cl["members"] == ["a", "b", "c"] and cl["actors"] == ["a_cg", "b_cg"]
    assert _emergent(clusters(g, roll_up=False)) == set()


# --- clusters: security ties, not labels; disputes; frameworks; methods ---------------------


def test_partnership_labels_alone_make_no_security_cluster(tmp_path):
    six = ["a", "b", "c", "d", "e", "f"]
    rels = "relations:\n" + "".join(
        f"  - {{id: {x}-{y}, from: {x}, to: {y}, type: partnership, tier: strategic_partnership, since: '2010'}}\n"
        for i, x in enumerate(six) for y in six[i + 1:]
    )  # fmt: skip
    g = _load(tmp_path, _states(*six), rels)
    assert _emergent(clusters(g)) == set()
    assert _emergent(clusters(g, types=["partnership"])) == {tuple(six)}  # only when asked for


def test_a_pair_in_an_active_dispute_is_never_a_security_tie(tmp_path):
    g = _load(tmp_path, _states("a", "b", "c"), DISPUTE_TYPES + """
relations:
  - {id: ab, from: a, to: b, type: exercises_with, since: "2000"}
  - {id: bc, from: b, to: c, type: exercises_with, since: "2000"}
  - {id: ac, from: a, to: c, type: exercises_with, since: "2000"}
  - {id: ac-dispute, from: a, to: c, type: disputes_with, since: "2010", until: "2020", status: ended}
""")  # fmt: skip
    during = clusters(g, as_of="2015")
    assert _emergent(during) == set()
    assert during["dropped"] == [{"pair": ["a", "c"], "disputes": ["ac-dispute"], "ties": ["ac"]}]
    after = clusters(g, as_of="2021")
    assert _emergent(after) == {("a", "b", "c")} and after["dropped"] == []


def test_a_declared_minilateral_is_emergent_only_if_tied_without_it(tmp_path):
    ents = _states("a", "b", "c", "d", extra="  - {id: four, name: Four, type: framework}\n")
    rels = "relations:\n" + "".join(
        f"  - {{id: {x}-four, from: {x}, to: four, type: member_of, since: '2010'}}\n" for x in "abcd"
    ) + "  - {id: ab, from: a, to: b, type: alliance, since: '2000'}\n"  # fmt: skip
    g = _load(tmp_path, ents, rels)
    r = clusters(g, as_of="2020")
    (declared,) = [c for c in r["clusters"] if c["kind"] == "declared"]
    assert declared["framework"] == "four" and declared["emergent"] is None
    assert _emergent(r) == set()
    more = rels + "".join(
        f"  - {{id: {x}{y}, from: {x}, to: {y}, type: exercises_with, since: '2015'}}\n"
        for x, y in ("ac", "ad", "bc", "bd", "cd")
    )  # fmt: skip
    g = allygraph.load_graph(write_data(tmp_path / "more", ents, more))
    r = clusters(g, as_of="2020")
    assert _emergent(r) == {("a", "b", "c", "d")}
    (declared,) = [c for c in r["clusters"] if c["kind"] == "declared"]
    assert declared["emergent"] == "same" and declared["backed_since"] == "2015"


def _ring(n: int = 9) -> str:
    """Three triangles joined in a ring: a clear k-core (k=2) and three communities."""
    rels = []
    for g in range(3):
        m = [f"s{3 * g + i}" for i in range(3)]
        rels += [(m[0], m[1]), (m[1], m[2]), (m[0], m[2])]
        rels.append((m[2], f"s{(3 * g + 3) % n}"))
    return "relations:\n" + "".join(f"  - {{id: {a}-{b}, from: {a}, to: {b}, type: alliance}}\n" for a, b in rels)


def _state_graph(r_g):
    H = nx.Graph()
    S = r_g
    for rel in S.ds.relations.values():
        H.add_edge(rel["from"], rel["to"], weight=1.0)
    return H


def test_clusters_methods_are_networkxs_own(tmp_path):
    from allygraph.store import as_store

    g = _load(tmp_path, _states(*(f"s{i}" for i in range(9))), _ring())
    H = _state_graph(as_store(g))
    cores = clusters(g, method="kcore")
    assert {c["kind"] for c in cores["clusters"]} == {"core"} and all("k" in c for c in cores["clusters"])
    k = max(nx.core_number(H).values())
    assert [set(c["members"]) for c in cores["clusters"] if c["k"] == k] == [set(nx.k_core(H, k))]
    comms = clusters(g, method="louvain")
    got = [set(c["members"]) for c in comms["clusters"]]
    assert all(c["kind"] == "community" for c in comms["clusters"])
    assert sorted(map(sorted, got)) == sorted(
        map(sorted, nx.community.louvain_communities(H, weight="weight", seed=18))
    )
    covered = [m for c in got for m in c]
    assert len(covered) == len(set(covered))  # a partition of the states it covers
    assert clusters(g, method="louvain") == comms  # a fixed seed: the same answer every time


# --- one clock, as_of everywhere, years ----------------------------------------------------------


def test_every_analysis_document_says_as_of_and_years_read_the_last_day(tmp_path):
    g = _load(tmp_path, _states("a", "b", "c"), """
relations:
  - {id: ab, from: a, to: b, type: alliance, since: "2001"}
  - {id: bc, from: b, to: c, type: alliance, since: "2002-06"}
  - {id: ac, from: a, to: c, type: alliance, since: "2002-03"}
""")  # fmt: skip
    today = dates.today().isoformat()
    for doc in (rank(g), clusters(g), analysis.balance(g)):
        assert doc["as_of"] == today
    years = rank(g, years="2000:2002")
    assert [(y["year"], y["as_of"], y["edges"]) for y in years["years"]] == [
        (2000, "2000-12-31", 0), (2001, "2001-12-31", 1), (2002, "2002-12-31", 3)]  # fmt: skip
    cl = clusters(g, years="2001:2002")
    assert [(y["year"], len(_emergent(y))) for y in cl["years"]] == [(2001, 0), (2002, 1)]
    with pytest.raises(UsageError, match="--years"):
        rank(g, years="2002:2000")
    with pytest.raises(UsageError, match="--years"):
        clusters(g, years="2001:2002", as_of="2001")


# --- balance -----------------------------------------------------------------------------------


def test_balance_counts_and_lists_unbalanced_triangles(tmp_path):
    g = _load(tmp_path, _states("a", "b", "c", "d"), DISPUTE_TYPES + """
relations:
  - {id: ab, from: a, to: b, type: alliance}
  - {id: bc, from: b, to: c, type: partnership, tier: strategic_partnership}
  - {id: ac, from: a, to: c, type: disputes_with}
  - {id: ad, from: a, to: d, type: disputes_with}
  - {id: cd, from: c, to: d, type: disputes_with}
  - {id: ac-coop, from: a, to: c, type: exercises_with}
""")  # fmt: skip
    r = analysis.balance(g)
    # a-b-c: + + - (unbalanced: a's ally b is c's partner, a and c in dispute); a-c-d: - - -, unbalanced too
    assert r["triangles"] == 2 and r["balanced"] == 0
    assert r["unbalanced"] == [["a", "b", "c"], ["a", "c", "d"]]
    assert r["details"][0]["signs"] == ["+", "-", "+"] and r["pairs"]["mixed"] == 1  # a-c exercise and dispute
    code = invoke("balance", "--data", str(tmp_path / "d"), "--json")
    doc = json.loads(code.stdout)
    assert code.exit_code == 0 and {"as_of", "triangles", "balanced", "unbalanced"} <= set(doc)


# --- changes -----------------------------------------------------------------------------------


UPGRADE = """
relations:
  - {id: ab-sp, from: a, to: b, type: partnership, tier: strategic_partnership, since: "2010", until: "2026-05-28", status: ended}
  - {id: ab-csp, from: a, to: b, type: partnership, tier: comprehensive_strategic_partnership, since: "2026-05-28"}
  - {id: ac, from: a, to: c, type: alliance, since: "2000"}
  - {id: bc-ex, from: b, to: c, type: exercises_with, since: "2026-05-28"}
  - {id: ab-ex, from: a, to: b, type: exercises_with, since: "2020"}
  - {id: cd, from: c, to: d, type: alliance, since: "2000", until: "2026-05-28", status: ended}
  - {id: d-future, from: d, to: a, type: alliance, since: "2026-05-28", status: signed}
"""


def test_changes_shows_formed_ended_upgraded_clusters_and_movers(tmp_path):
    g = _load(tmp_path, _states("a", "b", "c", "d"), UPGRADE)
    r = analysis.changes(g, "2026-05-27", "2026-05-28")
    assert [x["id"] for x in r["formed"]] == ["ab-csp", "bc-ex"]  # a signed alliance forms nothing
    assert [x["id"] for x in r["ended"]] == ["ab-sp", "cd"]
    assert r["upgraded"] == [{"parties": ["a", "b"], "was": "strategic_partnership",
                              "now": "comprehensive_strategic_partnership", "relation": "ab-csp",
                              "was_relation": "ab-sp"}]  # fmt: skip
    assert [c["members"] for c in r["clusters"]["formed"]] == [["a", "b", "c"]] and r["clusters"]["dissolved"] == []
    assert {m["id"] for m in r["movers"]} >= {"a", "b", "c", "d"}
    around = analysis.changes(g, "2026-05-27", "2026-05-28", around="d")
    assert [x["id"] for x in around["formed"]] == [] and [x["id"] for x in around["ended"]] == ["cd"]
    assert around["upgraded"] == [] and {m["id"] for m in around["movers"]} <= {"c", "d"}
    with pytest.raises(UsageError, match="after"):
        analysis.changes(g, "2027", "2026")


def test_changes_cli_json_and_bad_arguments(tmp_path):
    d = str(write_data(tmp_path / "d", _states("a", "b", "c", "d"), UPGRADE))
    out = invoke("changes", "--from", "2026-05-27", "--to", "2026-05-28", "--data", d, "--json")
    doc = json.loads(out.stdout)
    assert out.exit_code == 0 and {"from", "to", "formed", "ended", "upgraded", "clusters", "movers"} <= set(doc)
    plain = invoke("changes", "--from", "2026-05-27", "--to", "2026-05-28", "--data", d)
    assert "Upgraded" in plain.stdout and "comprehensive_strategic_partnership" in plain.stdout
    for args in (["changes", "--to", "2026"], ["changes", "--from", "20x", "--to", "2026"],
                 ["rank", "--years", "soon"], ["clusters", "--method", "magic"], ["balance", "--as-of", "x"]):  # fmt: skip
        bad = invoke(*args, "--data", d)
        assert bad.exit_code == 2 and bad.stdout == "" and "Traceback" not in bad.stderr, args


# --- properties over generated graphs -------------------------------------------------------------

_IDS = [f"s{i}" for i in range(6)]
_COOP = ["alliance", "exercises_with", "partnership", "arms_transfer"]
TODAY = dates.today()


def _day(offset: int) -> str:
    return (TODAY + _dt.timedelta(days=offset)).isoformat()


@st.composite
def _graphs(draw):
    """A small random store: states, an agency, cooperative ties and disputes, dated around today."""
    rels = {}
    for i in range(draw(st.integers(0, 20))):
        a, b = draw(st.sampled_from(_IDS + ["s0_cg"])), draw(st.sampled_from(_IDS))
        if a == b:
            continue
        t = draw(st.sampled_from(_COOP + ["disputes_with"]))
        rel = {"id": f"r{i}", "from": a, "to": b, "type": t}
        if t == "partnership":
            rel["tier"] = draw(st.sampled_from(["strategic_partnership", "comprehensive_strategic_partnership"]))
        since = draw(st.one_of(st.none(), st.integers(-800, 5)))
        until = draw(st.sampled_from([None, None, None, draw(st.integers(-5, 800))]))
        if since is not None:
            rel["since"] = _day(since)
        if until is not None and (since is None or until > since):
            rel["until"], rel["status"] = _day(until), "ended"
        rel["status"] = draw(st.sampled_from([rel.get("status", "active")] * 4 + ["signed"]))
        rels[rel["id"]] = rel
    rels["cg"] = {"id": "cg", "from": "s0_cg", "to": "s0", "type": "part_of"}
    return rels


def _store(rels: dict) -> DatasetStore:
    ents = {i: {"id": i, "name": i.upper(), "type": "state"} for i in _IDS}
    ents["s0_cg"] = {"id": "s0_cg", "name": "S0 CG", "type": "organization"}
    return DatasetStore(Dataset("generated", ents, dict(rels), {}, TIERS, relation_types=DISPUTE_DECL))


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(_graphs(), st.sampled_from(["degree", "pagerank", "betweenness"]), st.booleans())
def test_removing_every_adversarial_relation_leaves_default_rank_unchanged(rels, by, weight):
    calm = {k: r for k, r in rels.items() if r["type"] != "disputes_with"}
    assert rank(_store(rels), by, limit=None, weight=weight) == rank(_store(calm), by, limit=None, weight=weight)


@FAST
@given(_graphs(), st.sampled_from(_IDS), st.sampled_from(["cliques", "kcore", "louvain"]), st.integers(2, 3))
def test_clusters_around_x_are_the_whole_graph_clusters_that_contain_x(rels, x, method, min_size):
    S = _store(rels)
    whole = clusters(S, method=method, min_size=min_size, types=["alliance", "partnership", "exercises_with"])
    near = clusters(S, method=method, min_size=min_size, types=["alliance", "partnership", "exercises_with"], around=x)
    assert near["clusters"] == [c for c in whole["clusters"] if x in c["members"]]


@FAST
@given(_graphs())
def test_default_and_as_of_today_agree(rels):
    S = _store(rels)
    today = TODAY.isoformat()
    assert rank(S, limit=None) == rank(S, as_of=today, limit=None)
    assert clusters(S) == clusters(S, as_of=today)
    assert analysis.balance(S) == analysis.balance(S, as_of=today)


def test_cli_years_methods_and_roll_up_render_plain(tmp_path):
    d = str(write_data(tmp_path / "d", _states("a", "b", "c", extra=AGENCIES), AGENCY_RELS))
    out = invoke("clusters", "--years", "2019:2020", "--data", d)
    assert out.exit_code == 0 and "as of 2019-12-31" in out.stdout and "as of 2020-12-31" in out.stdout
    assert "each year is read on its last day" in out.stdout
    doc = json.loads(invoke("rank", "--years", "2019:2020", "--data", d, "--json").stdout)
    assert [y["year"] for y in doc["years"]] == [2019, 2020]
    kcore = invoke("clusters", "--method", "kcore", "--data", d)
    assert kcore.exit_code == 0 and "k-cores" in kcore.stdout and "A, B, C" in kcore.stdout
    ranked = invoke("rank", "--all-time", "--data", d)
    assert "all time" in ranked.stdout and "a_cg" in ranked.stdout  # the acting agency named
    alone = json.loads(invoke("rank", "--no-roll-up", "--data", d, "--json").stdout)
    assert "a_cg" in {r["id"] for r in alone["ranking"]} and alone["roll_up"] is False

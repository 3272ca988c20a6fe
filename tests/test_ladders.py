"""Each state's own ladder (`ladders:`) and each side's wording of a partnership (`designations:`):
the loader's rules and errors, `tiers X` by X's ladder, `tiers X Y` with both designations."""

from __future__ import annotations

import json

import pytest

from allygraph import cache, load, query
from allygraph.load import check
from allygraph.store import DatasetStore, SQLiteStore
from helpers import errors_in, flow_entities, loaded_clean, run, write_data

ENTITIES = flow_entities(
    state={"china": "China", "russia": "Russia", "vietnam": "Vietnam", "japan": "Japan"}, framework={"quad": "Quad"}
)

LADDERS = """
sources:
  s1: {title: A source, url: 'https://example.org/s1'}
ladders:
  china:
    rungs:
      - {id: cspc, name: Comprehensive Strategic Partnership of Coordination}
      - comprehensive_strategic_partnership
      - strategic_partnership
    sources: [s1]
    note: the ordering in the source
  russia:
    rungs:
      - {id: cpsi, name: Comprehensive Partnership and Strategic Interaction}
      - comprehensive_strategic_partnership
      - strategic_partnership
    sources: [s1]
"""

RELATIONS = (
    LADDERS
    + """relations:
  - id: cn-ru
    from: china
    to: russia
    type: partnership
    tier: cspc
    designations: {china: cspc, russia: cpsi}
    since: 2019-06
    sources: [s1]
  - id: cn-vn
    from: china
    to: vietnam
    type: partnership
    tier: comprehensive_strategic_partnership
    since: 2008-05
    sources: [s1]
  - id: cn-jp
    from: china
    to: japan
    type: partnership
    tier: strategic_partnership
    since: 2008
    sources: [s1]
  - id: ru-vn
    from: russia
    to: vietnam
    type: partnership
    tier: comprehensive_strategic_partnership
    since: 2012
    sources: [s1]
"""
)


@pytest.fixture
def ladder_dir(tmp_path):
    return write_data(tmp_path / "ladders", ENTITIES, RELATIONS)


def test_ladders_and_designations_load(ladder_dir):
    ds = loaded_clean(ladder_dir)
    assert ds.ladders["china"] == {
        "rungs": [
            {"id": "cspc", "name": "Comprehensive Strategic Partnership of Coordination"},
            {"id": "comprehensive_strategic_partnership", "name": "Comprehensive Strategic Partnership"},
            {"id": "strategic_partnership", "name": "Strategic Partnership"},
        ],
        "sources": ["s1"],
        "note": "the ordering in the source",
    }
    assert ds.relations["cn-ru"]["designations"] == {"china": "cspc", "russia": "cpsi"}
    assert ds.registry.tier_name("cpsi") == "Comprehensive Partnership and Strategic Interaction"


def test_unknown_rung_duplicate_rung_non_state_and_missing_sources(tmp_path):
    bad = """
sources:
  s1: {title: A source, url: 'https://example.org/s1'}
ladders:
  china:
    rungs: [comprehensive_strategic_partnership, strategic_partnershp, comprehensive_strategic_partnership]
    sources: [s1]
  quad:
    rungs: [strategic_partnership]
    sources: [s1]
  chna:
    rungs: [strategic_partnership]
  russia:
    rungs: []
    sources: [s2]
relations: []
"""
    got = {(e.line, e.message) for e in errors_in(tmp_path / "bad", ENTITIES, bad)}
    assert got == {
        (5, "ladder 'china': unknown rung 'strategic_partnershp' — did you mean 'strategic_partnership'? "
            "(a new rung is declared with its name: {id: strategic_partnershp, name: ...})"),
        (5, "ladder 'china': rung 'comprehensive_strategic_partnership' is listed twice (first as rung 1); "
            "a rung has one place on a ladder"),
        (7, "ladder 'quad': 'quad' is a framework, not a state; only a state has its own ladder"),
        (10, "ladder 'chna': unknown entity 'chna' — did you mean 'china'?"),
        (11, "ladder 'chna': missing required field 'sources'"),
        (13, "ladder 'russia': 'rungs' is empty; list the tier ids, highest first"),
        (14, "ladder 'russia': unknown source 's2' (add it under 'sources:' in relations.yaml, or give a URL)"),
    }  # fmt: skip


def test_a_rung_keeps_one_name(tmp_path):
    bad = (
        LADDERS
        + """  vietnam:
    rungs: [{id: cspc, name: Something Else}, {id: strategic_partnership, name: Strategic Partnership}]
    sources: [s1]
relations: []
"""
    )
    errs = errors_in(tmp_path / "bad", ENTITIES, bad)
    assert [e.message for e in errs] == [
        "ladder 'vietnam': rung 'cspc' is already named 'Comprehensive Strategic Partnership of Coordination' "
        "(at line 6); give the same name, or write just the id"
    ]
    assert (errs[0].line, errs[0].column) == (18, 30)


def test_designation_rules(tmp_path):
    rels = (
        LADDERS
        + """relations:
  - {id: a, from: china, to: russia, type: partnership, tier: cspc, designations: {china: cspc, vietnam: cpsi}, sources: [s1]}
  - {id: b, from: china, to: russia, type: partnership, tier: cspc, designations: {russia: cpsy}, sources: [s1]}
  - {id: c, from: china, to: vietnam, type: cooperates_with, designations: {china: cspc}, sources: [s1]}
  - {id: d, from: china, to: vietnam, type: partnership, tier: nowhere, sources: [s1]}
"""
    )
    got = {(e.line, e.message) for e in errors_in(tmp_path / "bad", ENTITIES, rels)}
    assert got == {
        (18, "relation 'a': field 'designations': 'vietnam' is not a party to this relation (its parties: china, russia)"),
        (19, "relation 'b': field 'designations': unknown tier 'cpsy' for 'russia' — did you mean 'cpsi'?"),
        (20, "relation 'c': 'designations' only applies to a partnership, not 'cooperates_with'"),
        (21, "relation 'd': field 'tier': unknown tier 'nowhere' (tiers: alliance, special_strategic_global_partnership, "
             "special_strategic_partnership, enhanced_global_strategic_partnership, global_strategic_partnership, "
             "comprehensive_strategic_partnership, strategic_global_partnership, extensive_strategic_partnership, "
             "strengthened_strategic_partnership, strategic_partnership, global_partnership, cspc, cpsi)"),
    }  # fmt: skip


def test_v1_data_loads_unchanged(small_dir):
    ds = load.load(small_dir, use_cache=False)
    assert ds.ladders == {} and ds.relation_types == {} and ds.entity_types == {}
    assert "designations" not in ds.relations["jp-ph-sp"]
    assert query.tiers(DatasetStore(ds), "japan", as_of="2026")["partners"][0]["tier"] == "alliance"


def test_tiers_ranks_by_the_states_own_ladder(ladder_dir, tmp_path):
    r = query.tiers(DatasetStore(load.load(ladder_dir, use_cache=False)), "Russia", as_of="2026")
    assert r["ladder"] == "russia"
    assert [(p["id"], p["tier"], p["rank"]) for p in r["partners"]] == [
        ("china", "cpsi", 1),  # Russia's own wording, its highest rung
        ("vietnam", "comprehensive_strategic_partnership", 2),
    ]
    assert r["partners"][0]["designations"] == {
        "russia": {"tier": "cpsi", "tier_name": "Comprehensive Partnership and Strategic Interaction"},
        "china": {"tier": "cspc", "tier_name": "Comprehensive Strategic Partnership of Coordination"},
    }
    assert "designations" not in r["partners"][1]
    assert [t["id"] for t in r["tiers"][:3]] == ["cpsi", "comprehensive_strategic_partnership", "strategic_partnership"]
    # the same relations without Russia's ladder: the default ladder ranks the plain rung first
    no_ladder = write_data(tmp_path / "plain", ENTITIES, RELATIONS.replace("  russia:\n    rungs:", "  russia_gone:\n    rungs:")
                           .replace("russia_gone", "china_too").replace("  china_too:", "  vietnam:"))  # fmt: skip
    r2 = query.tiers(DatasetStore(load.load(no_ladder, use_cache=False)), "Russia", as_of="2026")
    assert r2["ladder"] is None
    assert [p["id"] for p in r2["partners"]] == ["vietnam", "china"]


def test_tiers_x_y_shows_each_sides_designation(ladder_dir):
    r = query.tier_history(DatasetStore(load.load(ladder_dir, use_cache=False)), "China", "Russia", as_of="2026")
    both = {
        "china": {"tier": "cspc", "tier_name": "Comprehensive Strategic Partnership of Coordination"},
        "russia": {"tier": "cpsi", "tier_name": "Comprehensive Partnership and Strategic Interaction"},
    }
    assert r["current"]["tier"] == "cspc" and r["current"]["rank"] == 1 and r["current"]["designations"] == both
    assert [h["designations"] for h in r["history"]] == [both]
    assert r["ladder"] == "china"


def test_tiers_rendering_shows_both_designations(ladder_dir):
    from typer.testing import CliRunner

    from allygraph.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["tiers", "China", "Russia", "--as-of", "2026", "--data", str(ladder_dir)]).output
    assert "China calls it   Comprehensive Strategic Partnership of Coordination" in out
    assert "Russia calls it  Comprehensive Partnership and Strategic Interaction" in out
    assert ("China: Comprehensive Strategic Partnership of Coordination; "
            "Russia: Comprehensive Partnership and Strategic Interaction") in out  # fmt: skip
    out = runner.invoke(app, ["tiers", "Russia", "--as-of", "2026", "--data", str(ladder_dir)]).output
    assert "Partners of Russia by tier, highest first, on Russia's own ladder (as of 2026)" in out
    lines = out.splitlines()
    assert "partner's designation" in lines[1]
    ours, theirs = (
        "Comprehensive Partnership and Strategic Interaction",
        "Comprehensive Strategic Partnership of Coordination",
    )
    assert " ".join(lines[2].split()) == f"1. {ours} China {theirs} 2019-06 s1"


def test_a_designation_off_the_partys_ladder_is_a_warning(tmp_path):
    rels = RELATIONS.replace("      - comprehensive_strategic_partnership\n      - strategic_partnership\n    sources: [s1]\nrelations",
                             "      - strategic_partnership\n    sources: [s1]\nrelations")  # fmt: skip
    d = write_data(tmp_path / "off", ENTITIES, rels)
    ps = check(d)
    assert [(p.severity, p.line, p.message) for p in ps] == [
        ("warning", 43, "relation 'ru-vn': 'russia' has its own ladder, which does not list "
                        "'comprehensive_strategic_partnership': add the rung to ladders.russia "
                        "(else `tiers russia` ranks it below every rung listed)"),
    ]  # fmt: skip


QUERIES = [
    lambda S: query.tiers(S, "China", as_of="2026"),
    lambda S: query.tiers(S, "Russia", as_of="2026"),
    lambda S: query.tiers(S, "Vietnam", as_of="2026"),
    lambda S: query.tier_history(S, "Russia", "China"),
    lambda S: query.path(S, "Japan", "Russia"),
]


def test_sqlite_and_pickle_caches_answer_alike(ladder_dir, monkeypatch):
    fresh = DatasetStore(load.load(ladder_dir, use_cache=False))
    pickled = load.open_store(ladder_dir)  # writes the pickle
    again = load.open_store(ladder_dir)  # reads it back
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)
    compiled = load.open_store(ladder_dir)  # compiles the SQLite cache
    reopened = load.open_store(ladder_dir)  # opens it
    assert isinstance(compiled, SQLiteStore) and isinstance(reopened, SQLiteStore)
    for q in QUERIES:
        assert q(fresh) == q(pickled) == q(again) == q(compiled) == q(reopened)


def test_sqlite_cache_through_the_env_var(ladder_dir):
    expect = query.tier_history(DatasetStore(load.load(ladder_dir, use_cache=False)), "Russia", "China")
    got = run("tiers", "Russia", "China", "--json", "--data", str(ladder_dir), env={"ALLYGRAPH_SQLITE_BYTES": "1"})
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == json.loads(json.dumps(expect))
    assert list(cache.cache_dir().glob("data-*.sqlite"))


def test_a_designation_must_be_a_tier_id(tmp_path):
    rels = (
        LADDERS
        + """relations:
  - {id: a, from: china, to: russia, type: partnership, tier: cspc, designations: {russia: [cpsi]}, sources: [s1]}
  - {id: b, from: china, to: russia, type: partnership, tier: cspc, designations: [china], sources: [s1]}
"""
    )
    got = [(e.line, e.message) for e in errors_in(tmp_path / "bad", ENTITIES, rels)]
    assert got == [
        (
            18,
            "relation 'a': field 'designations.russia': the designation for 'russia' must be a tier id (got ['cpsi'])",
        ),
        (19, "relation 'b': field 'designations': Input should be a valid dictionary (got ['china'])"),
    ]

"""The tie model and the one rule for time and status (issue 18): declared as data, read by one module."""

from __future__ import annotations

import datetime as dt

import pytest

from allygraph import ties, vocab
from allygraph.errors import UsageError
from allygraph.load import load
from allygraph.store import DatasetStore
from helpers import check_errors, invoke, write_data

ENTITIES = """
entities:
  - {id: aa, name: Aland, type: state}
  - {id: bb, name: Borduria, type: state}
  - {id: pact, name: Aland-Borduria Access Pact, type: agreement, attributes: {kind: access}}
  - {id: reef, name: Some Reef, type: state}
"""

RELATIONS = """
sources:
  old: {title: An old report, url: 'https://example.org/old', date: 2014-03}
  new: {title: A new report, url: 'https://example.org/new', date: 2026-05}
relation_types:
  feuds_with: {symmetric: true, description: A feud., polarity: adversarial, layer: dispute}
  waves_at: {symmetric: true, description: A wave.}
relations:
  - {id: a-in-force, from: aa, to: pact, type: party_to, status: in_force, since: 2025-09-11, sources: [old]}
  - {id: a-claim, from: aa, to: pact, type: party_to, status: negotiating, sources: [new], contradicted_by: [a-in-force]}
  - {id: feud, from: aa, to: bb, type: feuds_with, sources: [old]}
  - {id: wave, from: aa, to: bb, type: waves_at, since: 2020, sources: [old]}
"""


@pytest.fixture
def S(tmp_path):
    return DatasetStore(load(write_data(tmp_path / "d", ENTITIES, RELATIONS), use_cache=False))


def test_the_tie_model_is_read_from_the_declarations(S):
    reg = S.registry
    assert ties.tie_of(reg, "alliance") == ties.Tie("cooperative", "alliance", True, 1.0)
    assert ties.tie_of(reg, "leads").tie is False
    assert ties.tie_of(reg, "feuds_with") == ties.Tie("adversarial", "dispute", True, 1.0)
    # a declared type that names no polarity is neutral and no tie: it never makes friends
    assert ties.tie_of(reg, "waves_at") == ties.Tie("neutral", "other", False, 0.0)
    rels = {r["id"]: r for r in S.ds.relations.values()}
    assert ties.is_adversarial(reg, rels["feud"]) and not ties.is_cooperative(reg, rels["feud"])
    assert ties.layer_of(reg, rels["a-in-force"], S.entity) == "access"


def test_a_contradicted_claim_is_never_in_force(S):
    rel = S.ds.relations["a-claim"]
    assert rel["contradicted_by"] == ["a-in-force"]
    assert vocab.effective_status(rel) == "contradicted"
    clock = ties.Clock.from_options(all_time=True, reported=True, store=S)
    assert not clock(rel) and clock(S.ds.relations["a-in-force"])


def test_contradicted_by_names_known_relations(tmp_path):
    bad = RELATIONS.replace("contradicted_by: [a-in-force]", "contradicted_by: [a-in-forse]")
    errors = [p.message for p in check_errors(write_data(tmp_path / "d", ENTITIES, bad))]
    assert errors == [
        "relation 'a-claim': field 'contradicted_by': unknown relation 'a-in-forse' — did you mean 'a-in-force'?"
    ]


def test_an_undated_relation_starts_with_its_earliest_dated_source(S):
    feud = S.ds.relations["feud"]
    clock = ties.Clock(dt.date(2010, 1, 1), store=S)
    assert not clock(feud)  # cited first in March 2014: not in force for ever
    assert clock.standing(feud).status == "not_yet"
    assert ties.Clock(dt.date(2014, 3, 1), store=S)(feud)
    assert ties.in_force(feud, dt.date(1900, 1, 1))  # without a store nothing places it


def test_the_clock_defaults_to_today_and_refuses_two_days():
    from allygraph import dates

    assert ties.Clock.from_options().day == dates.today()
    assert ties.Clock.from_options(all_time=True).as_of is None
    assert ties.Clock.from_options(" 2015").as_of == "2015-12-31"
    with pytest.raises(UsageError, match="cannot be used together"):
        ties.Clock.from_options("2015", all_time=True)


def test_types_shows_the_tie_model(tmp_path):
    import json

    d = write_data(tmp_path / "d", ENTITIES, RELATIONS)
    got = json.loads(invoke("types", "--json", "--data", str(d)).stdout)
    assert got["relation_types"]["feuds_with"]["polarity"] == "adversarial"
    assert got["relation_types"]["partnership"] == {
        "symmetric": True, "description": "A bilateral partnership at a named tier (needs `tier`).",
        "polarity": "cooperative", "layer": "partnership", "tie": True, "strength": 0.5,
    }  # fmt: skip
    assert "dispute" in got["layers"]


def test_an_agency_belongs_to_its_state_through_part_of(tmp_path):
    ents = (
        ENTITIES
        + """  - {id: cg, name: Aland Coast Guard, type: organization}
  - {id: cg_unit, name: Aland Coast Guard District 1, type: organization}
  - {id: club, name: A Club, type: organization}
"""
    )
    rels = (
        RELATIONS
        + """  - {from: cg, to: aa, type: part_of, sources: [old]}
  - {from: cg_unit, to: cg, type: part_of, sources: [old]}
"""
    )
    S = DatasetStore(load(write_data(tmp_path / "d", ents, rels), use_cache=False))
    assert [ties.owner_state(S, e) for e in ("cg_unit", "cg", "aa", "club", "nobody")] == ["aa", "aa", "aa", None, None]

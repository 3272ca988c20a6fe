"""Relation and entity types declared as data (`relation_types:`, `entity_types:`): the loader's
rules and errors, and a declared type used everywhere a built-in one is."""

from __future__ import annotations

import pytest

from allygraph import load
from allygraph.load import check
from conftest import write_data

ENTITIES = """
entities:
  - {id: china, name: China, type: state}
  - {id: philippines, name: Philippines, type: state}
  - {id: vietnam, name: Vietnam, type: state}
  - {id: scs, name: South China Sea, type: area}
  - {id: shoal_2024, name: Shoal incident 2024, type: event, since: 2024-06-17}
"""

DECLARED = """
sources:
  s1: {title: A source, url: 'https://example.org/s1'}
relation_types:
  disputes_with:
    symmetric: true
    description: "The parties contest sovereignty or maritime rights over an area (`via` the area)."
  involved_in:
    symmetric: false
    description: "A party took part in an incident."
entity_types:
  area:
    description: "A disputed sea, island group or feature."
"""

RELATIONS = (
    DECLARED
    + """relations:
  - {id: cn-ph, from: china, to: philippines, type: disputes_with, via: scs, sources: [s1]}
  - {id: vn-cn, from: vietnam, to: china, type: disputes_with, via: scs, sources: [s1]}
  - {id: cn-inc, from: china, to: shoal_2024, type: involved_in, since: 2024-06-17, sources: [s1]}
  - {id: ph-inc, from: philippines, to: shoal_2024, type: involved_in, since: 2024-06-17, sources: [s1]}
"""
)


@pytest.fixture
def declared_dir(tmp_path):
    return write_data(tmp_path / "declared", ENTITIES, RELATIONS)


def errors_of(tmp_path, relations: str, entities: str = ENTITIES) -> list:
    d = write_data(tmp_path / "bad", entities, relations)
    return [p for p in check(d) if p.severity == "error"]


def test_declared_types_load(declared_dir):
    assert check(declared_dir) == []
    ds = load.load(declared_dir, use_cache=False)
    assert ds.entities["scs"]["type"] == "area"
    assert ds.relation_types["disputes_with"] == {
        "symmetric": True,
        "description": "The parties contest sovereignty or maritime rights over an area (`via` the area).",
    }
    assert ds.entity_types == {"area": {"description": "A disputed sea, island group or feature."}}
    assert "disputes_with" in ds.registry.symmetric_types and "involved_in" not in ds.registry.symmetric_types
    assert "alliance" in ds.registry.symmetric_types


def test_declared_type_errors(tmp_path):
    bad = """
sources:
  s1: {title: A source, url: 'https://example.org/s1'}
relation_types:
  alliance: {symmetric: true, description: again}
  Disputes-With: {symmetric: true, description: bad name}
  no_meaning: {symmetric: false}
  vague: {symmetric: maybe, description: x}
  colourful: {symmetric: true, description: x, colour: red}
entity_types:
  state: {description: again}
  area: {}
relations: []
"""
    got = {(e.line, e.column, e.message) for e in errors_of(tmp_path, bad, "entities: []\n")}
    assert got == {
        (4, 3, "relation type 'alliance' is built in and cannot be redefined; give yours another name "
               "(`allygraph types` lists the built-in ones)"),
        (5, 3, "relation type 'Disputes-With': a type's name is lowercase snake_case (letters, digits, '_'), "
               "e.g. 'disputes_with'"),
        (6, 15, "relation type 'no_meaning': missing required field 'description'"),
        (7, 22, "relation type 'vague': field 'symmetric': Input should be a valid boolean (got 'maybe')"),
        (8, 48, "relation type 'colourful': unknown field 'colour' (fields: symmetric, description)"),
        (10, 3, "entity type 'state' is built in and cannot be redefined; give yours another name "
                "(`allygraph types` lists the built-in ones)"),
        (11, 9, "entity type 'area': missing required field 'description'"),
    }  # fmt: skip


def test_undeclared_types_are_suggested_from_the_declared_ones(tmp_path):
    ents = ENTITIES.replace("type: area", "type: aera")
    rels = RELATIONS.replace("type: involved_in, since: 2024-06-17, sources: [s1]}\n  - {id: ph-inc",
                             "type: involvd_in, since: 2024-06-17, sources: [s1]}\n  - {id: ph-inc")  # fmt: skip
    errs = errors_of(tmp_path, rels, ents)
    got = {(e.file.rsplit("/", 1)[-1], e.line, e.message) for e in errs if "'type'" in e.message}
    assert got == {
        ("entities.yaml", 5, "entity 'scs': field 'type': unknown entity type 'aera' — did you mean 'area'? (got 'aera')"),
        ("relations.yaml", 16, "relation 'cn-inc': field 'type': unknown relation type 'involvd_in' — "
                               "did you mean 'involved_in'? (got 'involvd_in')"),
    }  # fmt: skip


def test_declared_types_belong_to_their_directory(declared_dir, small_dir):
    """A type declared in one directory is unknown in another loaded in the same process."""
    load.load(declared_dir, use_cache=False)
    other = write_data(small_dir.parent / "other", ENTITIES.replace("type: area", "type: state"),
                       "relations:\n  - {from: china, to: vietnam, type: disputes_with}\n")  # fmt: skip
    msgs = [p.message for p in check(other) if p.severity == "error"]
    assert len(msgs) == 1 and "unknown relation type 'disputes_with'" in msgs[0]

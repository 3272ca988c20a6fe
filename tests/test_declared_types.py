"""Relation and entity types declared as data (`relation_types:`, `entity_types:`): the loader's
rules and errors, and a declared type used everywhere a built-in one is."""

from __future__ import annotations

import json

import pytest

from allygraph import cache, load, query
from allygraph.errors import NoPath, UsageError
from allygraph.load import check
from allygraph.store import DatasetStore, SQLiteStore
from helpers import errors_in, loaded_clean, run, write_data

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


def test_declared_types_load(declared_dir):
    ds = loaded_clean(declared_dir)
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
    got = {(e.line, e.column, e.message) for e in errors_in(tmp_path / "bad", "entities: []\n", bad)}
    assert got == {
        (4, 3, "relation type 'alliance' is built in and cannot be redefined; give yours another name "
               "(`allygraph types` lists the built-in ones)"),
        (5, 3, "relation type 'Disputes-With': a type's name is lowercase snake_case (letters, digits, '_'), "
               "e.g. 'disputes_with'"),
        (6, 15, "relation type 'no_meaning': missing required field 'description'"),
        (7, 22, "relation type 'vague': field 'symmetric': Input should be a valid boolean (got 'maybe')"),
        (8, 48, "relation type 'colourful': unknown field 'colour' (fields: symmetric, description, polarity, layer, tie, strength)"),
        (10, 3, "entity type 'state' is built in and cannot be redefined; give yours another name "
                "(`allygraph types` lists the built-in ones)"),
        (11, 9, "entity type 'area': missing required field 'description'"),
    }  # fmt: skip


def test_undeclared_types_are_suggested_from_the_declared_ones(tmp_path):
    ents = ENTITIES.replace("type: area", "type: aera")
    rels = RELATIONS.replace("type: involved_in, since: 2024-06-17, sources: [s1]}\n  - {id: ph-inc",
                             "type: involvd_in, since: 2024-06-17, sources: [s1]}\n  - {id: ph-inc")  # fmt: skip
    errs = errors_in(tmp_path / "bad", ents, rels)
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


def test_path_walks_a_declared_symmetric_type_both_ways(declared_dir):
    S = DatasetStore(load.load(declared_dir, use_cache=False))
    # cn-ph is written china -> philippines: a directed walk from the Philippines needs the symmetry
    r = query.path(S, "Philippines", "China", directed=True, types=["disputes_with"])
    assert r["paths"][0]["nodes"] == ["philippines", "china"]
    assert [e["id"] for e in r["paths"][0]["edges"]] == ["cn-ph"]
    assert r["symmetric_types"] == ["disputes_with"]
    # a declared directed type is not walked backwards
    with pytest.raises(NoPath):
        query.path(S, "Shoal incident 2024", "China", directed=True, types=["involved_in"])
    assert query.path(S, "China", "Shoal incident 2024", directed=True)["paths"][0]["nodes"] == ["china", "shoal_2024"]


def test_neighbors_and_show_treat_declared_types_like_built_in_ones(declared_dir):
    S = DatasetStore(load.load(declared_dir, use_cache=False))
    out = query.neighbors(S, "Philippines", direction="out")
    assert [n["id"] for n in out["neighbors"]] == ["china", "shoal_2024"]  # disputes_with read both ways
    inn = query.neighbors(S, "Philippines", direction="in")
    assert [n["id"] for n in inn["neighbors"]] == ["china"]
    with pytest.raises(UsageError, match="unknown relation type 'disputes' — did you mean 'disputes_with'"):
        query.neighbors(S, "Philippines", types=["disputes"])
    from allygraph.render.layout import plain
    from allygraph.render.query import show_blocks

    text = plain(show_blocks(query.show(S, "Philippines")))
    assert "↔  China" in text and "→  Shoal incident 2024" in text


def test_types_lists_the_declared_ones(declared_dir, capsys):
    from allygraph.cli import main

    with pytest.raises(SystemExit) as done:
        main(["types", "--json", "--data", str(declared_dir)])
    assert done.value.code == 0
    got = json.loads(capsys.readouterr().out)
    assert got["relation_types"]["disputes_with"] == {
        "symmetric": True,
        "description": "The parties contest sovereignty or maritime rights over an area (`via` the area).",
        "polarity": "neutral",
        "layer": "other",
        "tie": False,
        "strength": 0.0,
    }
    # a declared type that says nothing of the tie model is neutral and no tie: it never makes friends
    assert got["relation_types"]["involved_in"] == {
        "symmetric": False,
        "description": "A party took part in an incident.",
        "polarity": "neutral",
        "layer": "other",
        "tie": False,
        "strength": 0.0,
    }
    assert (
        "alliance" in got["relation_types"]
        and got["entity_types"]["area"] == "A disputed sea, island group or feature."
    )
    with pytest.raises(SystemExit):
        main(["types", "--data", str(declared_dir)])
    text = capsys.readouterr().out
    rows = [line.split() for line in text.splitlines()]
    assert ["area", "A", "disputed", "sea,", "island", "group", "or", "feature."] in rows
    assert ["disputes_with", "yes", "The", "parties"] in [r[:4] for r in rows]


def test_exporters_mark_a_declared_symmetric_type_undirected(declared_dir, tmp_path):
    import csv

    import allygraph
    from allygraph.export import export

    G = allygraph.load_graph(declared_dir, use_cache=False)
    export(G, "csv", tmp_path / "g.csv")
    with open(tmp_path / "g.edges.csv", newline="", encoding="utf-8") as fh:
        kinds = {row["Id"]: row["Type"] for row in csv.DictReader(fh) if ":" not in row["Id"]}
    assert kinds == {"cn-ph": "Undirected", "vn-cn": "Undirected", "cn-inc": "Directed", "ph-inc": "Directed"}
    export(G, "cyjs", tmp_path / "g.cyjs")
    edges = json.loads((tmp_path / "g.cyjs").read_text())["elements"]["edges"]
    assert {e["data"]["id"]: e["data"]["symmetric"] for e in edges if ":" not in e["data"]["id"]} == {
        "cn-ph": True, "vn-cn": True, "cn-inc": False, "ph-inc": False}  # fmt: skip


QUERIES = [
    lambda S: query.path(S, "Philippines", "China", directed=True),
    lambda S: query.path(S, "Philippines", "Vietnam", all_paths=True),
    lambda S: query.neighbors(S, "China", depth=2, direction="in"),
    lambda S: query.show(S, "China"),
]


def test_sqlite_and_pickle_caches_keep_the_declared_types(declared_dir, monkeypatch):
    fresh = DatasetStore(load.load(declared_dir, use_cache=False))
    load.open_store(declared_dir)
    pickled = load.open_store(declared_dir)
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)
    load.open_store(declared_dir)
    compiled = load.open_store(declared_dir)
    assert isinstance(compiled, SQLiteStore) and not isinstance(pickled, SQLiteStore)
    assert compiled.registry.symmetric_types == pickled.registry.symmetric_types == fresh.registry.symmetric_types
    for q in QUERIES:
        assert q(fresh) == q(pickled) == q(compiled)


def test_sqlite_cache_through_the_env_var(declared_dir):
    got = run("path", "Philippines", "China", "--directed", "--json", "--data", str(declared_dir),
              env={"ALLYGRAPH_SQLITE_BYTES": "1"})  # fmt: skip
    assert got.returncode == 0, got.stderr
    assert [e["id"] for e in json.loads(got.stdout)["paths"][0]["edges"]] == ["cn-ph"]
    assert list(cache.cache_dir().glob("data-*.sqlite"))

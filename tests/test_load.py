"""One test per class of data error: the message, the file and the line.

test_bundled_data_is_clean is a data-quality test of the bundled data; every other test reads small
fixtures."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allygraph.errors import DataError
from allygraph.load import check, load, validate
from helpers import entities_yaml, write_data

ENTS = entities_yaml()


def rel_file(body: str) -> str:
    return "sources:\n  s1: {title: T, url: 'https://e.org/s1'}\nrelations:\n" + body


def problems_of(tmp_path, entities, relations):
    d = write_data(tmp_path / "d", entities, relations)
    return d, check(d)


def only_error(problems):
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1, errors
    return errors[0]


def test_bundled_data_is_clean():
    problems = check()
    assert [p for p in problems if p.severity == "error"] == []
    assert [p for p in problems if p.severity == "warning"] == []


def test_unknown_entity_with_suggestion(tmp_path):
    d, ps = problems_of(
        tmp_path, ENTS, rel_file("  - {from: japan, to: phillipines, type: cooperates_with, sources: [s1]}\n")
    )
    e = only_error(ps)
    assert e.file.endswith("relations.yaml") and (e.line, e.column) == (4, 23)
    assert "unknown entity 'phillipines' — did you mean 'philippines'?" in e.message
    assert "'to'" in e.message


def test_unknown_types(tmp_path):
    ents = ENTS + "  - id: x\n    name: X\n    type: stat\n"
    d, ps = problems_of(tmp_path, ents, rel_file("  - {from: japan, to: philippines, type: aliance, sources: [s1]}\n"))
    msgs = {(p.file.rsplit("/", 1)[-1], p.line): p.message for p in ps}
    assert "unknown entity type 'stat' — did you mean 'state'?" in msgs[("entities.yaml", 10)]
    assert "unknown relation type 'aliance' — did you mean 'alliance'?" in msgs[("relations.yaml", 4)]


def test_duplicate_ids(tmp_path):
    ents = ENTS + "  - id: Japan\n    name: Japan again\n    type: state\n"
    rels = rel_file(
        "  - {id: r1, from: japan, to: philippines, type: cooperates_with, sources: [s1]}\n"
        "  - {id: r1, from: philippines, to: japan, type: cooperates_with, sources: [s1]}\n"
    )
    d, ps = problems_of(tmp_path, ents, rels)
    msgs = [(p.line, p.message) for p in ps if p.severity == "error"]
    assert (8, "duplicate entity id 'Japan' (first defined at line 2)") in msgs
    assert (5, "duplicate relation id 'r1' (first at line 4)") in msgs


def test_duplicate_mapping_key(tmp_path):
    ents = "entities:\n  - id: japan\n    name: Japan\n    name: Nippon\n    type: state\n"
    d, ps = problems_of(tmp_path, ents, rel_file("  []\n").replace("relations:\n  []", "relations: []"))
    e = only_error(ps)
    assert (e.line, e.column) == (4, 5)
    assert e.message == "duplicate key 'name' (first written at line 3)"


def test_partnership_tier_missing_or_unknown(tmp_path):
    rels = rel_file(
        "  - {id: a, from: japan, to: philippines, type: partnership, sources: [s1]}\n"
        "  - {id: b, from: japan, to: philippines, type: partnership, tier: strategic_partnershp, sources: [s1]}\n"
    )
    d, ps = problems_of(tmp_path, ENTS, rels)
    msgs = {p.line: p.message for p in ps if p.severity == "error"}
    assert msgs[4].startswith("relation 'a': a partnership needs a 'tier' (one of: alliance,")
    assert "unknown tier 'strategic_partnershp' — did you mean 'strategic_partnership'?" in msgs[5]


def test_malformed_date_and_until_before_since(tmp_path):
    rels = rel_file(
        "  - id: a\n    from: japan\n    to: philippines\n    type: cooperates_with\n    since: 2024-13\n    sources: [s1]\n"
        "  - id: b\n    from: japan\n    to: philippines\n    type: cooperates_with\n    since: 2020\n    until: 2019-05\n    sources: [s1]\n"
    )  # fmt: skip
    d, ps = problems_of(tmp_path, ENTS, rels)
    msgs = {p.line: p.message for p in ps if p.severity == "error"}
    assert "field 'since': malformed date '2024-13': month 13 is not 1-12" in msgs[8]
    assert msgs[15] == "relation 'b': until '2019-05' is before since '2020'"


def test_wrong_value_type(tmp_path):
    ents = "entities:\n  - id: japan\n    name: [Japan]\n    type: state\n    attributes: {iso3: [JPN]}\n"
    d, ps = problems_of(tmp_path, ents, "relations: []\n")
    msgs = {p.line: p.message for p in ps}
    assert "field 'name': Input should be a valid string (got ['Japan'])" in msgs[3]
    assert "field 'attributes.iso3': attribute 'iso3' must be text, a number or true/false, not a list" in msgs[5]


def test_unknown_field_and_source(tmp_path):
    rels = rel_file("  - {id: a, from: japan, to: philippines, type: cooperates_with, sinse: 2020, sources: [s2]}\n")
    d, ps = problems_of(tmp_path, ENTS, rels)
    msgs = [p.message for p in ps]
    assert any("unknown field 'sinse' — did you mean 'since'?" in m for m in msgs)


def test_unknown_source_reference(tmp_path):
    rels = "sources:\n  mofa-raa: {title: T}\nrelations:\n  - {id: a, from: japan, to: philippines, type: cooperates_with, sources: [https://e.org, mofa-ra]}\n"
    d, ps = problems_of(tmp_path, ENTS, rels)
    e = only_error(ps)
    assert e.message == "relation 'a': unknown source 'mofa-ra' — did you mean 'mofa-raa'?" and e.line == 4


def test_relation_without_source_is_a_warning(tmp_path):
    d, ps = problems_of(
        tmp_path, ENTS, "relations:\n  - {id: a, from: japan, to: philippines, type: cooperates_with}\n"
    )
    assert [p.severity for p in ps] == ["warning"]
    assert ps[0].message == "relation 'a': no source; add 'sources: [...]'" and ps[0].line == 2
    load(d)  # warnings do not stop a load


@pytest.mark.parametrize(
    "content,fragment",
    [(b"", "file is empty"), (b"# only a comment\n", "file is empty"), (b"\xff\xfe bad", "not UTF-8"),
     (b"entities: [\n", "not valid YAML"), (b"- just\n- a list\n", "expected a mapping")],
)  # fmt: skip
def test_unreadable_files(tmp_path, content, fragment):
    d = write_data(tmp_path / "d", None, "relations: []\n")
    (d / "entities.yaml").write_bytes(content)
    ps = check(d)
    assert any(fragment in p.message and p.file.endswith("entities.yaml") for p in ps), ps


def test_missing_file(tmp_path):
    d = write_data(tmp_path / "d", ENTS, None)
    e = only_error(check(d))
    assert e.file.endswith("relations.yaml") and e.message == "file is missing"


def test_billion_laughs_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    d = write_data(tmp_path / "d", "\n".join(lines) + "\nentities: *a9\n", "relations: []\n")
    msgs = [p.message for p in check(d)]
    assert any("aliases expand too far" in m for m in msgs), msgs


def test_arbitrary_tags_are_refused(tmp_path):
    ents = "entities:\n  - !!python/object/apply:os.system ['echo pwned']\n"
    d = write_data(tmp_path / "d", ents, "relations: []\n")
    msgs = [(p.line, p.message) for p in check(d)]
    assert (2, "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in allygraph data") in msgs


def test_every_problem_in_one_run(tmp_path):
    rels = rel_file(
        "  - {from: japan, to: nowhere, type: cooperates_with, sources: [s1]}\n"
        "  - {from: japan, to: philippines, type: partnership, sources: [s1]}\n"
        "  - {from: japan, to: philippines, type: cooperates_with, since: 20200, sources: [s1]}\n"
    )
    d, ps = problems_of(tmp_path, ENTS, rels)
    assert sorted(p.line for p in ps if p.severity == "error") == [4, 5, 6]
    with pytest.raises(DataError) as exc:
        load(d, use_cache=False)
    assert len(exc.value.errors) == 3


def test_derived_ids_are_stable(small_dir):
    text = (small_dir / "relations.yaml").read_text().replace("  - id: us-ph\n    from:", "  - from:")
    (small_dir / "relations.yaml").write_text(text)
    first = [r for r in load(small_dir, use_cache=False).relations if r.startswith("united_states.")]
    second = [r for r in load(small_dir, use_cache=False).relations if r.startswith("united_states.")]
    assert first == second and len(first) == 1 and first[0].startswith("united_states.alliance.philippines.")


# --- property-based: malformed input gives clean problems, never an exception ----------------

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))
yaml_values = st.recursive(yaml_scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4), max_leaves=12)  # fmt: skip
field_names = st.sampled_from(["id", "name", "type", "from", "to", "tier", "since", "until", "via", "sources", "aliases", "attributes", "status", "x"])  # fmt: skip
records = st.dictionaries(field_names, yaml_values, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ents=st.lists(records, max_size=4), rels=st.lists(records, max_size=4))
def test_generated_documents_give_clean_errors(tmp_path, ents, rels):
    import yaml

    d = tmp_path / "gen"
    d.mkdir(exist_ok=True)
    (d / "entities.yaml").write_text(yaml.safe_dump({"entities": ents}), encoding="utf-8")
    (d / "relations.yaml").write_text(yaml.safe_dump({"relations": rels}), encoding="utf-8")
    dataset, problems = validate(d)
    for p in problems:
        assert p.file.endswith(".yaml") and p.message and isinstance(p.line, int)
    assert (dataset is None) == any(p.severity == "error" for p in problems)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(lambda s: s.encode("utf-8")))
def test_arbitrary_bytes_give_clean_errors(tmp_path, raw):
    d = tmp_path / "raw"
    d.mkdir(exist_ok=True)
    (d / "entities.yaml").write_bytes(raw)
    (d / "relations.yaml").write_text("relations: []\n")
    dataset, problems = validate(d)
    for p in problems:
        assert p.file.endswith(".yaml") and p.message and isinstance(p.line, int)
    # a dataset exactly when no problem is an error: bytes that are no entities document are refused
    assert (dataset is None) == any(p.severity == "error" for p in problems)


def test_small_fixture_loads(small_dir):
    ds = load(small_dir)
    assert set(ds.entities) == {"japan", "philippines", "united_states", "osa", "tc_90"}
    assert set(ds.relations) == {"jp-ph-sp", "jp-ph-ssp", "us-ph", "jp-us", "tc90", "osa-ph"}
    assert (ds.relations["tc90"]["from"], ds.relations["tc90"]["to"]) == ("japan", "philippines")


def test_source_errors_name_the_source(tmp_path):
    rels = "sources:\n  mofa:\n    url: https://x\n  other: {title: T, date: 2024-13}\nrelations: []\n"
    d, ps = problems_of(tmp_path, ENTS, rels)
    msgs = {p.line: p.message for p in ps}
    assert msgs[3] == "source 'mofa': missing required field 'title'"
    assert msgs[4] == "source 'other': field 'date': malformed date '2024-13': month 13 is not 1-12"

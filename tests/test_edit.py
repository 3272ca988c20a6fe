"""Editing: every change keeps what it does not touch byte for byte, validates before it writes,
and lands under concurrency.

test_bundled_round_trips_byte_for_byte and test_fmt_is_idempotent_and_changes_no_value are about
the bundled files (kept canonical, rewritten byte for byte, on a copy); every other test edits small
fixtures."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from allygraph import edit
from allygraph.edit import InUse
from allygraph.errors import DataError, UsageError
from allygraph.load import load

BUNDLED = Path(__file__).resolve().parent.parent / "data"

ENTITIES = """\
# entities: a hand-written header
entities:
  - id: japan
    name: Japan
    type: state
    aliases: [JPN, Nippon]   # a trailing comment
    attributes: {iso3: JPN}

  # a comment above a record
  - id: philippines
    name: 'Philippines'
    type: state

  - id: osa
    name: Official Security Assistance
    type: program
"""
RELATIONS = """\
sources:
  mofa:
    title: "A title"
    url: https://example.org/mofa
relations:
  - id: jp-ph
    from: japan
    to: philippines
    type: partnership
    tier: strategic_partnership
    since: "2011"
    sources: [mofa]

  - id: jp-osa-ph
    from: japan
    to: philippines
    type: provides
    via: osa
    since: "2023"
    attributes: {program: osa}
    sources: [mofa, https://example.org/x]
"""


def small(tmp_path: Path, crlf: bool = False) -> Path:
    d = tmp_path / "d"
    d.mkdir()
    for name, text in (("entities.yaml", ENTITIES), ("relations.yaml", RELATIONS)):
        (d / name).write_bytes((text.replace("\n", "\r\n") if crlf else text).encode())
    return d


def snapshot(d: Path) -> dict[str, bytes]:
    return {n: (d / n).read_bytes() for n in ("entities.yaml", "relations.yaml")}


def changed_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) between two versions of a file."""
    a, b = before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    out = list(difflib.ndiff(a, b))
    return [x[2:] for x in out if x.startswith("- ")], [x[2:] for x in out if x.startswith("+ ")]


def test_link_appends_only_the_new_record(tmp_path):
    d = small(tmp_path)
    before = snapshot(d)
    result = edit.link("Nippon", "exercises_with", "PHILIPPINES", sources=["mofa"], since="2024", data=d)
    after = snapshot(d)
    assert after["entities.yaml"] == before["entities.yaml"]
    removed, added = changed_lines(before["relations.yaml"], after["relations.yaml"])
    assert removed == []
    rid = result["changed"][0]["id"]
    assert added == ["\n", f"  - id: {rid}\n", "    from: japan\n", "    to: philippines\n", "    type: exercises_with\n",
                     '    since: "2024"\n', "    sources: [mofa]\n"]  # fmt: skip
    assert result == {"changed": [{"file": str(d / "relations.yaml"), "id": rid, "action": "added"}]}
    assert load(d, use_cache=False).relations[rid]["since"] == "2024"


def test_link_then_rm_gives_the_bytes_back_crlf(tmp_path):
    d = small(tmp_path, crlf=True)
    before = snapshot(d)
    rid = edit.link("japan", "cooperates_with", "philippines", sources=["https://example.org/y"], data=d)["changed"][0]["id"]  # fmt: skip
    text = (d / "relations.yaml").read_bytes()
    assert text.count(b"\r\n") == text.count(b"\n")  # the new lines are CRLF too
    edit.rm(rid, data=d)
    assert snapshot(d) == before


def test_bundled_round_trips_byte_for_byte(tmp_path):
    d = tmp_path / "bundled"
    shutil.copytree(BUNDLED, d)
    before = snapshot(d)
    edit.rename("japan", "nippon_state", data=d)
    mid = snapshot(d)
    assert mid != before
    removed, added = changed_lines(before["relations.yaml"], mid["relations.yaml"])
    assert len(removed) == len(added) > 10
    for old, new in zip(removed, added, strict=True):  # only the id changed on every touched line
        assert old.replace("japan", "nippon_state") == new
    edit.rename("nippon_state", "japan", data=d)
    assert snapshot(d) == before
    sid = edit.add_source("test-src", "A title", "https://example.org/t", date="2024-01-02", data=d)["changed"][0]["id"]
    edit.rm(sid, data=d)
    assert snapshot(d) == before


def test_rename_updates_every_reference(tmp_path):
    d = small(tmp_path)
    result = edit.rename("osa", "osa_programme", data=d)
    ds = load(d, use_cache=False)
    assert "osa" not in ds.entities and "osa_programme" in ds.entities
    assert ds.relations["jp-osa-ph"]["via"] == "osa_programme"
    assert ds.relations["jp-osa-ph"]["attributes"] == {"program": "osa_programme"}
    assert {"file": str(d / "relations.yaml"), "id": "jp-osa-ph", "action": "changed"} in result["changed"]
    edit.rename("mofa", "mofa-jp", data=d)
    ds = load(d, use_cache=False)
    assert ds.relations["jp-osa-ph"]["sources"] == ["mofa-jp", "https://example.org/x"]
    assert "mofa-jp" in ds.sources
    # quoting kept: the single-quoted name is untouched, a rename keeps the style of each scalar
    assert "name: 'Philippines'" in (d / "entities.yaml").read_text()


def test_rm_refuses_while_referred_to_and_cascade_lists_what_goes(tmp_path):
    d = small(tmp_path)
    before = snapshot(d)
    with pytest.raises(InUse) as exc:
        edit.rm("osa", data=d)
    assert [r["id"] for r in exc.value.refs] == ["jp-osa-ph"]
    assert "jp-osa-ph" in str(exc.value)
    assert snapshot(d) == before
    result = edit.rm("osa", cascade=True, data=d)
    assert {(c["id"], c["action"]) for c in result["changed"]} == {("osa", "removed"), ("jp-osa-ph", "removed")}
    ds = load(d, use_cache=False)
    assert "osa" not in ds.entities and "jp-osa-ph" not in ds.relations and "jp-ph" in ds.relations


def test_rm_source_cascade_drops_the_citations(tmp_path):
    d = small(tmp_path)
    with pytest.raises(InUse):
        edit.rm("mofa", data=d)
    edit.rm("mofa", cascade=True, data=d)
    ds = load(d, use_cache=False)
    assert "mofa" not in ds.sources
    assert ds.relations["jp-osa-ph"]["sources"] == ["https://example.org/x"]
    assert "sources" not in ds.relations["jp-ph"]


def test_invalid_result_is_refused_with_checks_messages_and_nothing_changes(tmp_path):
    d = small(tmp_path)
    before = snapshot(d)
    with pytest.raises(DataError) as exc:
        edit.edit("jp-ph", set=["tier=strategic_partnershipp"], data=d)
    messages = [str(p) for p in exc.value.errors]
    assert len(messages) == 1
    assert messages[0].startswith(f"{d / 'relations.yaml'}:10:11: error: relation 'jp-ph': field 'tier': unknown tier")
    assert "did you mean 'strategic_partnership'" in messages[0]
    assert snapshot(d) == before
    with pytest.raises(DataError):
        edit.link("japan", "alliance", "philippines", sources=["nope-source"], data=d)
    assert snapshot(d) == before


def test_edit_set_and_unset_touch_only_their_lines(tmp_path):
    d = small(tmp_path)
    before = snapshot(d)
    edit.edit("philippines", set=["description=An archipelago", "attributes.iso3=PHL", "aliases=PH, PHL"], data=d)
    removed, added = changed_lines(before["entities.yaml"], snapshot(d)["entities.yaml"])
    assert removed == []
    assert added == ["    aliases: [PH, PHL]\n", "    description: An archipelago\n", "    attributes: {iso3: PHL}\n"]
    edit.edit("japan", set=["attributes.iso2=JP"], unset=["aliases"], data=d)
    ent = load(d, use_cache=False).entities["japan"]
    assert ent["attributes"] == {"iso3": "JPN", "iso2": "JP"} and ent["aliases"] == []
    edit.edit("mofa", set=["publisher=MOFA", "date=2024-07-08"], data=d)
    assert load(d, use_cache=False).sources["mofa"]["date"] == "2024-07-08"


def test_unsetting_the_first_fields_last_mapping_entry_and_the_next_field_in_one_edit(tmp_path):
    """``--unset attributes.k`` on a record whose first field is ``attributes: {k: 1}`` removes the
    field, so the next field moves up to the ``- ``; removing that next field in the same edit
    must see the first change (found by the layout property test: the two splices overlapped and
    left ``-   type: state``, which the edit refused as invalid YAML)."""
    d = tmp_path / "d"
    d.mkdir()
    (d / "entities.yaml").write_text(
        "entities:\n- attributes: {k: 1}\n  description: plain words\n  type: state\n  name: Entity 0\n  id: e0\n"
        "- id: e1\n  name: Entity 1\n  type: state\n"
    )
    (d / "relations.yaml").write_text("relations: []\n")
    edit.edit("e0", unset=["description", "attributes.k"], data=d)
    assert (d / "entities.yaml").read_text().startswith("entities:\n- type: state\n  name: Entity 0\n  id: e0\n")
    assert "attributes" not in load(d, use_cache=False).entities["e0"]


def test_add_entity_and_dry_run(tmp_path):
    d = small(tmp_path)
    before = snapshot(d)
    result = edit.add_entity("vietnam", "Vietnam", "state", aliases=["VN"], attributes={"iso3": "VNM"}, data=d,
                             dry_run=True)  # fmt: skip
    assert snapshot(d) == before
    assert result["dry_run"] is True and "+  - id: vietnam\n" in result["patch"]
    edit.add_entity("vietnam", "Vietnam", "state", aliases=["VN"], attributes={"iso3": "VNM"}, data=d)
    assert load(d, use_cache=False).entities["vietnam"]["attributes"] == {"iso3": "VNM"}
    with pytest.raises(UsageError):
        edit.add_entity("vietnam", "Vietnam", "state", data=d)


def test_fmt_is_idempotent_and_changes_no_value(tmp_path):
    d = tmp_path / "bundled"
    shutil.copytree(BUNDLED, d)
    for name in ("entities.yaml", "relations.yaml"):  # the bundled files are canonical: undo some of it
        text = (d / name).read_text(encoding="utf-8")
        (d / name).write_text(text.replace("\n\n  - id:", "\n  - id:"), encoding="utf-8")
    before = load(d, use_cache=False)
    first = edit.fmt(data=d)
    assert {c["action"] for c in first["changed"]} == {"formatted"}
    once = snapshot(d)
    assert edit.fmt(data=d) == {"changed": []}
    assert snapshot(d) == once
    after = load(d, use_cache=False)
    for key in ("entities", "relations", "sources", "tiers", "relation_types", "entity_types", "ladders"):
        assert getattr(after, key) == getattr(before, key), key
    text = once["relations.yaml"].decode()
    assert "# ---- issue 12: each state's own ladder (part B) ----" in text  # comments kept
    assert "tier: comprehensive_strategic_partnership  # mapping flagged in the report\n" in text


def test_twenty_concurrent_links_all_land(tmp_path):
    from helpers import allygraph_exe

    d = small(tmp_path)
    exe = allygraph_exe()
    cmd = [exe, "link", "japan", "cooperates_with", "philippines", "--source", "mofa", "--data", str(d), "--id"]
    procs = [subprocess.Popen([*cmd, f"c{i}"], stdout=subprocess.DEVNULL) for i in range(20)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 20
    ds = load(d, use_cache=False)
    assert {f"c{i}" for i in range(20)} <= set(ds.relations)
    assert not list(d.glob(".*allygraph*"))  # no journal or temporary file left


def test_large_link_updates_the_sqlite_cache_in_place(tmp_path, monkeypatch):
    from allygraph import cache
    from allygraph.load import open_store

    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)  # every directory counts as large
    monkeypatch.setattr(cache, "HASH_BYTES", 1)  # ... and is hashed only when recently changed
    d = small(tmp_path)
    open_store(d).close()  # compile the cache
    monkeypatch.setattr(cache, "RECENT_NS", 300_000_000)  # "recent": the last 0.3 s
    path = cache._path_for(d.resolve(), "sqlite")
    inode = path.stat().st_ino
    before = snapshot(d)
    dry = edit.link("Nippon", "cooperates_with", "philippines", sources=["mofa"], since="2024", rid="new-rel", data=d,
                    dry_run=True)  # fmt: skip
    assert snapshot(d) == before and dry["dry_run"] and "+  - id: new-rel\n" in dry["patch"]

    def no_process(*args, **kwargs):
        raise AssertionError(f"a library call started a process: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_process)  # issue 21: no background re-stamp
    result = edit.link("Nippon", "cooperates_with", "philippines", sources=["mofa"], since="2024", rid="new-rel", data=d)  # fmt: skip
    assert result["changed"] == [{"file": str(d / "relations.yaml"), "id": "new-rel", "action": "added"}]
    removed, added = changed_lines(before["relations.yaml"], snapshot(d)["relations.yaml"])
    assert removed == [] and added[:2] == ["\n", "  - id: new-rel\n"]
    store = cache.get_sqlite(d.resolve())
    assert store is not None and path.stat().st_ino == inode  # updated, not rebuilt
    fresh = load(d, use_cache=False).relations["new-rel"]
    assert [r for r in store.out_rels("japan") if r["id"] == "new-rel"] == [fresh]
    hashed = store.stamp()
    store.close()
    assert not hashed.endswith(":-")  # the file just written is hashed while it is recent...
    time.sleep(0.35)
    store = cache.get_sqlite(d.resolve())  # ... and, once it is not, the next command re-stamps it
    assert store is not None and store.stamp().endswith(":-") and path.stat().st_ino == inode
    store.close()

    with pytest.raises(DataError) as exc:  # checked against the cache with check's message
        edit.link("japan", "partnership", "philippines", tier="strategic_partnershipp", sources=["mofa"], data=d)
    assert "field 'tier': unknown tier 'strategic_partnershipp'" in str(exc.value.errors[0])
    assert str(exc.value.errors[0]).startswith(f"{d / 'relations.yaml'}: error: ")  # no line: it is in no file
    assert exc.value.errors[0].message.endswith("(in the new record, which was not written)")


# --- the command line --------------------------------------------------------------------------


def test_cli_link_json_and_dry_run(tmp_path):
    from helpers import invoke

    d = small(tmp_path)
    before = snapshot(d)
    r = invoke("link", "Japan", "exercises_with", "Philippines", "--since", "2026", "--source", "mofa", "--id", "x1",
               "--attr", "name=KAMANDAG", "--data", str(d), "--dry-run")  # fmt: skip
    assert r.exit_code == 0 and "+    attributes: {name: KAMANDAG}" in r.stdout and snapshot(d) == before
    r = invoke("link", "Japan", "exercises_with", "Philippines", "--since", "2026", "--source", "mofa", "--id", "x1",
               "--data", str(d), "--json")  # fmt: skip
    assert r.exit_code == 0
    assert json.loads(r.stdout) == {"changed": [{"file": str(d / "relations.yaml"), "id": "x1", "action": "added"}]}


def test_cli_refusals_exit_2_and_change_nothing(tmp_path):
    from helpers import invoke

    d = small(tmp_path)
    before = snapshot(d)
    r = invoke("edit", "jp-ph", "--set", "since=2011-13", "--data", str(d))
    assert r.exit_code == 2 and f"{d / 'relations.yaml'}:11:" in r.stderr and "2011-13" in r.stderr
    r = invoke("rm", "osa", "--data", str(d), "--json")
    assert r.exit_code == 2 and json.loads(r.stdout)["error"]["refs"][0]["id"] == "jp-osa-ph"
    r = invoke("link", "japan", "alliance", "philippines", "--data", str(d))
    assert r.exit_code == 2 and "--source" in r.stderr
    r = invoke("add", "entity", "x", "--name", "X", "--type", "state", "--attr", "novalue", "--data", str(d))
    assert r.exit_code == 2 and "key=value" in r.stderr
    assert snapshot(d) == before


def test_cli_rename_rm_fmt_and_add(tmp_path):
    from helpers import invoke

    d = small(tmp_path)
    assert (
        invoke("add", "entity", "vietnam", "--name", "Viet\x1b[31mnam", "--type", "state", "--data", str(d)).exit_code
        == 0
    )
    r = invoke("source", "add", "s2", "--title", "T", "--url", "https://example.org/s2", "--data", str(d))
    assert r.exit_code == 0 and "s2" in r.stdout
    r = invoke("rename", "vietnam", "viet_nam", "--data", str(d))
    assert r.exit_code == 0 and "renamed" in r.stdout
    assert invoke("rm", "osa", "--cascade", "--data", str(d), "--json").exit_code == 0
    assert invoke("fmt", "--check", "--data", str(d)).exit_code in (0, 1)
    assert invoke("fmt", "--data", str(d)).exit_code == 0
    assert invoke("fmt", "--check", "--data", str(d)).exit_code == 0
    assert set(load(d, use_cache=False).entities) == {"japan", "philippines", "viet_nam"}


def test_edit_keeps_the_quoting_of_the_value_it_replaces(tmp_path):
    d = small(tmp_path)
    before = snapshot(d)
    edit.edit("mofa", set=["title=Another title"], data=d)
    removed, added = changed_lines(before["relations.yaml"], snapshot(d)["relations.yaml"])
    assert (removed, added) == (['    title: "A title"\n'], ['    title: "Another title"\n'])


def test_fmt_of_invalid_data_says_where_each_problem_is_written(tmp_path):
    """fmt rewrites every line of a file, so a problem the data already had was reported at line 1
    as "in the change"; it is reported where it is written, and nothing is written."""
    d = small(tmp_path)
    text = (d / "relations.yaml").read_text()
    (d / "relations.yaml").write_text(
        text + "  - {from: japan, to: nowhere_land, type: exercises_with, since: '2025'}\n"
    )
    line = text.count("\n") + 1
    before = snapshot(d)
    with pytest.raises(DataError) as refused:
        edit.fmt(data=d)
    bad = [p for p in refused.value.problems if "nowhere_land" in p.message]
    assert bad and all(p.line == line and "in the change" not in p.message for p in bad)
    assert snapshot(d) == before


def test_fmt_refuses_a_layout_that_would_change_a_value(tmp_path, monkeypatch):
    from allygraph.edit import canonical as fmt_module

    d = small(tmp_path)
    before = snapshot(d)
    monkeypatch.setattr(fmt_module, "format_text", lambda doc: doc.text.replace("name: Japan", "name: Nippon"))
    with pytest.raises(UsageError, match="would change a value"):
        edit.fmt(data=d)
    assert snapshot(d) == before


# --- messages (issue 17) ---------------------------------------------------------------------------


def test_link_with_an_unknown_status_lists_the_statuses_and_no_phantom_line(tmp_path):
    """`link --status finished` listed the declared relation types among the statuses, and cited
    a line that existed only in the unwritten file."""
    from helpers import invoke

    d = small(tmp_path)
    rel = d / "relations.yaml"
    rel.write_text(rel.read_text() + "relation_types:\n  disputes_with: {symmetric: true, description: A dispute.}\n")
    before = snapshot(d)
    r = invoke("link", "japan", "exercises_with", "philippines", "--status", "finished", "--source", "mofa",
               "--data", str(d))  # fmt: skip
    assert r.exit_code == 2 and snapshot(d) == before
    problem = next(line for line in r.stderr.splitlines() if "finished" in line)
    assert "known: proposed, negotiating" in problem and "disputes_with" not in problem
    assert problem.startswith(f"{rel}: error: ") and "in the new record, which was not written" in problem
    assert "nothing was written" in r.stderr.splitlines()[-1] and "allygraph check" not in r.stderr
    # the data's own `check` still lists its declared types where a type is asked for
    assert (
        "disputes_with" in invoke("link", "japan", "x_type", "philippines", "--source", "mofa", "--data", str(d)).stderr
    )


def test_a_refused_edit_points_at_the_field_in_the_file_as_it_is(tmp_path):
    from helpers import invoke

    d = small(tmp_path)
    lines = (d / "relations.yaml").read_text().splitlines()
    at = next(i for i, line in enumerate(lines, 1) if "tier: strategic_partnership" in line)
    r = invoke("edit", "jp-ph", "--set", "tier=strategic", "--set", "status=ended", "--data", str(d), "--json")
    err = json.loads(r.stdout)["error"]
    assert r.exit_code == 2 and err["kind"] == "InvalidChange"
    assert [e["line"] for e in err["errors"]] == [at]
    assert "in the change, which was not written" in err["errors"][0]["message"]
    # a line after an insertion is still the line of the file as it is
    r = invoke("edit", "jp-osa-ph", "--set", "note=n", "--set", "until=2001", "--data", str(d), "--json")
    err = json.loads(r.stdout)["error"]["errors"]
    assert len(lines) >= err[0]["line"] > at and "until '2001' is before since" in err[0]["message"]


def test_edit_of_an_unknown_id_names_every_kind_and_suggests(tmp_path):
    from helpers import invoke

    d = small(tmp_path)
    r = invoke("edit", "jp-phh", "--set", "status=ended", "--data", str(d))
    assert r.exit_code == 1
    assert f"no entity, relation or source with id 'jp-phh' in {d}" in r.stderr and "'jp-ph'" in r.stderr
    r = invoke("rm", "mofaa", "--data", str(d), "--json")
    assert r.exit_code == 1 and "mofa" in json.loads(r.stdout)["error"]["suggestions"]


@pytest.mark.parametrize(
    "url", ["notaurl", "javascript:alert(1)", "ftp://example.org/x", "https://", "file:///etc/passwd"]
)
def test_source_add_refuses_what_is_not_an_http_url_or_a_doi(tmp_path, url):
    from helpers import invoke

    d = small(tmp_path)
    before = snapshot(d)
    r = invoke("source", "add", "s2", "--title", "T", "--url", url, "--data", str(d))
    assert r.exit_code == 2 and "http(s) URL" in r.stderr and len(r.stderr.splitlines()) == 1
    r = invoke("link", "japan", "alliance", "philippines", "--source", url, "--data", str(d))
    assert r.exit_code == 2 and snapshot(d) == before


def test_source_add_takes_https_and_doi(tmp_path):
    d = small(tmp_path)
    edit.add_source("s2", "T", "https://example.org/s2", data=d)
    edit.add_source("s3", "T", "doi:10.1000/182", data=d)
    assert load(d, use_cache=False).sources["s3"]["url"] == "doi:10.1000/182"


def test_renaming_a_relation_reads_as_old_to_new(tmp_path):
    """It listed the relation twice: "renamed NEW" and "changed OLD"."""
    from helpers import invoke

    d = small(tmp_path)
    r = invoke("rename", "jp-ph", "jp-ph-sp", "--data", str(d), "--json")
    assert json.loads(r.stdout) == {
        "changed": [{"file": str(d / "relations.yaml"), "id": "jp-ph-sp", "action": "renamed", "old": "jp-ph"}]
    }
    r = invoke("rename", "jp-ph-sp", "jp-ph", "--data", str(d))
    assert "jp-ph-sp -> jp-ph" in r.stdout and "changed" not in r.stdout


def test_edit_messages_name_the_data_file(tmp_path):
    from helpers import invoke

    d = small(tmp_path)
    r = invoke("edit", "jp-ph", "--unset", "via", "--data", str(d))
    assert r.exit_code == 2 and str(d / "relations.yaml") in r.stderr
    r = invoke("edit", "japan", "--unset", "attributes.nope", "--data", str(d))
    assert r.exit_code == 2 and str(d / "entities.yaml") in r.stderr
    r = invoke("edit", "jp-ph", "--set", "tier=nope", "--data", str(d))
    assert r.exit_code == 2 and f"error(s) in {d}; nothing was written" in r.stderr.splitlines()[-1]
    r = invoke("add", "entity", "japan", "--name", "J", "--type", "state", "--data", str(d))
    assert r.exit_code == 2 and f"already exists in {d / 'entities.yaml'}" in r.stderr
    (d / "entities.yaml").write_text("entities: [\n")
    r = invoke("edit", "japan", "--set", "name=J", "--data", str(d))
    assert r.exit_code == 2 and str(d / "entities.yaml") in r.stderr


def test_edit_refuses_a_field_named_twice(tmp_path):
    d = small(tmp_path)
    before = snapshot(d)
    with pytest.raises(UsageError, match="named more than once"):
        edit.edit("mofa", set=["title=T2"], unset=["title"], data=d)
    assert snapshot(d) == before

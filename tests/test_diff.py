"""diff: entities, relations and sources added, removed, changed and renamed; highlights; Markdown;
two git revisions of one directory."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from allygraph import edit
from allygraph.errors import UsageError
from allygraph.render.edit import diff_blocks
from allygraph.render.layout import plain
from test_edit import ENTITIES, RELATIONS, small


def changed_copy(tmp_path: Path) -> tuple[Path, Path]:
    old = small(tmp_path)
    new = tmp_path / "new"
    shutil.copytree(old, new)
    edit.rename("osa", "osa_programme", data=new)
    edit.edit("jp-ph", set=["status=ended", "until=2015"], data=new)
    edit.link("japan", "partnership", "philippines", tier="comprehensive_strategic_partnership", since="2015",
              sources=["mofa"], rid="jp-ph-csp", data=new)  # fmt: skip
    edit.add_source("kantei", "Another", "https://example.org/kantei", data=new)
    edit.edit("japan", set=["description=An island state"], data=new)
    return old, new


def test_diff_names_renames_changes_and_upgrades(tmp_path):
    old, new = changed_copy(tmp_path)
    result = edit.diff(old, new)
    ents, rels = result["entities"], result["relations"]
    assert ents["renamed"] == [{"old": "osa", "new": "osa_programme"}]
    assert ents["added"] == [] and ents["removed"] == []
    assert ents["changed"] == [{"id": "japan", "changes": {"description": {"old": None, "new": "An island state"}}}]
    assert [r["id"] for r in rels["added"]] == ["jp-ph-csp"]
    jp_ph = next(c for c in rels["changed"] if c["id"] == "jp-ph")
    assert jp_ph["changes"]["status"] == {"old": "active", "new": "ended"}
    assert jp_ph["changes"]["until"] == {"old": None, "new": "2015"}
    # the relation whose via was renamed is changed only through the rename
    assert next(c for c in rels["changed"] if c["id"] == "jp-osa-ph")["changes"]["via"] == {"old": "osa", "new": "osa_programme"}  # fmt: skip
    assert [s["id"] for s in result["sources"]["added"]] == ["kantei"]
    kinds = {(h["kind"], h["relation"]) for h in result["highlights"]}
    assert ("tier_upgrade", "jp-ph-csp") in kinds and ("status_change", "jp-ph") in kinds


def test_diff_of_identical_directories_is_empty(tmp_path):
    d = small(tmp_path)
    result = edit.diff(d, d)
    assert all(v == [] for k in ("entities", "relations", "sources") for v in result[k].values())
    assert "No change." in edit.markdown(result)


def test_markdown_and_plain_report_are_safe(tmp_path):
    old, new = changed_copy(tmp_path)
    edit.edit("philippines", set=["name=Phil\x1b]0;x\x07ippines *bold*"], data=new)
    result = edit.diff(old, new)
    md = edit.markdown(result)
    assert "tier upgrade" in md and "`osa` → `osa_programme`" in md
    assert "\x1b" not in md and "\\*bold\\*" in md
    text = plain(diff_blocks(result))
    assert "\x1b" not in text and "tier upgrade" in text and "osa -> osa_programme" in text


def test_diff_between_git_revisions(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    d = repo / "data"
    d.mkdir(parents=True)
    (d / "entities.yaml").write_text(ENTITIES)
    (d / "relations.yaml").write_text(RELATIONS)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True,
                       capture_output=True)  # fmt: skip

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "one")
    edit.rename("osa", "osa_programme", data=d)
    git("commit", "-qam", "two")
    edit.edit("jp-ph", set=["tier=comprehensive_strategic_partnership"], data=d)
    result = edit.diff(data=d, rev="HEAD~1..HEAD")
    assert result["entities"]["renamed"] == [{"old": "osa", "new": "osa_programme"}]
    working = edit.diff(data=d, rev="HEAD..")
    assert working["highlights"][0]["kind"] == "tier_upgrade"
    with pytest.raises(UsageError, match="revision"):
        edit.diff(data=d, rev="nope..HEAD")


def test_cli_diff_report_json_and_markdown(tmp_path):
    from helpers import invoke

    old, new = changed_copy(tmp_path)
    r = invoke("diff", str(old), str(new))
    assert r.exit_code == 0 and "Highlights" in r.stdout and "osa -> osa_programme" in r.stdout
    r = invoke("diff", str(old), str(new), "--json")
    assert json.loads(r.stdout)["entities"]["renamed"] == [{"old": "osa", "new": "osa_programme"}]
    r = invoke("diff", str(old), str(new), "--markdown")
    assert r.stdout.startswith("### allygraph diff:") and "**Highlights**" in r.stdout
    r = invoke("diff", str(old))
    assert r.exit_code == 2 and "two data directories" in r.stderr


def test_a_relation_without_an_id_that_changes_is_changed_not_replaced(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    (old / "entities.yaml").write_text(ENTITIES)
    (old / "relations.yaml").write_text(
        "relations:\n  - from: japan\n    to: philippines\n    type: cooperates_with\n    status: signed\n"
        "    sources: [https://example.org/z]\n"
    )
    new = tmp_path / "new"
    shutil.copytree(old, new)
    (new / "relations.yaml").write_text((old / "relations.yaml").read_text().replace("signed", "in_force"))
    result = edit.diff(old, new)
    rels = result["relations"]
    assert rels["added"] == [] and rels["removed"] == []
    assert rels["changed"][0]["changes"] == {"status": {"old": "signed", "new": "in_force"}}
    assert rels["changed"][0]["was"] != rels["changed"][0]["id"]
    assert [h["kind"] for h in result["highlights"]] == ["status_change"]

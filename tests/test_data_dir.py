"""Which data directory a command uses (``--data`` > ``$ALLYGRAPH_DATA`` > ``./data`` holding both
files > the bundled copy), the bundled copy being read-only, and ``allygraph init``.

Copies of the bundled data stand in for it (the tests are about the bundled copy: read-only, copied
by init)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from allygraph import load as load_module
from helpers import BUNDLED, invoke, write_data

EDITS = [
    ["add", "entity", "testland", "--name", "Testland", "--type", "state"],
    ["source", "add", "s9", "--title", "T", "--url", "https://example.org/s9"],
    ["link", "japan", "exercises_with", "philippines", "--source", "https://example.org/x"],
    ["edit", "japan", "--set", "description=x"],
    ["rename", "japan", "nippon"],
    ["rm", "japan", "--cascade"],
    ["fmt"],
    ["import", "cow-states", str(BUNDLED.parent / "tests" / "fixtures" / "cow_states2016_excerpt.csv")],
]


@pytest.fixture
def bundled(tmp_path, monkeypatch) -> Path:
    """A copy standing in for the bundled data, so that a command that wrongly writes there
    changes only the copy."""
    copy = tmp_path / "site-packages" / "allygraph" / "data"
    shutil.copytree(BUNDLED, copy, ignore=shutil.ignore_patterns("*.md"))
    monkeypatch.setattr(load_module, "bundled_data_dir", lambda: copy)
    return copy


def snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


def small(d: Path, name: str) -> Path:
    """A data directory whose one entity is called ``name``."""
    return write_data(d, f"entities:\n  - id: {name}\n    name: {name.title()}\n    type: state\n", "relations: []\n")


@pytest.mark.parametrize("args", EDITS, ids=lambda a: " ".join(a[:2]))
def test_editing_commands_refuse_the_bundled_data(tmp_path, bundled, args):
    """Without a data directory of one's own, an editing command changed the copy inside the
    installed package (lost on reinstall); now it refuses in one line, exit 2."""
    work = tmp_path / "work"
    work.mkdir()
    before = snapshot(bundled)
    r = invoke(*args, cwd=work)
    assert r.exit_code == 2, r
    assert r.stderr.count("\n") == 1 and "the bundled data is read-only" in r.stderr and "allygraph init" in r.stderr
    assert snapshot(bundled) == before


def test_an_explicit_data_option_naming_the_installed_copy_is_refused_too(tmp_path, monkeypatch):
    import allygraph

    package = Path(allygraph.__file__).resolve().parent
    if (package / "data").exists():
        pytest.skip("an installed package: its data is not a scratch folder to test with")
    fake = tmp_path / "allygraph"
    shutil.copytree(BUNDLED, fake / "data", ignore=shutil.ignore_patterns("*.md"))
    monkeypatch.setattr(load_module, "__file__", str(fake / "load.py"))
    before = snapshot(fake / "data")
    r = invoke("edit", "japan", "--set", "description=x", "--data", str(fake / "data"))
    assert r.exit_code == 2 and "read-only" in r.stderr and snapshot(fake / "data") == before
    assert invoke("show", "japan", "--json", "--data", str(fake / "data")).exit_code == 0


def test_queries_still_read_the_bundled_data(tmp_path, bundled):
    work = tmp_path / "work"
    work.mkdir()
    r = invoke("show", "japan", "--json", cwd=work)
    assert r.exit_code == 0 and json.loads(r.stdout)["entity"]["id"] == "japan"
    assert invoke("fmt", "--check", cwd=work).exit_code == 0  # writes nothing: allowed
    r = invoke("link", "japan", "exercises_with", "philippines", "--source", "https://example.org/x", "--dry-run",
               cwd=work)  # fmt: skip
    assert r.exit_code == 0 and "Would change" in r.stdout


def test_discovery_order(tmp_path, bundled):
    work = tmp_path / "work"
    small(work / "data", "local")
    env_dir = small(tmp_path / "env", "fromenv")
    opt_dir = small(tmp_path / "opt", "fromopt")

    def ids(*args: str, env: dict | None = None) -> list[str]:
        r = invoke("search", "o", "--json", *args, cwd=work, env=env)
        return [m["id"] for m in json.loads(r.stdout)["matches"]] if r.exit_code == 0 else [r.stderr]

    assert ids("--data", str(opt_dir), env={"ALLYGRAPH_DATA": str(env_dir)}) == ["fromopt"]
    assert ids(env={"ALLYGRAPH_DATA": str(env_dir)}) == ["fromenv"]
    assert ids() == ["local"]
    r = invoke("add", "entity", "other", "--name", "Other", "--type", "state", cwd=work)  # ./data is editable
    assert r.exit_code == 0 and "data/entities.yaml" in r.stdout
    (work / "data" / "relations.yaml").unlink()  # ./data without both files is not a data directory
    before = snapshot(bundled)
    assert "japan" in ids()
    assert invoke("add", "entity", "x2", "--name", "X2", "--type", "state", cwd=work).exit_code == 2
    assert snapshot(bundled) == before


def test_init_copies_the_bundled_data_and_says_how_to_use_it(tmp_path, bundled):
    work = tmp_path / "work"
    work.mkdir()
    r = invoke("init", cwd=work)
    made = work / "allygraph-data"
    assert r.exit_code == 0, r
    assert snapshot(made) == {n: (bundled / n).read_bytes() for n in ("entities.yaml", "relations.yaml")}
    assert f"export ALLYGRAPH_DATA={made}" in r.stdout and str(made) in r.stdout.splitlines()[0]
    # editing works on the copy, and the bundled data stays as it was
    before = snapshot(bundled)
    r = invoke("add", "entity", "testland", "--name", "Testland", "--type", "state", cwd=work,
               env={"ALLYGRAPH_DATA": str(made)})  # fmt: skip
    assert r.exit_code == 0 and b"testland" in (made / "entities.yaml").read_bytes()
    assert snapshot(bundled) == before


def test_init_never_overwrites(tmp_path, bundled):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "relations.yaml").write_text("relations: []\n")
    r = invoke("init", str(target), "--json")
    assert r.exit_code == 2 and "never overwrites" in json.loads(r.stdout)["error"]["message"]
    assert snapshot(target) == {"relations.yaml": b"relations: []\n"}
    (tmp_path / "afile").write_text("x")
    assert invoke("init", str(tmp_path / "afile")).exit_code == 2


def test_init_json_and_a_new_nested_directory(tmp_path, bundled):
    target = tmp_path / "a" / "b"
    r = invoke("init", str(target), "--json")
    out = json.loads(r.stdout)
    assert r.exit_code == 0 and out["directory"] == str(target)
    assert out["files"] == [str(target / "entities.yaml"), str(target / "relations.yaml")]
    assert out["env"] == f"ALLYGRAPH_DATA={target}"

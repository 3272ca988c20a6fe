"""Issue 17, the write path: what an attacker (or an accident) could still get written.

A planted commit journal, revisions that git would read as options, outputs that follow a
symlink onto the data files or into their real folder, and the write-side crashes (a data
directory that is not writable, a full disk). Each test here failed on the code before the fix."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import SMALL_ENTITIES, SMALL_RELATIONS, invoke, write_data

JOURNAL = ".allygraph-commit.json"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def data(tmp_path) -> Path:
    return write_data(tmp_path / "data", SMALL_ENTITIES, SMALL_RELATIONS)


# --- 1. the commit journal is never trusted ----------------------------------------------------


def _plant(data: Path, pairs: list[list[str]]) -> None:
    (data / JOURNAL).write_text(json.dumps({"version": 1, "files": pairs}))


def _victim(tmp_path: Path) -> tuple[Path, Path]:
    """A victim's file and an attacker's file beside it, named as allygraph names its temporaries."""
    home = tmp_path / "victim"
    home.mkdir()
    victim = home / "notes.txt"
    victim.write_text("the victim's own notes\n")
    evil = home / ".notes.txt.allygraph-abc123.tmp"
    evil.write_text("attacker's content\n")
    return victim, evil


@pytest.mark.parametrize("command", [["check"], ["path", "Japan", "Philippines"]])
def test_a_planted_journal_naming_an_absolute_path_is_not_obeyed(data, tmp_path, command):
    victim, evil = _victim(tmp_path)
    _plant(data, [[str(evil), str(victim)]])
    before = snapshot(data)
    result = invoke(*command, "--data", str(data))
    assert victim.read_text() == "the victim's own notes\n" and evil.exists()
    assert result.exit_code == 2 and JOURNAL in result.stderr and "Traceback" not in result.stderr
    assert snapshot(data) == before  # the journal is reported, left for the user to look at


def test_a_planted_journal_naming_paths_relative_to_the_working_directory_is_not_obeyed(data, tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "entities.yaml").write_text("the victim's entities\n")
    (cwd / ".entities.yaml.allygraph-abc123.tmp").write_text("attacker's\n")
    _plant(data, [[".entities.yaml.allygraph-abc123.tmp", "entities.yaml"]])
    result = invoke("check", "--data", str(data), cwd=cwd)
    assert (cwd / "entities.yaml").read_text() == "the victim's entities\n"
    assert result.exit_code == 2 and JOURNAL in result.stderr


def test_a_journal_naming_a_data_file_of_this_directory_with_a_foreign_temporary_is_not_obeyed(data, tmp_path):
    """Right target, but a temporary elsewhere, a symlink, or not named as allygraph names them."""
    before = (data / "entities.yaml").read_bytes()
    outside = tmp_path / ".entities.yaml.allygraph-abc123.tmp"
    outside.write_text("entities: []\n")
    link = data / ".entities.yaml.allygraph-link01.tmp"
    link.symlink_to(outside)
    odd = data / "entities.yaml.new"
    odd.write_text("entities: []\n")
    for tmp in (outside, link, odd, data / ".." / "data" / ".entities.yaml.allygraph-x.tmp/../entities.yaml.new"):
        _plant(data, [[str(tmp), str(data / "entities.yaml")]])
        result = invoke("check", "--data", str(data))
        assert result.exit_code == 2 and JOURNAL in result.stderr, (tmp, result.stderr)
        assert (data / "entities.yaml").read_bytes() == before and outside.exists()


def test_a_journal_that_is_a_symlink_or_not_a_file_is_not_read(data, tmp_path):
    victim, evil = _victim(tmp_path)
    body = tmp_path / "journal.json"
    body.write_text(json.dumps({"version": 1, "files": [[str(evil), str(victim)]]}))
    (data / JOURNAL).symlink_to(body)
    result = invoke("check", "--data", str(data))
    assert result.exit_code == 2 and "symlink" in result.stderr
    assert victim.read_text() == "the victim's own notes\n"
    (data / JOURNAL).unlink()
    (data / JOURNAL).mkdir()
    result = invoke("check", "--data", str(data))
    assert result.exit_code == 2 and JOURNAL in result.stderr and "Traceback" not in result.stderr


def test_a_planted_journal_symlink_is_replaced_not_written_through_by_the_next_edit(data, tmp_path):
    """The journal is written by a rename onto its name: a link planted there is replaced, and
    the file it pointed at is untouched."""
    victim, _ = _victim(tmp_path)
    from allygraph.fsutil import commit_data, lock_data

    with lock_data(data):
        (data / JOURNAL).symlink_to(victim)  # planted after the roll-forward, before the commit
        commit_data(data, {"entities.yaml": (data / "entities.yaml").read_bytes() + b"\n"})
    assert victim.read_text() == "the victim's own notes\n"
    assert not os.path.lexists(data / JOURNAL)


def test_a_genuine_journal_is_still_rolled_forward(data):
    """What allygraph itself writes (a crash after the commit point) is finished on the next read."""
    from allygraph import fsutil

    new = (data / "entities.yaml").read_text().replace("name: Japan", "name: Nippon")
    stage = fsutil._Stage()
    with stage.open(data / "entities.yaml", binary=True) as fh:
        fh.write(new.encode())
    tmp = stage.items[0][0]
    _plant(data, [[str(tmp), str(data / "entities.yaml")]])
    result = invoke("show", "Nippon", "--data", str(data))
    assert result.exit_code == 0, result.stderr
    assert not os.path.lexists(data / JOURNAL) and not tmp.exists()


def test_a_genuine_journal_through_a_symlinked_data_file_is_rolled_forward(data, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    shutil.move(data / "entities.yaml", real / "entities.yaml")
    (data / "entities.yaml").symlink_to(real / "entities.yaml")
    from allygraph import fsutil

    stage = fsutil._Stage()
    with stage.open(data / "entities.yaml", binary=True) as fh:
        fh.write((real / "entities.yaml").read_bytes().replace(b"name: Japan", b"name: Nippon"))
    tmp, target = stage.items[0]
    assert tmp.parent == real
    _plant(data, [[str(tmp), str(target)]])
    assert invoke("show", "Nippon", "--data", str(data)).exit_code == 0
    assert (data / "entities.yaml").is_symlink() and "Nippon" in (real / "entities.yaml").read_text()


_PLACES = st.sampled_from(["{data}/", "{victim}/", "{data}/../victim/", "", "../", "{data}/sub/../", "/"])
_TARGETS = st.sampled_from(["entities.yaml", "relations.yaml", "notes.txt", "", ".."])
_PAIRS = st.builds(
    lambda a, b, target, tmp: [a + (f".{target}.allygraph-abc123.tmp" if tmp is None else tmp), b + target],
    _PLACES, _PLACES, _TARGETS, st.none() | st.text(max_size=8),
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(_PAIRS, max_size=3))
def test_no_journal_renames_anything_outside_the_data_files(tmp_path_factory, pairs):
    """Whatever a journal names, recovery touches nothing but this directory's two data files."""
    from allygraph.errors import UsageError
    from allygraph.fsutil import recover

    base = tmp_path_factory.mktemp("journal")
    data = write_data(base / "data", SMALL_ENTITIES, SMALL_RELATIONS)
    victim, _ = _victim(base)
    for folder in (data, base):
        (folder / ".notes.txt.allygraph-abc123.tmp").write_text("attacker's\n")
    (base / "notes.txt").write_text("cwd's notes\n")
    filled = [
        [p.replace("{data}", str(data)).replace("{victim}", str(base / "victim")) for p in pair] for pair in pairs
    ]
    _plant(data, filled)
    outside = {p: p.read_bytes() for p in base.rglob("*") if p.is_file() and data not in p.parents}
    with contextlib.chdir(base):
        try:
            recover(data)
        except UsageError:
            assert (data / JOURNAL).exists()  # reported, left for the user
    assert {p: p.read_bytes() for p in outside} == outside
    assert sorted(p.name for p in base.iterdir()) == [".notes.txt.allygraph-abc123.tmp", "data", "notes.txt", "victim"]


# --- 2. diff --rev never hands git an option ----------------------------------------------------


def _repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    d = write_data(repo / "data", SMALL_ENTITIES, SMALL_RELATIONS)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True,
                       capture_output=True, env=env)  # fmt: skip

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "one")
    return d


@pytest.mark.parametrize("rev", ["--output={out}..HEAD", "HEAD..--output={out}", "-p..HEAD", "HEAD..-o{out}"])
def test_diff_rev_refuses_an_option_and_git_writes_nothing(tmp_path, rev):
    d = _repo(tmp_path)
    out = tmp_path / "w"
    trap = tmp_path / "w:data"  # git would write {out}:data/entities.yaml (the revision, then the file's path)
    trap.mkdir()
    result = invoke("diff", "--data", str(d), "--rev", rev.format(out=out))
    assert result.exit_code == 2 and "--rev" in result.stderr, result.stderr
    assert list(trap.iterdir()) == [] and not out.exists()
    assert "Traceback" not in result.stderr


def test_diff_rev_still_reads_real_revisions_and_names_a_bad_one(tmp_path):
    d = _repo(tmp_path)
    (d / "entities.yaml").write_text((d / "entities.yaml").read_text().replace("name: Japan", "name: Nippon"))
    result = invoke("diff", "--data", str(d), "--rev", "HEAD..", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["entities"]["changed"][0]["id"] == "japan"
    result = invoke("diff", "--data", str(d), "--rev", "nope..HEAD")
    assert result.exit_code == 2 and "nope" in result.stderr and "revision" in result.stderr


# --- 3. outputs never land on the data files, wherever they really are ----------------------


def _linked_data(tmp_path: Path) -> tuple[Path, Path]:
    """A data directory whose two files are symlinks into another folder (their real home)."""
    d = write_data(tmp_path / "data", SMALL_ENTITIES, SMALL_RELATIONS)
    real = tmp_path / "shared"
    real.mkdir()
    for name in ("entities.yaml", "relations.yaml"):
        shutil.move(d / name, real / name)
        (d / name).symlink_to(real / name)
    return d, real


def test_viz_and_tiers_plot_never_follow_a_link_onto_a_data_file(data, tmp_path):
    before = snapshot(data)
    for i, name in enumerate(("entities.yaml", "relations.yaml")):
        link = tmp_path / f"map{i}.svg"
        link.symlink_to(data / name)
        for args in (["viz", "Japan", "-o", str(link)], ["tiers", "Japan", "--plot", str(link)]):
            result = invoke(*args, "--data", str(data))
            assert result.exit_code == 2 and "refusing" in result.stderr, (args, result.stderr)
            assert snapshot(data) == before


def test_viz_and_tiers_plot_never_write_into_the_data_directory(data):
    before = snapshot(data)
    for args in (["viz", "Japan", "-o", str(data / "map.html")], ["tiers", "Japan", "--plot", str(data / "t.svg")]):
        result = invoke(*args, "--data", str(data))
        assert result.exit_code == 2 and "data directory" in result.stderr, result.stderr
    assert snapshot(data) == before


def test_outputs_refuse_the_real_folder_of_symlinked_data_files(tmp_path):
    d, real = _linked_data(tmp_path)
    before = snapshot(real)
    src = tmp_path / "cow.csv"
    shutil.copy(Path(__file__).parent / "fixtures" / "cow_states2016_excerpt.csv", src)
    attempts = [
        ["export", "json", "-o", str(real / "entities.yaml")],
        ["export", "graphml", "-o", str(real / "g.graphml")],
        ["export", "neo4j", "-o", str(real / "neo")],
        ["viz", "Japan", "-o", str(real / "relations.svg")],
        ["import", "cow-states", str(src), "--dry-run", "--rejects", str(real / "relations.yaml")],
        ["import", "cow-states", str(src), "--dry-run", "--rejects", str(real / "rejects.csv")],
    ]
    for args in attempts:
        result = invoke(*args, "--data", str(d))
        assert result.exit_code == 2 and "refusing" in result.stderr, (args, result.stderr)
        assert snapshot(real) == before, args
    assert (d / "entities.yaml").is_symlink() and invoke("check", "--data", str(d)).exit_code == 0


def test_the_library_write_path_refuses_any_data_file_read_in_this_process(data, tmp_path):
    """Even a writer that passes no ``protect``: once a directory has been read, its two data
    files (through any link) are written only by the data commit."""
    from allygraph.fsutil import WriteRefused, atomic_write_text
    from allygraph.load import load

    load(data, use_cache=False)
    link = tmp_path / "out.txt"
    link.symlink_to(data / "relations.yaml")
    before = snapshot(data)
    for target in (data / "entities.yaml", link):
        with pytest.raises(WriteRefused, match="data file"):
            atomic_write_text(target, "overwritten\n")
    assert snapshot(data) == before


# --- 4. write-side failures: clean errors, the right exit codes -----------------------------


def _as_nobody(args: list[str]) -> tuple[int, str]:
    from test_safety_writes import _as_nobody as run_as_nobody

    return run_as_nobody(args)


def test_a_data_directory_that_is_not_writable_gives_a_clean_error(tmp_path):
    """Its files are writable, the folder is not (a temporary file cannot be made beside them)."""
    if os.geteuid() == 0:
        shared = Path(tempfile.mkdtemp(prefix="allygraph-ro-"))
        try:
            shared.chmod(0o755)
            d = write_data(shared / "data", SMALL_ENTITIES, SMALL_RELATIONS)
            d.chmod(0o755)  # root's folder: nobody may not add files to it
            for p in d.iterdir():
                p.chmod(0o666)  # but may write the files themselves
            before = snapshot(d)
            for args in (
                ["add", "entity", "korea", "--name", "Korea", "--type", "state"],
                ["edit", "japan", "--set", "name=Nippon"],
            ):
                code, err = _as_nobody([*args, "--data", str(d)])
                assert code == 2 and str(d) in err and "not writable" in err, (args, code, err)
                assert "internal error" not in err and snapshot(d) == before
        finally:
            shutil.rmtree(shared)
    else:  # pragma: no cover - as an ordinary user
        d = write_data(tmp_path / "data", SMALL_ENTITIES, SMALL_RELATIONS)
        d.chmod(0o555)
        try:
            result = invoke("add", "entity", "korea", "--name", "Korea", "--type", "state", "--data", str(d))
            assert result.exit_code == 2 and str(d) in result.stderr and "not writable" in result.stderr
        finally:
            d.chmod(0o755)


def _full(monkeypatch) -> None:
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    return real_fsync


@pytest.mark.parametrize(
    "args",
    [
        ["export", "graphml", "-o", "{out}/g.graphml"],
        ["export", "csv", "-o", "{out}/g.csv"],
        ["export", "neo4j", "-o", "{out}/neo"],
        ["viz", "Japan", "-o", "{out}/map.svg"],
        ["tiers", "Japan", "--plot", "{out}/t.svg"],
    ],
)
def test_a_full_disk_exits_74_naming_the_file(data, tmp_path, monkeypatch, args):
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(out=out) for a in args]
    invoke("check", "--data", str(data))  # warm the cache before the disk fills
    _full(monkeypatch)
    result = invoke(*args, "--data", str(data))
    assert result.exit_code == 74, result.stderr
    assert "No space left" in result.stderr and str(out) in result.stderr
    assert "None" not in result.stderr and "internal error" not in result.stderr
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_a_full_disk_during_an_edit_exits_74_and_changes_nothing(data, monkeypatch):
    before = snapshot(data)
    _full(monkeypatch)
    result = invoke("add", "entity", "korea", "--name", "Korea", "--type", "state", "--data", str(data))
    assert result.exit_code == 74 and "No space left" in result.stderr and "entities.yaml" in result.stderr
    assert snapshot(data) == before


# --- the one write path: nothing outside fsutil opens a file for writing ---------------------

# calls that create, replace or write a file, whatever they are called on
_WRITERS = {
    "write_text", "write_bytes", "savefig", "save", "mkstemp", "mkdtemp", "NamedTemporaryFile",
    "TemporaryDirectory", "SpooledTemporaryFile", "TemporaryFile", "replace", "rename", "renames", "link", "symlink",
    "copy", "copy2", "copyfile", "copytree", "move", "connect",
}  # fmt: skip
_WRITE_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC"}


def _mode_writes(call) -> bool:
    """Does an ``open``-like call ask for a write mode (or a mode that cannot be read here)?
    The mode is the first or second argument (``Path.open``, ``open``) or ``mode=``."""
    import ast
    import re

    modes = [k.value for k in call.keywords if k.arg == "mode"] + call.args[:2]
    for m in modes:
        if isinstance(m, ast.Constant) and isinstance(m.value, str) and re.fullmatch(r"[rwaxbt+U]+", m.value):
            if any(c in m.value for c in "wax+"):
                return True
        elif m is not call.args[0] and not (isinstance(m, ast.Constant) and isinstance(m.value, str)):
            return True  # a mode computed at run time: cannot be shown to read only
    return False


def _write_calls(source: str) -> list[str]:
    """Every call in ``source`` that opens a file for writing, as ``line: call``."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
        owner = ast.unparse(fn.value) if isinstance(fn, ast.Attribute) else ""
        if name == "open" and owner == "os":
            to_null = bool(node.args) and ast.unparse(node.args[0]) == "os.devnull"
            hit = not to_null and any(isinstance(n, ast.Attribute) and n.attr in _WRITE_FLAGS for n in ast.walk(node))
        elif name in ("open", "fdopen"):
            hit = _mode_writes(node)
        elif name == "connect":
            text = ast.unparse(node)
            hit = owner == "sqlite3" and "mode=ro" not in text and "':memory:'" not in text  # no file at all
        elif name in ("replace", "rename", "renames", "link", "symlink"):
            hit = owner == "os"  # str.replace, a record's rename: not the file system
        elif name in ("copy", "copy2", "copyfile", "copytree", "move"):
            hit = owner == "shutil"  # dict.copy and the like
        else:
            hit = name in _WRITERS
        if hit:
            found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_no_module_outside_fsutil_opens_a_file_for_writing():
    """Every write goes through ``fsutil`` (atomic files, the data commit, scratch folders,
    SQLite's files), which checks every target; a new writer elsewhere fails here."""
    from test_structure import MODULES

    offenders = {
        name: calls
        for name, path in MODULES.items()
        if name != "allygraph.fsutil" and (calls := _write_calls(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_writer_finder_finds_writers():
    """The check above can fail: each way of writing a file is found, reading is not."""
    writers = [
        'open(p, "w")', 'open(p, mode="ab")', "open(p, m)", 'p.open("w", encoding="utf-8")', "p.write_text(s)",
        "p.write_bytes(b)", 'os.open(p, os.O_WRONLY | os.O_CREAT)', 'os.fdopen(fd, "wb")', "tempfile.mkstemp()",
        "tempfile.mkdtemp()", "os.replace(a, b)", "os.rename(a, b)", "shutil.copyfile(a, b)", "shutil.move(a, b)",
        "sqlite3.connect(path)", "fig.savefig(p)", "wb.save(p)",
    ]  # fmt: skip
    readers = [
        "open(p)", 'open(p, "rb")', "p.read_text()", "os.open(p, os.O_RDONLY)", "os.open(os.devnull, os.O_WRONLY)",
        's.replace("a", "b")', "d.copy()", 'sqlite3.connect(f"file:{p}?mode=ro", uri=True)',
    ]  # fmt: skip
    assert [w for w in writers if not _write_calls(w)] == []
    assert [r for r in readers if _write_calls(r)] == []


def test_an_edit_through_symlinked_data_files_clears_its_stale_temporaries_there(tmp_path):
    """A crash before the commit point leaves a temporary beside the real file; the next edit
    removes it (only names allygraph makes for that file, and only the user's own)."""
    d, real = _linked_data(tmp_path)
    stale = real / ".entities.yaml.allygraph-dead01.tmp"
    stale.write_text("half an entities file\n")
    other = real / ".notes.txt.allygraph-keep01.tmp"
    other.write_text("not one of ours\n")
    result = invoke("add", "entity", "korea", "--name", "Korea", "--type", "state", "--data", str(d))
    assert result.exit_code == 0, result.stderr
    assert not stale.exists() and other.exists()
    assert "korea" in (real / "entities.yaml").read_text() and (d / "entities.yaml").is_symlink()

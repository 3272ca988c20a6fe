"""Issue 8, writes: nothing a user wrote is lost, and every write goes through one path
(``fsutil``): exports, imports, the two-file commit, the lock, permissions and symlinks."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from allygraph.cli import main
from helpers import SMALL_ENTITIES, SMALL_RELATIONS, write_data

FIX = Path(__file__).parent / "fixtures"
COW = FIX / "cow_states2016_excerpt.csv"
ATOP_M = FIX / "atop4_01m_excerpt.csv"
ATOP_A = FIX / "atop4_01a_excerpt.csv"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the command line in-process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as ended:
        main(list(args))
    out = capsys.readouterr()
    return ended.value.code, out.out, out.err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def data(tmp_path) -> Path:
    return write_data(tmp_path / "data", SMALL_ENTITIES, SMALL_RELATIONS)


# --- exports write only what they own ----------------------------------------------------------


def test_neo4j_export_refuses_a_folder_of_user_files_and_keeps_them(capsys, data, tmp_path):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.md").write_text("months of work\n")
    code, _, err = cli(capsys, "export", "neo4j", "-o", str(mine), "--data", str(data))
    assert code == 2 and "not empty" in err and "Traceback" not in err
    assert (mine / "chapter1.md").read_text() == "months of work\n"
    assert sorted(os.listdir(mine)) == ["chapter1.md"]


def test_neo4j_export_refuses_the_data_directory_and_an_existing_file(capsys, data, tmp_path):
    before = snapshot(data)
    code, _, err = cli(capsys, "export", "neo4j", "-o", str(data), "--data", str(data))
    assert code == 2 and "data directory" in err
    assert snapshot(data) == before
    code, _, err = cli(capsys, "export", "neo4j", "-o", str(data / "sub"), "--data", str(data))
    assert code == 2 and snapshot(data) == before and not (data / "sub").exists()
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me\n")
    code, _, err = cli(capsys, "export", "neo4j", "-o", str(a_file), "--data", str(data))
    assert code == 2 and "is a file" in err and a_file.read_text() == "keep me\n"


def test_neo4j_export_again_into_its_own_folder(capsys, data, tmp_path):
    out = tmp_path / "neo"
    assert cli(capsys, "export", "neo4j", "-o", str(out), "--data", str(data))[0] == 0
    assert cli(capsys, "export", "neo4j", "-o", str(out), "--data", str(data))[0] == 0
    assert {"nodes.csv", "relationships.csv", "import.sh"} <= set(os.listdir(out))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli(capsys, "export", "neo4j", "-o", str(empty), "--data", str(data))[0] == 0
    # a csv export's folder is not a neo4j export's
    csv_dir = tmp_path / "csvdir"
    assert cli(capsys, "export", "csv", "-o", str(csv_dir), "--data", str(data))[0] == 0
    code, _, err = cli(capsys, "export", "neo4j", "-o", str(csv_dir), "--data", str(data))
    assert code == 2 and "not an earlier" in err


def test_single_file_export_never_writes_into_the_data_directory(capsys, data):
    before = snapshot(data)
    for target in (data / "graph.graphml", data / "entities.yaml"):
        code, _, err = cli(capsys, "export", "graphml", "-o", str(target), "--data", str(data))
        assert code == 2 and "data directory" in err, err
    assert snapshot(data) == before


def test_csv_export_refuses_a_folder_of_user_files(capsys, data, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "nodes.csv").write_text("my own table\n")
    code, _, err = cli(capsys, "export", "csv", "-o", str(folder), "--data", str(data))
    assert code == 2 and (folder / "nodes.csv").read_text() == "my own table\n"


def test_csv_pair_is_replaced_together_or_not_at_all(capsys, data, tmp_path, monkeypatch):
    from allygraph import load_graph
    from allygraph.export import csvpair, export

    dest = tmp_path / "g.csv"
    export(load_graph(data, use_cache=False), "csv", dest)
    old = snapshot(tmp_path)
    write_data(data, SMALL_ENTITIES.replace("name: Japan", "name: Nippon-koku"), None)

    def full_disk(self, G, out, cols):
        out.write("Source,Target\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(csvpair.CSVExporter, "write_edges", full_disk)
    with pytest.raises(Exception, match="No space left"):
        export(load_graph(data, use_cache=False), "csv", dest)
    assert (tmp_path / "g.nodes.csv").read_bytes() == old["g.nodes.csv"]  # the new nodes file was not kept
    assert (tmp_path / "g.edges.csv").read_bytes() == old["g.edges.csv"]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


# --- permissions and symlinks ------------------------------------------------------------------


def test_a_read_only_file_is_never_replaced(capsys, data, tmp_path):
    target = tmp_path / "frozen.graphml"
    target.write_text("read-only on purpose\n")
    target.chmod(0o444)
    code, _, err = cli(capsys, "export", "graphml", "-o", str(target), "--data", str(data))
    assert code == 2 and "read-only" in err and str(target) in err
    assert target.read_text() == "read-only on purpose\n"
    (data / "entities.yaml").chmod(0o444)
    before = snapshot(data)
    code, _, err = cli(capsys, "import", "cow-states", str(COW), "--data", str(data))
    assert code == 2 and "entities.yaml" in err and "read-only" in err
    assert snapshot(data) == before


def test_symlinked_data_file_is_written_through_and_stays_a_link(capsys, data, tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    shutil.move(data / "entities.yaml", real / "entities.yaml")
    (data / "entities.yaml").symlink_to(real / "entities.yaml")
    code, _, err = cli(capsys, "import", "cow-states", str(COW), "--data", str(data))
    assert code == 0, err
    assert (data / "entities.yaml").is_symlink()
    assert "canada" in (real / "entities.yaml").read_text()
    assert cli(capsys, "check", "--data", str(data))[0] == 0


def _as_nobody(args: list[str]) -> tuple[int, str]:
    """Run ``main(args)`` in a forked child that has dropped to the user nobody (the
    interpreter itself is not readable by nobody here, so it cannot be started afresh)."""
    import pwd

    nobody = pwd.getpwnam("nobody")
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 70
        try:
            os.close(read_fd)
            sys.stderr = os.fdopen(write_fd, "w")
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            try:
                main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stderr.flush()
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        err = fh.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a command as nobody")
def test_nobody_cannot_replace_a_file_they_could_not_write(capsys, tmp_path):
    shared = Path(tempfile.mkdtemp(prefix="allygraph-shared-"))
    try:
        shared.chmod(0o777)  # anyone may add files, no sticky bit: a rename would replace root's file
        d = write_data(shared / "data", SMALL_ENTITIES, SMALL_RELATIONS)
        for p in (d, *d.iterdir()):
            p.chmod(0o755 if p.is_dir() else 0o644)
        target = shared / "report.graphml"
        target.write_text("root's report\n")
        target.chmod(0o644)
        args = ["export", "graphml", "-o", str(target), "--data", str(d)]
        assert cli(capsys, *args[:3], str(shared / "warm.graphml"), *args[4:])[0] == 0  # import everything first
        code, err = _as_nobody(args)
        assert code == 2 and "read-only" in err, err
        assert target.read_text() == "root's report\n" and target.stat().st_uid == 0
    finally:
        shutil.rmtree(shared)


# --- imports -----------------------------------------------------------------------------------


def test_rejects_file_never_lands_on_data_or_input_even_in_a_dry_run(capsys, data, tmp_path):
    before = snapshot(data)
    src = tmp_path / "cow.csv"
    shutil.copy(COW, src)
    for target in (data / "relations.yaml", data / "rejects.csv", src):
        code, _, err = cli(
            capsys, "import", "cow-states", str(src), "--data", str(data), "--dry-run", "--rejects", str(target)
        )
        assert code == 2 and "refusing" in err, err
        assert snapshot(data) == before and src.read_bytes() == COW.read_bytes()
    code, _, err = cli(capsys, "import", "cow-states", str(src), "--data", str(data), "--dry-run")
    assert code == 0 and snapshot(data) == before


def test_an_import_that_finds_nothing_changes_nothing(capsys, data, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text(COW.read_text().splitlines()[0] + "\n")
    before = snapshot(data)
    code, out, err = cli(capsys, "import", "cow-states", str(empty), "--data", str(data))
    assert code == 0, err
    assert snapshot(data) == before and "unchanged" in out


def test_an_import_where_every_record_is_rejected_exits_non_zero(capsys, data, tmp_path):
    lines = ATOP_M.read_text().splitlines()
    bad = tmp_path / "bad.csv"
    rows = [ln.split(",") for ln in lines[1:]]
    for row in rows:
        row[3] = "8152"  # no such state: every member row is rejected
    bad.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n")
    code, _, err = cli(capsys, "import", "atop", str(bad), "--data", str(data))
    assert code == 2 and "rejected" in err
    code, out, _ = cli(capsys, "import", "atop", str(bad), "--data", str(data), "--json")
    assert code == 2 and '"imported": 0' in out


def test_hand_written_content_below_the_marker_is_never_deleted(capsys, data):
    atop = ["import", "atop", str(ATOP_M), str(ATOP_A), "--data", str(data)]
    assert cli(capsys, *atop)[0] == 0
    rel = data / "relations.yaml"
    assert "allygraph import" in rel.read_text()
    hand = "  - from: japan\n    to: united_states\n    type: alliance\n    note: typed by hand\n"
    tiers = "tiers:\n  - id: alliance\n    name: Treaty alliance\n"
    rel.write_text(rel.read_text() + hand)
    before = snapshot(data)
    code, _, err = cli(capsys, *atop)
    assert code == 2 and "relations.yaml" in err and "without an id" in err and "line " in err
    assert snapshot(data) == before
    rel.write_text(rel.read_text().replace(hand, "") + tiers)  # a top-level section after the generated list
    code, _, err = cli(capsys, *atop)
    assert code == 2 and "tiers" in err and rel.read_text().endswith(tiers)


def test_crlf_files_stay_crlf(capsys, data):
    for p in data.iterdir():
        p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    code, _, err = cli(capsys, "import", "cow-states", str(COW), "--data", str(data))
    assert code == 0, err
    for p in data.iterdir():
        raw = p.read_bytes()
        assert b"canada" in raw or p.name == "relations.yaml"
        assert raw.count(b"\n") == raw.count(b"\r\n") > 10, p.name


def test_three_imports_started_together_all_land(data, tmp_path):
    header, *rows = COW.read_text().splitlines()
    parts = []
    for i in range(3):
        part = tmp_path / f"part{i}.csv"
        part.write_text("\n".join([header, *rows[i::3]]) + "\n")
        parts.append(part)
    env = {**os.environ}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "allygraph", "import", "cow-states", str(p), "--data", str(data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for p in parts
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    text = (data / "entities.yaml").read_text()
    names = {row.split(",")[2] for row in rows}
    from allygraph.load import load

    ds = load(data, use_cache=False)
    got = {e["name"] for e in ds.entities.values()} | {a for e in ds.entities.values() for a in e.get("aliases", [])}
    assert names <= got, sorted(names - got)
    assert "cow_code" in text


def test_a_crash_between_the_two_renames_leaves_a_directory_that_loads(capsys, data, monkeypatch):
    from allygraph.importers import cow, run

    real_replace = os.replace

    def crash(src, dst, *a, **k):
        if str(dst).endswith("relations.yaml"):
            raise KeyboardInterrupt("killed between the renames")
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        run(lambda namer: cow.read(COW, namer), data)
    monkeypatch.setattr(os, "replace", real_replace)
    code, out, err = cli(capsys, "check", "--data", str(data))
    assert code == 0, out + err
    assert "cow-states-2016" in (data / "relations.yaml").read_text()  # rolled forward: the new pair
    assert not [p for p in os.listdir(data) if p.startswith(".")]


def test_a_full_disk_names_the_file_and_keeps_the_old_pair(capsys, data, monkeypatch):
    real_fsync = os.fsync
    calls = []

    def full(fd):
        calls.append(fd)
        if len(calls) == 2:  # the second data file does not fit
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    before = snapshot(data)
    monkeypatch.setattr(os, "fsync", full)
    code, _, err = cli(capsys, "import", "cow-states", str(COW), "--data", str(data))
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert code == 74 and "No space left" in err  # a full device: exit 74 (issue 17), naming the file
    assert "None" not in err and "yaml" in err
    assert snapshot(data) == before


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0  # fmt: skip


def test_a_really_full_disk_on_tmpfs(capsys, tmp_path):
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "256k"):
        pytest.skip("cannot mount a small tmpfs here (needs root and mount)")
    try:
        d = write_data(disk / "data", SMALL_ENTITIES, SMALL_RELATIONS)
        filler = disk / "filler"
        with open(filler, "wb") as fh:  # leave about 8 KiB free
            free = shutil.disk_usage(disk).free
            fh.write(b"x" * max(0, free - 8 * 1024))
        before = snapshot(d)
        code, _, err = cli(capsys, "import", "cow-states", str(COW), "--data", str(d))
        assert code == 74 and "No space left" in err and "None" not in err, err
        assert snapshot(d) == before and not [p for p in os.listdir(d) if p.startswith(".")]
        assert cli(capsys, "check", "--data", str(d))[0] == 0
        fd = os.open(filler, os.O_WRONLY | os.O_APPEND)  # now fill it up
        with pytest.raises(OSError):
            while True:
                os.write(fd, b"x" * 512)
        os.close(fd)
        out = disk / "g"
        code, _, err = cli(capsys, "export", "csv", "-o", str(out) + ".csv", "--data", str(d))
        assert code == 74 and "None" not in err and str(out) in err
        assert not [p for p in os.listdir(disk) if p.startswith("g.")]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_cache_clear_removes_only_what_allygraph_made(capsys, data, tmp_path, monkeypatch):
    folder = tmp_path / "cachedir"
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(folder))
    assert cli(capsys, "show", "Japan", "--data", str(data))[0] == 0
    ours = [p for p in folder.iterdir()]
    assert ours
    keep = {"data-results.pickle": b"my analysis", "data-2024.sqlite": b"my database", "notes.txt": b"hi"}
    for name, body in keep.items():
        (folder / name).write_bytes(body)
    code, out, _ = cli(capsys, "cache", "clear")
    assert code == 0 and f"removed {len(ours)}" in out
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == keep
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

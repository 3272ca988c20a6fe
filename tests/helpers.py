"""Helpers the tests share: scratch data directories, `allygraph` run in-process (``invoke``) and
the installed command (``run``, for the entry point, terminals and pipes). Fixtures live in
``conftest.py``; tests import these with ``from helpers import ...``."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data"


def allygraph_exe() -> str:
    """The installed console script (next to this interpreter), as a user would run it."""
    here = Path(sys.executable).parent / "allygraph"
    found = str(here) if here.exists() else shutil.which("allygraph")
    if not found:
        pytest.fail("the allygraph command is not installed: run `pip install -e .[test]`")
    return found


def run(*args: str, env: dict | None = None, cwd: Path | None = None, input: str | None = None):
    """Run the installed allygraph; return the CompletedProcess (text mode)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [allygraph_exe(), *args], capture_output=True, text=True, env=full_env, cwd=cwd, input=input, timeout=120
    )


class Invoked(NamedTuple):
    """What ``invoke`` saw: the exit code and the text written to stdout and stderr."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def returncode(self) -> int:
        """The exit code, named as on ``subprocess.CompletedProcess`` (``run``)."""
        return self.exit_code


def invoke(*args: str, env: dict | None = None, input: str | None = None, cwd: Path | None = None) -> Invoked:
    """Run ``allygraph ARGS`` in-process through ``allygraph.cli.main`` (so its error handling and
    exit codes are the real ones), with stdin, stdout, stderr and ``env`` swapped for the call
    (click's ``CliRunner.isolation``; an ``env`` value of None removes the variable). stdout is
    not a terminal, so the output is the plain, piped one. Use ``run`` only where a real process
    is the point: the installed entry point, a pseudo-terminal, a closed pipe, a full disk."""
    from click.testing import CliRunner

    from allygraph.cli import main

    with (
        contextlib.chdir(cwd) if cwd else contextlib.nullcontext(),
        CliRunner().isolation(input=input, env=env) as (out, err, _),
    ):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    return Invoked(code, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))


def cli_commands(command=None, path: tuple[str, ...] = ()):
    """Every command of the command line, groups too, as (words after ``allygraph``, click
    command), in the order ``--help`` lists them (the root group builds each one as it is asked)."""
    import click
    import typer.main

    if command is None:
        from allygraph.cli import app

        command = typer.main.get_command(app)
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from cli_commands(command.get_command(ctx, name), (*path, name))


def write_data(directory: Path, entities: str | None, relations: str | None) -> Path:
    """Write entities.yaml / relations.yaml (dedented); None leaves a file out."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (("entities.yaml", entities), ("relations.yaml", relations)):
        if text is not None:
            (directory / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return directory


def write_records(directory: Path, entities: list[dict], relations: list[dict], sources: dict | None = None) -> Path:
    """Write entities.yaml / relations.yaml from Python records (YAML written by PyYAML, so any
    string a test builds arrives as it is); ``sources`` becomes the registry."""
    import yaml

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "entities.yaml").write_text(
        yaml.safe_dump({"entities": entities}, allow_unicode=True), encoding="utf-8"
    )
    doc = {"relations": relations} if sources is None else {"sources": sources, "relations": relations}
    (directory / "relations.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return directory


def check_errors(directory: Path) -> list:
    """The errors (not the warnings) ``allygraph check`` reports for ``directory``."""
    from allygraph.load import check

    return [p for p in check(directory) if p.severity == "error"]


def loaded_clean(directory: Path):
    """The dataset in ``directory``, read without the cache, after asserting ``check`` finds nothing."""
    from allygraph.load import check, load

    assert check(directory) == []
    return load(directory, use_cache=False)


def japan_philippines_direct(G) -> tuple[dict, dict, list[dict]]:
    """``path Japan Philippines`` on ``G``, asserted to be one direct path between the two: the
    answer, that path and the relations of its one hop."""
    from allygraph import query

    r = query.path(G, "Japan", "Philippines")
    assert r["from"] == "japan" and r["to"] == "philippines"
    [p] = r["paths"]
    assert p["nodes"] == ["japan", "philippines"]
    return r, p, p["hops"][0]["relations"]


def errors_in(directory: Path, entities: str | None, relations: str | None) -> list:
    """The errors ``allygraph check`` reports for these two files written into ``directory``."""
    return check_errors(write_data(directory, entities, relations))


def entities_yaml(*more: tuple[str, str, str], start: str = "\n") -> str:
    """An entities.yaml text in block style: ``start``, the ``entities:`` line, then the states
    Japan and Philippines and each of ``more`` as (id, name, type), three lines per record.
    Tests that assert line numbers count on exactly this layout (with the default ``start``,
    ``entities:`` is line 2, japan's ``- id:`` line 3, philippines' line 6)."""
    records = [("japan", "Japan", "state"), ("philippines", "Philippines", "state"), *more]
    return start + "entities:\n" + "".join(f"  - id: {i}\n    name: {n}\n    type: {t}\n" for i, n, t in records)


def flow_entities(**by_type: dict[str, str]) -> str:
    """An entities.yaml text in flow style: a blank first line, ``entities:``, then one
    ``- {id: .., name: .., type: ..}`` line per entity, given as ``type={id: name, ...}`` in file order."""
    records = [(i, n, t) for t, names in by_type.items() for i, n in names.items()]
    return "\nentities:\n" + "".join(f"  - {{id: {i}, name: {n}, type: {t}}}\n" for i, n, t in records)


def hostile_records(q: dict, r: dict, note: str, transfer_attributes: dict) -> tuple[list[dict], list[dict]]:
    """The hostile-names fixture the engine and server tests share: states ``q`` and ``r`` (their own
    fields, ``name`` first), a platform and a lone organization; a partnership p1 noted ``note`` and
    an arms transfer t1 via the platform carrying ``transfer_attributes``. Returns (entities, relations)."""
    entities = [
        {"id": "q", "name": q["name"], "type": "state", **q},
        {"id": "r", "name": r["name"], "type": "state", **r},
        {"id": "plat", "name": "Plat`form\\", "type": "platform"},
        {"id": "lone", "name": "Lonely", "type": "organization"},
    ]
    relations = [
        {"id": "p1", "from": "q", "to": "r", "type": "partnership", "tier": "strategic_partnership",
         "since": "2011-09", "sources": ["s1"], "note": note},
        {"id": "t1", "from": "q", "to": "r", "type": "arms_transfer", "via": "plat", "since": "2017",
         "attributes": transfer_attributes, "sources": ["s2", "s1"]},
    ]  # fmt: skip
    return entities, relations


# two states in flow style, for tests that need any two actors and one tie between them
TWO_ACTORS = """
entities:
  - {id: aa, name: Aland, type: state}
  - {id: bb, name: Bland, type: state}
"""

SMALL_ENTITIES = """
entities:
  - id: japan
    name: Japan
    type: state
    aliases: [JPN]
  - id: philippines
    name: Philippines
    type: state
    aliases: [PH]
  - id: united_states
    name: United States
    type: state
    aliases: [US]
  - id: osa
    name: Official Security Assistance
    type: program
    aliases: [OSA]
  - id: tc_90
    name: TC-90
    type: platform
"""

SMALL_RELATIONS = """
sources:
  s1:
    title: A source
    url: https://example.org/s1
relations:
  - id: jp-ph-sp
    from: japan
    to: philippines
    type: partnership
    tier: strategic_partnership
    since: 2011-09
    sources: [s1]
  - id: jp-ph-ssp
    from: japan
    to: philippines
    type: partnership
    tier: strengthened_strategic_partnership
    since: 2015
    sources: [s1]
  - id: us-ph
    from: united_states
    to: philippines
    type: alliance
    since: 1951-08-30
    sources: [s1]
  - id: jp-us
    from: japan
    to: united_states
    type: alliance
    since: 1960
    sources: [s1]
  - id: tc90
    from: japan
    to: philippines
    type: arms_transfer
    via: tc_90
    since: 2017
    sources: [s1]
  - id: osa-ph
    from: japan
    to: philippines
    type: provides
    via: osa
    since: 2023
    attributes: {fiscal_year: 2023}
    sources: [s1]
"""


def run_in_terminal(args: list[str], cols: int = 80, rows: int = 24, env: dict | None = None) -> tuple[str, int]:
    """Run the installed allygraph on a pseudo-terminal of this size: (what it drew, exit code).
    No pager unless ``env`` sets ``ALLYGRAPH_PAGER`` (a pager would wait for keys); an ``env``
    value of None removes the variable."""
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "ALLYGRAPH_PLAIN")}
    full.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows), ALLYGRAPH_PAGER="")
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    pid, fd = pty.fork()
    if pid == 0:  # child
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.execve(allygraph_exe(), [allygraph_exe(), *args], full)
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", "replace"), os.waitstatus_to_exitcode(status)


def free_port_below_32768() -> int:
    import random
    import socket

    for _ in range(200):
        port = random.randint(20000, 32767)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail("no free port below 32768")


# --- a change run both ways on a large directory (issue 20) -----------------------------------------


def large_pair(src: Path, tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """Two copies of ``src`` for a change run both ways (issue 20): ``general`` (small: the general
    path) and ``large`` (its cache compiled, every directory counted large)."""
    from allygraph import cache
    from allygraph.load import open_store

    general, large = tmp_path / "general", tmp_path / "large"
    shutil.copytree(src, general)
    shutil.copytree(src, large)
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)
    open_store(large).close()
    return general, large


def general_and_large(general: Path, large: Path, monkeypatch, fn) -> tuple[dict, dict]:
    """``fn(directory)`` on both of ``large_pair``'s copies (the general path forbidden for the
    large one, whose cache must be updated in place, not rebuilt): (general's result with its paths
    made large's, large's result)."""
    from allygraph import cache
    from allygraph.edit import core

    monkeypatch.setattr(cache, "SQLITE_BYTES", 1 << 40)
    want = fn(general)
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)
    inode = cache._path_for(large.resolve(), "sqlite").stat().st_ino

    def general_path(*args, **kwargs):
        raise AssertionError("the large path fell back to the general path")

    with monkeypatch.context() as m:
        m.setattr(core, "change", general_path)
        got = fn(large)
    if not got.get("dry_run"):
        assert cache._path_for(large.resolve(), "sqlite").stat().st_ino == inode  # updated, not rebuilt
    return renamed_paths(want, general, large), got


def renamed_paths(result: dict, general: Path, large: Path) -> dict:
    out = dict(result)
    out["changed"] = [{**c, "file": c["file"].replace(str(general), str(large))} for c in result["changed"]]
    if "patch" in out:
        out["patch"] = out["patch"].replace(str(general), str(large))
    return out


def same_data_files(general: Path, large: Path) -> None:
    for name in ("entities.yaml", "relations.yaml"):
        assert (large / name).read_bytes() == (general / name).read_bytes(), name

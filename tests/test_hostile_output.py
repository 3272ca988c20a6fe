"""Nothing a data file (or an argument) holds can drive the terminal: control characters, escape
sequences and bidi controls are shown as visible escapes, piped, on a terminal, in errors and in
JSON, and rich never reads markup in data."""

from __future__ import annotations

import json
import os

import pytest

from helpers import run_in_terminal, write_data
from test_terminal import piped

TITLE = "\\x1b]0;pwned\\x07"  # OSC: set the window title (a YAML escape)
CLIP = "\\x1b]52;c;ZXZpbA==\\x07"  # OSC 52: write the clipboard
BAD = ["\x1b", "\x07", "\x00", "\r", "\u202e", "\u2066", "\x9b", "\x9d"]

ENTITIES = f"""
entities:
  - id: evil
    name: "Evil{TITLE}Corp\\u202eX"
    type: organization
    aliases: ["[bold red]markup[/]", "bell\\a\\0nul"]
    description: "clear\\x1b[2Jscreen"
  - id: japan
    name: Japan
    type: state
  - id: twin
    name: "Twin\\r\\x1b[31m"
    type: state
  - id: twin2
    name: "Twin\\r\\x1b[31m"
    type: organization
"""
RELATIONS = f"""
sources:
  s1:
    title: "Title{CLIP}\\x9b31m\\u2066"
    url: https://example.org/s1
relations:
  - id: jp-evil
    from: japan
    to: evil
    type: cooperates_with
    note: "note\\x1b[8m hidden\\r overwritten \\u202e"
    sources: [s1]
"""


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One hostile data directory and one compiled cache for the whole module (fast tests)."""
    base = tmp_path_factory.mktemp("hostile")
    return write_data(base / "data", ENTITIES, RELATIONS), str(base / "cache")


@pytest.fixture
def hostile(shared, monkeypatch):
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", shared[1])
    return shared[0]


def _clean(text: str) -> None:
    for c in BAD:
        assert c not in text, f"raw {c!r} reached the output"


COMMANDS = [["show", "evil"], ["path", "Japan", "evil"], ["neighbors", "Japan"], ["search", "Evil"],
            ["tiers", "Japan"], ["check"]]  # fmt: skip


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_piped_output_shows_controls_as_escapes(hostile, args, capsys):
    proc = piped(capsys, *args, "--data", str(hostile))
    _clean(proc.stdout)
    _clean(proc.stderr)
    assert "Traceback" not in proc.stderr


def test_escapes_are_visible(hostile, capsys):
    out = piped(capsys, "show", "evil", "--data", str(hostile)).stdout
    assert "Evil\\x1b]0;pwned\\x07Corp<U+202E>X" in out
    assert "[bold red]markup[/]" in out and "bell\\x07\\x00nul" in out
    assert "clear\\x1b[2Jscreen" in out
    path = piped(capsys, "path", "Japan", "evil", "--data", str(hostile)).stdout
    assert "note: note\\x1b[8m hidden\\x0d overwritten <U+202E>" in path
    assert "Title\\x1b]52;c;ZXZpbA==\\x07\\x9b31m<U+2066>" in path


@pytest.mark.parametrize("args", [["show", "evil"], ["path", "Japan", "evil"], ["search", "Evil"]], ids=" ".join)
def test_terminal_output_is_safe_and_reads_no_markup(hostile, args):
    drawn, code = run_in_terminal(
        [*args, "--data", str(hostile)], cols=120, env={"ALLYGRAPH_CACHE_DIR": os.environ["ALLYGRAPH_CACHE_DIR"]}
    )
    assert code == 0
    for seq in ("\x1b]0;", "\x1b]52;", "\x1b[2J", "\x1b[8m", "\x07", "\x00", "\r\x1b", "\u202e", "\u2066", "\x9b"):
        assert seq not in drawn, f"{seq!r} reached the terminal"
    if args[0] == "show":
        assert "[bold red]markup[/]" in drawn  # shown as written, not read as markup


def test_errors_on_stderr_are_safe(hostile, capsys):
    unknown = piped(capsys, "show", "nope\x1b]0;x\x07", "--data", str(hostile))
    assert unknown.returncode == 1
    _clean(unknown.stderr)
    ambiguous = piped(capsys, "show", "twin\r\x1b[31m", "--data", str(hostile))
    assert ambiguous.returncode == 2 and "Twin\\x0d\\x1b[31m" in ambiguous.stderr
    _clean(ambiguous.stderr)
    bad_arg = piped(capsys, "tiers", "Japan", "--as-of", "20\x1b[2J15", "--data", str(hostile))
    assert bad_arg.returncode == 2
    _clean(bad_arg.stderr)
    broken = write_data(hostile.parent / "broken", ENTITIES.replace("type: organization\n", "type: \"org\\x1b[5m\"\n", 1), RELATIONS)  # fmt: skip
    for args in (["check"], ["show", "evil"]):
        proc = piped(capsys, *args, "--data", str(broken))
        assert proc.returncode == 2
        _clean(proc.stdout)
        _clean(proc.stderr)


def test_json_is_exact_and_safe(hostile, capsys):
    for args in (["show", "evil", "--json"], ["path", "Japan", "evil", "--json"]):
        proc = piped(capsys, *args, "--data", str(hostile))
        _clean(proc.stdout)
        data = json.loads(proc.stdout)
        ent = data["entity"] if "entity" in data else data["entities"]["evil"]
        assert ent["name"] == "Evil\x1b]0;pwned\x07Corp\u202eX"  # the same string, exactly
    drawn, _ = run_in_terminal(
        ["show", "evil", "--json", "--data", str(hostile)],
        env={"ALLYGRAPH_CACHE_DIR": os.environ["ALLYGRAPH_CACHE_DIR"]},
    )
    for c in ("\u202e", "\x9b", "\x1b]0;"):
        assert c not in drawn


# --- status lines and exports (issue 17): paths and exported data never drive the terminal -----

HOSTILE_NAME = "d\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x9b31m\u202e"  # a directory name a user was sent


def test_import_status_lines_show_a_hostile_path_escaped(tmp_path):
    from helpers import SMALL_ENTITIES, SMALL_RELATIONS, invoke

    data = write_data(tmp_path / HOSTILE_NAME, SMALL_ENTITIES, SMALL_RELATIONS)
    rows = "stateabb,ccode,statenme,styear,stmonth,stday,endyear,endmonth,endday,version\n"
    rows += "JPN,740,Japan,1895,1,1,2016,12,31,2016\nBAD,x\x1b]52;c;eA==\x07,Bad,1,1,1,1,1,1,2016\n"
    (tmp_path / f"{HOSTILE_NAME}.csv").write_text(rows, encoding="utf-8")
    for extra in (["--dry-run"], []):
        proc = invoke("import", "cow-states", str(tmp_path / f"{HOSTILE_NAME}.csv"), "--data", str(data), *extra)
        assert proc.returncode == 0, proc.stderr
        _clean(proc.stdout)
        _clean(proc.stderr)
        assert "d\\x1b]0;pwned\\x07\\x1b]52;c;ZXZpbA==\\x07\\x9b31m<U+202E>" in proc.stdout
        assert "rejected " in proc.stderr and "\\x1b]52;c;eA==\\x07" in proc.stderr  # the reject, escaped


def test_cache_path_and_clear_show_a_hostile_path_escaped(tmp_path, monkeypatch):
    from helpers import invoke

    folder = tmp_path / HOSTILE_NAME
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(folder))
    for args in (["cache", "path"], ["cache", "clear"]):
        proc = invoke(*args)
        assert proc.returncode == 0, proc.stderr
        _clean(proc.stdout)
        assert "\\x1b]52;c;ZXZpbA==\\x07" in proc.stdout
    folder.chmod(0o777)  # refused: "cache off" on stderr names the folder
    proc = invoke("cache", "path")
    assert "cache off" in proc.stderr
    _clean(proc.stderr)


EXPORTS = ["json", "cyjs", "graphml", "gexf", "cypher"]


@pytest.mark.parametrize("fmt", EXPORTS)
def test_export_to_stdout_is_exact_piped_and_escaped_on_a_terminal(hostile, fmt, capsys):
    piped_out = piped(capsys, "export", fmt, "-o", "-", "--data", str(hostile)).stdout
    assert "\u202e" in piped_out and "\u2066" in piped_out  # the consumer gets the bytes as they are
    drawn, code = run_in_terminal(
        ["export", fmt, "-o", "-", "--data", str(hostile)],
        cols=200,
        env={"ALLYGRAPH_CACHE_DIR": os.environ["ALLYGRAPH_CACHE_DIR"]},
    )
    assert code == 0
    shown = drawn[: drawn.rindex("allygraph: wrote")].replace("\r\n", "\n")  # the status line is on stderr
    _clean(shown.replace("\n", ""))
    assert "\x1b" not in shown and "\x9b" not in shown
    if fmt in ("json", "cyjs"):  # escaped the JSON way: the same document
        assert json.loads(shown) == json.loads(piped_out)
    elif fmt in ("graphml", "gexf"):  # escaped the XML way: the same document
        from lxml import etree

        same = etree.tostring(etree.fromstring(shown.encode()), method="c14n")
        assert same == etree.tostring(etree.fromstring(piped_out.encode()), method="c14n")
    else:
        assert "\\u202e" in shown and "\\u2066" in shown

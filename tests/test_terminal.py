"""On a real terminal (a pseudo-terminal of 80 x 24), every command shows everything that piped
output shows, no word is split by a table, and tables fit the window."""

from __future__ import annotations

import re

import pytest

from conftest import REPO, Invoked, invoke, run_in_terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def piped(capsys, *args: str) -> Invoked:
    """Run the command in-process with stdout captured (not a terminal, so plain output)."""
    return invoke(*args)


def text_of(drawn: str) -> str:
    """What a person reads: escape sequences removed, line ends normalised."""
    return ANSI.sub("", drawn).replace("\r\n", "\n")


def _words(text: str) -> set[str]:
    return {w.strip(",:") for w in text.split()}


BROKEN = str(REPO / "tests" / "fixtures" / "broken")


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("terminal-cache"))


@pytest.fixture
def cache(shared_cache, monkeypatch) -> dict:
    """One compiled cache for this module's runs (they all read the same data): fast tests."""
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", shared_cache)
    return {"ALLYGRAPH_CACHE_DIR": shared_cache}


COMMANDS = [
    ["path", "Japan", "Philippines"],
    ["show", "OSA"],
    ["neighbors", "TC-90"],
    ["tiers", "Japan"],
    ["tiers", "Japan", "Philippines"],
    ["search", "coast guard"],
    ["search", "zzzqqqxx"],
    ["check", "--data", BROKEN],
    ["types"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_terminal_shows_what_a_pipe_shows(args, cache, capsys):
    plain = piped(capsys, *args)
    drawn, code = run_in_terminal(args, env=cache)
    seen = text_of(drawn)
    assert code == plain.returncode
    flat, words = " ".join(seen.split()), _words(seen)
    section, first = "", False
    for line in plain.stdout.splitlines():
        header, first = first, False
        if not line.strip():
            continue
        if not line.startswith(" "):  # a headline, a text line, a check problem: all there
            section, first = line, True
            assert " ".join(line.split()) in flat, f"missing on the terminal: {line!r}"
        elif line.strip().startswith("note:"):  # notes may be shortened with an ellipsis
            assert " ".join(line.split()[:8]) in flat, line
        elif section == "Sources":  # titles may be shortened; each source is listed by id
            assert line.split()[0] in words or line.split() == ["id", "title", "url"], line
        else:  # every word of a table row is on the terminal, whole (no word split)
            missing = [w for w in _words(line) if w not in words]
            if header:  # an empty column moved under its rows has no label to show
                missing = [w for w in missing if w not in ("detail", "relation", "note", "matched")]
            assert not missing, f"{missing} of {line!r}"
    too_wide = [x for x in seen.splitlines() if len(x) > 80 and len(x.split()) > 1]
    assert not too_wide, too_wide[:3]


def test_path_fits_an_80_column_terminal_with_notes(cache):
    drawn, code = run_in_terminal(["path", "Japan", "Philippines"], env=cache)
    seen = text_of(drawn)
    assert code == 0
    lines = seen.rstrip("\n").splitlines()
    assert len(lines) < 100, len(lines)  # grows with the bundled Japan-Philippines ties (issue 19: the radar sale)
    assert lines[0] == "Japan → Philippines: 1 hop, 1 shortest path"
    assert "Path 1: Japan — Philippines" in lines
    assert any(x.strip().startswith("note: Five ex-JMSDF TC-90s.") for x in lines)
    assert "2026-05-28" in _words(seen) and "comprehensive_strategic_partnership" in _words(seen)


def test_notes_are_shown_when_piped(cache, capsys):
    out = piped(capsys, "show", "jp_ph_raa").stdout
    assert "note: The article says formal RAA negotiations were launched" in out
    path = piped(capsys, "path", "Japan", "Philippines").stdout
    assert "note: Five ex-JMSDF TC-90s." in path

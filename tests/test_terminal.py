"""On a real terminal (a pseudo-terminal of 80 x 24), every command shows everything that piped
output shows, no word is split by a table, and tables fit the window.

The commands of ``COMMANDS`` read the bundled data as a realistic input and compare the terminal with
the pipe (no fact of the data is asserted); every other test builds its own small data."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import REPO, Invoked, invoke, run_in_terminal

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
            assert line.split()[0] in words or line.split() == ["id", "title", "grade", "url"], line
        else:  # every word of a table row is on the terminal, whole (no word split)
            missing = [w for w in _words(line) if w not in words]
            if header:  # an empty column moved under its rows has no label to show
                missing = [w for w in missing if w not in ("detail", "relation", "note", "matched")]
            assert not missing, f"{missing} of {line!r}"
    too_wide = [x for x in seen.splitlines() if len(x) > 80 and len(x.split()) > 1]
    assert not too_wide, too_wide[:3]


NOTE = "Five ex-JMSDF TC-90s, the first two delivered in March 2017 and the last three in March 2018."


@pytest.fixture
def notes_dir(tmp_path):
    """The small fixture with a note on the transfer and on the first partnership."""
    from helpers import SMALL_ENTITIES, SMALL_RELATIONS, write_data

    rels = SMALL_RELATIONS.replace("    via: tc_90\n", f"    via: tc_90\n    note: {NOTE}\n").replace(
        "    tier: strategic_partnership\n",
        "    tier: strategic_partnership\n    note: The article calls it a step short of an alliance.\n",
    )
    return str(write_data(tmp_path / "d", SMALL_ENTITIES, rels))


def test_path_fits_an_80_column_terminal_with_notes(notes_dir, cache):
    drawn, code = run_in_terminal(["path", "Japan", "Philippines", "--data", notes_dir], env=cache)
    seen = text_of(drawn)
    assert code == 0
    lines = seen.rstrip("\n").splitlines()
    assert not [x for x in lines if len(x) > 80], "wider than the terminal"
    assert lines[0] == "Japan → Philippines: 1 hop, 1 shortest path"
    assert "Path 1: Japan — Philippines" in lines
    assert any(x.strip().startswith("note: Five ex-JMSDF TC-90s,") for x in lines)
    assert "note: The article calls it a step short of an alliance." in [x.strip() for x in lines]
    assert "2011-09" in _words(seen) and "strengthened_strategic_partnership" in _words(seen)


def test_notes_are_shown_when_piped(notes_dir, capsys):
    out = piped(capsys, "show", "TC-90", "--data", notes_dir).stdout
    assert f"note: {NOTE}" in out
    path = piped(capsys, "path", "Japan", "Philippines", "--data", notes_dir).stdout
    assert f"note: {NOTE}" in path and "note: The article calls it a step short of an alliance." in path


# --- wrapping within the window (issue 17): no line wider than the terminal, no word split ----

WRAP_STATES = ["aland", "bothnia", "carinthia", "dalmatia", "estonia_minor", "friesland", "galicia", "holstein"]
WRAP_FRAMEWORKS = {f"framework_with_a_rather_long_identifier_{i}": WRAP_STATES[i : i + 4] for i in range(5)}


def _wrap_data(directory):
    """Eight states, all allied (an emergent cluster whose id is 74 characters of joined ids),
    five overlapping frameworks with long ids, and long source titles, one with a 90-character URL."""
    from itertools import combinations

    from helpers import write_data

    ents = "entities:\n" + "".join(
        f"  - {{id: {s}, name: {s.replace('_', ' ').title()}, type: state}}\n" for s in WRAP_STATES
    )
    ents += "".join(f"  - {{id: {f}, name: Framework {i}, type: framework}}\n" for i, f in enumerate(WRAP_FRAMEWORKS))
    rels = "sources:\n" + "".join(
        f"  s{i}: {{title: 'A long source title about the partnership number {i} between two states, Manila Bulletin', "
        f"url: 'https://example.org/{'x' * (14 * i)}/a', publisher: Manila Bulletin, date: 2026-05-29}}\n"
        for i in range(1, 6)
    )
    rels += "relations:\n"
    for n, (a, b) in enumerate(combinations(WRAP_STATES, 2)):
        cited = "s1, s2, s3, s4, s5" if (a, b) == ("aland", "holstein") else f"s{n % 5 + 1}"
        rels += f"  - {{id: r{n}, from: {a}, to: {b}, type: alliance, since: '2001', sources: [{cited}]}}\n"
    for f, members in WRAP_FRAMEWORKS.items():
        rels += "".join(f"  - {{id: {f}-{m}, from: {m}, to: {f}, type: member_of, since: '2010', sources: [s1]}}\n"
                        for m in members)  # fmt: skip
    return write_data(directory, ents, rels)


@pytest.fixture(scope="module")
def wrap_dir(tmp_path_factory):
    return _wrap_data(tmp_path_factory.mktemp("wrap") / "d")


@pytest.mark.parametrize("cols", [80, 60])
@pytest.mark.parametrize("args", [["clusters", "--as-of", "2020"], ["explain", "aland", "holstein"]], ids=" ".join)
def test_long_lines_wrap_at_word_boundaries_within_the_window(wrap_dir, args, cols, cache):
    plain = invoke(*args, "--data", str(wrap_dir))
    drawn, code = run_in_terminal([*args, "--data", str(wrap_dir)], cols=cols, rows=400, env=cache)
    assert code == plain.returncode == 0
    seen = text_of(drawn)
    # no line wider than the window, but one that is a single unbreakable word (a long URL stays whole)
    too_wide = [x for x in seen.splitlines() if len(x) > cols and len(x.split()) > 1]
    assert not too_wide, too_wide
    for x in seen.splitlines():
        if len(x) > cols:
            assert args[0] == "explain" and re.fullmatch(r"    <https://\S+>", x), x
    # every word of the piped output is on the terminal whole (an id joined with + may break after a +)
    joined = re.sub(r"\+\n\s*", "+", seen)
    missing = _words(plain.stdout) - _words(joined)
    assert not missing, missing


def test_path_names_via_entities_as_show_does(small_dir):
    """``path`` shows a relation's ``via`` (and a relation's far party) by name, as ``show`` does."""
    out = invoke("path", "Japan", "Philippines", "--data", str(small_dir)).stdout
    rows = {line.split()[1]: line for line in out.splitlines() if line.strip().startswith(("→", "↔"))}
    assert "Official Security Assistance" in rows["provides"] and " osa " not in rows["provides"]
    assert "TC-90" in rows["arms_transfer"] and "tc_90" not in rows["arms_transfer"]
    shown = invoke("show", "Japan", "--data", str(small_dir)).stdout
    assert "Official Security Assistance" in shown and "TC-90" in shown
    via = invoke("path", "United States", "TC-90", "--data", str(small_dir)).stdout
    assert "Japan → Philippines  arms_transfer" in via  # the relation's parties by name, too
    data = json.loads(invoke("path", "Japan", "Philippines", "--data", str(small_dir), "--json").stdout)
    assert data["entities"]["osa"]["name"] == "Official Security Assistance"


@settings(max_examples=300, deadline=None)
@given(value=st.text(alphabet="ab+ 世\t-", max_size=60), room=st.integers(min_value=1, max_value=30))
def test_wrap_words_keeps_every_character_and_the_width(value, room):
    from rich.cells import cell_len

    from allygraph.render.terminal import wrap_words

    lines = wrap_words(value, room)
    assert "".join("".join(lines).split()) == "".join(value.split())  # nothing lost, nothing reordered
    for line in lines:  # wider only when it is one piece that cannot be broken
        assert cell_len(line) <= room or (len(line.split()) == 1 and "+" not in line.strip()[:-1])
    if "+" not in value:
        assert [w for line in lines for w in line.split()] == value.split()  # no word split

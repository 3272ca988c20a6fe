"""What a first-time user expects of a command line: shell completion, help with an example for
every command and every argument described, and long output on a terminal through a pager (as
git does), never when piped."""

from __future__ import annotations

import os
import re

import click
import pytest

from helpers import cli_commands, invoke, run_in_terminal, write_data

# every command a user can run, as (words after ``allygraph``, click command)
COMMANDS = [(path, command) for path, command in cli_commands() if not isinstance(command, click.Group)]


def _flat(text: str) -> str:
    """Help as running text: rich's box borders gone, whitespace collapsed."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_the_walk_finds_every_command():
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"path", "show", "export", "cache path", "import sipri", "add entity", "source add", "viz"} <= names


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_an_example_and_described_arguments(path, command):
    from typer.utils import get_params_from_function

    proc = invoke(*path, "--help")
    assert proc.returncode == 0, proc.stderr
    examples = [line for line in proc.stdout.splitlines() if line.strip().startswith("Example: allygraph ")]
    assert examples, f"allygraph {' '.join(path)} --help shows no Example: line"
    declared = get_params_from_function(command.callback)
    shown = _flat(proc.stdout)
    for param in command.params:
        if isinstance(param, click.Argument):
            text = getattr(declared[param.name].default, "help", None)
            assert text, f"argument {param.name} of {' '.join(path)} has no help text"
            assert _flat(text) in shown, f"{param.name}'s help is not shown by {' '.join(path)} --help"


def test_root_help_mentions_completion_and_the_pager():
    shown = _flat(invoke("--help").stdout)
    for words in ("--install-completion", "--show-completion", "--no-pager", "Example: allygraph"):
        assert words in shown


def test_shell_completion_scripts_and_the_completion_protocol():
    script = invoke("--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert script.returncode == 0, script.stderr
    assert "_allygraph_completion" in script.stdout and "complete " in script.stdout
    assert "_ALLYGRAPH_COMPLETE=complete_bash" in script.stdout
    for shell in ("zsh", "fish"):
        other = invoke("--show-completion", shell, env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
        assert other.returncode == 0 and "allygraph" in other.stdout
    words = invoke(env={"_ALLYGRAPH_COMPLETE": "complete_bash", "COMP_WORDS": "allygraph pa", "COMP_CWORD": "1"})
    assert words.stdout.split() == ["path"]
    options = invoke(
        env={"_ALLYGRAPH_COMPLETE": "complete_bash", "COMP_WORDS": "allygraph path Japan --ty", "COMP_CWORD": "3"}
    )
    assert "--type" in options.stdout.split()


# --- the pager ----------------------------------------------------------------------------------

MANY = "".join(f"  - {{id: r{i}, from: aa, to: b{i}, type: cooperates_with, since: '20{i:02d}', sources: [s1]}}\n"
               for i in range(30))  # fmt: skip


@pytest.fixture(scope="module")
def tall(tmp_path_factory):
    """A data directory whose ``show aa`` is some 40 lines, a recording pager, a shared cache."""
    base = tmp_path_factory.mktemp("pager")
    ents = "entities:\n  - {id: aa, name: Aland, type: state}\n"
    ents += "".join(f"  - {{id: b{i}, name: Bland {i}, type: state}}\n" for i in range(30))
    data = write_data(
        base / "d", ents, "sources:\n  s1: {title: S, url: 'https://example.org/s1'}\nrelations:\n" + MANY
    )
    script = base / "pager.sh"
    script.write_text('#!/bin/sh\necho "used LESS=$LESS" >> "$PAGER_LOG"\ncat >> "$PAGER_LOG"\n')
    script.chmod(0o755)
    return data, script, base


def _run(tall, args, rows=10, **env):
    """``args`` on a pseudo-terminal with the recording pager as $PAGER; (drawn, code, log)."""
    data, script, base = tall
    log = base / f"log-{len(os.listdir(base))}"
    full = {"PAGER": str(script), "PAGER_LOG": str(log), "ALLYGRAPH_PAGER": None, "LESS": None,
            "ALLYGRAPH_CACHE_DIR": str(base / "cache")} | env  # fmt: skip
    drawn, code = run_in_terminal([*args, "--data", str(data)], rows=rows, env=full)
    return drawn, code, (log.read_text() if log.exists() else "")


def test_tall_output_on_a_terminal_goes_through_the_pager(tall):
    drawn, code, log = _run(tall, ["show", "aa"])
    assert code == 0
    assert log.startswith("used LESS=FRX\n")  # LESS set for the pager when the user has none
    assert "Bland 29" in log and "Bland 29" not in drawn  # the pager had it, not the terminal
    drawn, code, log = _run(tall, ["show", "aa", "--json"])
    assert code == 0 and '"name": "Bland 29"' in log


@pytest.mark.parametrize(
    "how",
    ["short", "--no-pager", "ALLYGRAPH_PAGER=", "PAGER=cat", "PAGER=missing"],
)
def test_no_pager_when_it_fits_or_is_turned_off(tall, how):
    args, rows, env = ["show", "aa"], 10, {}
    if how == "short":
        rows = 200
    elif how == "--no-pager":
        args = ["--no-pager", *args]
    elif how == "ALLYGRAPH_PAGER=":
        env = {"ALLYGRAPH_PAGER": ""}
    elif how == "PAGER=cat":
        env = {"PAGER": "cat"}
    else:
        env = {"PAGER": "/nonexistent/pager -R"}
    drawn, code, log = _run(tall, args, rows=rows, **env)
    assert code == 0 and log == ""
    assert "Bland 29" in drawn  # written to the terminal as it is


def test_allygraph_pager_wins_over_pager_and_piped_output_is_never_paged(tall):
    data, script, base = tall
    drawn, code, log = _run(tall, ["show", "aa"], PAGER="cat", ALLYGRAPH_PAGER=str(script))
    assert code == 0 and "Bland 29" in log
    piped = invoke("show", "aa", "--data", str(data), env={"PAGER": str(script), "PAGER_LOG": str(base / "piped")})
    assert piped.returncode == 0 and "Bland 29" in piped.stdout and not (base / "piped").exists()


def test_quitting_the_pager_early_ends_quietly(tall):
    data, script, base = tall
    quitter = base / "quit.sh"
    quitter.write_text("#!/bin/sh\nexit 0\n")  # reads nothing, as `q` on the first page
    quitter.chmod(0o755)
    drawn, code, _ = _run(tall, ["show", "aa"], PAGER=str(quitter))
    assert code == 0
    assert "Traceback" not in drawn and "internal error" not in drawn and "Bland 29" not in drawn

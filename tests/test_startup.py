"""Startup: only the command that runs is imported and built (``cli.app.COMMANDS``, the lazy root
group), and a query the cache answers imports nothing it does not need."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import click
import typer
import typer.main

from helpers import invoke


def _declared() -> dict[str, click.Command]:
    """The commands the cli modules declare, built the eager way: every module-level Typer of
    every ``allygraph.cli`` module (but the root app) added to one Typer, then converted."""
    import allygraph.cli as cli
    from allygraph.cli.app import app

    everything = typer.Typer()
    for module in pkgutil.iter_modules(cli.__path__):
        mod = importlib.import_module(f"allygraph.cli.{module.name}")
        for value in vars(mod).values():
            if isinstance(value, typer.Typer) and value is not app and value not in [i.typer_instance for i in everything.registered_groups]:  # fmt: skip
                everything.add_typer(value)
    group = typer.main.get_command(everything)
    assert isinstance(group, click.Group)
    return group.commands


def _shape(command: click.Command) -> tuple:
    """What a user sees of a command: its help, epilog, options and arguments, subcommands'."""
    subs = command.commands if isinstance(command, click.Group) else {}
    params = [(p.name, tuple(p.opts), getattr(p, "help", None), p.required, p.metavar) for p in command.params]
    return (command.name, command.help, command.epilog, command.short_help, params,
            {name: _shape(sub) for name, sub in subs.items()})  # fmt: skip


def test_the_command_table_and_the_modules_commands_agree():
    """Every name in the table builds the command its module declares (same help, same options),
    and every command a module declares is in the table: the table cannot drift."""
    from allygraph.cli.app import COMMANDS, build

    declared = _declared()
    assert sorted(COMMANDS) == sorted(declared)
    for name in COMMANDS:
        assert _shape(build(name)) == _shape(declared[name]), name


def test_root_help_lists_the_table_in_order_and_a_typo_gets_a_suggestion():
    from allygraph.cli.app import COMMANDS

    shown = invoke("--help").stdout
    firsts = [line.split()[1] for line in shown.splitlines() if line.startswith("│ ") and line[2] != " "]
    firsts = [word for word in firsts if not word.startswith("-")]  # the options' box comes first
    assert firsts == list(COMMANDS)
    typo = invoke("pth", "Japan")
    assert (
        typo.returncode == 2 and typo.stderr.count("Did you mean 'path'?") == 1
    )  # once: click and Typer both offer it
    group = invoke("cache", "pth")  # a subcommand group's typo too
    assert group.returncode == 2 and group.stderr.count("Did you mean 'path'?") == 1


def test_running_one_command_builds_only_that_one(monkeypatch):
    app_module = importlib.import_module("allygraph.cli.app")  # (the package's `app` is the Typer)
    built = []
    real = app_module.build
    monkeypatch.setattr(app_module, "build", lambda name: built.append(name) or real(name))
    assert invoke("cache", "path").returncode == 0
    assert invoke("show", "--help").returncode == 0
    assert built == ["cache", "show"]


QUERY_ONLY = """
import sys
from allygraph.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert exc.code == 0, exc.code
print("MODULES", __import__("json").dumps(sorted(sys.modules)), file=sys.stderr)
"""

# what a query the cache answers must not import (each costs startup time)
NOT_ON_A_CACHED_QUERY = ["pydantic", "allygraph.validate", "yaml", "networkx", "rich", "sqlite3",
                         "allygraph.cli.analysis", "allygraph.cli.edit", "allygraph.cli.export", "allygraph.cli.imports"]  # fmt: skip


def test_a_cached_query_imports_only_what_it_needs(small_dir):
    """``path`` on a warm cache, piped: no validation, no YAML, no networkx, no rich, no other
    command's module (a fresh process: the tests' own imports would hide the answer)."""
    args = [sys.executable, "-c", QUERY_ONLY, "path", "Japan", "Philippines", "--data", str(small_dir)]
    subprocess.run(args, check=True, capture_output=True)  # fills the cache
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Japan" in proc.stdout
    modules = json.loads(proc.stderr.split("MODULES ", 1)[1])
    loaded = [m for m in NOT_ON_A_CACHED_QUERY if m in modules or any(n.startswith(m + ".") for n in modules)]
    assert loaded == []


def test_the_objects_of_startup_are_frozen_and_the_collector_left_as_found():
    """Importing the command line pauses the cyclic collector and freezes what the import made
    (the collector never scans it again, at exit either); a collector the caller had turned off
    stays off."""
    probe = "import gc, sys; {before}import allygraph.cli; print(gc.isenabled(), gc.get_freeze_count() > 10000)"
    on = subprocess.run([sys.executable, "-c", probe.format(before="")], capture_output=True, text=True, check=True)
    assert on.stdout.split() == ["True", "True"]
    off = subprocess.run([sys.executable, "-c", probe.format(before="gc.disable(); ")], capture_output=True, text=True, check=True)  # fmt: skip
    assert off.stdout.split() == ["False", "True"]

"""The options block every command that reads the data ends with (``--min-grade``, ``--data``,
``--json``, ``--no-cache``, ``--server``) is declared once: ``cli.options.reads_data``."""

from __future__ import annotations

import ast
import json
from typing import Annotated

import click
import typer
import typer.main
from typer.testing import CliRunner

from allygraph.cli.options import Reading, reads_data
from helpers import REPO, cli_commands, invoke

BLOCK = ["min_grade", "data", "as_json", "no_cache"]


def test_reads_data_appends_the_block_and_hands_over_one_reading(tmp_path):
    seen: list[tuple] = []
    app = typer.Typer(add_completion=False)

    @app.command()
    @reads_data(server=True)
    def probe(x: Annotated[str, typer.Argument(help="X.")], depth: int = 1, *, reading: Reading) -> None:
        """Probe."""
        seen.append((x, depth, reading))

    command = typer.main.get_command(app)
    assert [p.name for p in command.params] == ["x", "depth", *BLOCK, "server"]
    result = CliRunner().invoke(app, ["a", "--depth", "2", "--json", "--data", str(tmp_path), "--min-grade", "major"])
    assert result.exit_code == 0, result.output
    assert seen == [("a", 2, Reading(data=tmp_path, as_json=True, no_cache=False, min_grade="major", server=None))]


def test_the_block_without_grade_or_server():
    app = typer.Typer(add_completion=False)

    @app.command()
    @reads_data(grade=False)
    def probe(*, reading: Reading) -> None:
        """Probe."""

    assert [p.name for p in typer.main.get_command(app).params] == ["data", "as_json", "no_cache"]


def test_no_command_spells_a_block_out_again():
    """The blocks (``--data``, ``--json``, then ``--no-cache`` or ``--dry-run``) are spelled out in
    no signature of the cli modules: a command takes them from ``@reads_data()`` or ``@edits_data()``."""
    spelled = []
    for path in sorted((REPO / "src" / "allygraph" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                args = " ".join(a.arg for a in node.args.args)
                if "data as_json no_cache" in args or "data as_json dry_run" in args:
                    spelled.append(f"{path.name}:{node.name}")
    assert spelled == []


def test_commands_that_change_the_data_end_with_the_edit_block():
    ends = {
        " ".join(path): [p.name for p in c.params][-3:] for path, c in cli_commands() if not isinstance(c, click.Group)
    }
    for name in ["add entity", "source add", "link", "edit", "rename", "rm", "fmt"]:
        assert ends[name] == ["data", "as_json", "dry_run"], name


def test_the_edit_block_reaches_the_change(small_dir):
    before = (small_dir / "entities.yaml").read_text()
    out = invoke("rename", "japan", "nippon", "--data", str(small_dir), "--json", "--dry-run")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) and (small_dir / "entities.yaml").read_text() == before


def test_commands_that_read_the_data_end_with_the_block():
    ends = {
        " ".join(path): [p.name for p in c.params][-4:] for path, c in cli_commands() if not isinstance(c, click.Group)
    }
    readers = [
        "path",
        "show",
        "neighbors",
        "tiers",
        "timeline",
        "clusters",
        "rank",
        "balance",
        "changes",
        "explain",
        "viz",
    ]
    for name in readers:
        params = [p.name for _, c in cli_commands() if c.name == name for p in c.params]
        assert params[params.index("min_grade") : params.index("min_grade") + 4] == BLOCK, name
    assert ends["search"] == ["limit", "data", "as_json", "no_cache"]
    assert ends["export"] == ["no_roll_up", "data", "as_json", "no_cache"]


def test_the_block_reaches_the_query(small_dir):
    out = invoke(
        "path", "Japan", "Philippines", "--min-grade", "weak", "--data", str(small_dir), "--json", "--no-cache"
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["from"] == "japan"

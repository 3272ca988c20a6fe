"""The Typer app, its command groups, and ``main()``, the entry point."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import analysis, cache, edit, export, imports, query
from .errors import handle

app = typer.Typer(
    name="allygraph",
    help="A knowledge graph of alliance and security relationships. Try: allygraph path Japan Philippines",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"allygraph {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:  # fmt: skip
    """A knowledge graph of alliance and security relationships. Try: allygraph path Japan Philippines"""


# The command groups, in the order `allygraph --help` lists them: one line each.
app.add_typer(query.group)
app.add_typer(export.group)
app.add_typer(cache.group)
app.add_typer(imports.group)
app.add_typer(analysis.group)
app.add_typer(edit.group)
app.add_typer(edit.add_group)
app.add_typer(edit.source_group)


def main(argv: list[str] | None = None) -> None:
    """Run the app on ``argv`` (default: the command line) and exit; every failure becomes a
    one-line message and an exit code (``errors.handle``), never a traceback."""
    command = typer.main.get_command(app)
    try:
        rv = command.main(args=argv, prog_name="allygraph", standalone_mode=False)
        sys.stdout.flush()  # a full disk shows here, not at exit
    except BaseException as exc:  # noqa: BLE001 - handle() sorts them, and raises a plain SystemExit again
        sys.exit(handle(exc))
    sys.exit(rv if isinstance(rv, int) else 0)

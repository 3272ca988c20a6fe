"""The Typer app, its command groups, and ``main()``, the entry point."""

from __future__ import annotations

import sys
from typing import Annotated

import click
import typer

from . import analysis, cache, edit, export, imports, query, server
from .errors import handle

app = typer.Typer(
    name="allygraph",
    help="A knowledge graph of alliance and security relationships. Try: allygraph path Japan Philippines",
    epilog="Example: allygraph show Japan --as-of 2020\n\nExample: allygraph --no-pager show Japan\n\n"
    "Long output on a terminal is paged with $ALLYGRAPH_PAGER, else $PAGER, else less -FRX "
    "(ALLYGRAPH_PAGER= or --no-pager: no pager). Shell completion: allygraph --install-completion.",
    add_completion=True,  # --install-completion / --show-completion, and the _ALLYGRAPH_COMPLETE protocol
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
    no_pager: Annotated[bool, typer.Option("--no-pager", help="Never page long output (same as ALLYGRAPH_PAGER=).")] = False,
) -> None:  # fmt: skip
    """A knowledge graph of alliance and security relationships. Try: allygraph path Japan Philippines"""
    from .. import pager

    pager.enabled = not no_pager


# The command groups, in the order `allygraph --help` lists them: one line each.
app.add_typer(query.group)
app.add_typer(export.group)
app.add_typer(cache.group)
app.add_typer(imports.group)
app.add_typer(analysis.group)
app.add_typer(edit.group)
app.add_typer(edit.add_group)
app.add_typer(edit.source_group)
app.add_typer(server.group)


def main(argv: list[str] | None = None) -> None:
    """Run the app on ``argv`` (default: the command line) and exit; every failure becomes a
    one-line message and an exit code (``errors.handle``), never a traceback."""
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    if not args or any(a in ("-h", "--help") for a in args[: args.index("--") if "--" in args else None]):
        _argument_help(command)
    try:
        rv = command.main(args=argv, prog_name="allygraph", standalone_mode=False)
        sys.stdout.flush()  # a full disk shows here, not at exit
    except BaseException as exc:  # noqa: BLE001 - handle() sorts them, and raises a plain SystemExit again
        sys.exit(handle(exc))
    sys.exit(rv if isinstance(rv, int) else 0)


def _argument_help(command: click.Command) -> None:
    """Give each argument its help text back for ``--help``: with click 8.5, Typer's argument class
    sets ``help`` before click's constructor, which resets it to None, so ``--help`` listed
    arguments undescribed. Read from the declarations (only when help is asked for: it costs
    about 15 ms)."""
    from typer.utils import get_params_from_function

    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _argument_help(sub)
        return
    missing = [p for p in command.params if isinstance(p, click.Argument) and not getattr(p, "help", None)]
    if missing and command.callback is not None:
        declared = get_params_from_function(command.callback)
        for p in missing:
            info = declared.get(p.name)
            p.help = getattr(getattr(info, "default", None), "help", None)

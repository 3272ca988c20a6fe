"""The Typer app, the table of its commands, and ``main()``, the entry point.

Only the command that runs is imported and built: ``COMMANDS`` names each command's module, and
``LazyGroup`` (click's "lazy loading of subcommands" pattern) imports that one module and converts
that one Typer command when click asks for it. ``allygraph --help`` and completion build them all.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup
from typer.models import TyperInfo

from .errors import handle

# Every command, in the order `allygraph --help` lists them: its name -> "module.Typer" in this
# package (a named Typer, e.g. cache.group, is a subcommand group). A new command is one line here
# (tests/test_startup.py checks that this table and the modules' commands agree).
COMMANDS: dict[str, str] = {
    "path": "query.group", "show": "query.group", "neighbors": "query.group", "tiers": "query.group",
    "search": "query.group", "check": "query.group", "types": "query.group",
    "export": "export.group",
    "cache": "cache.group",
    "import": "imports.group",
    "timeline": "analysis.group", "clusters": "analysis.group", "rank": "analysis.group",
    "balance": "analysis.group", "changes": "analysis.group", "explain": "analysis.group", "viz": "analysis.group",
    "link": "edit.group", "edit": "edit.group", "rename": "edit.group", "rm": "edit.group", "fmt": "edit.group",
    "init": "edit.group", "diff": "edit.group",
    "add": "edit.add_group",
    "source": "edit.source_group",
    "push": "server.group",
}  # fmt: skip


# click names close matches of an unknown command itself (8.2+: NoSuchCommand); Typer's own
# "Did you mean" would then say it a second time
TYPER_SUGGESTS = not hasattr(click.exceptions, "NoSuchCommand")


class LazyGroup(TyperGroup):
    """The root group: lists ``COMMANDS`` and builds a command only when it is asked for."""

    help_asked = False  # set by main() for --help: the commands built get their arguments' help back

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, from the table (nothing is imported)."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, built on first use (None for a name not in the table)."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            command = build(cmd_name)
            if self.help_asked:
                _argument_help(command)
            self.commands[cmd_name] = command
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's; an unknown name is reported with suggestions drawn from every command."""
        self.suggest_commands = self.suggest_commands and TYPER_SUGGESTS
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError:
            if len(self.commands) == len(COMMANDS):
                raise
            # an unknown command: the "Did you mean" suggestions need every name, in table order
            built = {name: self.get_command(ctx, name) for name in COMMANDS}
            self.commands = {name: command for name, command in built.items() if command is not None}
            return super().resolve_command(ctx, args)


def build(name: str) -> click.Command:
    """Import the module of command ``name`` (a key of ``COMMANDS``) and convert that one Typer
    command (or subcommand group) to a click command, as ``typer.main.get_command(app)`` would."""
    module, attr = COMMANDS[name].split(".")
    sub: typer.Typer = getattr(importlib.import_module(f".{module}", __package__), attr)
    options: dict[str, Any] = {"pretty_exceptions_short": app.pretty_exceptions_short, "rich_markup_mode": app.rich_markup_mode}  # fmt: skip
    info = TyperInfo(sub)
    if typer.main.solve_typer_info_defaults(info).name:  # a subcommand group, e.g. `cache`
        return typer.main.get_group_from_info(info, suggest_commands=app.suggest_commands and TYPER_SUGGESTS, **options)
    for command in sub.registered_commands:
        if command.callback and (command.name or typer.main.get_command_name(command.callback.__name__)) == name:
            return typer.main.get_command_from_info(command, **options)
    raise LookupError(f"{COMMANDS[name]} has no command {name!r}")


app = typer.Typer(
    name="allygraph",
    help="A knowledge graph of alliance and security relationships. Try: allygraph path Japan Philippines",
    epilog="Example: allygraph show Japan --as-of 2020\n\nExample: allygraph --no-pager show Japan\n\n"
    "Long output on a terminal is paged with $ALLYGRAPH_PAGER, else $PAGER, else less -FRX "
    "(ALLYGRAPH_PAGER= or --no-pager: no pager). Shell completion: allygraph --install-completion.",
    add_completion=True,  # --install-completion / --show-completion, and the _ALLYGRAPH_COMPLETE protocol
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
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


def main(argv: list[str] | None = None) -> None:
    """Run the app on ``argv`` (default: the command line) and exit; every failure becomes a
    one-line message and an exit code (``errors.handle``), never a traceback."""
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    if isinstance(command, LazyGroup):
        command.help_asked = not args or any(
            a in ("-h", "--help") for a in args[: args.index("--") if "--" in args else None]
        )
    try:
        rv = command.main(args=argv, prog_name="allygraph", standalone_mode=False)
        sys.stdout.flush()  # a full disk shows here, not at exit
    except BaseException as exc:  # noqa: BLE001 - handle() sorts them, and raises a plain SystemExit again
        sys.exit(handle(exc))
    sys.exit(rv if isinstance(rv, int) else 0)


def _argument_help(command: click.Command) -> None:
    """Give each argument its help text back for ``--help``: with click 8.5, Typer's argument class
    sets ``help`` before click's constructor, which resets it to None, so ``--help`` listed
    arguments undescribed. Read from the declarations (only when help is asked for: about half
    a millisecond a command)."""
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

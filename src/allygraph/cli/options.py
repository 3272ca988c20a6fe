"""Every option that more than one command takes, declared once with one help text.

A command names them as parameter types (``data: DataOpt = None``), so ``--data`` reads the same
everywhere; an option only one command takes stays in that command's signature. The block every
command that reads the data ends with (``--min-grade``, ``--data``, ``--json``, ``--no-cache``,
``--server``) is declared once too: ``@reads_data()`` appends it to the command's own options and
hands the command one ``Reading``, whose ``store()`` opens what they name; so is the block of the
commands that change a data directory (``--data``, ``--json``, ``--dry-run``: ``@edits_data()``).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NamedTuple, Optional

import typer

MAX_LIMIT = 10_000


def _strip(value: Optional[str]) -> Optional[str]:
    """``--as-of`` without surrounding spaces (``" 2015"`` is 2015); the query checks the date."""
    return value.strip() if value is not None else None


DataOpt = Annotated[Optional[Path], typer.Option("--data", help="Data directory (entities.yaml, relations.yaml). Default: $ALLYGRAPH_DATA, else ./data when it holds both files, else the bundled data (read-only: `allygraph init` makes a copy to edit).", show_default=False)]  # fmt: skip
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document (CONTRACT.md §2) on stdout and nothing else there.")]  # fmt: skip
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Validate the YAML afresh instead of using the compiled cache.")]  # fmt: skip
TypeOpt = Annotated[Optional[list[str]], typer.Option("--type", "-t", help="Only this relation type (repeatable), e.g. --type alliance --type partnership.", metavar="TYPE")]  # fmt: skip
ExcludeOpt = Annotated[Optional[list[str]], typer.Option("--exclude", "-x", help="Never use this relation type (repeatable).", metavar="TYPE")]  # fmt: skip
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", callback=_strip, help="Only relations in force on this date (YYYY, YYYY-MM or YYYY-MM-DD; a year means its last day).", metavar="DATE")]  # fmt: skip
MinGradeOpt = Annotated[Optional[str], typer.Option("--min-grade", help="Only relations resting on a source of this grade or stronger: official, major, specialist, secondary, weak (see allygraph types).", metavar="GRADE")]  # fmt: skip
DepthOpt = Annotated[int, typer.Option("--depth", "-d", help="How many hops out (from X, or from --around).", metavar="N")]  # fmt: skip
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, max=MAX_LIMIT, help=f"At most this many matches (1 to {MAX_LIMIT:,}).", metavar="N")]  # fmt: skip
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would change; change no data file (a --rejects file is still written).")]  # fmt: skip
ChangeDryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show the change as a diff of the files; write nothing.")]  # fmt: skip
RejectsOpt = Annotated[Optional[Path], typer.Option("--rejects", help="Also write the rejected records (file, line, reason) to this CSV file (never one inside the data directory, nor an input file).", metavar="FILE")]  # fmt: skip
ServerOpt = Annotated[Optional[str], typer.Option("--server", help="Ask the graph server that `allygraph push` filled (falkordb://host:port/graph, bolt://host, neo4j+s://host...) instead of the data directory.", metavar="URL", show_default=False)]  # fmt: skip
EntityArg = Annotated[str, typer.Argument(help="An id, name or alias (any case), e.g. Japan or OSA.")]
FileArg = Annotated[Path, typer.Argument(help="The input file.", show_default=False)]


class Reading(NamedTuple):  # (a NamedTuple: made in a tenth of a dataclass's time, at every start)
    """The values of the options block ``@reads_data()`` gives a command (None: not taken)."""

    data: Optional[Path] = None
    as_json: bool = False
    no_cache: bool = False
    min_grade: Optional[str] = None
    server: Optional[str] = None

    def store(self) -> Any:
        """What the command reads: ``common.store`` of these options."""
        from .common import store

        return store(self.data, self.no_cache, self.min_grade, self.server)


class Editing(NamedTuple):
    """The values of the options block ``@edits_data()`` gives a command."""

    data: Optional[Path] = None
    as_json: bool = False
    dry_run: bool = False


# each block, in the order a command's --help lists it: (parameter, annotation, default)
_READ_BLOCK: list[tuple[str, Any, Any]] = [("min_grade", MinGradeOpt, None), ("data", DataOpt, None),
                                           ("as_json", JsonOpt, False), ("no_cache", NoCacheOpt, False),
                                           ("server", ServerOpt, None)]  # fmt: skip
_EDIT_BLOCK: list[tuple[str, Any, Any]] = [("data", DataOpt, None), ("as_json", JsonOpt, False),
                                           ("dry_run", ChangeDryRunOpt, False)]  # fmt: skip
Command = Callable[..., None]


def reads_data(*, grade: bool = True, server: bool = False) -> Callable[[Command], Command]:
    """Give a command the options block after its own options: ``--min-grade`` (unless
    ``grade=False``), ``--data``, ``--json``, ``--no-cache`` and ``--server`` (with ``server=True``).
    The command takes them as one keyword parameter, ``reading: Reading``."""
    block = [b for b in _READ_BLOCK if (grade or b[0] != "min_grade") and (server or b[0] != "server")]
    return functools.partial(_with_block, block=block, param="reading", values=Reading)


def edits_data() -> Callable[[Command], Command]:
    """Give a command that changes a data directory ``--data``, ``--json`` and ``--dry-run`` after
    its own options; the command takes them as one keyword parameter, ``editing: Editing``."""
    return functools.partial(_with_block, block=_EDIT_BLOCK, param="editing", values=Editing)


def _with_block(
    command: Command, *, block: list[tuple[str, Any, Any]], param: str, values: Callable[..., Any]
) -> Command:
    """``command`` as Typer sees it with the ``block`` of options after its own (its keyword
    parameter ``param`` left out); called, it gets the block's values as one ``values(...)``."""
    hints = typing.get_type_hints(command, include_extras=True)
    own = [
        p.replace(annotation=hints[p.name]) for p in inspect.signature(command).parameters.values() if p.name != param
    ]
    added = [
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=a, default=d) for n, a, d in block
    ]
    names = {n for n, _, _ in block}

    @functools.wraps(command)
    def run(**kwargs: Any) -> None:
        command(**{k: v for k, v in kwargs.items() if k not in names},
                **{param: values(**{k: v for k, v in kwargs.items() if k in names})})  # fmt: skip

    run.__signature__ = inspect.Signature([*own, *added])  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in [*own, *added]}
    return run

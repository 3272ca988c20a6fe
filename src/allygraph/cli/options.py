"""Every option that more than one command takes, declared once with one help text.

A command names them as parameter types (``data: DataOpt = None``), so ``--data`` reads the same
everywhere; an option only one command takes stays in that command's signature.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

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
RejectsOpt = Annotated[Optional[Path], typer.Option("--rejects", help="Also write the rejected records (file, line, reason) to this CSV file (never one inside the data directory, nor an input file).", metavar="FILE")]  # fmt: skip
EntityArg = Annotated[str, typer.Argument(help="An id, name or alias (any case), e.g. Japan or OSA.")]
FileArg = Annotated[Path, typer.Argument(help="The input file.", show_default=False)]

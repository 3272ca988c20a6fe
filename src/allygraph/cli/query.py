"""The questions: ``path``, ``show``, ``neighbors``, ``tiers``, ``search``, ``check``, ``types``.

Each parses its arguments, makes one library call (``allygraph.query``, ``load.check``,
``vocab.describe``) and renders the result (``render.query``); nothing else happens here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ExitCode, UsageError, problem_report
from ..render.query import (
    check_blocks,
    neighbors_blocks,
    path_blocks,
    search_blocks,
    show_blocks,
    tier_history_blocks,
    tiers_blocks,
    types_blocks,
)
from .common import respond, store
from .options import AsOfOpt, DataOpt, DepthOpt, EntityArg, ExcludeOpt, JsonOpt, LimitOpt, Reading, TypeOpt, reads_data

group = typer.Typer()


@group.command(
    epilog="Example: allygraph path Japan Philippines\n\nExample: allygraph path TC-90 Philippines --all --type arms_transfer"
)
@reads_data(server=True)
def path(
    a: Annotated[str, typer.Argument(help="From: an id, name or alias (any case).")],
    b: Annotated[str, typer.Argument(help="To: an id, name or alias.")],
    all_paths: Annotated[bool, typer.Option("--all", help="Every shortest path, not just one.")] = False,
    max_hops: Annotated[Optional[int], typer.Option("--max-hops", help="Give up beyond this many hops.", metavar="N")] = None,
    types: TypeOpt = None,
    exclude: ExcludeOpt = None,
    as_of: AsOfOpt = None,
    directed: Annotated[bool, typer.Option("--directed", help="Follow relations only as written (symmetric ones both ways).")] = False,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """How two actors are connected: shortest path(s), every relation on each hop, with dates and sources."""
    from .. import query

    respond(reading.as_json, lambda: query.path(reading.store(), a, b, all_paths=all_paths, max_hops=max_hops,
                                                types=types, exclude=exclude, as_of=as_of, directed=directed),
            path_blocks)  # fmt: skip


@group.command(
    epilog="Example: allygraph show Japan --as-of 2020 --type partnership\n\nExample: allygraph show OSA --json"
)
@reads_data(server=True)
def show(x: EntityArg, as_of: AsOfOpt = None, types: TypeOpt = None, *, reading: Reading) -> None:
    """An entity card: its details, relations grouped by type, what goes through it, conflicting claims."""
    from .. import query

    respond(reading.as_json, lambda: query.show(reading.store(), x, as_of=as_of, types=types), show_blocks)


@group.command(
    epilog="Example: allygraph neighbors TC-90 --depth 2\n\nExample: allygraph neighbors Japan --direction out --type provides"
)
@reads_data(server=True)
def neighbors(
    x: EntityArg,
    depth: DepthOpt = 1,
    types: TypeOpt = None,
    direction: Annotated[str, typer.Option("--direction", help="in, out or both.", metavar="in|out|both")] = "both",
    as_of: AsOfOpt = None,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """Entities within N hops, with the relations that reach them."""
    from .. import query

    respond(reading.as_json, lambda: query.neighbors(reading.store(), x, depth=depth, types=types, direction=direction,
                                                     as_of=as_of), neighbors_blocks)  # fmt: skip


@group.command(
    epilog="Example: allygraph tiers Japan\n\nExample: allygraph tiers Japan Philippines\n\nExample: allygraph tiers Japan --plot japan.svg"
)
@reads_data()
def tiers(
    x: EntityArg,
    y: Annotated[Optional[str], typer.Argument(help="A partner: show the tier between X and Y and its history.")] = None,
    plot: Annotated[Optional[Path], typer.Option("--plot", help="Draw X's partners' rungs over time as a step chart: FILE.svg.", metavar="FILE")] = None,
    as_of: AsOfOpt = None,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """Partners by partnership tier (highest first), or the tier history between two parties."""
    from .. import query

    if plot is not None:
        from ..render.analysis import viz_blocks  # the pictures' blocks: only with --plot
        from ..viz import tiers_plot

        respond(reading.as_json, lambda: tiers_plot(reading.store(), x, plot), viz_blocks)
    elif y is None:
        respond(reading.as_json, lambda: query.tiers(reading.store(), x, as_of=as_of), tiers_blocks)
    else:
        respond(reading.as_json, lambda: _two_parties(query.tier_history(reading.store(), x, y, as_of=as_of), x, y),
                tier_history_blocks)  # fmt: skip


def _two_parties(result: dict, x: str, y: str) -> dict:
    """``tiers X Y`` needs two different parties, like ``path A B``."""
    if result["from"] == result["to"]:
        raise UsageError(f"{x!r} and {y!r} are the same entity ({result['from']})")
    return result


@group.command(epilog="Example: allygraph search 'coast guard'\n\nExample: allygraph search phillipines --limit 3")
@reads_data(grade=False)
def search(
    text: Annotated[str, typer.Argument(help="What to look for (fuzzy: typos are fine).")],
    limit: LimitOpt = 10,
    *,
    reading: Reading,
) -> None:
    """Fuzzy search over ids, names and aliases. Exits 1 when nothing matches."""
    from .. import query

    found = respond(reading.as_json, lambda: query.search(reading.store(), text, limit=limit), search_blocks)
    if not found["matches"]:
        raise typer.Exit(ExitCode.NOTHING)


@group.command(epilog="Example: allygraph check --data ./my-data")
def check(data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Validate a data directory: every error and warning, with file:line:column. Exits 2 on errors."""
    from ..load import check as check_data

    result = respond(as_json, lambda: problem_report(check_data(data)), check_blocks)
    if result["errors"]:
        raise typer.Exit(ExitCode.BAD_INPUT)


@group.command(epilog="Example: allygraph types\n\nExample: allygraph types --json")
def types(as_json: JsonOpt = False, data: DataOpt = None) -> None:
    """The vocabularies: entity types, relation types (built-in and the data's own), statuses, the tier ladder and each state's own."""
    from ..vocab import describe

    respond(as_json, lambda: describe(store(data).registry), types_blocks)

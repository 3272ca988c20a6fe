"""``allygraph import``: read a dataset export, merge it into a data directory, report.

Only argument parsing and output live here; ``allygraph.importers.run`` does the work (and
writes ``--rejects``). The summary (records read: imported and rejected; the records they made:
new, updated, unchanged, kept as edited by hand) goes to stdout, each
reject (file:line: reason) to stderr; with ``--json`` one JSON document on stdout carries both.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import AllygraphError, ExitCode
from ..render.layout import to_json
from ..render.text import safe
from .errors import cannot_write, fail
from .options import DataOpt, DryRunOpt, FileArg, JsonOpt, RejectsOpt

group = typer.Typer(
    name="import",
    help="Import standard datasets (COW state codes, ATOP alliances, SIPRI arms transfers) into a data directory.",
    no_args_is_help=True,
)
SHOW_CHANGES = 40


def _go(read: Callable, inputs: list[Optional[Path]], data: Optional[Path], dry_run: bool, rejects: Optional[Path],
        as_json: bool) -> None:  # fmt: skip
    """Run one import and report it."""
    from ..importers import run

    try:
        summary = run(read, data, dry_run=dry_run, rejects=rejects, inputs=inputs)
    except AllygraphError as exc:
        fail(exc, as_json)
    except OSError as exc:
        cannot_write(exc.filename or rejects or data or "the data directory", exc)
    if as_json:
        to_json(summary.to_json(changes=dry_run))
        _all_rejected(summary, quiet=True)
        return
    for reject in summary.result.rejects:
        print(f"rejected {safe(reject)}", file=sys.stderr)
    j = summary.to_json()
    notable = summary.report.notable  # kept edits and merged transfers first: they need a person
    shown = notable + [c for c in summary.report.changed if c not in notable] if dry_run else notable
    for change in shown[:SHOW_CHANGES]:
        print(safe(str(change)))
    if len(shown) > SHOW_CHANGES:
        print(f"... and {len(shown) - SHOW_CHANGES} more changes (--json lists them all)")
    for line in summary.lines():
        print(safe(line))
    verb = "would change" if dry_run else ("updated" if summary.written else "unchanged:")
    print(f"{verb} {safe(j['data'])}" + (" (dry run: nothing written)" if dry_run else f" in {j['seconds']:.1f}s"))
    _all_rejected(summary)


def _all_rejected(summary: Any, quiet: bool = False) -> None:
    """Exit 2 when the input had records and every one was rejected."""
    r = summary.result
    if r.read and not r.imported:
        if not quiet:
            print(f"allygraph: every one of the {r.read} records was rejected; nothing imported", file=sys.stderr)
        raise typer.Exit(ExitCode.BAD_INPUT)


@group.command("cow-states", epilog="Example: allygraph import cow-states states2016.csv --data ./my-data --dry-run")
def cow_states(file: FileArg, data: DataOpt = None, dry_run: DryRunOpt = False, rejects: RejectsOpt = None, as_json: JsonOpt = False) -> None:  # fmt: skip
    """Correlates of War states (states2016.csv): state entities with COW code, abbreviation and membership dates."""
    from ..importers import cow

    _go(lambda namer: cow.read(file, namer), [file], data, dry_run, rejects, as_json)


@group.command(
    "atop", epilog="Example: allygraph import atop atop5_1m.csv atop5_1a.csv --data ./my-data --rejects rejects.csv"
)
def atop_cmd(
    member_file: Annotated[Path, typer.Argument(help="ATOP member-level file, e.g. atop4_01m.csv.", show_default=False)],
    alliance_file: Annotated[Optional[Path], typer.Argument(help="ATOP alliance-level file, e.g. atop4_01a.csv (dates and obligations of each alliance).", show_default=False)] = None,
    data: DataOpt = None, dry_run: DryRunOpt = False, rejects: RejectsOpt = None, as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """ATOP alliances: an agreement per alliance, party_to per member, alliance between defence-bound members."""
    from ..importers import atop

    _go(lambda namer: atop.read(member_file, alliance_file, namer), [member_file, alliance_file], data, dry_run,
        rejects, as_json)  # fmt: skip


@group.command("sipri", epilog="Example: allygraph import sipri trade-register.csv --data ./my-data")
def sipri_cmd(file: FileArg, data: DataOpt = None, dry_run: DryRunOpt = False, rejects: RejectsOpt = None, as_json: JsonOpt = False) -> None:  # fmt: skip
    """SIPRI trade register (CSV as exported): arms_transfer relations via platform entities."""
    from ..importers import sipri

    _go(lambda namer: sipri.read(file, namer), [file], data, dry_run, rejects, as_json)

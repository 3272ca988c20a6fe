"""The editing commands: ``init``, ``add entity``, ``source add``, ``link``, ``edit``, ``rename``,
``rm``, ``fmt`` and ``diff``. Each parses its arguments, makes one ``allygraph.edit`` call and renders
what changed (``render.edit``: ``changed_blocks``; ``diff``: ``diff_blocks``, or Markdown)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import AllygraphError
from ..render.edit import changed_blocks, diff_blocks, init_blocks
from ..render.layout import to_json
from .common import respond, show
from .errors import fail
from .options import DataOpt, Editing, JsonOpt, edits_data

group = typer.Typer()
add_group = typer.Typer(name="add", help="Add a record to a data directory (see also: allygraph link, allygraph source add).", no_args_is_help=True)  # fmt: skip
source_group = typer.Typer(name="source", help="The source registry of a data directory.", no_args_is_help=True)

SourceOpt = Annotated[list[str], typer.Option("--source", "-s", help="A source id from the registry, or a URL (repeatable).", metavar="SOURCE")]  # fmt: skip
AttrOpt = Annotated[Optional[list[str]], typer.Option("--attr", help="An attribute, key=value (repeatable); numbers and true/false are read as such.", metavar="K=V")]  # fmt: skip


def _change(editing: Editing, call: Callable[..., dict]) -> None:
    """Run one change, ``call(data=..., dry_run=...)`` with the command's ``--data`` and
    ``--dry-run``, and report it; a record still referred to lists the records (``rm``)."""
    from ..edit import InUse

    as_json = editing.as_json
    try:
        result = call(data=editing.data, dry_run=editing.dry_run)
    except InUse as exc:
        if as_json:
            to_json({"error": {"message": str(exc), "kind": "InUse", "refs": exc.refs}})
        fail(exc, False)
    except AllygraphError as exc:
        fail(exc, as_json)
    show(result, as_json, changed_blocks)


@add_group.command(
    "entity", epilog="Example: allygraph add entity brunei --name Brunei --type state --alias BRN --data ./my-data"
)
@edits_data()
def add_entity(
    eid: Annotated[str, typer.Argument(metavar="ID", help="The new id: letters, digits, '_', '-', '.'.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    etype: Annotated[
        str, typer.Option("--type", help="Entity type, e.g. state, organization, agreement.", metavar="TYPE")
    ],  # fmt: skip
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="Another name (repeatable).")] = None,
    description: Annotated[Optional[str], typer.Option("--description", help="One or two sentences.")] = None,
    wikidata: Annotated[Optional[str], typer.Option("--wikidata", help="Wikidata id, e.g. Q17.")] = None,
    attr: AttrOpt = None,
    source: Annotated[
        Optional[list[str]], typer.Option("--source", "-s", help="A source id or URL (repeatable).")
    ] = None,  # fmt: skip
    *,
    editing: Editing,
) -> None:
    """Add an entity, e.g. allygraph add entity brunei --name Brunei --type state --alias BRN."""
    from .. import edit

    _change(editing, lambda **where: edit.add_entity(eid, name, etype, aliases=alias, description=description, wikidata=wikidata,
                                                     attributes=edit.pairs(attr, "--attr"), sources=source, **where))  # fmt: skip


@source_group.command(
    "add",
    epilog="Example: allygraph source add mofa-raa --title 'Signing of the Japan-Philippines RAA' --url https://www.mofa.go.jp/ --date 2024-07-08",
)
@edits_data()
def source_add(
    sid: Annotated[str, typer.Argument(metavar="ID", help="The source's id, cited from relations.")],
    title: Annotated[str, typer.Option("--title", help="The document's title.")],
    url: Annotated[str, typer.Option("--url", help="Where it is.")],
    publisher: Annotated[Optional[str], typer.Option("--publisher", help="Who published it.")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="YYYY, YYYY-MM or YYYY-MM-DD.", metavar="DATE")] = None,
    *,
    editing: Editing,
) -> None:
    """Register a source, e.g. allygraph source add mofa-raa --title "..." --url https://..."""
    from .. import edit

    _change(editing, lambda **where: edit.add_source(sid, title, url, publisher=publisher, date=date, **where))


@group.command(
    epilog="Example: allygraph link Japan exercises_with Philippines --since 2026 --source https://example.org/article\n\nExample: allygraph link Japan partnership Philippines --tier comprehensive_strategic_partnership --since 2026-05-28 --source mb-csp-2026 --dry-run"
)
@edits_data()
def link(
    a: Annotated[str, typer.Argument(help="From: an id, name or alias.")],
    rtype: Annotated[str, typer.Argument(metavar="TYPE", help="Relation type, e.g. partnership, exercises_with.")],
    b: Annotated[str, typer.Argument(help="To: an id, name or alias.")],
    source: SourceOpt,
    tier: Annotated[Optional[str], typer.Option("--tier", help="Tier id (a partnership needs one).")] = None,
    status: Annotated[
        Optional[str],
        typer.Option("--status", help="proposed, negotiating, signed, in_force, active, reported, suspended or ended."),
    ] = None,  # fmt: skip
    since: Annotated[
        Optional[str], typer.Option("--since", help="YYYY, YYYY-MM or YYYY-MM-DD.", metavar="DATE")
    ] = None,  # fmt: skip
    until: Annotated[
        Optional[str], typer.Option("--until", help="YYYY, YYYY-MM or YYYY-MM-DD.", metavar="DATE")
    ] = None,  # fmt: skip
    via: Annotated[
        Optional[str], typer.Option("--via", help="The platform, programme or agreement it goes through.")
    ] = None,  # fmt: skip
    attr: AttrOpt = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note.")] = None,
    rid: Annotated[
        Optional[str], typer.Option("--id", help="The relation's id (default: derived from its content).")
    ] = None,  # fmt: skip
    *,
    editing: Editing,
) -> None:
    """Add a relation, e.g. allygraph link Japan exercises_with Philippines --since 2026 --source https://..."""
    from .. import edit

    _change(editing, lambda **where: edit.link(a, rtype, b, sources=source, tier=tier, status=status, since=since, until=until,
                                               via=via, attributes=edit.pairs(attr, "--attr"), note=note, rid=rid, **where))  # fmt: skip


@group.command("edit", epilog="Example: allygraph edit us-jp-alliance-1951 --set status=ended --set until=1960-06-23\n\nExample: allygraph edit japan --set attributes.iso3=JPN --dry-run")  # fmt: skip
@edits_data()
def edit_cmd(
    ident: Annotated[str, typer.Argument(metavar="ID", help="An entity (id, name or alias), relation or source id.")],
    set_: Annotated[
        Optional[list[str]],
        typer.Option(
            "--set",
            help="field=value (repeatable); a list takes a,b; attributes.KEY=value one attribute.",
            metavar="FIELD=VALUE",
        ),
    ] = None,  # fmt: skip
    unset: Annotated[
        Optional[list[str]],
        typer.Option("--unset", help="Remove a field (repeatable), or attributes.KEY.", metavar="FIELD"),
    ] = None,  # fmt: skip
    *,
    editing: Editing,
) -> None:
    """Change fields of a record, e.g. allygraph edit us-jp-alliance-1951 --set until=1960-06-23."""
    from .. import edit

    _change(editing, lambda **where: edit.edit(ident, set=set_, unset=unset, **where))


@group.command(epilog="Example: allygraph rename tc_90 tc90_king_air --dry-run")
@edits_data()
def rename(
    old: Annotated[str, typer.Argument(help="The id to change (an entity, relation or source).")],
    new: Annotated[str, typer.Argument(help="The new id.")],
    *,
    editing: Editing,
) -> None:
    """Change an id and every reference to it (relations, via, attributes, ladders, source lists)."""
    from .. import edit

    _change(editing, lambda **where: edit.rename(old, new, **where))


@group.command(epilog="Example: allygraph rm example-csp\n\nExample: allygraph rm tc_90 --cascade --dry-run")
@edits_data()
def rm(
    ident: Annotated[str, typer.Argument(metavar="ID", help="An entity, relation or source id.")],
    cascade: Annotated[bool, typer.Option("--cascade", help="Also remove what refers to it (listed).")] = False,
    *,
    editing: Editing,
) -> None:
    """Remove a record; refused while anything refers to it, unless --cascade."""
    from .. import edit

    _change(editing, lambda **where: edit.rm(ident, cascade=cascade, **where))


@group.command(epilog="Example: allygraph fmt --check --data ./my-data")
@edits_data()
def fmt(
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when a file is not in the canonical layout.")
    ] = False,  # fmt: skip
    *,
    editing: Editing,
) -> None:
    """Rewrite both data files in the canonical layout (idempotent; comments kept; no value changes)."""
    from .. import edit

    result: dict = {}

    def call(**where: Any) -> dict:
        result.update(edit.fmt(check=check, **where))
        return result

    _change(editing, call)
    if check and result.get("changed"):
        raise typer.Exit(1)


@group.command(epilog="Example: allygraph init ~/allygraph-data")
def init(
    directory: Annotated[
        Optional[Path],
        typer.Argument(
            help="Where to make it (default: ./allygraph-data); existing data files are never overwritten.",
            show_default=False,
        ),
    ] = None,  # fmt: skip
    as_json: JsonOpt = False,
) -> None:
    """Make a data directory of your own, to edit, from the bundled data (which is read-only).

    Example: allygraph init ~/allygraph-data
    """
    from .. import edit

    respond(as_json, lambda: edit.init(directory), init_blocks)


@group.command(
    epilog="Example: allygraph diff old-data/ data/\n\nExample: allygraph diff --data data --rev HEAD~1.. --markdown"
)
def diff(
    old: Annotated[Optional[Path], typer.Argument(help="The old data directory.", show_default=False)] = None,
    new: Annotated[Optional[Path], typer.Argument(help="The new data directory.", show_default=False)] = None,
    rev: Annotated[
        Optional[str],
        typer.Option(
            "--rev", help="Two git revisions of --data: A..B (B empty: the files as they are).", metavar="A..B"
        ),
    ] = None,  # fmt: skip
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown for a pull-request comment.")] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare two data directories, or two git revisions: allygraph diff OLD NEW | --data DIR --rev A..B."""
    from .. import edit

    if markdown and not as_json:
        try:
            result = edit.diff(old, new, data=data, rev=rev)
        except AllygraphError as exc:
            fail(exc, False)
        sys.stdout.write(edit.markdown(result))
        return
    respond(as_json, lambda: edit.diff(old, new, data=data, rev=rev), diff_blocks)

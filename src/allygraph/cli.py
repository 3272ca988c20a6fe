"""The command line: parse arguments, call the library, render the result. Nothing else.

Exit codes (CONTRACT.md §3, ``problems.ExitCode``): 0 done; 1 nothing to show (unknown entity, no
path, no match); 2 bad input (invalid data, bad arguments, ambiguous name); 74 output could not be
written (a full disk); 70 internal error (a bug). Every message that carries data goes through
``render.safe``.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import render
from .problems import AllygraphError, AmbiguousName, DataError, ExitCode, UnknownEntity, UsageError

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
        from . import __version__

        print(f"allygraph {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:  # fmt: skip
    """A knowledge graph of alliance and security relationships. Try: allygraph path Japan Philippines"""


cache_app = typer.Typer(help="The compiled cache of data directories.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")

DataOpt = Annotated[
    Optional[Path],
    typer.Option("--data", help="Data directory (entities.yaml, relations.yaml). Default: $ALLYGRAPH_DATA, else the bundled data.", show_default=False),
]  # fmt: skip
MAX_LIMIT = 10_000
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document (CONTRACT.md §2) and nothing else.")]


def _as_of(value: Optional[str]) -> Optional[str]:
    """``--as-of`` without surrounding spaces (``" 2015"`` is 2015); checked by the query."""
    return value.strip() if value is not None else None


AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", callback=_as_of, help="Only relations in force on this date (YYYY, YYYY-MM or YYYY-MM-DD; a year means its last day).", metavar="DATE")]  # fmt: skip
TypeOpt = Annotated[Optional[list[str]], typer.Option("--type", "-t", help="Only this relation type (repeatable), e.g. --type alliance --type partnership.", metavar="TYPE")]  # fmt: skip
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Validate the YAML afresh instead of using the compiled cache.")]  # fmt: skip


def _graph(data: Optional[Path], no_cache: bool = False):
    """The networkx graph (for exports)."""
    from . import load_graph

    return load_graph(data, use_cache=not no_cache)


def _store(data: Optional[Path], no_cache: bool = False):
    """What queries read (see ``load.open_store``)."""
    from .load import open_store

    return open_store(data, use_cache=not no_cache)


def _fail(exc: AllygraphError, as_json: bool) -> None:
    """Report a failure on stderr (every data string made safe), and as JSON with ``--json``."""
    if isinstance(exc, DataError):
        for p in exc.problems:
            if p.severity == "error":
                print(str(p), file=sys.stderr)
        print(f"allygraph: {render.safe(exc)} (run `allygraph check` for the full report)", file=sys.stderr)
    else:
        print(f"allygraph: {render.safe(exc)}", file=sys.stderr)
    if as_json:
        err: dict = {"message": str(exc), "kind": type(exc).__name__}
        if isinstance(exc, UnknownEntity):
            err["suggestions"] = exc.suggestions
        if isinstance(exc, AmbiguousName):
            err["choices"] = [{"id": i, "name": n} for i, n in exc.choices]
        if isinstance(exc, DataError):
            err["errors"] = [p.to_json() for p in exc.errors]
        render.to_json({"error": err})
    raise typer.Exit(exc.exit_code)


def _run(as_json: bool, compute: Callable[[], dict], to_blocks: Callable[[dict], list]) -> None:
    try:
        result = compute()
    except AllygraphError as exc:
        _fail(exc, as_json)
    if as_json:
        render.to_json(result)
    else:
        render.emit(to_blocks(result))


@app.command()
def path(
    a: Annotated[str, typer.Argument(help="From: an id, name or alias (any case).")],
    b: Annotated[str, typer.Argument(help="To: an id, name or alias.")],
    all_paths: Annotated[bool, typer.Option("--all", help="Every shortest path, not just one.")] = False,
    max_hops: Annotated[Optional[int], typer.Option("--max-hops", help="Give up beyond this many hops.", metavar="N")] = None,
    types: TypeOpt = None,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", "-x", help="Never use this relation type (repeatable).", metavar="TYPE")] = None,
    as_of: AsOfOpt = None,
    directed: Annotated[bool, typer.Option("--directed", help="Follow relations only as written (symmetric ones both ways).")] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:  # fmt: skip
    """How two actors are connected: shortest path(s), every relation on each hop, with dates and sources."""
    from . import query

    _run(as_json, lambda: query.path(_store(data, no_cache), a, b, all_paths=all_paths, max_hops=max_hops,
                                     types=types, exclude=exclude, as_of=as_of, directed=directed),
         render.path_blocks)  # fmt: skip


@app.command()
def show(
    x: Annotated[str, typer.Argument(help="An id, name or alias, e.g. OSA.")],
    as_of: AsOfOpt = None,
    types: TypeOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """An entity card: its details, relations grouped by type, what goes through it, conflicting claims."""
    from . import query

    _run(as_json, lambda: query.show(_store(data, no_cache), x, as_of=as_of, types=types), render.show_blocks)


@app.command()
def neighbors(
    x: Annotated[str, typer.Argument(help="An id, name or alias.")],
    depth: Annotated[int, typer.Option("--depth", "-d", help="How many hops out.", metavar="N")] = 1,
    types: TypeOpt = None,
    direction: Annotated[str, typer.Option("--direction", help="in, out or both.", metavar="in|out|both")] = "both",
    as_of: AsOfOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:  # fmt: skip
    """Entities within N hops, with the relations that reach them."""
    from . import query

    _run(as_json, lambda: query.neighbors(_store(data, no_cache), x, depth=depth, types=types,
                                          direction=direction, as_of=as_of), render.neighbors_blocks)  # fmt: skip


@app.command()
def tiers(
    x: Annotated[str, typer.Argument(help="An id, name or alias.")],
    y: Annotated[Optional[str], typer.Argument(help="A partner: show the tier between X and Y and its history.")] = None,
    plot: Annotated[Optional[Path], typer.Option("--plot", help="Draw X's partners' rungs over time as a step chart: FILE.svg.", metavar="FILE")] = None,
    as_of: AsOfOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:  # fmt: skip
    """Partners by partnership tier (highest first), or the tier history between two parties."""
    from . import query

    if plot is not None:
        from .viz import tiers_plot

        _run(as_json, lambda: tiers_plot(_store(data, no_cache), x, plot), render.viz_blocks)
    elif y is None:
        _run(as_json, lambda: query.tiers(_store(data, no_cache), x, as_of=as_of), render.tiers_blocks)
    else:
        _run(as_json, lambda: _two_parties(query.tier_history(_store(data, no_cache), x, y, as_of=as_of), x, y),
             render.tier_history_blocks)  # fmt: skip


def _two_parties(result: dict, x: str, y: str) -> dict:
    """``tiers X Y`` needs two different parties, like ``path A B``."""
    if result["from"] == result["to"]:
        raise UsageError(f"{x!r} and {y!r} are the same entity ({result['from']})")
    return result


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What to look for (fuzzy: typos are fine).")],
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", min=1, max=MAX_LIMIT, help=f"At most this many matches (1 to {MAX_LIMIT:,}).", metavar="N"
        ),
    ] = 10,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Fuzzy search over ids, names and aliases. Exits 1 when nothing matches."""
    from . import query

    found: dict = {}

    def compute() -> dict:
        found.update(query.search(_store(data, no_cache), text, limit=limit))
        return found

    _run(as_json, compute, render.search_blocks)
    if not found.get("matches"):
        raise typer.Exit(ExitCode.NOTHING)


@app.command()
def check(data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Validate a data directory: every error and warning, with file:line:column. Exits 2 on errors."""
    from .load import check as run_check

    try:
        problems = run_check(data)
    except AllygraphError as exc:
        _fail(exc, as_json)
    result = {
        "errors": [p.to_json() for p in problems if p.severity == "error"],
        "warnings": [p.to_json() for p in problems if p.severity == "warning"],
    }
    if as_json:
        render.to_json(result)
    else:
        render.emit(render.check_blocks(result))
    if result["errors"]:
        raise typer.Exit(2)


@app.command()
def types(as_json: JsonOpt = False, data: DataOpt = None) -> None:
    """The vocabularies: entity types, relation types (built-in and the data's own), statuses, the tier ladder and each state's own."""
    from .vocab import STATUSES

    def compute() -> dict:
        from .load import open_store

        reg = open_store(data).registry
        return {
            "entity_types": reg.entity_types,
            "relation_types": {k: {"symmetric": v.symmetric, "description": v.description} for k, v in reg.relation_types.items()},
            "statuses": STATUSES,
            "tiers": [{"rank": i + 1, **t} for i, t in enumerate(reg.tiers)],
            "ladders": {sid: {**lad, "rungs": [{"rank": i + 1, **t} for i, t in enumerate(lad["rungs"])]} for sid, lad in reg.ladders.items()},
        }  # fmt: skip

    def blocks(r: dict) -> list:
        B = render.Block
        return [
            B("Entity types", columns=["type", "meaning"], rows=[[k, v] for k, v in r["entity_types"].items()]),
            B("Relation types", columns=["type", "symmetric", "meaning"],
              rows=[[k, "yes" if v["symmetric"] else "", v["description"]] for k, v in r["relation_types"].items()]),
            B("Statuses", columns=["status", "meaning"], rows=[[k, v] for k, v in r["statuses"].items()]),
            B("Tiers, highest first", columns=["rank", "id", "name"], rows=[[str(t["rank"]), t["id"], t["name"]] for t in r["tiers"]]),
        ] + [B(f"Ladder of {sid}, highest first (sources: {', '.join(lad['sources'])})", columns=["rank", "id", "name"],
               rows=[[str(t["rank"]), t["id"], t["name"]] for t in lad["rungs"]]) for sid, lad in r["ladders"].items()]  # fmt: skip

    _run(as_json, compute, blocks)


@cache_app.command("clear")
def cache_clear() -> None:
    """Remove the compiled cache files allygraph made (nothing else in the folder)."""
    from . import cache

    n = cache.clear()
    print(f"removed {n} cache file(s) from {cache.cache_dir()}")


@cache_app.command("path")
def cache_path() -> None:
    """Print where caches are kept (and, on stderr, why the cache is off if that folder is refused)."""
    from . import cache

    print(cache.cache_dir())
    why = cache.refusal()
    if why:
        print(f"allygraph: cache off: {cache.cache_dir()}: {why}", file=sys.stderr)


def _register_subcommands() -> None:
    """Commands that live in their own modules (each imports this one for shared options)."""
    from .cli_analysis import register
    from .cli_export import export_command
    from .cli_import import import_app

    app.command("export")(export_command)
    app.add_typer(import_app, name="import")
    register(app)


_register_subcommands()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning every failure into a one-line message and an exit code."""
    from click.exceptions import ClickException, NoArgsIsHelpError

    command = typer.main.get_command(app)
    try:
        rv = command.main(args=argv, prog_name="allygraph", standalone_mode=False)
        sys.stdout.flush()  # a full disk shows here, not at exit
    except NoArgsIsHelpError:  # bare `allygraph` (or `allygraph cache`): the help is printed
        sys.exit(ExitCode.DONE)
    except SystemExit:
        from click.utils import PacifyFlushWrapper

        if isinstance(sys.stdout, PacifyFlushWrapper):  # click met a closed pipe and exits 1
            _drop_stdout()
            sys.exit(ExitCode.PIPE)
        raise
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        _drop_stdout()
        sys.exit(ExitCode.PIPE)
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            _internal_error(exc)
        _drop_stdout()
        print(f"allygraph: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(ExitCode.OUTPUT)
    except KeyboardInterrupt:
        print("allygraph: interrupted", file=sys.stderr)
        sys.exit(ExitCode.INTERRUPTED)
    except ClickException as exc:  # click's usage errors: one line, never a traceback
        sub = getattr(getattr(exc, "ctx", None), "command_path", "allygraph")
        print(f"allygraph: {render.safe(exc.format_message())} (see `{sub} --help`)", file=sys.stderr)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if type(exc).__name__ == "Abort":
            print("allygraph: aborted", file=sys.stderr)
            sys.exit(ExitCode.INTERRUPTED)
        _internal_error(exc)
    sys.exit(rv if isinstance(rv, int) else 0)


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EPIPE}


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered cannot fail again at exit."""
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _internal_error(exc: BaseException) -> None:
    if os.environ.get("ALLYGRAPH_DEBUG"):
        raise exc
    print(f"allygraph: internal error: {type(exc).__name__}: {render.safe(exc)} (set ALLYGRAPH_DEBUG=1 for details; please report it)", file=sys.stderr)  # fmt: skip
    sys.exit(ExitCode.INTERNAL)

"""``allygraph push URL`` (``--server URL``, the option ``path``, ``neighbors`` and ``show`` take, is in ``options.py``).

The library does the work (``allygraph.server``); this parses, calls and renders.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..render.server import push_blocks
from .common import respond
from .options import DataOpt, JsonOpt

group = typer.Typer()


@group.command(
    epilog="Example: allygraph push falkordb://localhost:6379/allygraph\n\n"
    "Example: ALLYGRAPH_SERVER_USER=neo4j ALLYGRAPH_SERVER_PASSWORD=... allygraph push neo4j+s://db.example.org --dry-run"
)
def push(
    url: Annotated[str, typer.Argument(help="The server: falkordb://host:port/graph (falkordbs:// for TLS), bolt://, neo4j://, bolt+s://, neo4j+s://.", metavar="URL")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; write nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite changes others made to allygraph's part of the graph since the last push.")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per batch (one transaction each).", metavar="N", min=1)] = 2000,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """Make a graph server (FalkorDB, Neo4j, Memgraph) hold exactly the data directory: only the difference is written, in batches; only what allygraph pushed is ever deleted."""
    respond(as_json, lambda: _push(url, data, dry_run, force, batch_size), push_blocks)


def _push(url: str, data, dry_run: bool, force: bool, batch_size: int) -> dict:  # noqa: ANN001
    from ..load import load
    from ..server import parse_url
    from ..server.conn import connect
    from ..server.push import push

    target = parse_url(url)  # a bad URL says so before the data is read
    ds = load(data)
    conn = connect(target)
    try:
        return push(ds, conn, dry_run=dry_run, force=force, batch_size=batch_size)
    finally:
        conn.close()

"""``allygraph export``: parse arguments, call ``allygraph.export``, print a one-line summary."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from .. import render
from ..errors import AllygraphError
from .errors import fail, usage
from .options import AsOfOpt, DataOpt, DepthOpt, JsonOpt, NoCacheOpt, TypeOpt

group = typer.Typer()


@group.command("export")
def export_command(
    fmt: Annotated[Optional[str], typer.Argument(metavar="[FORMAT]", help="graphml, gexf, json, cyjs, csv, cypher or neo4j. Default: from the -o extension.", show_default=False)] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Where to write, e.g. -o graph.graphml; '-' for stdout; a directory for neo4j.", metavar="FILE")] = ...,  # type: ignore[assignment]
    around: Annotated[Optional[str], typer.Option("--around", help="Only entities within --depth hops of this one, e.g. --around Japan.", metavar="X")] = None,
    depth: DepthOpt = 1,
    types: TypeOpt = None,
    as_of: AsOfOpt = None,
    yed: Annotated[bool, typer.Option("--yed", help="GraphML: add yFiles label graphics so yEd shows names.")] = False,
    dialect: Annotated[Optional[str], typer.Option("--dialect", help="Cypher: neo4j (default), memgraph, falkordb or kuzu (Kùzu/Ladybug).", metavar="ENGINE", show_default=False)] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:  # fmt: skip
    """Export the graph (or part of it) for Gephi, yEd, Cytoscape, igraph, D3 or Neo4j.

    FORMAT (or, without it, the extension of -o):
    graphml   .graphml   Gephi, yEd (--yed), Cytoscape, igraph
    gexf      .gexf      Gephi, with a timeline
    json      .json      node-link JSON: D3, networkx
    cyjs      .cyjs      Cytoscape.js / Cytoscape (.json accepted)
    csv       .csv       X.nodes.csv + X.edges.csv: Gephi spreadsheet import
    cypher    .cypher    MERGE statements: Neo4j, Memgraph
    neo4j     DIR/       neo4j-admin database import CSV set
    A file whose extension names another format is refused.
    With --json, the export's stats are the JSON document.
    """
    import json

    from .. import export as ex

    if as_json and output == "-":
        usage("--json and -o - both write to stdout; pick one")

    def go() -> dict:
        G = ex.select(ex.graph_for(data, use_cache=not no_cache), around=around, depth=depth, types=types, as_of=as_of)
        return ex.export(G, fmt, output, yed=yed, dialect=dialect)

    from ..cache import retry_on_damage

    def to_stdout() -> dict:  # what is printed cannot be taken back: no second run, but no trace
        from .. import cache
        from ..errors import CacheDamaged

        try:
            return go()
        except cache.USING_ERRORS:
            if cache.discard_served():
                raise CacheDamaged("found while writing") from None
            raise

    try:  # a forged or damaged cache found midway: once more, afresh (a file is written whole or not at all)
        stats = to_stdout() if output == "-" else retry_on_damage(go)
    except AllygraphError as exc:
        fail(exc, as_json)
    where = "stdout" if stats["path"] == "-" else render.safe(", ".join(stats["files"]))
    print(f"allygraph: wrote {stats['format']}: {stats['nodes']} entities, {stats['edges']} relations, "
          f"{stats['bytes']:,} bytes to {where}", file=sys.stderr)  # fmt: skip
    if as_json:
        print(json.dumps(stats, ensure_ascii=False))

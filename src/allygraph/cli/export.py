"""``allygraph export``: parse arguments, call ``allygraph.export``, print a one-line summary."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Optional

import typer

from ..errors import AllygraphError
from ..render.text import safe
from .errors import fail, usage
from .options import AsOfOpt, DepthOpt, MinGradeOpt, Reading, TypeOpt, reads_data

group = typer.Typer()


@group.command(
    "export",
    epilog="Example: allygraph export -o japan.graphml --around Japan --depth 2\n\nExample: allygraph export cypher --dialect memgraph -o graph.cypher\n\nExample: allygraph export json -o - | jq .nodes",
)
@reads_data(grade=False)
def export_command(
    fmt: Annotated[Optional[str], typer.Argument(metavar="[FORMAT]", help="graphml, gexf, json, cyjs, csv, cypher, neo4j or dyadyears. Default: from the -o extension.", show_default=False)] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Where to write, e.g. -o graph.graphml; '-' for stdout; a directory for neo4j.", metavar="FILE")] = ...,  # type: ignore[assignment]  # typer: ... marks a required option
    around: Annotated[Optional[str], typer.Option("--around", help="Only entities within --depth hops of this one, e.g. --around Japan.", metavar="X")] = None,
    depth: DepthOpt = 1,
    types: TypeOpt = None,
    as_of: AsOfOpt = None,
    min_grade: MinGradeOpt = None,
    yed: Annotated[bool, typer.Option("--yed", help="GraphML: add yFiles label graphics so yEd shows names.")] = False,
    excel: Annotated[bool, typer.Option("--excel", help="CSV: files Excel opens as UTF-8 (a byte order mark; CRLF line ends).")] = False,
    dialect: Annotated[Optional[str], typer.Option("--dialect", help="Cypher: neo4j (default), memgraph, falkordb or kuzu (Kùzu/Ladybug).", metavar="ENGINE", show_default=False)] = None,
    year_from: Annotated[Optional[int], typer.Option("--from", help="dyadyears: the first year (default: the first year anything ties two states).", metavar="YEAR")] = None,
    year_to: Annotated[Optional[int], typer.Option("--to", help="dyadyears: the last year (default: this year).", metavar="YEAR")] = None,
    directed: Annotated[bool, typer.Option("--directed", help="dyadyears: both orders of each pair; arms and aid counted from state1 to state2.")] = False,
    include_reported: Annotated[bool, typer.Option("--include-reported", help="dyadyears: count relations only reported, not confirmed.")] = False,
    no_roll_up: Annotated[bool, typer.Option("--no-roll-up", help="dyadyears: do not count an agency's relations for its state.")] = False,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """Export the graph (or part of it) for Gephi, yEd, Cytoscape, igraph, D3 or Neo4j.

    FORMAT (or, without it, the extension of -o):
    graphml   .graphml   Gephi, yEd (--yed), Cytoscape, igraph
    gexf      .gexf      Gephi, with a timeline
    json      .json      node-link JSON: D3, networkx
    cyjs      .cyjs      Cytoscape.js / Cytoscape (.json accepted)
    csv       .csv       X.nodes.csv + X.edges.csv: Gephi, Excel (--excel)
    cypher    .cypher    MERGE statements: Neo4j, Memgraph
    neo4j     DIR/       neo4j-admin database import CSV set
    dyadyears .csv       one row per pair of states per year (COW codes), for
                         IR panels: --from, --to, --directed; name it, the
                         extension alone means csv
    A file whose extension names another format is refused.
    With --json, the export's stats are the JSON document (via_edges: the derived via links).
    """
    import json

    from .. import export as ex

    data, as_json, no_cache = reading.data, reading.as_json, reading.no_cache
    if as_json and output == "-":
        usage("--json and -o - both write to stdout; pick one")
    panel = (fmt or "").lower() == "dyadyears"
    if not panel and (year_from is not None or year_to is not None or directed or include_reported or no_roll_up):
        usage("--from, --to, --directed, --include-reported and --no-roll-up only apply to dyadyears")
    if panel and (around is not None or types or as_of is not None or yed or dialect is not None or min_grade):
        usage("dyadyears takes --from/--to, not --around, --type, --as-of, --min-grade, --yed or --dialect")
    if panel:
        _dyadyears(reading, output, year_from=year_from, year_to=year_to, directed=directed,
                   reported=include_reported, roll_up=not no_roll_up)  # fmt: skip
        return

    def go() -> dict:
        G = ex.select(ex.graph_for(data, use_cache=not no_cache), around=around, depth=depth, types=types, as_of=as_of,
                      min_grade=min_grade)  # fmt: skip
        return ex.export(G, fmt, output, yed=yed, dialect=dialect, excel=excel)

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
    where = "stdout" if stats["path"] == "-" else safe(", ".join(stats["files"]))
    via = f" (+{stats['via_edges']} via links)" if stats.get("via_edges") else ""
    print(f"allygraph: wrote {stats['format']}: {stats['nodes']} entities, {stats['edges']} relations{via}, "
          f"{stats['bytes']:,} bytes to {where}", file=sys.stderr)  # fmt: skip
    if as_json:
        print(json.dumps(stats, ensure_ascii=False))


def _dyadyears(reading: Reading, output: str, **options: Any) -> None:
    """``export dyadyears``: write the panel, then the one-line summary (and the stats with --json)."""
    import json

    from ..export.dyadyears import export_dyadyears

    try:
        stats = export_dyadyears(reading.store(), output, **options)
    except AllygraphError as exc:
        fail(exc, reading.as_json)
    where = "stdout" if output == "-" else safe(output)
    print(f"allygraph: wrote dyadyears: {stats['rows']:,} pair-years of {stats['states']} states, "
          f"{stats['from']}-{stats['to']}, {stats['bytes']:,} bytes to {where}", file=sys.stderr)  # fmt: skip
    if stats["skipped"]:
        print(
            f"allygraph: states without a COW code left out: {safe(', '.join(stats['skipped']))}",
            file=sys.stderr,
        )
    if reading.as_json:
        print(json.dumps(stats, ensure_ascii=False))

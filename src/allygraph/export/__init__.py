"""Export the graph for analysts' tools: one small module per format, one ``Exporter`` base.

>>> import allygraph
>>> from allygraph.export import select, export
>>> G = select(allygraph.load_graph(use_cache=False), around="Japan", depth=1, types=["partnership"])
>>> export(G, "graphml", "japan.graphml")["format"]    # doctest: +SKIP
'graphml'

Formats (``FORMATS``), inferred from the file's extension when not given:

========  ===================  ================================================================
name      extension            what
========  ===================  ================================================================
graphml   ``.graphml``         GraphML (Gephi, yEd with ``yed=True``, Cytoscape, igraph)
gexf      ``.gexf``            GEXF 1.3 with a timeline (Gephi)
json      ``.json``            node-link JSON (D3, networkx)
cyjs      ``.cyjs``            Cytoscape.js elements JSON (Cytoscape)
csv       ``.csv``             ``X.nodes.csv`` + ``X.edges.csv`` for ``-o X.csv``, or
                               ``nodes.csv`` + ``edges.csv`` inside ``-o DIR``
cypher    ``.cypher``          idempotent MERGE script, ``dialect=`` neo4j (default), memgraph,
                               falkordb or kuzu (Kùzu/Ladybug)
neo4j     a directory          ``neo4j-admin database import`` CSV set: ``-o DIR`` writes
                               ``DIR/nodes.csv``, ``DIR/sources.csv``, ``DIR/relationships.csv``,
                               ``DIR/import.sh``
========  ===================  ================================================================

Exporters read a graph source (``source.GraphSource``: nodes, edges, the source registry, the
declared types), made from a networkx graph (``allygraph.load_graph()``, ``select()``) or from a
large directory's SQLite cache; ``graph_for(data, use_cache)`` opens a data directory as one.

Every file goes through ``fsutil``: written to a temporary file and renamed at the end, so a
failure never leaves a truncated file, and a multi-file export's files are renamed together.
Nothing is written into the data directory the graph came from; a multi-file export writes into
a new or empty folder, or one an earlier export of the same format marked as its own. ``dest='-'`` writes a
single-file format to stdout. Lists are joined with ``common.LIST_SEPARATOR``; see ``common``.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, TextIO, cast

import networkx as nx

from ..errors import UsageError
from ..pager import is_terminal
from ..render.text import EXPORT_SYNTAX, TerminalExport
from .common import Exporter
from .csvpair import CSVExporter
from .cyjs import CytoscapeExporter
from .cypher import CypherExporter
from .gexf import GEXFExporter
from .graphml import GraphMLExporter
from .neo4j import Neo4jAdminExporter
from .nodelink import NodeLinkExporter
from .source import GraphSource, NetworkxSource, StoreSource, as_source, graph_for

__all__ = ["FORMATS", "Exporter", "GraphSource", "NetworkxSource", "StoreSource", "as_source", "export", "graph_for",
           "infer_format", "select"]  # fmt: skip

FORMATS: dict[str, type[Exporter]] = {
    cls.name: cls
    for cls in (GraphMLExporter, GEXFExporter, NodeLinkExporter, CytoscapeExporter, CSVExporter,
                CypherExporter, Neo4jAdminExporter)
}  # fmt: skip


def infer_format(dest: str | os.PathLike) -> str:
    """The format a destination's extension names; raises UsageError when it names none."""
    text = str(dest)
    suffix = Path(text).suffix.lower()
    for name, cls in FORMATS.items():
        if suffix in cls.extensions:
            return name
    known = ", ".join(e for cls in FORMATS.values() for e in cls.extensions)
    raise UsageError(f"cannot tell the format from {text!r}: give FORMAT ({', '.join(FORMATS)}) or use one of {known}")


_JSON_FORMATS = {"json", "cyjs"}


def _check_extension(fmt: str, dest: str | os.PathLike) -> None:
    """Refuse a file whose extension names another format (``graphml`` into ``x.gexf``); any JSON
    format may go to a ``.json`` file."""
    suffix = Path(str(dest)).suffix.lower()
    if str(dest) == "-" or not suffix or suffix in FORMATS[fmt].extensions:
        return
    named = next((name for name, cls in FORMATS.items() if suffix in cls.extensions), None)
    if named and not (fmt in _JSON_FORMATS and named in _JSON_FORMATS):
        raise UsageError(f"-o {str(dest)!r} has the extension of {named}, not {fmt}: "
                         f"name the file {Path(str(dest)).stem}{FORMATS[fmt].extensions[0] if FORMATS[fmt].extensions else '/'} "
                         f"or leave FORMAT out to write {named}")  # fmt: skip


def select(
    G: GraphSource | nx.MultiDiGraph,
    *,
    around: str | None = None,
    depth: int = 1,
    types: Iterable[str] | None = None,
    as_of: str | None = None,
    min_grade: str | None = None,
) -> GraphSource | nx.MultiDiGraph:
    """The part of ``G`` to export: a new MultiDiGraph sharing ``G.graph`` (``G`` itself when
    nothing is filtered out). Given a graph source (``graph_for``), the part is a source too: a
    ``NetworkxSource`` with the registries of the one it came from.

    ``around`` (an id, name or alias) keeps the entities within ``depth`` hops of it (relations
    followed both ways); ``min_grade`` keeps only relations at least one source of that grade or
    stronger supports (``grades``); ``types`` and ``as_of`` keep only relations of those types in force on
    that date. With ``types`` or ``as_of``, entities no kept relation touches are dropped (except
    ``around`` itself); with neither, every entity is kept, isolated ones included.

    Raises UnknownEntity, AmbiguousName, or UsageError (unknown type, bad date, depth < 1).
    """
    from ..query import EdgeFilter, neighbors

    types = list(types) if types else None
    if around is None and types is None and as_of is None and min_grade is None:
        if depth < 1:
            raise UsageError("--depth must be at least 1")
        return G  # everything: no copy, so a large store streams straight through
    by_type = EdgeFilter(types, None, as_of)
    src = as_source(G)
    keep: Callable[[dict], bool] = by_type
    if min_grade is not None:
        from ..grades import check_grade, grades_of, meets

        least, registry = check_grade(min_grade), src.sources

        def keep(rel: dict) -> bool:
            return by_type(rel) and meets(grades_of(rel.get("sources", ()), registry.get), least)

    if around is not None:
        found = neighbors(src.query_store(), around, depth=depth, types=types, as_of=as_of)
        nodes = {found["entity"], *(n["id"] for n in found["neighbors"])}
    else:
        if depth < 1:
            raise UsageError("--depth must be at least 1")
        nodes = None  # every entity
    edges = [(u, v, k, d) for u, v, k, d in src.edges()
             if (nodes is None or (u in nodes and v in nodes)) and keep(d)]  # fmt: skip
    H: nx.MultiDiGraph = nx.MultiDiGraph()
    if isinstance(G, nx.Graph):
        H.graph.update(G.graph)
    filtered = types is not None or as_of is not None or min_grade is not None
    touched = {n for u, v, _, d in edges for n in (u, v, d.get("via")) if n}  # a via entity keeps its link
    if around is not None:
        touched.add(found["entity"])
    H.add_nodes_from((n, ent) for n, ent in src.nodes()
                     if (nodes is None or n in nodes) and (not filtered or n in touched))  # fmt: skip
    H.add_edges_from(edges)  # type: ignore[arg-type]  # types-networkx lacks MultiGraph's (u, v, key, data) edges
    return H if isinstance(G, nx.Graph) else NetworkxSource(H, like=src)


def _check_options(fmt: str, dest: str | os.PathLike, *, yed: bool, dialect: str | None, excel: bool) -> None:
    """Raise UsageError for an unknown format or dialect, or an option the format does not take."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)}, dyadyears)")
    if yed and fmt != "graphml":
        raise UsageError("--yed only applies to GraphML")
    if excel and fmt != "csv":
        raise UsageError("--excel only applies to CSV")
    _check_extension(fmt, dest)
    if dialect is not None:
        from .cypher import DIALECTS

        if fmt != "cypher":
            raise UsageError("--dialect only applies to Cypher")
        if dialect.lower() not in DIALECTS:
            raise UsageError(f"unknown Cypher dialect {dialect!r} (dialects: {', '.join(DIALECTS)})")


def export(
    G: GraphSource | nx.MultiDiGraph,
    fmt: str | None,
    dest: str | os.PathLike,
    *,
    yed: bool = False,
    dialect: str | None = None,
    excel: bool = False,
) -> dict[str, Any]:
    """Write ``G`` (a networkx graph or a graph source) in format ``fmt`` (None: from ``dest``'s
    extension) to ``dest`` ('-': stdout).

    ``fmt="dyadyears"`` writes the dyad-year panel (``export.dyadyears``, default options).
    ``dialect`` (Cypher only): neo4j (default), memgraph, falkordb or kuzu. ``excel`` (CSV only):
    files that Excel opens as UTF-8 (a byte order mark; CRLF line ends, as every CSV here has).
    Returns ``{"format", "path", "files", "nodes", "edges", "via_edges", "bytes"}`` (``edges``:
    relations; ``via_edges``: the derived via edges written besides them, see ``common``).
    Raises UsageError for an unknown format or dialect, stdout with a multi-file format, ``yed``
    outside GraphML, ``dialect`` outside Cypher or ``excel`` outside CSV.
    """
    if fmt is None:
        fmt = infer_format(dest)
    fmt = fmt.lower()
    if fmt == "dyadyears":  # a panel computed by the analyses, not a drawing of the graph
        if yed or dialect or excel:
            raise UsageError("dyadyears takes none of --yed, --dialect, --excel")
        from .dyadyears import export_dyadyears

        return export_dyadyears(G, dest)
    _check_options(fmt, dest, yed=yed, dialect=dialect, excel=excel)
    exporter = FORMATS[fmt](yed=yed, dialect=dialect, excel=excel)
    g = as_source(G)
    to_stdout = str(dest) == "-"
    stats: dict[str, Any] = {"format": fmt, "path": "-" if to_stdout else str(dest),
                             "nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "via_edges": 0}  # fmt: skip
    protect = (str(g.directory),) if g.directory else ()  # exports never write into the data directory
    if exporter.multi_file:
        if to_stdout:
            raise UsageError(f"{fmt} writes several files: give -o a path, not '-'")
        from ..fsutil import WriteFailed

        try:
            files = exporter.write_files(g, Path(dest), protect=protect)
        except OSError as exc:
            raise WriteFailed(exc.filename or dest, exc) from None  # a full disk: exit 74
        stats["files"] = [str(p) for p in files]
        stats["bytes"] = sum(p.stat().st_size for p in files)
        stats["via_edges"] = exporter.via_edges
        return stats
    # stream straight into the file (or stdout): a million relations never sit in memory as text
    if to_stdout:
        sys.stdout.flush()
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=False)
        counter = _Counting(out)
        stream = cast(TextIO, counter)  # a text stream as far as they use one: exporters only call write()
        if fmt in EXPORT_SYNTAX and is_terminal(sys.stdout):  # piped: the bytes exactly
            exporter.write(g, cast(IO[str], TerminalExport(stream, fmt)))
        else:
            exporter.write(g, stream)
        out.flush()
        out.detach()
        stats["bytes"] = counter.bytes
    else:
        from ..fsutil import atomic_open

        with atomic_open(Path(dest), protect=protect) as fh:  # a failure raises WriteFailed naming dest
            exporter.write(g, fh)
        stats["bytes"] = Path(dest).stat().st_size
    stats["files"] = [stats["path"]]
    stats["via_edges"] = exporter.via_edges
    return stats


class _Counting:
    """A text stream wrapper that counts the UTF-8 bytes written through it."""

    def __init__(self, out):
        self.out, self.bytes = out, 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return self.out.write(text)

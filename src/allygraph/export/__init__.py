"""Export the graph for analysts' tools: one small module per format, one ``Exporter`` base.

>>> import allygraph
>>> from allygraph.export import select, export
>>> G = select(allygraph.load_graph(), around="Japan", depth=1, types=["partnership"])
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
cypher    ``.cypher``          idempotent MERGE script (Neo4j, Memgraph)
neo4j     a directory          ``neo4j-admin database import`` CSV set: ``-o DIR`` writes
                               ``DIR/nodes.csv``, ``DIR/relationships.csv``, ``DIR/import.sh``
========  ===================  ================================================================

Every file is written to a temporary file and renamed at the end (the neo4j directory is built
aside and swapped in), so a failure never leaves a truncated file. ``dest='-'`` writes a
single-file format to stdout. Lists are joined with ``common.LIST_SEPARATOR``; see ``common``.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from ..problems import UsageError
from .common import Exporter
from .csvpair import CSVExporter
from .cyjs import CytoscapeExporter
from .cypher import CypherExporter
from .gexf import GEXFExporter
from .graphml import GraphMLExporter
from .neo4j import Neo4jAdminExporter
from .nodelink import NodeLinkExporter

__all__ = ["FORMATS", "Exporter", "export", "infer_format", "select"]

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
    G: nx.MultiDiGraph,
    *,
    around: str | None = None,
    depth: int = 1,
    types: Iterable[str] | None = None,
    as_of: str | None = None,
) -> nx.MultiDiGraph:
    """The part of ``G`` to export: a new MultiDiGraph sharing ``G.graph`` (``G`` itself when
    nothing is filtered out).

    ``around`` (an id, name or alias) keeps the entities within ``depth`` hops of it (relations
    followed both ways); ``types`` and ``as_of`` keep only relations of those types in force on
    that date. With ``types`` or ``as_of``, entities no kept relation touches are dropped (except
    ``around`` itself); with neither, every entity is kept, isolated ones included.

    Raises UnknownEntity, AmbiguousName, or UsageError (unknown type, bad date, depth < 1).
    """
    from ..query import EdgeFilter, neighbors

    types = list(types) if types else None
    if around is None and types is None and as_of is None:
        if depth < 1:
            raise UsageError("--depth must be at least 1")
        return G  # everything: no copy, so a large store streams straight through
    keep = EdgeFilter(types, None, as_of)
    if around is not None:
        found = neighbors(G, around, depth=depth, types=types, as_of=as_of)
        nodes = {found["entity"], *(n["id"] for n in found["neighbors"])}
    else:
        if depth < 1:
            raise UsageError("--depth must be at least 1")
        nodes = set(G)
    edges = [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True) if u in nodes and v in nodes and keep(d)]
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    filtered = types is not None or as_of is not None
    touched = {n for u, v, _, _ in edges for n in (u, v)}
    if around is not None:
        touched.add(found["entity"])
    H.add_nodes_from((n, G.nodes[n]) for n in G if n in nodes and (not filtered or n in touched))
    H.add_edges_from(edges)
    return H


def export(G: nx.MultiDiGraph, fmt: str | None, dest: str | os.PathLike, *, yed: bool = False) -> dict[str, Any]:
    """Write ``G`` in format ``fmt`` (None: from ``dest``'s extension) to ``dest`` ('-': stdout).

    Returns ``{"format", "path", "files", "nodes", "edges", "bytes"}``.
    Raises UsageError for an unknown format, stdout with a multi-file format, or ``yed`` outside
    GraphML.
    """
    if fmt is None:
        fmt = infer_format(dest)
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    if yed and fmt != "graphml":
        raise UsageError("--yed only applies to GraphML")
    _check_extension(fmt, dest)
    exporter = FORMATS[fmt](yed=yed)
    to_stdout = str(dest) == "-"
    stats: dict[str, Any] = {"format": fmt, "path": "-" if to_stdout else str(dest),
                             "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}  # fmt: skip
    if exporter.multi_file:
        if to_stdout:
            raise UsageError(f"{fmt} writes several files: give -o a path, not '-'")
        try:
            files = exporter.write_files(G, Path(dest))
        except OSError as exc:
            raise UsageError(f"cannot write {dest}: {exc.strerror or exc}") from None
        stats["files"] = [str(p) for p in files]
        stats["bytes"] = sum(p.stat().st_size for p in files)
        return stats
    # stream straight into the file (or stdout): a million relations never sit in memory as text
    if to_stdout:
        sys.stdout.flush()
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=False)
        counter = _Counting(out)
        exporter.write(G, counter)
        out.flush()
        out.detach()
        stats["bytes"] = counter.bytes
    else:
        from ..fsutil import atomic_open

        try:
            with atomic_open(Path(dest)) as fh:
                exporter.write(G, fh)
        except OSError as exc:
            raise UsageError(f"cannot write {dest}: {exc.strerror or exc}") from None
        stats["bytes"] = Path(dest).stat().st_size
    stats["files"] = [stats["path"]]
    return stats


class _Counting:
    """A text stream wrapper that counts the UTF-8 bytes written through it."""

    def __init__(self, out):
        self.out, self.bytes = out, 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return self.out.write(text)

"""``nodes.csv`` and ``edges.csv`` in Gephi's spreadsheet-import columns.

Nodes: ``Id``, ``Label``, then the columns of ``common``. Edges: ``Source``, ``Target``, ``Type``
(``Directed``, or ``Undirected`` for a symmetric relation), ``Id`` (the relation id), ``Label``
(unique among parallel edges, so Gephi does not merge them), then the columns (sources with
their titles and URLs; via links as edges of type ``via``: see ``common``).

Line ends are CRLF, as RFC 4180 has them (a line break inside a quoted cell stays as written).
``excel=True`` (``export csv --excel``) also starts each file with a UTF-8 byte order mark, which
Excel needs to read the file as UTF-8 rather than the system's code page (pandas and the csv
module read it with ``encoding="utf-8-sig"``).

Formula neutralisation: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (what a spreadsheet would run as a formula), or with ``'``, gets one ``'`` in
front; ``unneutralise`` removes it. Numbers and booleans are never touched.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

from .common import Exporter, Flat, edge_labels, node_label, to_text
from .source import GraphSource

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
BOM = "\ufeff"


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (see the module docs).

    >>> neutralise("=SUM(A1)"), neutralise("Japan")
    ("'=SUM(A1)", 'Japan')
    """
    return "'" + text if text.startswith(TRIGGERS) else text


def unneutralise(text: str) -> str:
    """The inverse of ``neutralise``."""
    return text[1:] if text.startswith("'") else text


def cell(value: Any, kind: str = "string") -> str:
    """A value as a CSV cell of its column's kind: empty for None, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)) and kind != "string":
        return to_text(value, kind)
    return neutralise(to_text(value))


def csv_paths(dest: Path, protect: tuple = ()) -> tuple[Path, Path]:
    """``x.csv`` -> ``x.nodes.csv`` and ``x.edges.csv``; a directory -> ``nodes.csv``, ``edges.csv`` in it
    (created, or empty, or an earlier csv export: ``fsutil.output_dir``)."""
    if dest.suffix.lower() == ".csv":
        stem = dest.with_suffix("")
        return stem.with_name(stem.name + ".nodes.csv"), stem.with_name(stem.name + ".edges.csv")
    from ..fsutil import output_dir

    output_dir(dest, "csv", protect)
    return dest / "nodes.csv", dest / "edges.csv"


class CSVExporter(Exporter):
    name = "csv"
    extensions = (".csv",)
    description = "nodes + edges CSV pair (Gephi spreadsheet import, spreadsheets; excel=True for Excel)"
    multi_file = True

    def write_files(self, g: GraphSource, dest: Path, protect: tuple = ()) -> list[Path]:
        """Write the pair: both files replace their targets together, or neither does."""
        from ..fsutil import atomic_group

        flat = Flat(g)
        npath, epath = csv_paths(dest, protect)
        with atomic_group([npath, epath], protect=protect) as (nodes_fh, edges_fh):
            if self.options.get("excel"):
                nodes_fh.write(BOM)
                edges_fh.write(BOM)
            self.write_nodes(g, nodes_fh, flat)
            self.write_edges(g, edges_fh, flat)
        return [npath, epath]

    def write_nodes(self, g: GraphSource, out: IO[str], flat: Flat) -> None:
        """Write ``nodes.csv``: ``Id``, ``Label``, then the node columns."""
        w = csv.writer(out, lineterminator="\r\n")
        cols = flat.node_cols
        w.writerow(["Id", "Label", *cols])
        for n, ent in self.nodes(g):
            row = flat.node(n, ent)
            w.writerow([neutralise(n), neutralise(node_label(ent)), *(cell(row.get(c), k) for c, k in cols.items())])

    def write_edges(self, g: GraphSource, out: IO[str], flat: Flat) -> None:
        """Write ``edges.csv``: ``Source``, ``Target``, ``Type``, ``Id``, ``Label``, then the edge columns."""
        w = csv.writer(out, lineterminator="\r\n")
        cols = flat.edge_cols
        w.writerow(["Source", "Target", "Type", "Id", "Label", *cols])
        labels = edge_labels(g)
        for u, v, rid, rel in self.edges(g):
            row = flat.edge(rel)
            kind = "Undirected" if row["symmetric"] else "Directed"
            w.writerow([neutralise(u), neutralise(v), kind, neutralise(rid), neutralise(labels[rid]),
                        *(cell(row.get(c), k) for c, k in cols.items())])  # fmt: skip

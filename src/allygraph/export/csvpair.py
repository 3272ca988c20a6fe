"""``nodes.csv`` and ``edges.csv`` in Gephi's spreadsheet-import columns.

Nodes: ``Id``, ``Label``, then the columns of ``common``. Edges: ``Source``, ``Target``, ``Type``
(``Directed``, or ``Undirected`` for a symmetric relation), ``Id`` (the relation id), ``Label``
(unique among parallel edges, so Gephi does not merge them), then the columns (sources with
their titles and URLs; via links as edges of type ``via``: see ``common``).

Formula neutralisation: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (what a spreadsheet would run as a formula), or with ``'``, gets one ``'`` in
front; ``unneutralise`` removes it. Numbers and booleans are never touched.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

import networkx as nx

from .common import (
    Exporter,
    columns,
    edge_labels,
    edge_row,
    node_label,
    node_row,
    source_registry,
    symmetric_types,
    to_text,
)

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(TRIGGERS) else text


def unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def cell(value: Any, kind: str = "string") -> str:
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
    description = "nodes + edges CSV pair (Gephi spreadsheet import, spreadsheets)"
    multi_file = True

    def write_files(self, G: nx.MultiDiGraph, dest: Path, protect: tuple = ()) -> list[Path]:
        """Write the pair: both files replace their targets together, or neither does."""
        from ..fsutil import atomic_group

        node_cols, edge_cols = columns(G)
        npath, epath = csv_paths(dest, protect)
        with atomic_group([npath, epath], protect=protect) as (nodes_fh, edges_fh):
            self.write_nodes(G, nodes_fh, node_cols)
            self.write_edges(G, edges_fh, edge_cols)
        return [npath, epath]

    def write_nodes(self, G: nx.MultiDiGraph, out: IO[str], cols: dict[str, str]) -> None:
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(["Id", "Label", *cols])
        reg = source_registry(G)
        for n, ent in self.nodes(G):
            row = node_row(n, ent, reg)
            w.writerow([neutralise(n), neutralise(node_label(ent)), *(cell(row.get(c), k) for c, k in cols.items())])

    def write_edges(self, G: nx.MultiDiGraph, out: IO[str], cols: dict[str, str]) -> None:
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(["Source", "Target", "Type", "Id", "Label", *cols])
        labels = edge_labels(G)
        reg = source_registry(G)
        sym = symmetric_types(G)
        for u, v, rid, rel in self.edges(G):
            row = edge_row(rel, reg, sym)
            kind = "Undirected" if row["symmetric"] else "Directed"
            w.writerow([neutralise(u), neutralise(v), kind, neutralise(rid), neutralise(labels[rid]),
                        *(cell(row.get(c), k) for c, k in cols.items())])  # fmt: skip

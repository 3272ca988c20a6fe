"""``nodes.csv`` and ``edges.csv`` in Gephi's spreadsheet-import columns.

Nodes: ``Id``, ``Label``, then the columns of ``common``. Edges: ``Source``, ``Target``, ``Type``
(``Directed``, or ``Undirected`` for a symmetric relation), ``Id`` (the relation id), ``Label``
(unique among parallel edges, so Gephi does not merge them), then the columns.

Formula neutralisation: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (what a spreadsheet would run as a formula), or with ``'``, gets one ``'`` in
front; ``unneutralise`` removes it. Numbers and booleans are never touched.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

import networkx as nx

from .common import Exporter, columns, edge_labels, edge_row, node_label, node_row, symmetric_types, to_text

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


def csv_paths(dest: Path) -> tuple[Path, Path]:
    """``x.csv`` -> ``x.nodes.csv`` and ``x.edges.csv``; a directory -> ``nodes.csv``, ``edges.csv`` in it."""
    if dest.suffix.lower() == ".csv":
        stem = dest.with_suffix("")
        return stem.with_name(stem.name + ".nodes.csv"), stem.with_name(stem.name + ".edges.csv")
    dest.mkdir(parents=True, exist_ok=True)
    return dest / "nodes.csv", dest / "edges.csv"


class CSVExporter(Exporter):
    name = "csv"
    extensions = (".csv",)
    description = "nodes + edges CSV pair (Gephi spreadsheet import, spreadsheets)"
    multi_file = True

    def write_files(self, G: nx.MultiDiGraph, dest: Path) -> list[Path]:
        from ..fsutil import atomic_open

        node_cols, edge_cols = columns(G)
        npath, epath = csv_paths(dest)
        with atomic_open(npath) as fh:
            self.write_nodes(G, fh, node_cols)
        with atomic_open(epath) as fh:
            self.write_edges(G, fh, edge_cols)
        return [npath, epath]

    def write_nodes(self, G: nx.MultiDiGraph, out: IO[str], cols: dict[str, str]) -> None:
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(["Id", "Label", *cols])
        for n, ent in self.nodes(G):
            row = node_row(n, ent)
            w.writerow([neutralise(n), neutralise(node_label(ent)), *(cell(row.get(c), k) for c, k in cols.items())])

    def write_edges(self, G: nx.MultiDiGraph, out: IO[str], cols: dict[str, str]) -> None:
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(["Source", "Target", "Type", "Id", "Label", *cols])
        labels = edge_labels(G)
        for u, v, rid, rel in self.edges(G):
            row = edge_row(rel, symmetric_types(G))
            kind = "Undirected" if row["symmetric"] else "Directed"
            w.writerow([neutralise(u), neutralise(v), kind, neutralise(rid), neutralise(labels[rid]),
                        *(cell(row.get(c), k) for c, k in cols.items())])  # fmt: skip

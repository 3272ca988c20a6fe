"""Cytoscape.js elements JSON (``.cyjs``), which Cytoscape desktop opens with File > Import.

Node data holds ``id``, ``name`` (Cytoscape's label) and the flat columns of ``common``; lists
stay JSON lists (Cytoscape list columns). Edge data holds ``id`` (the relation id), ``source``,
``target``, ``interaction`` (the relation type), ``name`` (a unique human label) and the columns.
The graph's ``data`` holds the source registry (titles, URLs, dates) and the tier ladder.

One type per column: Cytoscape desktop guesses a column's type from its first value, so a
column whose values mix types (``3`` here, ``"three"`` there) is written as strings throughout;
numbers and booleans stay JSON numbers and booleans only where the whole column has that type.
Via links are edges with ``interaction`` ``via`` (see ``common``).
"""

from __future__ import annotations

from typing import IO, Any

import networkx as nx

from .common import (
    Exporter,
    columns,
    dump_json,
    edge_labels,
    edge_row,
    node_row,
    registry,
    source_registry,
    symmetric_types,
    to_text,
)


def _typed(row: dict[str, Any], cols: dict[str, str]) -> dict[str, Any]:
    """Drop missing values; a value in a string column that is not a string becomes its text."""
    out = {}
    for k, v in row.items():
        if v is None:
            continue
        if cols.get(k, "string") == "string" and not isinstance(v, (str, list)):
            v = to_text(v)
        out[k] = v
    return out


class CytoscapeExporter(Exporter):
    name = "cyjs"
    extensions = (".cyjs",)
    description = "Cytoscape.js elements JSON (Cytoscape desktop, Cytoscape.js)"

    def write(self, G: nx.MultiDiGraph, out: IO[str]) -> None:
        node_cols, edge_cols = columns(G)
        reg = source_registry(G)
        sym = symmetric_types(G)
        head = {"format_version": "1.0", "generated_by": "allygraph", "target_cytoscapejs_version": "~3.0",
                "data": {"name": "allygraph", **registry(G)}}  # fmt: skip
        out.write(dump_json(head)[:-1] + ',\n "elements": {"nodes": [')
        for i, (n, ent) in enumerate(self.nodes(G)):
            data = {"id": n, **_typed(node_row(n, ent, reg), node_cols)}
            out.write(("," if i else "") + "\n  " + dump_json({"data": data}))
        out.write('\n ], "edges": [')
        labels = edge_labels(G)
        for i, (u, v, rid, rel) in enumerate(self.edges(G)):
            data = {"id": rid, "source": u, "target": v, "interaction": rel["type"], "name": labels[rid]}
            data |= _typed(edge_row(rel, reg, sym), edge_cols)
            out.write(("," if i else "") + "\n  " + dump_json({"data": data}))
        out.write("\n ]}\n}\n")

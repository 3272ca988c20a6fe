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

from .common import Exporter, Flat, dump_json, edge_labels, registry, to_text
from .source import GraphSource


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

    def write(self, g: GraphSource, out: IO[str]) -> None:
        """Write the elements document, one node or edge per line."""
        head = {"format_version": "1.0", "generated_by": "allygraph", "target_cytoscapejs_version": "~3.0",
                "data": {"name": "allygraph", **registry(g)}}  # fmt: skip
        flat = Flat(g)
        out.write(dump_json(head)[:-1] + ',\n "elements": {"nodes": [')
        for i, (n, ent) in enumerate(self.nodes(g)):
            data = {"id": n, **_typed(flat.node(n, ent), flat.node_cols)}
            out.write(("," if i else "") + "\n  " + dump_json({"data": data}))
        out.write('\n ], "edges": [')
        labels = edge_labels(g)
        for i, (u, v, rid, rel) in enumerate(self.edges(g)):
            data = {"id": rid, "source": u, "target": v, "interaction": rel["type"], "name": labels[rid]}
            data |= _typed(flat.edge(rel), flat.edge_cols)
            out.write(("," if i else "") + "\n  " + dump_json({"data": data}))
        out.write("\n ]}\n}\n")

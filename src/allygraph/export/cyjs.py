"""Cytoscape.js elements JSON (``.cyjs``), which Cytoscape desktop opens with File > Import.

Node data holds ``id``, ``name`` (Cytoscape's label) and the flat columns of ``common``; lists
stay JSON lists (Cytoscape list columns). Edge data holds ``id`` (the relation id), ``source``,
``target``, ``interaction`` (the relation type), ``name`` (a unique human label) and the columns.
"""

from __future__ import annotations

from typing import IO

import networkx as nx

from .common import Exporter, dump_json, edge_labels, edge_row, node_row, registry, symmetric_types


class CytoscapeExporter(Exporter):
    name = "cyjs"
    extensions = (".cyjs",)
    description = "Cytoscape.js elements JSON (Cytoscape desktop, Cytoscape.js)"

    def write(self, G: nx.MultiDiGraph, out: IO[str]) -> None:
        head = {"format_version": "1.0", "generated_by": "allygraph", "target_cytoscapejs_version": "~3.0",
                "data": {"name": "allygraph", **registry(G)}}  # fmt: skip
        out.write(dump_json(head)[:-1] + ',\n "elements": {"nodes": [')
        for i, (n, ent) in enumerate(self.nodes(G)):
            data = {"id": n, **{k: v for k, v in node_row(n, ent).items() if v is not None}}
            out.write(("," if i else "") + "\n  " + dump_json({"data": data}))
        out.write('\n ], "edges": [')
        labels = edge_labels(G)
        for i, (u, v, rid, rel) in enumerate(self.edges(G)):
            data = {"id": rid, "source": u, "target": v, "interaction": rel["type"], "name": labels[rid]}
            data |= {k: val for k, val in edge_row(rel, symmetric_types(G)).items() if val is not None}
            out.write(("," if i else "") + "\n  " + dump_json({"data": data}))
        out.write("\n ]}\n}\n")

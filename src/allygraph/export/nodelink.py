"""Node-link JSON, the shape D3 and ``networkx.node_link_graph(json.load(f))`` read.

The edge list is under ``"edges"``: the default of ``networkx.node_link_graph`` from networkx 3.6
on (the version ``pip install`` brings); with an older networkx pass ``edges="edges"``, and in D3
use ``data.edges`` as the links. Entities and relations go in whole, as the contract's dicts (lists
stay lists, ``attributes`` stays a mapping with its keys as written: the attribute-key rule of the
flat formats does not apply here); ``graph`` carries the source registry (titles, URLs, dates)
and the tier ladder. A relation through a ``via`` entity is followed by its two derived ``via``
edges (``type: "via"``, ``via_of``: the relation's id; see ``common``). Strict JSON: never
``NaN`` or ``Infinity``.
"""

from __future__ import annotations

from typing import IO

from .common import Exporter, dump_json, registry
from .source import GraphSource


class NodeLinkExporter(Exporter):
    name = "json"
    extensions = (".json",)
    description = "node-link JSON (D3, networkx)"

    def write(self, g: GraphSource, out: IO[str]) -> None:
        """Write the node-link document, one node or edge per line."""
        graph = {"name": "allygraph", **registry(g)}
        out.write('{"directed": true, "multigraph": true, "graph": ' + dump_json(graph) + ',\n "nodes": [')
        for i, (n, ent) in enumerate(self.nodes(g)):
            out.write(("," if i else "") + "\n  " + dump_json({**ent, "id": n}))
        out.write('\n ],\n "edges": [')
        for i, (u, v, rid, rel) in enumerate(self.edges(g)):
            out.write(("," if i else "") + "\n  " + dump_json({"source": u, "target": v, "key": rid, **rel}))
        out.write("\n ]\n}\n")

"""Node-link JSON, the shape D3 and ``networkx.node_link_graph(data, edges="links")`` read.

Entities and relations go in whole, as the contract's dicts (lists stay lists, ``attributes``
stays a mapping); ``graph`` carries the source registry and the tier ladder.
"""

from __future__ import annotations

from typing import IO

import networkx as nx

from .common import Exporter, dump_json, registry


class NodeLinkExporter(Exporter):
    name = "json"
    extensions = (".json",)
    description = "node-link JSON (D3, networkx)"

    def write(self, G: nx.MultiDiGraph, out: IO[str]) -> None:
        graph = {"name": "allygraph", **registry(G)}
        out.write('{"directed": true, "multigraph": true, "graph": ' + dump_json(graph) + ',\n "nodes": [')
        for i, (n, ent) in enumerate(self.nodes(G)):
            out.write(("," if i else "") + "\n  " + dump_json({**ent, "id": n}))
        out.write('\n ],\n "links": [')
        for i, (u, v, rid, rel) in enumerate(self.edges(G)):
            out.write(("," if i else "") + "\n  " + dump_json({"source": u, "target": v, "key": rid, **rel}))
        out.write("\n ]\n}\n")

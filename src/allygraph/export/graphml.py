"""GraphML for Gephi, yEd, Cytoscape and igraph, valid against the GraphML 1.0/1.1 schema.

Design, reader by reader:

- Key ids are ``n.<column>`` and ``e.<column>``, never networkx's ``d0``, ``d1``...: Gephi reads
  the key ids ``d3`` (nodes) and ``d7`` (edges) as labels whatever they hold.
- Every node and edge has a ``label`` (Gephi's label) and nodes a ``name`` (Cytoscape's). Edge
  labels are unique among parallel edges, so Gephi does not merge them.
- No column is called ``id``, ``weight``, ``x``, ``y``, ``size``, ``color``, ``r``, ``g``, ``b``:
  Gephi would turn it into a visual property. Entity attributes are ``attr_<key>``; a key that is
  not an XML name token is spelled with ``_`` and its original kept in the key's ``<desc>``.
- Edge ids are relation ids; the relation id is also a ``relation_id`` column, because igraph
  (1.0.0) misreads edge ids. Symmetric relations stay one edge with ``symmetric=true``: the
  graph is directed, and networkx rejects ``directed="false"`` edges in a directed graph.
- ``--yed`` adds yFiles ``ShapeNode``/``PolyLineEdge`` label graphics, so yEd shows names without
  the Properties Mapper (other readers ignore them).
"""

from __future__ import annotations

import re
from typing import IO

import networkx as nx

from .common import (
    ATTR_PREFIX,
    Exporter,
    columns,
    edge_labels,
    edge_row,
    node_label,
    node_row,
    symmetric_types,
    to_text,
    xml_attr,
    xml_text,
)

NS = "http://graphml.graphdrawing.org/xmlns"
SCHEMA = "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
YNS = "http://www.yworks.com/xml/graphml"
_NOT_NMTOKEN = re.compile(r"[^A-Za-z0-9._\-]")


def attr_name(column: str) -> str:
    """A column name as an XML name token (what GraphML's ``attr.name`` must be)."""
    return _NOT_NMTOKEN.sub("_", column) or "_"


class GraphMLExporter(Exporter):
    name = "graphml"
    extensions = (".graphml",)
    description = "GraphML (Gephi, yEd, Cytoscape, igraph, networkx)"

    def write(self, G: nx.MultiDiGraph, out: IO[str]) -> None:
        yed = bool(self.options.get("yed"))
        node_cols, edge_cols = columns(G)
        keys: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}  # column -> (key id, type)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        ydecl = f' xmlns:y="{YNS}"' if yed else ""
        out.write(f'<graphml xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"{ydecl} '
                  f'xsi:schemaLocation="{NS} {SCHEMA}">\n')  # fmt: skip
        for domain, cols, prefix in (("node", node_cols, "n"), ("edge", edge_cols, "e")):
            used: set[str] = set()
            for col, kind in {"label": "string", **cols}.items():
                aname = attr_name(col)
                while aname in used:
                    aname += "_"
                used.add(aname)
                kid = f"{prefix}.{aname}"
                keys[domain][col] = (kid, kind)
                desc = ""
                if aname != col:
                    desc = f"<desc>{xml_text('attributes.' + col[len(ATTR_PREFIX) :] if col.startswith(ATTR_PREFIX) else col)}</desc>"
                out.write(f'  <key id="{kid}" for="{domain}" attr.name="{aname}" attr.type="{kind}">{desc}</key>\n')
        if yed:
            out.write('  <key id="y.ng" for="node" yfiles.type="nodegraphics"/>\n')
            out.write('  <key id="y.eg" for="edge" yfiles.type="edgegraphics"/>\n')
        out.write('  <graph id="allygraph" edgedefault="directed">\n')
        for n, ent in self.nodes(G):
            label = node_label(ent)
            out.write(f'    <node id="{xml_attr(n)}">\n')
            self._data(out, keys["node"], {"label": label, **node_row(n, ent)})
            if yed:
                out.write('      <data key="y.ng"><y:ShapeNode><y:Geometry height="30.0" width="120.0"/>'
                          f'<y:NodeLabel>{xml_text(label)}</y:NodeLabel></y:ShapeNode></data>\n')  # fmt: skip
            out.write("    </node>\n")
        labels = edge_labels(G)
        for u, v, rid, rel in self.edges(G):
            out.write(f'    <edge id="{xml_attr(rid)}" source="{xml_attr(u)}" target="{xml_attr(v)}">\n')
            self._data(out, keys["edge"], {"label": labels[rid], **edge_row(rel, symmetric_types(G))})
            if yed:
                arrow = "none" if edge_row(rel, symmetric_types(G))["symmetric"] else "standard"
                out.write(f'      <data key="y.eg"><y:PolyLineEdge><y:Arrows source="none" target="{arrow}"/>'
                          f'<y:EdgeLabel>{xml_text(labels[rid])}</y:EdgeLabel></y:PolyLineEdge></data>\n')  # fmt: skip
            out.write("    </edge>\n")
        out.write("  </graph>\n</graphml>\n")

    @staticmethod
    def _data(out: IO[str], keys: dict[str, tuple[str, str]], row: dict) -> None:
        for col, value in row.items():
            if value is None:
                continue
            kid, kind = keys[col]
            out.write(f'      <data key="{kid}">{xml_text(to_text(value, kind))}</data>\n')

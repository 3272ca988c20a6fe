"""GraphML for Gephi, yEd, Cytoscape and igraph, valid against the GraphML 1.0/1.1 schema.

Design, reader by reader:

- Key ids are ``n.<column>`` and ``e.<column>``, never networkx's ``d0``, ``d1``...: Gephi reads
  the key ids ``d3`` (nodes) and ``d7`` (edges) as labels whatever they hold.
- Every node and edge has a ``label`` (Gephi's label) and nodes a ``name`` (Cytoscape's). Edge
  labels are unique among parallel edges, so Gephi does not merge them.
- No column is called ``id``, ``weight``, ``x``, ``y``, ``size``, ``color``, ``r``, ``g``, ``b``:
  Gephi would turn it into a visual property. Attributes are ``attr_<key>`` by the one
  attribute-key rule of ``common`` (always an XML name token); where the rule changed the key,
  the original is also kept in the key's ``<desc>``.
- Edge ids are relation ids; the relation id is also a ``relation_id`` column, because igraph
  (1.0.0) misreads edge ids. Symmetric relations stay one edge with ``symmetric=true`` (and no
  arrowhead with ``--yed``): GraphML can mark an edge ``directed="false"``, but networkx rejects
  such an edge in a directed graph and graphology-graphml reads it as directed, so the file
  says it in the column that every reader keeps.
- Via links are edges of type ``via`` (see ``common``); sources carry titles and URLs as the
  ``source_titles`` and ``source_urls`` columns.
- ``--yed`` adds yFiles ``ShapeNode``/``PolyLineEdge`` label graphics, so yEd shows names without
  the Properties Mapper (other readers ignore them).
"""

from __future__ import annotations

import re
from typing import IO

from .common import ATTR_PREFIX, Exporter, Flat, attr_key, edge_labels, node_label, to_text, xml_attr, xml_text
from .source import GraphSource

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

    def write(self, g: GraphSource, out: IO[str]) -> None:
        """Write the GraphML document: the keys, the nodes, then the edges (yFiles graphics with ``yed``)."""
        yed = bool(self.options.get("yed"))
        flat = Flat(g)
        sym = flat.sym
        keys: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}  # column -> (key id, type)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        ydecl = f' xmlns:y="{YNS}"' if yed else ""
        out.write(f'<graphml xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"{ydecl} '
                  f'xsi:schemaLocation="{NS} {SCHEMA}">\n')  # fmt: skip
        for domain, cols, prefix in (("node", flat.node_cols, "n"), ("edge", flat.edge_cols, "e")):
            for col, kind in {"label": "string", **cols}.items():
                aname = attr_name(col)  # the column itself: the attribute-key rule keeps it a name token
                kid = f"{prefix}.{aname}"
                keys[domain][col] = (kid, kind)
                desc = ""
                if col.startswith(ATTR_PREFIX) and attr_key(col) != col[len(ATTR_PREFIX) :]:
                    desc = f"<desc>{xml_text('attributes.' + attr_key(col))}</desc>"
                out.write(f'  <key id="{kid}" for="{domain}" attr.name="{aname}" attr.type="{kind}">{desc}</key>\n')
        if yed:
            out.write('  <key id="y.ng" for="node" yfiles.type="nodegraphics"/>\n')
            out.write('  <key id="y.eg" for="edge" yfiles.type="edgegraphics"/>\n')
        out.write('  <graph id="allygraph" edgedefault="directed">\n')
        for n, ent in self.nodes(g):
            label = node_label(ent)
            out.write(f'    <node id="{xml_attr(n)}">\n')
            self._data(out, keys["node"], {"label": label, **flat.node(n, ent)})
            if yed:
                out.write('      <data key="y.ng"><y:ShapeNode><y:Geometry height="30.0" width="120.0"/>'
                          f'<y:NodeLabel>{xml_text(label)}</y:NodeLabel></y:ShapeNode></data>\n')  # fmt: skip
            out.write("    </node>\n")
        labels = edge_labels(g)
        for u, v, rid, rel in self.edges(g):
            out.write(f'    <edge id="{xml_attr(rid)}" source="{xml_attr(u)}" target="{xml_attr(v)}">\n')
            self._data(out, keys["edge"], {"label": labels[rid], **flat.edge(rel)})
            if yed:
                arrow = "none" if rel["type"] in sym else "standard"
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

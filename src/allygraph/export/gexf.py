"""GEXF 1.3 with a timeline: Gephi's timeline plays the history of every relation.

- ``mode="dynamic"``, ``timeformat="date"``: each edge's ``start`` is the first day of its
  ``since`` and its ``end`` the last day it is in force (the day before ``until`` begins). A
  partnership or alliance also ends the day before a higher tier between the same two parties
  begins, so the timeline shows the tier changing when it is upgraded (its own ``since``/``until``
  stay in the attributes as written). Entities with ``since``/``until`` get node spells too.
- Columns are those of ``common``; none is called ``type``, ``start``, ``end``, ``label``, ``id``
  or ``weight``, which GEXF or Gephi reserve.
- ``kind`` is the relation type (``partnership:<tier>`` for partnerships), made unique among
  parallel edges with ``#<relation id>``, so Gephi keeps parallel edges apart.
- Symmetric relations are directed edges with ``symmetric=true``, as in GraphML: the readers
  cannot take a mixed file. networkx refuses an ``undirected`` edge in a directed graph (and a
  directed edge in an undirected one); graphology-gexf (Gephi Lite) fails on a first edge of
  type ``mutual`` and reads later ones as directed. In Gephi, filter or style on ``symmetric``.
- Via links are edges of kind ``via`` (see ``common``); sources carry titles and URLs as the
  ``source_titles`` and ``source_urls`` columns.
"""

from __future__ import annotations

import datetime as _dt
from typing import IO, TYPE_CHECKING

from .. import dates
from ..ties import in_force
from ..vocab import TIER_TYPES, tier_of
from .common import Exporter, Flat, count_edges, distinct, edge_labels, edges_with_via, node_label, to_text, xml_attr
from .source import GraphSource, as_source

if TYPE_CHECKING:
    import networkx as nx

NS = "http://gexf.net/1.3"
SCHEMA = "http://gexf.net/1.3/gexf.xsd"


def _end(until: str | None) -> _dt.date | None:
    return None if until is None else dates.first_day(until) - _dt.timedelta(days=1)


def spells(G: GraphSource | nx.MultiDiGraph) -> dict[str, tuple[_dt.date | None, _dt.date | None]]:
    """Relation id -> (first day, last day) shown on the timeline (None: open)."""
    g = as_source(G)
    rank = g.tier_rank
    tiered: dict[tuple, list[dict]] = {}
    out = {}
    for u, v, rid, rel in edges_with_via(g):
        start = dates.first_day(rel["since"]) if rel.get("since") else None
        out[rid] = (start, _end(rel.get("until")))
        if rel["type"] in TIER_TYPES:
            tiered.setdefault(tuple(sorted((u, v))), []).append(rel)
    for rels in tiered.values():
        for rel in rels:
            mine = rank.get(tier_of(rel) or "", 999)
            start, end = out[rel["id"]]
            for other in rels:
                r2 = rank.get(tier_of(other) or "", 999)
                if r2 < mine and other.get("since") and in_force(other, dates.first_day(other["since"]), reported=True):
                    begins = dates.first_day(other["since"])
                    if (start is None or begins > start) and (end is None or begins <= end):
                        end = begins - _dt.timedelta(days=1)
            out[rel["id"]] = (start, end)
    return out


def _span(start: _dt.date | None, end: _dt.date | None) -> str:
    if start and end and end < start:
        end = start
    return (f' start="{start.isoformat()}"' if start else "") + (f' end="{end.isoformat()}"' if end else "")


class GEXFExporter(Exporter):
    name = "gexf"
    extensions = (".gexf",)
    description = "GEXF 1.3, dynamic (Gephi's timeline)"

    def write(self, g: GraphSource, out: IO[str]) -> None:
        """Write the GEXF document: the column declarations, the nodes, then the edges with their spells."""
        flat = Flat(g)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<gexf xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                  f'xsi:schemaLocation="{NS} {SCHEMA}" version="1.3">\n')  # fmt: skip
        out.write("  <meta><creator>allygraph</creator><description>alliance and security relationships; "
                  "edge spells run from since to the day before until</description></meta>\n")  # fmt: skip
        out.write(
            '  <graph defaultedgetype="directed" mode="dynamic" timeformat="date" timerepresentation="interval">\n'
        )
        for cls, cols in (("node", flat.node_cols), ("edge", flat.edge_cols)):
            out.write(f'    <attributes class="{cls}" mode="static">\n')
            for col, kind in cols.items():
                out.write(f'      <attribute id="{xml_attr(col)}" title="{xml_attr(col)}" type="{kind}"/>\n')
            out.write("    </attributes>\n")
        out.write(f'    <nodes count="{g.number_of_nodes()}">\n')
        for n, ent in self.nodes(g):
            span = _span(dates.first_day(ent["since"]) if ent.get("since") else None, _end(ent.get("until")))
            out.write(f'      <node id="{xml_attr(n)}" label="{xml_attr(node_label(ent))}"{span}>')
            self._attvalues(out, flat.node_cols, flat.node(n, ent))
            out.write("</node>\n")
        out.write("    </nodes>\n")
        labels = edge_labels(g)
        kinds = distinct(g, {rid: rel["type"] + (f":{rel['tier']}" if rel.get("tier") else "")
                             for _, _, rid, rel in edges_with_via(g)}, clash="{base}#{rid}")  # fmt: skip
        span_of = spells(g)
        out.write(f'    <edges count="{count_edges(g)}">\n')
        for u, v, rid, rel in self.edges(g):
            out.write(f'      <edge id="{xml_attr(rid)}" source="{xml_attr(u)}" target="{xml_attr(v)}" type="directed" '
                      f'label="{xml_attr(labels[rid])}" kind="{xml_attr(kinds[rid])}"{_span(*span_of[rid])}>')  # fmt: skip
            self._attvalues(out, flat.edge_cols, flat.edge(rel))
            out.write("</edge>\n")
        out.write("    </edges>\n  </graph>\n</gexf>\n")

    @staticmethod
    def _attvalues(out: IO[str], cols: dict[str, str], row: dict) -> None:
        vals = [(k, v) for k, v in row.items() if v is not None]
        if not vals:
            return
        out.write("<attvalues>")
        for k, v in vals:
            out.write(f'<attvalue for="{xml_attr(k)}" value="{xml_attr(to_text(v, cols[k]))}"/>')
        out.write("</attvalues>")

"""Node-link JSON, the shape D3 and ``networkx.node_link_graph(json.load(f))`` read.

The edge list is under ``"edges"``: the default of ``networkx.node_link_graph`` from networkx 3.6
on (the version ``pip install`` brings); with an older networkx pass ``edges="edges"``, and in D3
use ``data.edges`` as the links. Entities and relations go in whole, as the contract's dicts (lists
stay lists, ``attributes`` stays a mapping with its keys as written: the attribute-key rule of the
flat formats does not apply here); ``graph`` carries the source registry (titles, URLs, dates)
and the tier ladder. One rename keeps the link keys unique: a relation's ``from`` and ``to`` are
written ``relation_from`` and ``relation_to`` (``LINK_RENAMES``; always equal to ``source`` and
``target``), because readers pass edge attributes as keyword arguments beside the link ends
(pyvis's ``Network.from_nx`` calls ``add_edge(source, to, **attributes)``), so no edge attribute
is named ``from``, ``to``, ``source`` or ``target`` besides the link keys. A relation through a ``via`` entity is followed by its two derived ``via``
edges (``type: "via"``, ``via_of``: the relation's id; see ``common``). Strict JSON: never
``NaN`` or ``Infinity``.
"""

from __future__ import annotations

from typing import IO

from .common import Exporter, dump_json, registry
from .source import GraphSource

LINK_RENAMES = {"from": "relation_from", "to": "relation_to"}  # contract field -> edge attribute


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
            out.write(("," if i else "") + "\n  " + dump_json(link(u, v, rid, rel)))
        out.write("\n ]\n}\n")


def link(u: str, v: str, rid: str, rel: dict) -> dict:
    """One edge of the node-link document: the link keys, then the relation with ``from`` and
    ``to`` renamed (``LINK_RENAMES``)."""
    return {"source": u, "target": v, "key": rid, **{LINK_RENAMES.get(k, k): val for k, val in rel.items()}}


def relation_of(attributes: dict) -> dict:
    """The relation an edge's attributes hold (as ``networkx.node_link_graph`` gives them): the
    inverse of ``link`` without the link keys.

    >>> relation_of({"id": "r", "relation_from": "a", "relation_to": "b", "type": "alliance"})
    {'id': 'r', 'from': 'a', 'to': 'b', 'type': 'alliance'}
    """
    back = {new: old for old, new in LINK_RENAMES.items()}
    return {back.get(k, k): v for k, v in attributes.items()}

"""A Dataset -> a networkx MultiDiGraph: one node per entity, one edge per relation.

Edges are keyed by relation id and carry the relation's fields; a symmetric relation is stored
once (as written) and the queries read it both ways. ``G.graph["dataset"]`` keeps the Dataset
(sources, tiers, the name index) and ``G.graph["via"]`` maps an entity to the relations that go
through it, so a programme such as OSA reaches what it delivered.
"""

from __future__ import annotations

import networkx as nx

from .dataset import Dataset


def build(ds: Dataset) -> nx.MultiDiGraph:
    """Build the graph of a dataset.

    >>> from allygraph.load import load
    >>> G = build(load(use_cache=False))
    >>> G.has_node("japan")
    True
    """
    G: nx.MultiDiGraph = nx.MultiDiGraph()
    G.graph["dataset"] = ds
    via: dict[str, list[str]] = {}
    G.graph["via"] = via
    G.add_nodes_from((eid, ent) for eid, ent in ds.entities.items())
    for rid, rel in ds.relations.items():
        G.add_edge(rel["from"], rel["to"], key=rid, **rel)
        if "via" in rel:
            via.setdefault(rel["via"], []).append(rid)
    return G

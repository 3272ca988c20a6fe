"""Analysis over a store: when things happened, who clusters with whom, who brokers, how two
actors connect.

Each function takes a networkx graph (``allygraph.load_graph()``) or any ``store.Store``
(``allygraph.load.open_store(DIR)``) and returns plain data in the contract's shape (v1.1 §4):

- ``timeline(G, x=None, y=None)``: dated events, oldest first;
- ``clusters(G)``: declared and emergent minilateral clusters on a day;
- ``rank(G, by=...)``: centrality by networkx's own implementations;
- ``explain(G, a, b)``: the few best routes between two actors, as sentences with citations.
"""

from __future__ import annotations

from .centrality import rank
from .cluster import clusters
from .events import timeline
from .routes import explain

__all__ = ["clusters", "explain", "rank", "timeline"]

"""Analysis over a store: when things happened, who clusters with whom, who brokers, how two
actors connect.

Each function takes a networkx graph (``allygraph.load_graph()``) or any ``store.Store``
(``allygraph.load.open_store(DIR)``) and returns plain data in the contract's shape (v1.1 §4):

- ``timeline(G, x=None, y=None)``: dated events, oldest first;
- ``clusters(G)``: declared and emergent minilateral clusters on a day;
- ``rank(G, by=...)``: centrality by networkx's own implementations;
- ``explain(G, a, b)``: the few best routes between two actors, as sentences with citations;
- ``balance(G)``: the signed network of states, its balanced and unbalanced triangles;
- ``changes(G, d1, d2)``: relations formed, ended and upgraded, clusters formed and dissolved.
"""

from __future__ import annotations

from .balance import balance
from .centrality import rank
from .changes import changes
from .cluster import clusters
from .events import timeline
from .routes import explain

__all__ = ["balance", "changes", "clusters", "explain", "rank", "timeline"]

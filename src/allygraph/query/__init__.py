"""Queries: a graph and plain arguments in, plain data (the contract's JSON shapes) out.

Every function here is what one CLI command calls; rendering happens in ``render`` (``render.query``).
``G`` is any ``store.Store`` (the command line's in-memory store, or the compiled SQLite cache
of a large directory) or a networkx graph from ``allygraph.load_graph()``, which is wrapped in a
Store once; the queries read it only through the Store interface. Names resolve by id, name or
alias, in any case (``names.resolve``).

One module per concern: ``filters`` (``EdgeFilter`` and the steps every traversal takes),
``paths`` (``path``), ``cards`` (``show`` and its conflicts), ``neighbours`` (``neighbors``),
``tiers`` (``tiers``, ``tier_history``) and ``search`` (``search``).
"""

from __future__ import annotations

from .cards import show
from .filters import EdgeFilter
from .neighbours import neighbors
from .paths import MAX_PATHS, path
from .search import search
from .tiers import tier_history, tiers

__all__ = ["MAX_PATHS", "EdgeFilter", "neighbors", "path", "search", "show", "tier_history", "tiers"]

"""allygraph: a knowledge graph of alliance and security relationships.

Python use mirrors the CLI::

    import allygraph
    g = allygraph.load_graph()                  # bundled data, or allygraph.load_graph("my-data/")
    allygraph.query.path(g, "Japan", "Philippines")
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .version import __version__

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["__version__", "load_graph"]


def load_graph(data: str | os.PathLike | None = None, *, use_cache: bool = True) -> nx.MultiDiGraph:
    """Load a data directory (the bundled one by default) and return its MultiDiGraph."""
    from .graph import build
    from .load import load

    return build(load(data, use_cache=use_cache))


def __getattr__(name: str):
    if name in {"query", "load", "graph", "dates", "vocab", "names", "export", "render"}:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(name)

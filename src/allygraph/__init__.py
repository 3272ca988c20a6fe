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
# the public modules, each imported on first use (``allygraph.query``, ...), so ``import allygraph`` stays fast
_MODULES = ("analysis", "dates", "edit", "errors", "export", "grades", "graph", "importers", "load", "names", "query",
           "render", "server", "store", "ties", "viz", "vocab")  # fmt: skip


def load_graph(data: str | os.PathLike | None = None, *, use_cache: bool = True) -> nx.MultiDiGraph:
    """Load a data directory (the bundled one by default) and return its MultiDiGraph."""
    from .graph import build
    from .load import load

    return build(load(data, use_cache=use_cache))


def __getattr__(name: str) -> object:
    """A public module (``_MODULES``), imported on first use."""
    if name in _MODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'allygraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    """What a notebook user can reach: the names of ``__all__`` and the public modules."""
    return sorted({*__all__, *_MODULES})

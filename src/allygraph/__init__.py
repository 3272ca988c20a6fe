"""allygraph: a knowledge graph of alliance and security relationships.

Python use mirrors the CLI::

    import allygraph
    g = allygraph.load_graph()                  # bundled data, or allygraph.load_graph("my-data/")
    allygraph.query.path(g, "Japan", "Philippines")
"""

from __future__ import annotations

__version__ = "0.1.0"


def load_graph(data=None, *, use_cache: bool = True):
    """Load a data directory (the bundled one by default) and return its MultiDiGraph."""
    from .graph import build
    from .load import load

    return build(load(data, use_cache=use_cache))


def __getattr__(name: str):
    if name in {"query", "load", "graph", "dates", "vocab", "names", "export", "render"}:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(name)

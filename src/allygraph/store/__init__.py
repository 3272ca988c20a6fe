"""What queries, analyses and exporters read: a graph store with one interface (``base.Store``:
lookups by id, name and end, and every entity, relation and source with their ``counts``).

- ``DatasetStore`` reads a loaded Dataset through adjacency lists (the command line on
  ordinary data); ``GraphStore`` reads a networkx MultiDiGraph (the Python API);
- ``SQLiteStore`` reads the compiled cache of a large data directory, row by row;
- ``graded.GradedStore`` is any store seen through ``--min-grade``, and
  ``server.store.ServerStore`` a graph server (``--server``).

All hand out relations as the same plain dicts (the contract's keys). ``as_store`` is the one
adapter from what a caller passed (a Store, a graph source holding one, a networkx graph).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Counts, Store
from .memory import DatasetStore, GraphStore, as_store

if TYPE_CHECKING:
    from .sqlite import INDEXES, SCHEMA, SQLiteStore, SQLiteWriter, sqlite_intact, write_sqlite

# sqlite3 and tempfile load only when a large directory needs them (start-up of ordinary queries)
_LAZY = {"INDEXES": "sqlite", "SCHEMA": "sqlite", "SQLiteStore": "sqlite", "SQLiteWriter": "sqlite",
         "sqlite_intact": "sqlite", "write_sqlite": "sqlite"}  # fmt: skip


def __getattr__(name: str) -> object:
    """The SQLite names, imported on first use."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)


__all__ = ["INDEXES", "SCHEMA", "Counts", "DatasetStore", "GraphStore", "SQLiteStore", "SQLiteWriter", "Store", "as_store",
           "sqlite_intact", "write_sqlite"]  # fmt: skip

"""What queries read: a graph store with one small interface and three implementations.

- ``DatasetStore`` reads a loaded Dataset through adjacency lists (the command line on
  ordinary data); ``GraphStore`` reads a networkx MultiDiGraph (the Python API);
- ``SQLiteStore`` reads the compiled cache of a large data directory, row by row.

All hand out relations as the same plain dicts (the contract's keys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Store
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


__all__ = ["INDEXES", "SCHEMA", "DatasetStore", "GraphStore", "SQLiteStore", "SQLiteWriter", "Store", "as_store",
           "sqlite_intact", "write_sqlite"]  # fmt: skip

"""What queries read: a graph store with one small interface and three implementations.

- ``DatasetStore`` reads a loaded Dataset through adjacency lists (the command line on
  ordinary data); ``GraphStore`` reads a networkx MultiDiGraph (the Python API);
- ``SQLiteStore`` reads the compiled cache of a large data directory, row by row.

All hand out relations as the same plain dicts (the contract's keys).
"""

from __future__ import annotations

from .base import Store
from .memory import DatasetStore, GraphStore, as_store
from .sqlite import INDEXES, SCHEMA, SQLiteStore, SQLiteWriter, sqlite_intact, write_sqlite
from .streaming import StoreGraph

__all__ = ["INDEXES", "SCHEMA", "DatasetStore", "GraphStore", "SQLiteStore", "SQLiteWriter", "Store", "StoreGraph", "as_store",
           "sqlite_intact", "write_sqlite"]  # fmt: skip

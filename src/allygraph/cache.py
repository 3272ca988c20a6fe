"""The compiled cache: a validated data directory pickled next to a stamp of its files.

Small directories are pickled whole; large ones (``SQLITE_BYTES``) are compiled into an indexed
SQLite file that queries read row by row (``store.SQLiteStore``).
The stamp is each YAML file's size, modification time (ns) and inode, plus allygraph's version:
any edit, copy or move of a file gives a new stamp and the cache is rebuilt, so a cached answer
is never stale. Caches live in ``$ALLYGRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/allygraph``, else
``~/.cache/allygraph``; ``allygraph cache clear`` removes them. A cache that cannot be read or
written is ignored: it only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path

from . import __version__

FORMAT = 2
FILES = ("entities.yaml", "relations.yaml")
# Data directories at least this large get the SQLite cache (queries read only the rows they
# need); smaller ones a pickle (loaded whole, faster at that size).
SQLITE_BYTES = int(os.environ.get("ALLYGRAPH_SQLITE_BYTES", 8 * 1024 * 1024))


def cache_dir() -> Path:
    if os.environ.get("ALLYGRAPH_CACHE_DIR"):
        return Path(os.environ["ALLYGRAPH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "allygraph"


def _path_for(directory: Path, suffix: str = "pickle") -> Path:
    digest = hashlib.blake2b(str(directory.resolve()).encode(), digest_size=10).hexdigest()
    return cache_dir() / f"data-{digest}.{suffix}"


def is_large(directory: Path) -> bool:
    total = 0
    for name in FILES:
        try:
            total += os.stat(directory / name).st_size
        except OSError:
            return False
    return total >= SQLITE_BYTES


def stamp(directory: Path) -> tuple:
    parts: list[object] = [FORMAT, __version__, sys.version_info[:2]]
    for name in FILES:
        try:
            st = os.stat(directory / name)
        except OSError:
            return ()
        parts.append((name, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(parts)


def get(directory: Path):
    """The cached Dataset for ``directory``, or None when absent or stale."""
    current = stamp(directory)
    if not current:
        return None
    try:
        with open(_path_for(directory), "rb") as fh:
            saved, dataset = pickle.load(fh)
    except Exception:  # a missing, truncated or foreign cache file is just a miss
        return None
    return dataset if saved == current else None


def put(directory: Path, dataset, before: tuple) -> None:
    """Store ``dataset`` if the files still carry the stamp ``before`` that was read."""
    from .fsutil import atomic_write_bytes

    if not before or stamp(directory) != before:
        return  # the files changed while we read them: do not cache a mix
    path = _path_for(directory)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, pickle.dumps((before, dataset), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass


def get_sqlite(directory: Path):
    """The SQLiteStore of ``directory``'s compiled cache, or None when absent or stale."""
    from .store import SQLiteStore

    current = stamp(directory)
    path = _path_for(directory, "sqlite")
    if not current or not path.exists():
        return None
    try:
        store = SQLiteStore(path)
    except Exception:  # an unreadable or foreign file is just a miss
        return None
    if tuple(store.meta.get("stamp", ())) != tuple(current):
        store.close()
        return None
    return store


def put_sqlite(directory: Path, dataset, before: tuple):
    """Compile ``dataset`` into the SQLite cache and return its store (None if it cannot be written)."""
    from .store import SQLiteStore, write_sqlite

    if not before or stamp(directory) != before:
        return None
    path = _path_for(directory, "sqlite")
    meta = {"stamp": before, "tiers": dataset.tiers, "directory": dataset.directory,
            "warnings": [tuple(p) for p in dataset.warnings]}  # fmt: skip
    meta |= {k: getattr(dataset, k) for k in ("relation_types", "entity_types", "ladders")}  # the Registry
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_sqlite(path, dataset, meta)
        return SQLiteStore(path)
    except OSError:
        return None


def clear() -> int:
    """Remove every cache file; return how many were removed."""
    removed = 0
    folder = cache_dir()
    if folder.is_dir():
        for path in [*folder.glob("data-*.pickle"), *folder.glob("data-*.sqlite")]:
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
    return removed

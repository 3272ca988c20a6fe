"""The compiled cache: a validated data directory pickled next to a stamp of its files.

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
from pathlib import Path

from . import __version__

FORMAT = 1
FILES = ("entities.yaml", "relations.yaml")


def cache_dir() -> Path:
    if os.environ.get("ALLYGRAPH_CACHE_DIR"):
        return Path(os.environ["ALLYGRAPH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "allygraph"


def _path_for(directory: Path) -> Path:
    digest = hashlib.blake2b(str(directory.resolve()).encode(), digest_size=10).hexdigest()
    return cache_dir() / f"data-{digest}.pickle"


def stamp(directory: Path) -> tuple:
    parts: list[object] = [FORMAT, __version__]
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


def clear() -> int:
    """Remove every cache file; return how many were removed."""
    removed = 0
    folder = cache_dir()
    if folder.is_dir():
        for path in folder.glob("data-*.pickle"):
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
    return removed

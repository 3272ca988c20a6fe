"""Which data directory, which cache, which store: the entry points that turn a data directory
into what queries read.

Stages, each replaceable on its own:

1. ``yamlsrc.read_positioned``: text -> plain values, plus a way to find where each was written
   (PyYAML with positions for ordinary files; yaml-rs for large ones, positions found on demand);
2. ``validate``: pydantic checks every record's shape in bulk, then whole-data checks (ids,
   references, tiers, dates, sources), collecting every problem instead of stopping at the first;
3. ``cache``: the plain result is kept, so later runs skip 1 and 2 entirely (a large directory
   is compiled into an SQLite store that queries read row by row).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache
from .dataset import Dataset
from .errors import DataError, Problem, TooLarge, UsageError
from .fsutil import recover

if TYPE_CHECKING:
    from .store import DatasetStore, SQLiteStore
    from .validate.relations import Sink

ENTITIES_FILE = "entities.yaml"
RELATIONS_FILE = "relations.yaml"

__all__ = ["ENTITIES_FILE", "RELATIONS_FILE", "available_memory", "bundled_data_dir", "check", "check_memory",
           "data_dir", "derive_relation_id", "load", "open_store", "validate"]  # fmt: skip


def bundled_data_dir() -> Path:
    """The data directory shipped inside the package (or the repository's, in a checkout)."""
    here = Path(__file__).resolve().parent
    packaged = here / "data"
    if (packaged / ENTITIES_FILE).exists():
        return packaged
    return here.parent.parent / "data"


def data_dir(data: str | os.PathLike | None = None, *, write: bool = False) -> Path:
    """Which data directory to use: ``data`` (``--data``), else ``$ALLYGRAPH_DATA``, else ``./data``
    when it holds both files, else the bundled one. The bundled data is read-only: with ``write``
    (a command that changes data) it is refused, with the advice to run ``allygraph init``."""
    chosen = data if data is not None else os.environ.get("ALLYGRAPH_DATA") or None
    if chosen is None:
        local = Path(LOCAL_DATA)
        if (local / ENTITIES_FILE).is_file() and (local / RELATIONS_FILE).is_file():
            return recover(local)
        if write:
            raise UsageError(READ_ONLY)
        return recover(bundled_data_dir())  # finish a commit a crash interrupted: the directory always loads
    path = Path(chosen).expanduser()
    if not path.is_dir():
        origin = "--data" if data is not None else "ALLYGRAPH_DATA"
        raise UsageError(f"{origin}: {str(chosen)!r} is not a directory")
    if write and _is_installed_copy(path):
        raise UsageError(READ_ONLY)
    return recover(path)


LOCAL_DATA = "data"  # a folder of the working directory that holds both files is found first
READ_ONLY = (
    "the bundled data is read-only: run `allygraph init [DIR]` to make your own copy, then use it "
    "with --data DIR or `export ALLYGRAPH_DATA=DIR`"
)


def _is_installed_copy(path: Path) -> bool:
    """Whether ``path`` is the copy of the bundled data inside the installed package (which a
    reinstall replaces); a checkout's ``data/`` is the analysts' own and may be edited."""
    packaged = Path(__file__).resolve().parent / "data"
    try:
        return packaged.is_dir() and path.resolve() == packaged
    except OSError:
        return False


def load(data: str | os.PathLike | None = None, *, use_cache: bool = True) -> Dataset:
    """Load and validate a data directory; raise DataError listing every error found."""
    directory = data_dir(data)
    if use_cache:
        hit = cache.get(directory)
        if hit is not None:
            return hit
    before = cache.stamp(directory)
    dataset = _validated(directory)
    if use_cache:
        cache.put(directory, dataset, before)
    return dataset


def _validated(directory: Path, sink: Sink | None = None) -> Dataset:
    dataset, problems = validate(directory, sink)
    if dataset is None:
        raise DataError(problems)
    return dataset


def open_store(data: str | os.PathLike | None = None, *, use_cache: bool = True) -> SQLiteStore | DatasetStore:
    """What the command line queries: a Store over the data directory.

    Large directories are compiled once into the SQLite cache, and every later query opens it
    and reads only what it needs; ordinary ones load (from the marshal cache) into memory.
    """
    from .store import DatasetStore

    directory = data_dir(data)
    if use_cache and cache.is_large(directory):
        store = cache.get_sqlite(directory)
        if store is not None:
            return store
        from .validate import paused_gc  # only to compile: a cached query never imports validate

        before = cache.stamp(directory)
        # compiles the cache while validation runs; the relations stream into it (not kept)
        writer = cache.sqlite_writer(directory)
        try:
            dataset = _validated(directory, writer)
        except BaseException:
            if writer is not None:
                writer.abort()  # invalid data (or an interruption): the unfinished file goes
            raise
        if writer is not None and writer.abandoned:
            writer = None  # the relations were read again whole: compiled after validation
        with paused_gc():
            store = cache.put_sqlite(directory, dataset, before, writer)
        if store is None:  # no writable cache: in memory (read again if they went to the writer)
            return DatasetStore(dataset if writer is None or dataset.relations else load(directory, use_cache=False))
        return store
    return DatasetStore(load(directory, use_cache=use_cache))


def check(data: str | os.PathLike | None = None) -> list[Problem]:
    """Every error and warning in a data directory (never raises for bad data)."""
    _, problems = validate(data_dir(data))
    return problems


def derive_relation_id(rel: dict) -> str:
    """A stable id from a relation's identifying content (used when the data gives none)."""
    from .validate.relations import derive_relation_id as derive

    return derive(rel)


def validate(directory: Path, sink: Sink | None = None) -> tuple[Dataset | None, list[Problem]]:
    """Validate a data directory (``allygraph.validate``). Returns (dataset or None when there are
    errors, problems). Raises TooLarge (before reading anything) when the data would not fit in
    memory. ``sink`` receives the relations that pass, as they pass.
    """
    from .validate import validate as run

    check_memory(directory)
    try:
        return run(directory, sink)
    except MemoryError:
        raise out_of_memory(directory) from None


def out_of_memory(directory: Path) -> TooLarge:
    """The error for a load that ran out of memory (the check before it could not tell)."""
    size = sum(os.stat(directory / f).st_size for f in (ENTITIES_FILE, RELATIONS_FILE) if (directory / f).is_file())
    return TooLarge(
        f"{directory}: ran out of memory loading {size / 1024**2:,.0f} MB of YAML (it needs about "
        f"{(MEMORY_BASE + MEMORY_PER_YAML_BYTE * size) / 1024**3:.1f} GB). Free memory, raise the limit "
        "(ulimit -v), or split the data into several data directories (README: Beyond one machine)."
    )


# Loading takes about this many bytes of memory per byte of YAML (measured: 3.0 GB peak for
# 166 MB, a million relations), plus the interpreter and libraries.
MEMORY_PER_YAML_BYTE = 18
MEMORY_BASE = 300 * 1024 * 1024


def available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(directory: Path) -> None:
    """Refuse, with the numbers and what to do, a directory too large for this machine's memory,
    instead of swapping or being killed halfway. ``ALLYGRAPH_MEMORY_CHECK=0`` skips the check."""
    if os.environ.get("ALLYGRAPH_MEMORY_CHECK") == "0":
        return
    size = sum((directory / f).stat().st_size for f in (ENTITIES_FILE, RELATIONS_FILE) if (directory / f).is_file())
    need = MEMORY_BASE + MEMORY_PER_YAML_BYTE * size
    have = available_memory()
    if have is not None and need > have:
        gb = 1024**3
        raise TooLarge(
            f"{directory}: {size / gb:.1f} GB of YAML needs about {need / gb:.0f} GB of memory to load, "
            f"and {have / gb:.0f} GB is available. Split it into several data directories (by dataset, "
            "region or period) and load each, or export each to Neo4j and query there (README: Beyond "
            "one machine). ALLYGRAPH_MEMORY_CHECK=0 skips this check."
        )

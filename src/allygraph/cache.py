"""The compiled cache: a validated data directory kept next to a stamp of its files.

Small directories are kept whole in a ``marshal`` file (plain data only: loading it cannot run
code, unlike a pickle); large ones (``SQLITE_BYTES``) are compiled into an indexed SQLite file
that queries read row by row (``store.SQLiteStore``).

Trust. Caches live in ``$ALLYGRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/allygraph``, else
``~/.cache/allygraph``. allygraph creates that folder 0700 and each file 0600 whatever the umask,
and uses a folder or file only if it is owned by the current user and writable by no one else
(otherwise the cache is off: ``allygraph cache path`` says why). A file is read only after its
stamp (plain text at its start) matches the data directory; only then is the rest loaded.

Staleness. The stamp holds, per YAML file, its size, modification and change times (ns) and
inode, plus allygraph's and Python's versions; the change time cannot be set back by a user (a
restored mtime still changes it). Files under ``HASH_BYTES`` in total are also hashed
(BLAKE2b, well under a millisecond for the bundled data), and so is any file changed less than
``RECENT_NS`` before the cache was built (an edit within the file system's timestamp granularity
would otherwise keep the same times). A cache whose stamp differs in any part is rebuilt.

Damage. A cache file that is truncated, corrupt or foreign is a miss: it is removed and
rebuilt, never trusted. A marshal file carries a hash of its body, checked before loading. An
SQLite file (too large to hash at every query) must match its header (size, page count) and its
seal: a small ``.seal`` file written after it, holding its size, times and inode, which any later
write to it (a damaged page, a truncation) changes. ``allygraph cache clear`` removes only files
allygraph made (``data-<hash>.cache`` / ``.sqlite`` / ``.seal``, and their temporary files).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat as st_
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .errors import InputError
from .version import __version__

T = TypeVar("T")

if TYPE_CHECKING:
    from .dataset import Dataset
    from .store import SQLiteStore, SQLiteWriter

FORMAT = 5  # 5: entity numbers in the SQLite cache (entities.code, relations.a/b); 4: the Registry
try:  # hashlib's blake2b itself, without hashlib's import of OpenSSL (2 ms of every command)
    from _blake2 import blake2b
except ImportError:  # a Python built without it
    from hashlib import blake2b

FILES = ("entities.yaml", "relations.yaml")
# Data directories at least this large get the SQLite cache (queries read only the rows they
# need); smaller ones a marshal file (loaded whole, faster at that size).
SQLITE_BYTES = int(os.environ.get("ALLYGRAPH_SQLITE_BYTES", 8 * 1024 * 1024))
HASH_BYTES = 8 * 1024 * 1024  # always hash data directories smaller than this
RECENT_NS = 2_000_000_000  # a file changed this recently is hashed too (coarse timestamps)
MAGIC = b"allygraph-cache\n"
# what ``clear`` may remove: our names, starting as ours do
OURS = re.compile(r"\.?data-[0-9a-f]{20}\.(cache|sqlite|sqlite\.seal)(\.allygraph-[a-z0-9_]+\.tmp)?")
_HEADS = (MAGIC, b"SQLite format 3\x00", b"seal ")  # ours, SQLite's, a seal


def cache_dir() -> Path:
    """Where caches are kept (see the module docstring)."""
    if os.environ.get("ALLYGRAPH_CACHE_DIR"):
        return Path(os.environ["ALLYGRAPH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "allygraph"


def _trusted(st: os.stat_result) -> bool:
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def refusal(create: bool = False) -> str | None:
    """Why the cache folder cannot be used (None: it can). ``create`` makes it (0700) if missing."""
    folder = cache_dir()
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        if not create:
            return None
        try:
            folder.mkdir(parents=True, mode=0o700)
            os.chmod(folder, 0o700)  # mkdir's mode is cut by the umask; never widened by it
            st = os.stat(folder)
        except OSError as exc:
            return f"cannot create it: {exc.strerror}"
    except OSError as exc:
        return exc.strerror
    if not st_.S_ISDIR(st.st_mode):
        return "it is not a folder"
    if st.st_uid != os.geteuid():
        return "it belongs to another user"
    if st.st_mode & 0o022:
        return "others can write to it"
    return None


def _path_for(directory: Path, suffix: str = "cache") -> Path:
    digest = blake2b(str(directory.resolve()).encode(), digest_size=10).hexdigest()
    return cache_dir() / f"data-{digest}.{suffix}"


def is_large(directory: Path) -> bool:
    """Is the directory large enough for the SQLite cache (``SQLITE_BYTES``)."""
    total = 0
    for name in FILES:
        try:
            total += os.stat(directory / name).st_size
        except OSError:
            return False
    return total >= SQLITE_BYTES


def _digest(path: Path) -> str:
    from .inputs import open_input

    with open_input(path) as fh:  # refuses a device or FIFO (InputError): no stamp, no cache
        h = blake2b(digest_size=16)
        while chunk := fh.read(1 << 20):
            h.update(chunk)
        return h.hexdigest()


def digest_of(data: bytes) -> str:
    """The digest a stamp gives a file holding ``data`` (what ``_digest`` reads it to compute)."""
    return blake2b(data, digest_size=16).hexdigest()


def stamp(directory: Path, like: str = "", digests: dict[str, str] | None = None) -> str:
    """The data directory's stamp (one line of text), or '' when a file is missing.

    A file is hashed when the directory is small or the file changed in the last ``RECENT_NS``;
    with ``like`` (a saved stamp) also every file that ``like`` hashed, so the two compare.
    ``digests`` gives the digest of a file this process has just written (``digest_of`` its
    bytes, under the data lock), read again otherwise. (Were the file changed by someone else
    meanwhile, its stat would be newer: a recent file is hashed again by every later stamp, which
    then differs.)
    """
    stats = []
    for name in FILES:
        try:
            st = os.stat(directory / name)
        except OSError:
            return ""
        if not st_.S_ISREG(st.st_mode):
            return ""  # a device, FIFO or directory: never cached (validation says what it is)
        stats.append((name, st))
    small = sum(s.st_size for _, s in stats) < HASH_BYTES
    now = time.time_ns()
    hashed = {p.split(":", 1)[0] for p in like.split(" ")[3:] if not p.endswith(":-")}
    parts = [f"v{FORMAT}", __version__, "py{}.{}".format(*sys.version_info[:2])]
    for name, s in stats:
        recent = now - max(s.st_mtime_ns, s.st_ctime_ns) < RECENT_NS
        try:
            hash_it = small or recent or name in hashed
            digest = ((digests or {}).get(name) or _digest(directory / name)) if hash_it else "-"
        except (OSError, InputError):
            return ""
        parts.append(f"{name}:{s.st_size}:{s.st_mtime_ns}:{s.st_ctime_ns}:{s.st_ino}:{digest}")
    return " ".join(parts)


def _open_ours(path: Path):
    """An open binary file for ``path`` if it is a regular file we own that no one else can
    write, in a folder that passes ``refusal``; else None."""
    from .inputs import open_input

    if refusal() is not None:
        return None
    try:  # not through a symlink; a FIFO or device planted under our name is refused unopened
        fh = open_input(path, follow_symlinks=False, what="a cache file")
    except (OSError, InputError):
        return None
    if not _trusted(os.fstat(fh.fileno())):
        fh.close()
        return None
    return fh


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


# what a marshal cache holds of a Dataset, in this order (every field: a new one needs a FORMAT bump)
_DATASET_FIELDS = ("directory", "entities", "relations", "sources", "tiers", "warnings", "index",
                   "relation_types", "entity_types", "ladders")  # fmt: skip


def get(directory: Path) -> Dataset | None:
    """The cached Dataset for ``directory``, or None when absent, stale, damaged or untrusted."""
    import marshal

    path = _path_for(directory)
    fh = _open_ours(path)
    if fh is None:
        return None
    with fh:
        if fh.read(len(MAGIC)) != MAGIC:
            return None  # foreign
        saved = fh.readline(4096).decode("utf-8", "replace").rstrip("\n")
        if not saved or stamp(directory, like=saved) != saved:
            return None  # stale: nothing after the stamp is read
        digest = fh.read(33)
        limit = max_body(directory)
        body = fh.read(limit + 1)  # a planted file of any size costs no more than this
    if len(body) > limit or digest != blake2b(body, digest_size=16).hexdigest().encode() + b"\n":
        _discard(path)  # damaged (or not ours): rebuild
        return None
    try:
        fields = dict(zip(_DATASET_FIELDS, marshal.loads(body), strict=True))
        from .store.shape import check_fields

        check_fields(fields)  # the shape the loader gives, or CacheDamaged
        from .dataset import Dataset
        from .errors import Problem

        fields["warnings"] = [Problem(*w) for w in fields["warnings"]]
        dataset = Dataset(**fields)
        _served(path)
        return dataset
    except Exception:  # truncated, damaged or forged (any exception at all): rebuild
        _discard(path)
        return None


def max_body(directory: Path) -> int:
    """The most a marshal cache of ``directory`` may hold: far more than the loader's own cache
    of that YAML takes (about 2 bytes per byte), far less than a planted file could claim."""
    size = sum(os.stat(directory / name).st_size for name in FILES if os.path.isfile(directory / name))
    return 16 * size + (1 << 20)


def put(directory: Path, dataset: Dataset, before: str) -> None:
    """Store ``dataset`` if the files still carry the stamp ``before`` that was read."""
    import marshal

    from .fsutil import atomic_open

    if not before or stamp(directory, like=before) != before or refusal(create=True) is not None:
        return  # the files changed while we read them (do not cache a mix), or no trusted folder
    try:
        values = [getattr(dataset, name) for name in _DATASET_FIELDS]
        values[_DATASET_FIELDS.index("warnings")] = [tuple(w) for w in dataset.warnings]
        body = marshal.dumps(tuple(values))
    except (ValueError, MemoryError):  # a value marshal cannot hold, or no memory to spare: no cache
        return
    try:
        with atomic_open(_path_for(directory), binary=True, exact_mode=0o600) as fh:
            fh.write(MAGIC + before.encode() + b"\n")
            fh.write(blake2b(body, digest_size=16).hexdigest().encode() + b"\n")
            fh.write(body)
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
        pass


def get_sqlite(directory: Path, settle: bool = True) -> SQLiteStore | None:
    """The SQLiteStore of ``directory``'s compiled cache, or None when absent, stale, damaged
    or untrusted (a damaged one is removed)."""
    from .store import SQLiteStore, sqlite_intact

    path = _path_for(directory, "sqlite")
    fh = _open_ours(path)
    if fh is None:
        return None
    with fh:
        intact = sqlite_intact(fh) and _seal_of(os.fstat(fh.fileno())) == _read_seal(path)
    if not intact:
        _discard(path)
        return None
    try:
        store = SQLiteStore(path)
    except Exception:  # unreadable or foreign
        _discard(path)
        return None
    saved = store.meta.get("stamp")
    if not isinstance(saved, str) or stamp(directory, like=saved) != saved:
        store.close()
        return None
    if settle and not saved.endswith(":-") and _settle(directory, path, saved):  # proven by a hash
        store.close()
        return get_sqlite(directory, settle=False)
    _served(path)
    return store


def _seal_of(st: os.stat_result) -> bytes:
    return f"seal {st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}\n".encode()


def _read_seal(path: Path) -> bytes | None:
    fh = _open_ours(Path(f"{path}.seal"))
    if fh is None:
        return None
    with fh:
        return fh.read(200)


def sqlite_writer(directory: Path) -> SQLiteWriter | None:
    """A writer that compiles ``directory``'s SQLite cache while it is validated (``put_sqlite``
    finishes it), so the relations stream into it and are not kept; None when there is no
    trusted cache folder or the file cannot be started (``put_sqlite`` then compiles it after
    validation). It never depends on how busy the machine is. ``ALLYGRAPH_SQLITE_THREAD=1``
    inserts on a second thread (``store.SQLiteWriter``), ``0`` turns the writer off."""
    from .store import SQLiteWriter

    flag = os.environ.get("ALLYGRAPH_SQLITE_THREAD")
    if flag in ("", "0") or refusal(create=True) is not None:
        return None
    try:
        return SQLiteWriter(_path_for(directory, "sqlite"), thread=flag == "1")
    except Exception:  # noqa: BLE001 - no cache: the caller answers from memory
        return None


def put_sqlite(
    directory: Path, dataset: Dataset, before: str, writer: SQLiteWriter | None = None
) -> SQLiteStore | None:
    """Compile ``dataset`` into the SQLite cache (finishing ``writer`` when one was started) and
    return its store (None if it cannot be written)."""
    from .store import SQLiteStore, write_sqlite

    if not before or stamp(directory, like=before) != before or refusal(create=True) is not None:
        if writer is not None:
            writer.abort()
        return None
    path = _path_for(directory, "sqlite")
    meta = {"stamp": before, "tiers": dataset.tiers, "directory": dataset.directory,
            "warnings": [tuple(p) for p in dataset.warnings]}  # fmt: skip
    meta |= {k: getattr(dataset, k) for k in ("relation_types", "entity_types", "ladders")}  # the Registry
    from .fsutil import atomic_write_bytes

    try:
        _discard(Path(f"{path}.seal"))
        if writer is None:
            write_sqlite(path, dataset, meta)
        else:
            writer.finish(dataset, meta)
        atomic_write_bytes(Path(f"{path}.seal"), _seal_of(os.stat(path)), exact_mode=0o600)
        return SQLiteStore(path)
    except Exception:  # noqa: BLE001 - no cache: the caller answers from memory
        if writer is not None:
            writer.abort()
        return None


def clear() -> int:
    """Remove the cache files allygraph made (nothing else in the folder); return how many."""
    from .inputs import open_input

    removed = 0
    folder = cache_dir()
    if folder.is_dir() and not folder.is_symlink():
        for entry in os.scandir(folder):
            if OURS.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                try:
                    with open_input(entry.path, follow_symlinks=False, what="a cache file") as fh:
                        head = fh.read(16)
                    if head and not head.startswith(_HEADS):
                        continue  # a name like ours but not our content: not ours to remove
                    os.unlink(entry.path)
                    removed += 1
                except (OSError, InputError):
                    pass
    return removed


# --- an edit that adds one relation updates the SQLite cache in place ---------------


def add_relation(directory: Path, rel: dict, before: str | None, codes: dict[str, int]) -> bool:
    """After ``edit.link`` appended ``rel`` to a large directory whose SQLite cache carried the
    stamp ``before`` (checked under the data lock, so the cache held everything else), insert its
    row (its ends numbered by ``codes``: ``SQLiteStore.codes_of``) and re-stamp and re-seal the
    cache, so the next query opens it instead of rebuilding. Returns False (the cache is dropped
    and rebuilt on the next query) when that cannot be done."""
    from .store.sqlite import INSERT_RELATION, relation_row

    try:
        row = relation_row(rel, codes)
    except KeyError:  # an end the cache does not number: rebuilt, never misread
        _discard(_path_for(directory, "sqlite"))
        return False
    return update_rows(directory, before, [(INSERT_RELATION, row)])


def update_rows(directory: Path, before: str | None, statements: list[tuple[str, tuple]],
                digests: dict[str, str] | None = None) -> bool:  # fmt: skip
    """After an edit of a large directory whose SQLite cache carried the stamp ``before``
    (checked under the data lock, so the cache held everything else), run ``statements`` (SQL,
    parameters) in one transaction and re-stamp (``digests``: as ``stamp`` takes them) and re-seal the cache, so the next query opens
    it instead of rebuilding. Returns False (the cache is dropped and rebuilt on the next query)
    when that cannot be done."""
    from .store.sqlite import change_rows

    path = _path_for(directory, "sqlite")
    if refusal() is not None or _read_seal(path) is None:
        return False
    return _in_place(path, lambda: change_rows(path, before, statements, stamp(directory, digests=digests)))


def _in_place(path: Path, change: Callable[[], None]) -> bool:
    """Change the complete SQLite cache at ``path`` in place and seal it again. The seal is removed
    first, so a crash midway leaves a cache that fails its seal and is rebuilt; any failure drops
    the cache (False), which is then rebuilt, never trusted."""
    from .fsutil import atomic_write_bytes

    seal = Path(f"{path}.seal")
    try:
        _discard(seal)
        change()
        atomic_write_bytes(seal, _seal_of(os.stat(path)), exact_mode=0o600)
        return True
    except Exception:  # noqa: BLE001 - a cache that cannot be changed is rebuilt, never trusted
        _discard(path)
        _discard(seal)
        return False


def _unhashed(stamp_text: str) -> str:
    """A stamp with no file's content hash (each file's ``...:digest`` part ends ``:-``)."""
    parts = stamp_text.split(" ")
    return " ".join(parts[:3] + [p.rsplit(":", 1)[0] + ":-" for p in parts[3:]])


def _settle(directory: Path, path: Path, saved: str) -> bool:
    """Re-stamp the SQLite cache without content hashes once the files an edit wrote are no
    longer recent (``RECENT_NS``), as a full build would stamp them then, so later queries stop
    paying for the hash (done by the next command, not by a background process). Called by
    ``get_sqlite`` right after ``saved`` matched the files *with* their hashes; the files' times,
    sizes and inodes, read again after that proof, must still be the ones ``saved`` holds (a
    write since changes the change time), and the stamp is replaced only if it is still
    ``saved``. ``ALLYGRAPH_SETTLE=0`` turns it off (queries keep hashing)."""
    from .store.sqlite import change_rows

    if os.environ.get("ALLYGRAPH_SETTLE") == "0" or refusal() is not None:
        return False
    fresh = stamp(directory)
    if not fresh or fresh == saved or fresh != _unhashed(saved):
        return False  # still recent (hashed), small (always hashed), or changed meanwhile
    return _in_place(path, lambda: change_rows(path, saved, [], fresh))


# --- a cache that breaks a command is discarded, and the command runs once more --------------

_SERVED: list[Path] = []  # the cache files this process answered from
# What a record of the wrong shape makes the code that reads it raise (not OSError: a full disk
# is not the cache's doing)
USING_ERRORS = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError, RecursionError)


def _served(path: Path) -> None:
    if path not in _SERVED:
        _SERVED.append(path)


def discard_served() -> bool:
    """Remove every cache file this process answered from (and SQLite seals); True if there was
    one. Called when a command failed while using one: the next attempt reads the YAML."""
    found = bool(_SERVED)
    while _SERVED:
        path = _SERVED.pop()
        _discard(path)
        _discard(Path(f"{path}.seal"))
    return found


def retry_on_damage(run: Callable[[], T]) -> T:
    """``run()``; if it fails on a damaged or forged cache (``CacheDamaged``, or an error such a
    cache makes the code that reads it raise), remove the caches it used and run it once more,
    from the YAML. A second failure is raised as it is (then it is no cache's doing)."""
    from .errors import CacheDamaged

    _SERVED.clear()  # only the caches this run answers from
    try:
        return run()
    except CacheDamaged:
        discard_served()
    except USING_ERRORS:
        if not discard_served():
            raise
    return run()

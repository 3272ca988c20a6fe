"""The one write path: every file allygraph writes goes through here.

- ``atomic_open`` / ``atomic_write_bytes`` / ``atomic_write_text``: one file, written beside its
  target (a temporary file in the same folder), flushed to disk, then renamed over it;
- ``atomic_group``: several files that appear together or not at all (an export's CSV pair);
- ``lock_data`` + ``commit_data``: a data directory's files, replaced together under a lock on
  the directory, through a journal that ``recover`` rolls forward after a crash;
- ``output_dir``: a folder a multi-file export may write into (empty, new, or marked as an
  earlier export of the same kind);
- ``check_target``: the rules every target passes first (below).

Rules. A target that exists must be a regular file the user could write themselves: its own
permission bits must allow it (a read-only file is refused even for root, who could otherwise
rename over it). Symlinks are followed: the file a link points to is replaced and the link is
kept, and every check applies to where the link points. Paths listed in ``protect`` (the data
directory, an import's input files) are never written, nor anything inside a protected folder.
A refusal raises ``WriteRefused`` (a usage error: exit 2, one line naming the file and why).

Two-file commit. ``commit_data`` writes every new file beside its target, then writes a small
journal (``.allygraph-commit.json``, itself atomically) naming each temporary file and its target:
that rename is the commit point. It then renames each file into place and removes the journal.
A crash before the journal leaves the old files (and temporary files that the next writer
removes); a crash after it leaves a journal that ``recover`` finishes on the next run, before
anything reads the directory. A journal was chosen over a staged directory because the data
directory is the user's: it can be a mount point, a git checkout or hold other files, so it
cannot itself be swapped.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .problems import UsageError

JOURNAL = ".allygraph-commit.json"
EXPORT_MARKER = ".allygraph-export"
_TMP_TAG = ".allygraph-"


class WriteRefused(UsageError):
    """allygraph will not write this path (it names the file and the reason)."""


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _may_write(path: Path, st: os.stat_result) -> bool:
    """Could the user write this file themselves? Root passes only if some write bit is set."""
    if os.geteuid() == 0:
        return bool(st.st_mode & 0o222)
    return os.access(path, os.W_OK)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_target(path: str | os.PathLike, protect: Iterable[str | os.PathLike] = ()) -> Path:
    """The real file to write for ``path`` (symlinks followed), after every check.

    Raises ``WriteRefused`` when ``path`` (or what it points to) is protected or inside a
    protected folder, is not a regular file, or is a file the user could not write themselves.
    """
    given = Path(path)
    real = Path(os.path.realpath(given))
    for p in protect:
        guarded = Path(os.path.realpath(p))
        if real == guarded or (guarded.is_dir() and _inside(real, guarded)):
            what = f"the data directory {guarded}" if guarded.is_dir() else f"the input file {guarded}"
            how = "it is" if real == guarded else "it is inside"
            raise WriteRefused(f"refusing to write {given}: {how} {what}")
    try:
        st = os.stat(real)
    except FileNotFoundError:
        if not real.parent.is_dir():
            raise WriteRefused(f"cannot write {given}: folder {real.parent} does not exist") from None
        return real
    if stat.S_ISDIR(st.st_mode):
        raise WriteRefused(f"refusing to write {given}: it is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise WriteRefused(f"refusing to write {given}: it is not a regular file")
    if not _may_write(real, st):
        raise WriteRefused(f"refusing to replace {given}: the file is read-only for you (check its permissions)")
    return real


def _mode_for(real: Path, new_mode: int) -> int:
    """Keep an existing file's permissions; give a new one ``new_mode`` less the umask."""
    try:
        return os.stat(real).st_mode & 0o7777
    except OSError:
        return new_mode & ~_umask()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _Stage:
    """Temporary files beside their targets, renamed over them all at once by ``publish``."""

    def __init__(self, protect: Iterable[str | os.PathLike] = ()):
        self.protect = list(protect)
        self.items: list[tuple[Path, Path]] = []  # (temporary, real target)
        self.committed = False  # past the journal: the renames must finish (now or in ``recover``)

    def open(self, path: str | os.PathLike, *, binary: bool = False, encoding: str = "utf-8",
             newline: str | None = "", mode: int = 0o666, exact_mode: int | None = None) -> IO:  # fmt: skip
        import tempfile

        real = check_target(path, self.protect)
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}{_TMP_TAG}", suffix=".tmp", dir=real.parent)
        self.items.append((Path(tmp), real))
        os.fchmod(fd, exact_mode if exact_mode is not None else _mode_for(real, mode))
        text_args = {} if binary else {"encoding": encoding, "newline": newline}
        return os.fdopen(fd, "wb" if binary else "w", **text_args)

    def publish(self, journal: Path | None = None) -> None:
        if journal is not None:
            import json

            body = json.dumps({"version": 1, "files": [[str(t), str(r)] for t, r in self.items]})
            atomic_write_text(journal, body + "\n")
            self.committed = True
            _fsync_dir(journal.parent)
        for tmp, real in self.items:
            os.replace(tmp, real)
        for folder in {real.parent for _, real in self.items}:
            _fsync_dir(folder)
        if journal is not None:
            os.unlink(journal)
        self.items = []

    def abort(self) -> None:
        if self.committed:
            return
        for tmp, _ in self.items:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self.items = []


def _named(exc: OSError, path: object) -> OSError:
    """``exc`` naming the file the user gave (a failed write names none, or our temporary file)."""
    if exc.filename is None or _TMP_TAG in str(exc.filename):
        return OSError(exc.errno, exc.strerror or str(exc), str(path))
    return exc


def _close(fh: IO) -> None:
    fh.flush()
    os.fsync(fh.fileno())
    fh.close()


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, *, binary: bool = False, encoding: str = "utf-8", newline: str | None = "",
                protect: Iterable[str | os.PathLike] = (), mode: int = 0o666,
                exact_mode: int | None = None) -> Iterator[IO]:  # fmt: skip
    """A file to stream into: written beside ``path`` and renamed over it only when the block
    ends without error (otherwise removed), so a failure never leaves a partial file.
    A new file gets ``mode`` less the umask, an existing one keeps its permissions;
    ``exact_mode`` sets them whatever the umask or the old file (the cache's 0600)."""
    stage = _Stage(protect)
    try:
        fh = stage.open(path, binary=binary, encoding=encoding, newline=newline, mode=mode, exact_mode=exact_mode)
        with fh:
            yield fh
            _close(fh)
        stage.publish()
    except OSError as exc:
        stage.abort()
        raise _named(exc, path) from None
    except BaseException:
        stage.abort()
        raise


@contextlib.contextmanager
def atomic_group(paths: list[str | os.PathLike], *, protect: Iterable[str | os.PathLike] = (),
                 newline: str | None = "", modes: list[int] | None = None) -> Iterator[list[IO]]:  # fmt: skip
    """Text files to stream into, one per path, that replace their targets together at the end
    (a failure while writing any of them leaves every target as it was). ``modes``: each new
    file's permissions before the umask (default 0o666)."""
    stage = _Stage(protect)
    handles: list[IO] = []
    try:
        for i, p in enumerate(paths):
            handles.append(stage.open(p, newline=newline, mode=modes[i] if modes else 0o666))
        yield handles
        for fh in handles:
            _close(fh)
        stage.publish()
    except BaseException as exc:
        for fh in handles:
            with contextlib.suppress(OSError, ValueError):
                fh.close()
        stage.abort()
        if isinstance(exc, OSError):
            raise _named(exc, " and ".join(str(p) for p in paths)) from None
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, protect: Iterable[str | os.PathLike] = (),
                       mode: int = 0o666, exact_mode: int | None = None) -> None:  # fmt: skip
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    with atomic_open(path, binary=True, protect=protect, mode=mode, exact_mode=exact_mode) as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike, text: str, *, protect: Iterable[str | os.PathLike] = ()) -> None:
    """``atomic_write_bytes`` of ``text`` in UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"), protect=protect)


# --- data directories: one writer at a time, files committed together -----------------------


@contextlib.contextmanager
def lock_data(directory: str | os.PathLike) -> Iterator[Path]:
    """Hold the data directory's write lock (``flock`` on the directory itself, so no lock file
    is left behind); waits for another writer to finish. Finishes an interrupted commit first."""
    import fcntl

    directory = Path(directory)
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _roll_forward(directory)
        yield directory
    finally:
        os.close(fd)  # closing releases the lock


def commit_data(directory: str | os.PathLike, files: dict[str, bytes]) -> None:
    """Replace files of a data directory (name -> new content) together: after a crash at any
    moment the directory holds either every old file or every new one. Hold ``lock_data``."""
    directory = Path(directory)
    _remove_stale(directory)
    stage = _Stage()
    name = JOURNAL
    try:
        for name, data in files.items():
            with stage.open(directory / name, binary=True) as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        name = JOURNAL
        stage.publish(journal=directory / JOURNAL)
    except OSError as exc:
        stage.abort()
        raise _named(exc, directory / name) from None
    except BaseException:
        stage.abort()
        raise


def recover(directory: str | os.PathLike) -> Path:
    """Finish a commit that a crash interrupted (if any) before the directory is read; one
    ``stat`` when there is nothing to do. Returns ``directory``."""
    directory = Path(directory)
    if os.path.lexists(directory / JOURNAL):
        try:
            with lock_data(directory):
                pass
        except OSError as exc:
            raise UsageError(
                f"{directory / JOURNAL}: an interrupted import left this directory half-written and it cannot be "
                f"finished ({exc.strerror}); run allygraph once as a user who can write {directory}"
            ) from None
    return directory


def _roll_forward(directory: Path) -> None:
    import json

    journal = directory / JOURNAL
    try:
        from .inputs import InputError, read_input  # the one read path: a FIFO journal is refused unread

        pairs = [(Path(tmp), Path(final)) for tmp, final in json.loads(read_input(journal))["files"]]
    except FileNotFoundError:
        return
    except (OSError, ValueError, KeyError, TypeError, InputError) as exc:
        raise UsageError(
            f"{journal}: unreadable commit journal ({exc}); remove it after checking the data files"
        ) from None
    for tmp, final in pairs:
        if tmp.parent != final.parent or not tmp.name.startswith(f".{final.name}{_TMP_TAG}"):
            raise UsageError(f"{journal}: names a file that allygraph did not write ({str(tmp)!r}); remove the journal")
    for tmp, final in pairs:
        if os.path.exists(tmp):
            os.replace(tmp, final)
    for folder in {final.parent for _, final in pairs}:
        _fsync_dir(folder)
    os.unlink(journal)
    _fsync_dir(directory)


def _remove_stale(directory: Path) -> None:
    """Temporary files a crashed writer left before its commit point (never committed)."""
    for entry in os.scandir(directory):
        if entry.name.startswith(".") and _TMP_TAG in entry.name and entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


# --- output folders of multi-file exports ---------------------------------------------------


def output_dir(dest: str | os.PathLike, kind: str, protect: Iterable[str | os.PathLike] = ()) -> Path:
    """The folder a multi-file export of ``kind`` may write into: created (with a marker file)
    when missing; an existing one must be empty or carry the marker of an earlier ``kind`` export.
    Raises ``WriteRefused`` otherwise, and for a file, a protected folder or one inside it."""
    given = Path(dest)
    real = Path(os.path.realpath(given))
    for p in protect:
        guarded = Path(os.path.realpath(p))
        if _inside(real, guarded) or _inside(guarded, real):
            raise WriteRefused(f"refusing to write into {given}: it is or holds the data directory {guarded}")
    marker = real / EXPORT_MARKER
    if real.exists():
        if not real.is_dir():
            raise WriteRefused(f"refusing to write {kind} export into {given}: it is a file, not a folder")
        entries = os.listdir(real)
        if entries:
            try:
                from .inputs import InputError, read_input

                mine = read_input(marker, limit=4096).decode("utf-8", "replace").strip() == kind
            except (OSError, InputError):
                mine = False
            if not mine:
                raise WriteRefused(
                    f"refusing to write {kind} export into {given}: the folder is not empty and is not an earlier "
                    f"allygraph {kind} export; give a new or empty folder"
                )
    else:
        real.mkdir(parents=True)
    if not marker.exists():
        atomic_write_text(marker, f"{kind}\n")
    return real

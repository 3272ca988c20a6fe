"""The one write path: every file allygraph writes goes through here.

- ``atomic_open`` / ``atomic_write_bytes`` / ``atomic_write_text``: one file, written beside its
  target (a temporary file in the same folder), flushed to disk, then renamed over it;
- ``atomic_group``: several files that appear together or not at all (an export's CSV pair);
- ``lock_data`` + ``commit_data``: a data directory's files, replaced together under a lock on
  the directory, through a journal that ``recover`` rolls forward after a crash;
- ``output_dir``: a folder a multi-file export may write into (empty, new, or marked as an
  earlier export of the same kind);
- ``check_target``: the rules every target passes first (below); ``guarded``: what a data
  directory protects;
- ``scratch_folder``: a private temporary folder (validation copies, a git revision's files);
- ``temp_beside`` + ``publish`` / ``discard``, ``sqlite_connect``: a file SQLite writes by name.

Rules. A target that exists must be a regular file the user could write themselves: its own
permission bits must allow it (a read-only file is refused even for root, who could otherwise
rename over it). Symlinks are followed: the file a link points to is replaced and the link is
kept, and every check applies to where the link points. Paths listed in ``protect`` (the data
directory, an import's input files) are never written, nor anything inside a protected folder;
a protected data directory also protects the real files its ``entities.yaml`` and
``relations.yaml`` are (links followed) and the folders they really live in. Whatever a caller
passes, the data files of every directory read in this process (``recover`` notes them) are
written by ``commit_data`` only. The target's folder must be writable. A refusal raises
``WriteRefused`` (a usage error: exit 2, one line naming the file and why); an error while
writing raises ``WriteFailed`` naming the file (exit 74 for a full disk, else 2), never a bare
``OSError``. No other module opens a file for writing (tests/test_safety_writepath.py).

Two-file commit. ``commit_data`` writes every new file beside its target, then writes a small
journal (``.allygraph-commit.json``, renamed onto its name: a link there is replaced, not
followed) naming each temporary file and its target: that rename is the commit point. It then renames each file into place and removes the journal.
The journal is never trusted: ``recover`` renames only a temporary file named as allygraph
names them (``.NAME.allygraph-XXXX.tmp``), a regular file of the user's, not a link, beside the
real file of this directory's ``entities.yaml`` or ``relations.yaml``, onto that file, through
paths it derives itself; a journal that names anything else is reported and not obeyed.
A crash before the journal leaves the old files (and temporary files that the next writer
removes); a crash after it leaves a journal that ``recover`` finishes on the next run, before
anything reads the directory. A journal was chosen over a staged directory because the data
directory is the user's: it can be a mount point, a git checkout or hold other files, so it
cannot itself be swapped.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import OUTPUT_ERRNOS, AllygraphError, ExitCode, UsageError

if TYPE_CHECKING:
    import sqlite3

JOURNAL = ".allygraph-commit.json"
EXPORT_MARKER = ".allygraph-export"
DATA_FILES = ("entities.yaml", "relations.yaml")
_TMP_TAG = ".allygraph-"
_TMP_NAME = r"\.{name}\.allygraph-[A-Za-z0-9_]+\.tmp"  # what ``tempfile.mkstemp`` makes with our prefix
_JOURNAL_MAX = 64 * 1024
_data_files: set[Path] = set()  # the real data files of every directory read in this process


class WriteRefused(UsageError):
    """allygraph will not write this path (it names the file and the reason)."""


class WriteFailed(AllygraphError):
    """Writing a file failed (it names the file and the system's reason): exit 74 when the
    device is full (or failing), else 2."""

    def __init__(self, path: object, exc: OSError) -> None:
        self.errno = exc.errno
        self.exit_code = ExitCode.OUTPUT if exc.errno in OUTPUT_ERRNOS else ExitCode.BAD_INPUT
        super().__init__(f"cannot write {path}: {exc.strerror or exc}")


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


def guarded(directory: str | os.PathLike) -> list[tuple[Path, str]]:
    """What an output must never touch for the data directory ``directory``, each with what it
    is: the directory, the real files its two data files are (symlinks followed) and the folders
    those really live in. A folder protects everything inside it."""
    d = Path(os.path.realpath(directory))
    out = [(d, "the data directory")]
    for name in DATA_FILES:
        real = Path(os.path.realpath(Path(directory) / name))
        out.append((real, "the data file"))
        if real.parent != d:
            out.append((real.parent, "the folder of the data file"))
    return out


def _refuse_protected(given: Path, real: Path, protect: Iterable[str | os.PathLike], commit: bool) -> None:
    for p in protect:
        guards = guarded(p) if os.path.isdir(p) else [(Path(os.path.realpath(p)), "the input file")]
        for path, what in guards:
            if real == path or (what != "the data file" and path.is_dir() and _inside(real, path)):
                how = "it is" if real == path else "it is inside"
                raise WriteRefused(f"refusing to write {given}: {how} {what} {path}")
    if not commit and real in _data_files:
        raise WriteRefused(f"refusing to write {given}: it is the data file {real} (only allygraph's edits write it)")


def check_target(path: str | os.PathLike, protect: Iterable[str | os.PathLike] = (), *, _commit: bool = False) -> Path:
    """The real file to write for ``path`` (symlinks followed), after every check.

    Raises ``WriteRefused`` when ``path`` (or what it points to) is protected or inside a
    protected folder (see ``guarded``), is a data file read in this process, is not a regular
    file, is a file the user could not write themselves, or its folder is missing or not writable.
    """
    given = Path(path)
    real = Path(os.path.realpath(given))
    _refuse_protected(given, real, protect, _commit)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        if not real.parent.is_dir():
            raise WriteRefused(f"cannot write {given}: folder {real.parent} does not exist") from None
        _folder_writable(given, real.parent)
        return real
    if stat.S_ISDIR(st.st_mode):
        raise WriteRefused(f"refusing to write {given}: it is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise WriteRefused(f"refusing to write {given}: it is not a regular file")
    if not _may_write(real, st):
        raise WriteRefused(f"refusing to replace {given}: the file is read-only for you (check its permissions)")
    _folder_writable(given, real.parent)
    return real


def _folder_writable(given: Path, folder: Path) -> None:
    """A file is written beside its target and renamed: its folder must take new files."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteRefused(_not_writable(given, folder))


def _not_writable(given: object, folder: Path, why: str = "not writable for you (check its permissions)") -> str:
    return f"cannot write {given}: the folder {folder} is {why}"


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
    """Temporary files beside their targets, renamed over them all at once by ``publish``.
    ``commit``: the data commit, the one writer of data files (``commit_data``)."""

    def __init__(self, protect: Iterable[str | os.PathLike] = (), commit: bool = False):
        self.protect = list(protect)
        self.commit = commit
        self.items: list[tuple[Path, Path]] = []  # (temporary, real target)
        self.committed = False  # past the journal: the renames must finish (now or in ``recover``)

    def open(self, path: str | os.PathLike, *, binary: bool = False, encoding: str = "utf-8",
             newline: str | None = "", mode: int = 0o666, exact_mode: int | None = None) -> IO:  # fmt: skip
        real = check_target(path, self.protect, _commit=self.commit)
        fd, tmp = _mkstemp(path, real)
        self.items.append((Path(tmp), real))
        os.fchmod(fd, exact_mode if exact_mode is not None else _mode_for(real, mode))
        text_args: dict[str, Any] = {} if binary else {"encoding": encoding, "newline": newline}
        return os.fdopen(fd, "wb" if binary else "w", **text_args)

    def publish(self, journal: Path | None = None) -> None:
        if journal is not None:
            import json

            body = json.dumps({"version": 1, "files": [[str(t), str(r)] for t, r in self.items]})
            _write_journal(journal, (body + "\n").encode("utf-8"))
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


def _mkstemp(given: object, real: Path) -> tuple[int, str]:
    """A new temporary file beside ``real``; a folder that refuses it is named (``WriteRefused``)."""
    import tempfile

    try:
        return tempfile.mkstemp(prefix=f".{real.name}{_TMP_TAG}", suffix=".tmp", dir=real.parent)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise WriteRefused(_not_writable(given, real.parent)) from None
        if exc.errno == errno.EROFS:
            raise WriteRefused(_not_writable(given, real.parent, "on a read-only file system")) from None
        raise


def _write_journal(journal: Path, body: bytes) -> None:
    """The journal, renamed onto its name (a link planted there is replaced, never followed)."""
    fd, tmp = _mkstemp(journal, journal)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, journal)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _named(exc: OSError, path: object) -> WriteFailed:
    """``exc`` as a ``WriteFailed`` naming the file the user gave (a failed write names none,
    or our temporary file)."""
    if exc.filename is None or _TMP_TAG in str(exc.filename):
        return WriteFailed(path, exc)
    return WriteFailed(exc.filename, exc)


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
def atomic_group(paths: Sequence[str | os.PathLike], *, protect: Iterable[str | os.PathLike] = (),
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
    stage = _Stage(commit=True)
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
    ``stat`` when there is nothing to do. Notes the directory's data files, which from now on
    only ``commit_data`` writes in this process. Returns ``directory``."""
    directory = Path(directory)
    _data_files.update(Path(os.path.realpath(directory / name)) for name in DATA_FILES)
    if os.path.lexists(directory / JOURNAL):
        try:
            with lock_data(directory):
                pass
        except OSError as exc:
            raise UsageError(
                f"{directory / JOURNAL}: an interrupted edit or import left this directory half-written and it "
                f"cannot be finished ({exc.strerror}); run allygraph once as a user who can write {directory}"
            ) from None
    return directory


def _roll_forward(directory: Path) -> None:
    """Finish the renames a genuine journal asks for (``_journal_renames``), then remove it."""
    journal = directory / JOURNAL
    renames = _journal_renames(directory, journal)
    if renames is None:
        return
    for tmp, final in renames:
        os.replace(tmp, final)
    for folder in {final.parent for _, final in renames}:
        _fsync_dir(folder)
    os.unlink(journal)
    _fsync_dir(directory)


def _untrusted(journal: Path, why: str) -> UsageError:
    return UsageError(
        f"{journal}: not obeyed: {why}; allygraph did not write this commit journal as it stands. "
        "Check the data files, then remove it"
    )


def _read_journal(journal: Path) -> list | None:
    """The journal's ``files`` list, read without following a link (None: there is none)."""
    import json

    try:
        fd = os.open(journal, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _untrusted(journal, "it is a symlink" if exc.errno == errno.ELOOP else exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _untrusted(journal, "it is not a regular file")
        if st.st_uid != os.geteuid():
            raise _untrusted(journal, "it belongs to another user")
        raw = os.read(fd, _JOURNAL_MAX + 1)
    finally:
        os.close(fd)
    try:
        files = json.loads(raw.decode("utf-8"))["files"] if len(raw) <= _JOURNAL_MAX else None
        if not isinstance(files, list) or not all(
            isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in files
        ):
            raise ValueError("no list of [temporary, target] names")
    except (ValueError, KeyError, TypeError) as exc:
        raise _untrusted(journal, f"unreadable ({exc})") from None
    return files


def _journal_renames(directory: Path, journal: Path) -> list[tuple[Path, Path]] | None:
    """The renames a journal asks for, rebuilt from names derived here: each target must be the
    real file of this directory's ``entities.yaml`` or ``relations.yaml``, each temporary a name
    ``mkstemp`` made for it in that file's folder, a regular file of the user's with one link
    (gone already: renamed before the crash). Anything else raises (the journal is not obeyed)."""
    files = _read_journal(journal)
    if files is None:
        return None
    targets = {str(real): real for real in (Path(os.path.realpath(directory / n)) for n in DATA_FILES)}
    renames: list[tuple[Path, Path]] = []
    for tmp, final in files:
        target = targets.pop(final, None)
        if target is None:
            raise _untrusted(journal, f"it names {final!r}, which is not a data file of {directory}")
        name = os.path.basename(tmp)
        if tmp != os.path.join(target.parent, name) or not re.fullmatch(_TMP_NAME.format(name=re.escape(target.name)), name):  # fmt: skip
            raise _untrusted(journal, f"it names {tmp!r}, which is not a temporary file allygraph makes for {target}")
        path = target.parent / name
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_nlink != 1:
            raise _untrusted(journal, f"{path} is not a plain file of yours (a link, another user's, or linked twice)")
        renames.append((path, target))
    return renames


def _remove_stale(directory: Path) -> None:
    """Temporary files a crashed writer left before its commit point (never committed): in the
    data directory, and beside a data file that links elsewhere only the user's own temporaries
    of that file (that folder may hold other people's files)."""
    for entry in os.scandir(directory):
        if entry.name.startswith(".") and _TMP_TAG in entry.name and entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
    for name in DATA_FILES:
        real = Path(os.path.realpath(directory / name))
        if real.parent == Path(os.path.realpath(directory)) or not real.parent.is_dir():
            continue
        pattern = re.compile(_TMP_NAME.format(name=re.escape(real.name)))
        for entry in os.scandir(real.parent):
            with contextlib.suppress(OSError):
                ours = pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
                if ours and entry.stat(follow_symlinks=False).st_uid == os.geteuid():
                    os.unlink(entry.path)


# --- output folders of multi-file exports ---------------------------------------------------


def output_dir(dest: str | os.PathLike, kind: str, protect: Iterable[str | os.PathLike] = ()) -> Path:
    """The folder a multi-file export of ``kind`` may write into: created (with a marker file)
    when missing; an existing one must be empty or carry the marker of an earlier ``kind`` export.
    Raises ``WriteRefused`` otherwise, and for a file, a protected folder or one inside it."""
    given = Path(dest)
    real = Path(os.path.realpath(given))
    for p in protect:
        guards = guarded(p) if os.path.isdir(p) else [(Path(os.path.realpath(p)), "the input file")]
        for path, what in guards:
            if _inside(real, path) or _inside(path, real):
                raise WriteRefused(f"refusing to write into {given}: it is or holds {what} {path}")
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
        try:
            real.mkdir(parents=True)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise WriteRefused(f"cannot create {given}: {exc.strerror}") from None
            raise WriteFailed(given, exc) from None
    if not marker.exists():
        atomic_write_text(marker, f"{kind}\n")
    return real


# --- private scratch folders and files other libraries write --------------------------------


@contextlib.contextmanager
def scratch_folder(files: Mapping[str, bytes | os.PathLike], prefix: str = "allygraph-") -> Iterator[Path]:
    """A new private temporary folder holding ``files`` (a plain name -> its bytes, or a file
    to copy), removed with everything in it when the block ends: a data directory to validate
    as it would be, or as a git revision has it."""
    import shutil
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        for name, body in files.items():
            if os.path.basename(name) != name or name in ("", ".", ".."):
                raise ValueError(f"scratch file names are plain names, not {name!r}")
            if isinstance(body, bytes):
                fd = os.open(scratch / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(body)
            else:
                shutil.copyfile(body, scratch / name)
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def temp_beside(path: str | os.PathLike, exact_mode: int = 0o600) -> str:
    """A new empty temporary file beside ``path`` (after ``check_target``'s checks), for a
    library that writes by file name (SQLite); ``publish`` renames it onto ``path``, ``discard``
    removes it. Raises ``WriteRefused`` or ``WriteFailed`` naming ``path``."""
    real = check_target(path)
    try:
        fd, tmp = _mkstemp(path, real)
        try:
            os.fchmod(fd, exact_mode)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _named(exc, path) from None
    return tmp


def publish(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Flush ``temp_beside``'s complete file to disk, then rename it onto ``path``."""
    try:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, Path(os.path.realpath(path)))
    except OSError as exc:
        raise _named(exc, path) from None


def discard(tmp: str | os.PathLike) -> None:
    """Remove a temporary file of ``temp_beside`` (gone already: nothing to do)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def sqlite_connect(path: str | os.PathLike, **kwargs: Any) -> sqlite3.Connection:
    """An SQLite connection that may write ``path`` (a ``temp_beside`` file, or a cache updated
    in place): the file passes ``check_target`` first, and the connection opens where it really is."""
    import sqlite3

    return sqlite3.connect(check_target(path), **kwargs)

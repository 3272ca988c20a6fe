"""The one read path: every data file, import input and cache file is opened here.

``fsutil`` is the one way to write; this module is the one way to read what a user (or anyone
who can write where allygraph looks) may have put in place of a file. ``open_input`` opens
without blocking and checks what it opened: a device (``/dev/zero`` never ends), a FIFO (an open
waits for a writer, a read for data), a socket or a directory is refused before a byte is read,
with one line saying what it is. ``read_input`` reads a whole file, at most ``limit`` bytes
(import inputs are bounded by ``MAX_IMPORT_BYTES``).

``tests/test_hostile_input.py`` checks that nothing else in the package opens a file to read it.
"""

from __future__ import annotations

import os
import stat
from io import BufferedReader

from .errors import InputError

__all__ = ["MAX_IMPORT_BYTES", "InputError", "open_input", "read_input"]

# The most an import reads from one input file (``ALLYGRAPH_MAX_IMPORT_BYTES`` changes it). The
# largest public export an importer reads, SIPRI's whole trade register, is about 30 MB.
DEFAULT_MAX_IMPORT_BYTES = 512 * 1024 * 1024


def _max_import_bytes() -> int:
    try:
        return max(0, int(os.environ.get("ALLYGRAPH_MAX_IMPORT_BYTES", DEFAULT_MAX_IMPORT_BYTES)))
    except ValueError:  # not a number: the default (a setting never ends a run in a traceback)
        return DEFAULT_MAX_IMPORT_BYTES


MAX_IMPORT_BYTES = _max_import_bytes()


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_input(path: str | os.PathLike, *, follow_symlinks: bool = True, what: str = "a data file") -> BufferedReader:
    """Open ``path`` for reading (binary) if it is a regular file.

    Raises FileNotFoundError when it is missing (callers decide what that means), and
    ``InputError`` (one line, exit 2) when it is a directory, a device, a FIFO or a socket (or a
    symlink to one), or cannot be opened. ``what`` names the expected file in the message.
    The type is checked on the open file itself, so nothing can be swapped in between.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise InputError(path, f"is a directory, expected {what}") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            via = " (through a symlink)" if os.path.islink(path) else ""
            if stat.S_ISDIR(mode):
                raise InputError(path, f"is a directory{via}, expected {what}")
            raise InputError(path, f"is {_kind(mode)}{via}, not a regular file; {what} must be an ordinary file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | os.PathLike, *, limit: int | None = None, what: str = "a data file",
               follow_symlinks: bool = True) -> bytes:  # fmt: skip
    """The whole content of the regular file ``path`` (see ``open_input`` for what is refused).

    With ``limit``, a file larger than ``limit`` bytes is refused (``InputError``) after reading
    no more than ``limit + 1`` bytes: a file that grows while it is read cannot exhaust memory.
    """
    with open_input(path, follow_symlinks=follow_symlinks, what=what) as fh:
        try:
            data = fh.read() if limit is None else fh.read(limit + 1)
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror}") from None
    if limit is not None and len(data) > limit:
        raise InputError(
            path,
            f"is larger than {_size(limit)}, the most allygraph reads from one input "
            "(ALLYGRAPH_MAX_IMPORT_BYTES raises it); split the file, or check that it is the right one",
        )
    return data


def _size(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB" if n >= 1024**2 else f"{n:,} bytes"

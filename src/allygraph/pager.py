"""Long output on a terminal goes through a pager, as git does.

When stdout is a terminal and what a command prints is taller than the window, it is written to
``$ALLYGRAPH_PAGER``, else ``$PAGER``, else ``less -FRX`` (``LESS=FRX`` is set for a pager when
``LESS`` is unset, so a plain ``PAGER=less`` shows colours and quits on a short page). Off when
piped, with ``allygraph --no-pager``, and when the pager is set empty or to ``cat``
(``ALLYGRAPH_PAGER=`` turns it off for allygraph alone). A pager that cannot be found is no pager:
the output is written as it is. Quitting the pager early (``q``) ends the command quietly.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TextIO

DEFAULT = "less -FRX"
enabled = True  # allygraph --no-pager sets it False for the run


def command() -> str | None:
    """The pager command line to run, or None when paging is off (see the module docstring)."""
    if not enabled:
        return None
    for var in ("ALLYGRAPH_PAGER", "PAGER"):
        if var in os.environ:
            value = os.environ[var].strip()
            break
    else:
        value = DEFAULT
    if value in ("", "cat"):
        return None
    import shlex
    import shutil

    try:
        words = shlex.split(value)
    except ValueError:
        return None
    return value if words and shutil.which(words[0]) else None


def is_terminal(out: TextIO | None = None) -> bool:
    """Whether ``out`` (default: stdout) is a terminal."""
    out = out or sys.stdout
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def rows(text: str, width: int) -> int:
    """How many terminal rows ``text`` takes at ``width`` columns (escape sequences take none)."""
    import re

    from rich.cells import cell_len

    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)", "", text)
    return sum(max(1, -(-cell_len(line) // max(width, 1))) for line in plain.splitlines())


def write(text: str, out: TextIO | None = None) -> None:
    """Write ``text`` to ``out`` (default: stdout), through the pager when ``out`` is a terminal,
    paging is on and ``text`` is taller than the window."""
    out = out or sys.stdout
    if is_terminal(out) and (cmd := command()) is not None:
        import shutil

        size = shutil.get_terminal_size()
        if rows(text, size.columns) > size.lines and _page(text, cmd, out):
            return
    out.write(text)


def _page(text: str, cmd: str, out: TextIO) -> bool:
    """Run ``cmd`` (through the shell, as git runs ``$PAGER``) with ``text`` on its stdin and
    wait for it; False if it could not be started."""
    import signal
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    out.flush()
    try:
        proc = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    try:  # Ctrl-C belongs to the pager while it runs
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        old = None
    assert proc.stdin is not None  # stdin=PIPE
    try:
        with contextlib.suppress(OSError):  # a reader that quit before the end (q): nothing more to show
            proc.stdin.write(text.encode(getattr(out, "encoding", None) or "utf-8", "replace"))
        with contextlib.suppress(OSError):
            proc.stdin.close()
        proc.wait()
    finally:
        if old is not None:
            signal.signal(signal.SIGINT, old)
    return True

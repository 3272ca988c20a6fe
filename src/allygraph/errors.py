"""Exit codes, problems found in data, and the exceptions the library raises: their one home.

Every user-facing failure is an ``AllygraphError`` subclass carrying its ``ExitCode`` (click's
exceptions carry theirs the same way); ``allygraph.cli.errors`` turns one into a message and that
code, never a traceback.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from enum import IntEnum
from typing import NamedTuple

from .render.text import safe


class ExitCode(IntEnum):
    """Every exit status of the command line, in one place (CONTRACT.md §3 for 0, 1 and 2)."""

    DONE = 0
    NOTHING = 1  # nothing to show: an unknown entity, no path, no match
    BAD_INPUT = 2  # invalid data, a bad argument, an ambiguous name
    INTERNAL = 70  # a bug (sysexits EX_SOFTWARE); never for anything a user did
    UNAVAILABLE = 69  # a graph server could not be reached, or went away (sysexits EX_UNAVAILABLE)
    OUTPUT = 74  # the output could not be written: a full disk (sysexits EX_IOERR)
    RETRY = 75  # a damaged cache was found midway and removed: the same command will work (EX_TEMPFAIL)
    INTERRUPTED = 130  # Ctrl-C
    PIPE = 141  # the reader of a pipe went away (as if killed by SIGPIPE), quietly


# a write failed because of the device, not the request: exit ``ExitCode.OUTPUT``
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EPIPE})


class Problem(NamedTuple):
    """One error or warning located in a data file (line and column are 1-based, 0 if unknown)."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        """``file:line:column: severity: message``, safe to print (see ``render.text.safe``)."""
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        return safe(f"{where}: {self.severity}: {self.message}")

    def to_json(self) -> dict[str, object]:
        """The contract's error object: file, line, column, message."""
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message}


def problem_report(problems: Iterable[Problem]) -> dict[str, list[dict[str, object]]]:
    """Problems as the contract's check report: ``{"errors": [...], "warnings": [...]}``.

    >>> problem_report([Problem("r.yaml", 3, 5, "bad"), Problem("e.yaml", 0, 0, "odd", "warning")])["warnings"]
    [{'file': 'e.yaml', 'line': 0, 'column': 0, 'message': 'odd'}]
    """
    problems = list(problems)
    return {
        "errors": [p.to_json() for p in problems if p.severity == "error"],
        "warnings": [p.to_json() for p in problems if p.severity == "warning"],
    }


class AllygraphError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class DataError(AllygraphError):
    """The data directory is invalid; ``problems`` lists every error (and warning) found."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the data")

    @property
    def errors(self) -> list[Problem]:
        """Only the problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]


class UnknownEntity(AllygraphError):
    """A name matched no entity; ``suggestions`` holds close names."""

    exit_code = ExitCode.NOTHING

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        msg = f"unknown entity {name!r}"
        if suggestions:
            msg += " — did you mean " + " or ".join(repr(s) for s in suggestions[:3]) + "?"
        super().__init__(msg)


class UnknownRecord(UnknownEntity):
    """An editing command named no entity, relation or source; ``suggestions`` holds close ids."""

    def __init__(self, name: str, suggestions: list[str], where: str) -> None:
        super().__init__(name, suggestions)
        msg = f"no entity, relation or source with id {name!r} in {where}"
        if suggestions:
            msg += " — did you mean " + " or ".join(repr(s) for s in suggestions[:3]) + "?"
        self.args = (msg,)


class InvalidChange(DataError):
    """A change refused because the data would be invalid after it; nothing was written.
    ``problems`` are located in the files as they are, or (line 0) in the change itself."""

    def __init__(self, problems: list[Problem], directory: object = "the data") -> None:
        super().__init__(problems)
        self.args = (
            f"refused: the change would leave {len(self.errors)} error(s) in {directory}; nothing was written",
        )


class AmbiguousName(AllygraphError):
    """A name matched several entities; ``choices`` lists their ids."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, name: str, choices: list[tuple[str, str]]) -> None:
        self.name = name
        self.choices = choices
        listed = ", ".join(f"{cid} ({cname})" for cid, cname in choices)
        super().__init__(f"ambiguous name {name!r}: it could be {listed}; use an id")


class NoPath(AllygraphError):
    """No path links the two entities under the given filters."""

    exit_code = ExitCode.NOTHING


class UsageError(AllygraphError):
    """A bad argument value (a malformed --as-of date, an unknown --type)."""

    exit_code = ExitCode.BAD_INPUT


class InputError(AllygraphError):
    """A file allygraph was asked to read cannot be: a device, a FIFO, a directory, too large,
    unreadable (``inputs.open_input``). ``path`` and ``reason`` are kept apart for ``check``."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, path: object, reason: str | None = None) -> None:
        if reason is None:  # one message that names its file itself
            path, reason = "", str(path)
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}" if path else reason)


class CacheDamaged(AllygraphError):
    """A cache read back holds what the loader never writes (damaged, or forged to pass its
    checks). It has been removed; commands retry once on a fresh one, so this is rarely seen."""

    exit_code = ExitCode.RETRY

    def __init__(self, what: str = "") -> None:
        self.what = what
        super().__init__(
            f"the cache of this data directory was damaged{f' ({what})' if what else ''} and has been removed; "
            "run the command again"
        )


class TooLarge(AllygraphError):
    """The data would not fit in this machine's memory (checked before loading it)."""

    exit_code = ExitCode.BAD_INPUT


class ServerUnavailable(AllygraphError):
    """A graph server (``push``, ``--server``) could not be reached or went away mid-way."""

    exit_code = ExitCode.UNAVAILABLE

"""Exit codes, problems found in data, and the exceptions the library raises: their one home.

Every user-facing failure is an ``AllygraphError`` subclass carrying its ``ExitCode`` (click's
exceptions carry theirs the same way); ``allygraph.cli.errors`` turns one into a message and that
code, never a traceback. ``allygraph.problems`` re-exports these names where they used to live.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from enum import IntEnum
from typing import NamedTuple


class ExitCode(IntEnum):
    """Every exit status of the command line, in one place (CONTRACT.md §3 for 0, 1 and 2)."""

    DONE = 0
    NOTHING = 1  # nothing to show: an unknown entity, no path, no match
    BAD_INPUT = 2  # invalid data, a bad argument, an ambiguous name
    INTERNAL = 70  # a bug (sysexits EX_SOFTWARE); never for anything a user did
    UNAVAILABLE = 69  # a graph server could not be reached, or went away (sysexits EX_UNAVAILABLE)
    OUTPUT = 74  # the output could not be written: a full disk (sysexits EX_IOERR)
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
        """``file:line:column: severity: message``, safe to print (see ``render.safe``)."""
        from .render import safe

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


class TooLarge(AllygraphError):
    """The data would not fit in this machine's memory (checked before loading it)."""

    exit_code = ExitCode.BAD_INPUT


class ServerUnavailable(AllygraphError):
    """A graph server (``push``, ``--server``) could not be reached or went away mid-way."""

    exit_code = ExitCode.UNAVAILABLE

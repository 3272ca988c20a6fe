"""Where the exceptions and ``Problem`` used to live: re-exported from ``allygraph.errors``."""

from __future__ import annotations

from .errors import (
    AllygraphError,
    AmbiguousName,
    DataError,
    ExitCode,
    InputError,
    NoPath,
    Problem,
    TooLarge,
    UnknownEntity,
    UsageError,
    problem_report,
)

__all__ = [
    "AllygraphError",
    "AmbiguousName",
    "DataError",
    "ExitCode",
    "InputError",
    "NoPath",
    "Problem",
    "TooLarge",
    "UnknownEntity",
    "UsageError",
    "problem_report",
]

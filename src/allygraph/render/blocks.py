"""``Block``: what one part of a command's result looks like, whatever the backend that prints it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .text import safe, safe_prose

WEAK_NOTE = " (one weak source)"  # after the source ids of a relation that rests on one weak source


@dataclass
class Block:
    """What one part of a result looks like, whatever the backend.

    ``style``: "panel" (title and fields), "table", "text" (the title alone), "lines" (each row
    one line) or "sources" (the citations a result's ``sources`` columns refer to; a ``sources``
    cell may end in ``WEAK_NOTE``).
    ``wrap``: prose columns; on a narrow terminal they wrap at spaces, or go under their row.
    ``below``: columns printed under their row, as ``name: value`` (e.g. a relation's note).
    ``clip``: on a terminal, at most this many lines of each ``below`` value (0: all of it).
    """

    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    style: str = "table"
    wrap: tuple[str, ...] = ()
    below: tuple[str, ...] = ()
    clip: int = 0

    def cell(self, column: str, value: object) -> str:
        """A cell of ``column`` as it is printed: made ``safe``, and a prose column (``wrap``,
        ``below``) as one line of running text."""
        return safe_prose(value) if column in self.wrap or column in self.below else safe(value)

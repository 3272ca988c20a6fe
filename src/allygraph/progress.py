"""Progress bars for long work, on stderr only (stdout stays clean for --json and pipes).

A bar shows when stderr is a terminal and the work is large (``total >= threshold``), or always
with ``ALLYGRAPH_PROGRESS=1``; never with ``ALLYGRAPH_PROGRESS=0``. rich is imported only then.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
THRESHOLD = 20_000


def enabled(total: int | None, threshold: int = THRESHOLD) -> bool:
    """Show a progress bar for ``total`` items: ``ALLYGRAPH_PROGRESS`` decides, else a terminal on
    stderr and at least ``threshold`` items."""
    flag = os.environ.get("ALLYGRAPH_PROGRESS")
    if flag is not None:
        return flag not in ("", "0")
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and (total is None or total >= threshold)


def track(items: Iterable[T], total: int | None = None, description: str = "working",
          threshold: int = THRESHOLD) -> Iterator[T]:  # fmt: skip
    """Yield ``items``, drawing a progress bar on stderr when the work is large."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]  # a Sized iterable (hasattr above)
    if not enabled(total, threshold):
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .render.text import safe

    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(file=sys.stderr, markup=False, emoji=False), transient=True) as bar:
        task = bar.add_task(safe(description), total=total)
        for i, item in enumerate(items, 1):
            yield item
            if i % 512 == 0:
                bar.update(task, completed=i)
        bar.update(task, completed=total)

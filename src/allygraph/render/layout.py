"""Where blocks go: plain aligned text when piped, the terminal drawing on a tty; or JSON.

Each ``*_blocks`` function (``render.query``, ``render.analysis``, ...) turns one command's result
into a list of ``Block`` (a title with key/value fields, or a table). Two backends print them, and
every block prints its title and text in both: on a terminal, ``render.terminal`` lays them out to
the window's width with rich; piped, ``plain`` writes aligned text (stable, no escape codes; rich
is not even imported). ``NO_COLOR`` is honoured by rich; ``ALLYGRAPH_PLAIN=1`` forces plain. Both
backends make one text; on a terminal, a text taller than the window goes through the pager
(``pager``), JSON too. Every data string is made ``safe`` (``render.text``) on its way out.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from .. import pager
from ..pager import is_terminal
from .blocks import Block
from .text import escape_json, safe, safe_prose


def to_json(result: object, out: TextIO | None = None) -> None:
    """One JSON document on stdout: the contract's shape. Exact JSON, and safe on a terminal:
    besides the control characters JSON escapes anyway, DEL, C1 and bidi controls are written as
    ``\\uXXXX`` escapes (``escape_json``: the same string to any JSON reader)."""
    import json

    out = out or sys.stdout
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str, allow_nan=False)  # strict JSON
    pager.write(escape_json(text) + "\n", out)  # on a terminal, a long document is paged


def wants_rich(out: TextIO | None = None) -> bool:
    """Whether ``out`` gets the terminal backend (a tty, and ``ALLYGRAPH_PLAIN`` unset)."""
    if os.environ.get("ALLYGRAPH_PLAIN"):
        return False
    return is_terminal(out)


def emit(blocks: list[Block], out: TextIO | None = None) -> None:
    """Print blocks with rich on a terminal (``render.terminal``), as plain text otherwise; on a
    terminal, output taller than the window goes through the pager (``pager``)."""
    out = out or sys.stdout
    if wants_rich(out):
        from .terminal import draw

        pager.write(draw(blocks, out), out)
    else:
        pager.write(plain(blocks), out)


def plain(blocks: list[Block]) -> str:
    """Blocks as plain aligned text (every data string made ``safe``)."""
    lines: list[str] = []
    for b in blocks:
        if lines:
            lines.append("")
        if b.title:
            lines.append(safe(b.title))
        if b.fields:
            fields = [(safe(k), safe_prose(v)) for k, v in b.fields]
            width = max(len(k) for k, _ in fields)
            lines += [f"  {k.ljust(width)}  {v}" for k, v in fields]
        if b.rows and b.style == "lines":
            lines += [" ".join(safe(c) for c in row) for row in b.rows]
        elif b.rows:
            shown = [i for i, c in enumerate(b.columns) if c not in b.below]
            under = [i for i, c in enumerate(b.columns) if c in b.below]
            cols = [safe(b.columns[i]) for i in shown]
            rows = [[b.cell(b.columns[i], row[i]) for i in shown] for row in b.rows]
            widths = [max(len(c) for c in col) for col in zip(cols, *rows, strict=False)]
            if b.style in ("table", "sources") and any(cols):
                lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=False)).rstrip())
            for raw, row in zip(b.rows, rows, strict=False):
                lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
                for i in under:
                    if raw[i]:
                        lines.append(f"      {safe(b.columns[i])}: {b.cell(b.columns[i], raw[i])}")
    return "\n".join(lines) + "\n"

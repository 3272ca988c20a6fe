"""The terminal drawing of blocks (rich): lines wrapped at spaces, tables fitted to the window.

Blocks are laid out to the window's width: tables wrap at spaces, never inside a word; prose
columns and notes move under their row when narrow; a table too wide even so prints each row as
its own small list; sources become numbers into the list at the end. Imported only when a
terminal is drawn on (``layout.emit``), so piped output never loads rich.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from .blocks import WEAK_NOTE, Block
from .text import safe, safe_prose

if TYPE_CHECKING:  # rich itself is imported only when drawing
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

_INDENT, _GAP, _UNDER = 2, 2, 6


def draw(blocks: list[Block], out: TextIO) -> str:
    """The terminal backend's drawing of ``blocks`` for ``out`` (its width and colours), as text
    with the terminal's escape codes."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, markup=False, emoji=False)
    width = max(console.width, 40)
    numbers = next(({row[0]: i for i, row in enumerate(b.rows, 1)} for b in blocks if b.style == "sources"), {})
    lines: list[Text | Table | str] = []
    for b in blocks:
        if lines:
            lines.append("")
        if b.title:
            lines += _wrap(console, safe(b.title), width, style="bold")
        if b.fields:
            lines += _field_lines(console, b, width)
        if b.rows and b.style == "lines":
            for row in b.rows:  # one line each, wrapped at spaces with a hanging indent
                wrapped = _wrap(console, " ".join(safe(c) for c in row), width - _UNDER + _INDENT)
                lines += wrapped[:1] + [Text(" " * (_UNDER - _INDENT)) + w for w in wrapped[1:]]
        elif b.rows and b.style == "sources":
            lines += _source_lines(b, width)
        elif b.rows:
            lines += _table_lines(console, b, width, numbers)
    with console.capture() as drawn:
        for line in lines:
            if isinstance(line, str):
                line = _text(line)
            console.print(line, soft_wrap=True)
    return drawn.get()


def _text(value: str, style: str | None = None) -> Text:
    from rich.text import Text

    return Text(value, style=style or "")


def _wrap(console: Console, value: str, width: int, style: str | None = None, indent: int = 0) -> list[Text]:
    """``value`` wrapped at spaces to ``width`` cells (``indent`` of them blank at the start of
    each line), never inside a word: a word longer than a line is broken after a ``+`` (the joints
    of an id such as ``japan+philippines+united_states``) where it has one, else it stands alone
    on its line (a URL stays whole, so that the terminal keeps it one piece to copy)."""
    from rich.text import Text

    lines = [Text(" " * indent + line, style=style or "") for line in wrap_words(value, max(width - indent, 8))]
    return lines or [Text("")]


_TOKENS = re.compile(r"\s+|\S+")
_JOINTS = re.compile(r"[^+]*\+|[^+]+")


def wrap_words(value: str, room: int) -> list[str]:
    """``value`` as lines of at most ``room`` cells, broken at spaces (the space at a break is
    dropped; other spacing, such as an indentation, is kept). A word longer than ``room`` is
    broken after a ``+`` where it has one; a piece still longer stands alone on its line.

    >>> wrap_words("in: quad, japan+philippines+united_states, squad", 20)
    ['in: quad, japan+', 'philippines+', 'united_states, squad']
    """
    from rich.cells import cell_len

    lines: list[str] = []
    line, used, space = "", 0, ""
    for token in _TOKENS.findall(value):
        if token.isspace():
            space = space + token if line or not lines else ""
            continue
        fits = room - (cell_len(space) if not line else 0)  # an indentation takes room on a first line
        pieces = _JOINTS.findall(token) if cell_len(token) > fits else [token]
        for i, piece in enumerate(pieces):
            gap, size = (space if i == 0 else ""), cell_len(piece)
            if line and used + cell_len(gap) + size > room:
                lines.append(line.rstrip())
                line, used = piece, size
            else:
                line, used = line + gap + piece, used + cell_len(gap) + size
        space = ""
    if line or not lines:
        lines.append(line.rstrip())
    return lines


def _longest_word(value: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(w) for w in value.split()), default=0)


def _field_lines(console: Console, b: Block, width: int) -> list[Text]:
    from rich.cells import cell_len
    from rich.text import Text

    fields = [(safe(k), safe_prose(v)) for k, v in b.fields]
    kw = max(cell_len(k) for k, _ in fields)
    out = []
    for k, v in fields:
        value = _wrap(console, v, width - _INDENT - kw - _GAP)
        head = Text(" " * _INDENT) + Text(k, style="bold") + Text(" " * (kw - cell_len(k) + _GAP))
        out.append(head + value[0])
        out += [Text(" " * (_INDENT + kw + _GAP)) + line for line in value[1:]]
    return out


def _refs(value: str, numbers: dict[str, int]) -> str:
    """``"a, b, c"`` as numbers into the sources list, e.g. ``1-3, 7`` (as is if one is not listed)."""
    tail = ""
    if value.endswith(WEAK_NOTE):
        value, tail = value[: -len(WEAK_NOTE)], WEAK_NOTE
    ids = [s.strip() for s in value.split(",") if s.strip()]
    if not ids or any(i not in numbers for i in ids):
        return value + tail
    nums = sorted({numbers[i] for i in ids})
    runs: list[list[int]] = []
    for n in nums:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == z else f"{a}-{z}" for a, z in runs) + tail


def _fit(heads: list[str], rows: list[list[str]], prose: list[bool], avail: int, strict: bool) -> list[int] | None:
    """Column widths that fit ``avail`` cells without splitting a word, or None. ``strict``: also
    None when a column would be squeezed into a tall thin strip (prose narrower than 24 cells)."""
    from rich.cells import cell_len

    cols = list(zip(heads, *rows, strict=False))
    mins = [max(_longest_word(c) for c in col) for col in cols]
    maxs = [max(cell_len(c) for c in col) for col in cols]
    if sum(maxs) <= avail:
        return maxs
    if sum(mins) > avail:
        return None
    widths, extra = mins[:], avail - sum(mins)
    # Widen, a step at a time, the column whose widening saves the most lines per cell (judged on
    # the first rows, so that a long table is laid out as fast as a short one).
    sample = [[[cell_len(w) for w in c.split()] for c in col[1:_SAMPLE]] for col in cols]
    while extra > 0:
        height = _height(sample, widths)
        best = None
        for k in range(len(cols)):
            for w in range(widths[k] + 1, min(maxs[k], widths[k] + extra) + 1):
                saved = height - _height(sample, widths[:k] + [w] + widths[k + 1 :])
                if saved > 0:
                    score = (saved / (w - widths[k]), not prose[k])
                    if best is None or score > best[0]:
                        best = (score, k, w)
                    break
        if best is None:
            break
        extra -= best[2] - widths[best[1]]
        widths[best[1]] = best[2]
    wanting = [k for k in range(len(cols)) if maxs[k] > widths[k]]
    need = sum(maxs[k] - widths[k] for k in wanting)
    for k in wanting:
        widths[k] += extra * (maxs[k] - widths[k]) // need if need else 0
    if strict and any(w < min(m, 24 if p else 16) for w, m, p in zip(widths, maxs, prose, strict=False)):
        return None
    return widths


_SAMPLE = 101


def _height(cols: list[list[list[int]]], widths: list[int]) -> int:
    """How many lines rows take at these column widths (words, given by their widths, wrapped greedily)."""
    total = 0
    for r in range(len(cols[0])):
        tallest = 1
        for col, w in zip(cols, widths, strict=False):
            n, cur = 1, 0
            for size in col[r]:
                if cur and cur + 1 + size > w:
                    n, cur = n + 1, size
                else:
                    cur += (1 if cur else 0) + size
            tallest = max(tallest, n)
        total += tallest
    return total


def _table_lines(console: Console, b: Block, width: int, numbers: dict[str, int]) -> Sequence[Text | Table]:
    from rich.text import Text

    rows = [[b.cell(c, v) for c, v in zip(b.columns, row, strict=False)] for row in b.rows]
    if "sources" in b.columns and numbers:
        j = b.columns.index("sources")
        for r in rows:
            r[j] = _refs(r[j], numbers)
    under = [c for c in b.columns if c in b.below]
    shown = [c for c in b.columns if c not in b.below]
    if not under and (box := _boxed(b, rows, width)) is not None:
        return [box]
    for strict, cols in ((True, shown), (False, [c for c in shown if c not in b.wrap])):
        under = [c for c in b.columns if c not in cols]
        idx = [b.columns.index(c) for c in cols]
        heads = [safe(c) for c in cols]
        widths = _fit(heads, [[r[i] for i in idx] for r in rows], [c in b.wrap for c in cols],
                      width - _INDENT - _GAP * (len(cols) - 1), strict and any(c in b.wrap for c in cols))  # fmt: skip
        if widths is not None:
            break
    else:
        return _record_lines(console, b, rows, width)
    out: list[Text] = []
    if any(heads) and b.style == "table":
        out += _row_lines(console, [Text(h, style="bold") for h in heads], widths)
    for r in rows:
        out += _row_lines(console, [_text(r[i]) for i in idx], widths)
        for c in under:
            value = r[b.columns.index(c)]
            if value:
                out += _under_lines(console, f"{safe(c)}: {value}", width, b.clip if c in b.below else 0)
    return out


def _row_lines(console: Console, cells: list[Text], widths: list[int]) -> list[Text]:
    from rich.text import Text

    wrapped = [cell.wrap(console, max(w, _longest_word(cell.plain)), overflow="fold") if cell.plain else [Text("")]
               for cell, w in zip(cells, widths, strict=False)]  # fmt: skip
    height = max(len(w) for w in wrapped)
    out = []
    for i in range(height):
        line = Text(" " * _INDENT)
        for k, (lines, w) in enumerate(zip(wrapped, widths, strict=False)):
            part = lines[i].copy() if i < len(lines) else Text("")
            part.rstrip()
            if k:
                line.append(" " * _GAP)
            line.append_text(part)
            line.append(" " * max(w - part.cell_len, 0))
        line.rstrip()
        out.append(line)
    return out


def _under_lines(console: Console, value: str, width: int, clip: int) -> list[Text]:
    """``name: value`` on indented lines under a row; with ``clip``, at most that many lines, the
    last one ending in an ellipsis at a word boundary."""
    from rich.text import Text

    lines = _wrap(console, value, width, indent=_UNDER)
    if clip and len(lines) > clip:
        lines = lines[:clip]
        text = lines[-1].plain.rstrip()
        if len(text) >= width - 1 and " " in text.strip():
            text = text[: text.rstrip().rfind(" ")]
        lines[-1] = Text(text.rstrip(" ,;:") + "…")
    return lines


def _record_lines(console: Console, b: Block, rows: list[list[str]], width: int) -> list[Text]:
    """Each row as its own small list of ``column: value`` lines (for tables too wide to fit)."""
    out = []
    for r in rows:
        first, *rest = zip(b.columns, r, strict=False)
        out += _wrap(console, first[1], width, style="bold", indent=_INDENT)
        for c, v in rest:
            if v:
                out += _under_lines(console, f"{safe(c)}: {v}", width, b.clip if c in b.below else 0)
    return out


def _boxed(b: Block, rows: list[list[str]], width: int) -> Table | None:
    """A rich table with borders, when the whole table fits on one line per row; else None."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    heads = [safe(c) for c in b.columns]
    natural = [max(cell_len(c) for c in col) for col in zip(heads, *rows, strict=False)]
    if sum(natural) + 3 * len(natural) + 1 > width:
        return None
    table = Table(show_header=b.style == "table" and any(heads), header_style="bold")
    for h in heads:
        table.add_column(Text(h), no_wrap=True)
    for r in rows:
        table.add_row(*(Text(c) for c in r))
    return table


def _source_lines(b: Block, width: int) -> list[Text]:
    """The sources list, one line each: number, id (a link to its URL), title shortened to fit."""
    from rich.cells import cell_len
    from rich.style import Style
    from rich.text import Text

    n = len(str(len(b.rows)))
    out = []
    for i, (sid, title, grade, url) in enumerate(b.rows, 1):
        line = Text(" " * _INDENT + str(i).rjust(n) + "  ")
        url = safe(url)
        link = Style(link=url) if url.startswith(("https://", "http://")) and " " not in url else Style()
        line.append(safe(sid), style=link)
        if grade:
            line.append(f" [{safe(grade)}]", style="dim")
        room = width - line.cell_len - _GAP
        title = safe_prose(title)
        if room >= 12:
            if cell_len(title) > room:
                title = _clip(title, room)
            line.append(" " * _GAP + title)
        out.append(line)
    return out


def _clip(value: str, room: int) -> str:
    """``value`` shortened to ``room`` cells, at a space where one is near, ending in an ellipsis."""
    from rich.cells import set_cell_size

    cut = set_cell_size(value, room - 1).rstrip()
    space = cut.rfind(" ")
    if space > room * 2 // 3:
        cut = cut[:space].rstrip(" ,;:(")
    return cut + "…"

"""Query results (plain data) -> what a person reads, or JSON for scripts.

Each ``*_blocks`` function turns one query's result into a list of Blocks (a title with
key/value fields, or a table). Two backends print Blocks, and every block prints its title and
text in both: on a terminal, rich styles and lays them out to the window's width (tables wrap at
spaces, never inside a word; prose columns and notes move under their row when narrow; sources
become numbers into the list at the end); piped, plain aligned text (stable, no escape codes;
rich is not even imported). ``NO_COLOR`` is honoured by rich; ``ALLYGRAPH_PLAIN=1`` forces plain.
Both backends make one text; on a terminal, a text taller than the window goes through the pager
(``pager``), JSON too. Lines wrap at spaces within the window, never inside a word (``wrap_words``).

Every data string goes through ``safe`` before it reaches a screen (both backends, error
messages too): control characters and bidi controls are shown as visible escapes, and rich never
reads markup in data.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from . import pager
from .pager import is_terminal

# C0 and C1 controls (ESC starts CSI/OSC sequences, BEL ends OSC, CR overwrites, NUL...), DEL,
# the bidi controls (they reorder what is shown) and the line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\n]+")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0xA0 else f"<U+{code:04X}>"


def safe(value: object) -> str:
    """``value`` as text that is safe to print on a terminal: every control character (C0, C1,
    DEL: so no ESC/CSI/OSC sequence, BEL, NUL or CR) becomes a visible ``\\xNN`` and every bidi
    control a visible ``<U+202E>``. Idempotent. The one place where data meets a screen.

    >>> safe("Evil\\x1b]0;pwned\\x07 \\u202eCorp")
    'Evil\\\\x1b]0;pwned\\\\x07 <U+202E>Corp'
    """
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escape, text)


def safe_prose(value: object) -> str:
    """``safe`` for running text (notes, descriptions): line breaks and tabs become spaces."""
    text = value if isinstance(value, str) else str(value)
    return safe(_SPACES.sub(" ", text).strip())


@dataclass
class Block:
    """What one part of a result looks like, whatever the backend.

    ``style``: "panel" (title and fields), "table", "text" (the title alone), "lines" (each row
    one line) or "sources" (the citations a result's ``sources`` columns refer to).
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


def to_json(result: object, out: TextIO | None = None) -> None:
    """One JSON document on stdout: the contract's shape. Exact JSON, and safe on a terminal:
    besides the control characters JSON escapes anyway, DEL, C1 and bidi controls are written as
    ``\\uXXXX`` escapes (the same string to any JSON reader)."""
    import json

    out = out or sys.stdout
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str, allow_nan=False)  # strict JSON
    text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
    pager.write(text, out)  # on a terminal, a long document is paged


# What an export written to a terminal may not carry raw: C0 controls but tab and line feed, DEL,
# C1, the bidi controls and the line/paragraph separators. Each syntax writes them as an escape its
# readers read back as the same character, so the document means the same (FalkorDB's Cypher
# reads no ``\\u`` escape: there the escape is only visible).
_EXPORT_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_EXPORT_ESCAPE = {"json": "\\u{:04x}", "xml": "&#x{:X};", "cypher": "\\u{:04x}"}
EXPORT_SYNTAX = {"json": "json", "cyjs": "json", "graphml": "xml", "gexf": "xml", "cypher": "cypher"}


def escape_export(text: str, fmt: str) -> str:
    """``text`` (a piece of an export in format ``fmt``) with every character that could drive a
    terminal written as the format's own escape (``\\u009b`` in JSON and Cypher, ``&#x9B;`` in XML).

    >>> escape_export('{"name": "Evil\\u202eCorp"}', "json")
    '{"name": "Evil\\\\u202eCorp"}'
    """
    escape = _EXPORT_ESCAPE[EXPORT_SYNTAX[fmt]]
    return _EXPORT_UNSAFE.sub(lambda m: escape.format(ord(m.group())), text)


class TerminalExport:
    """A text stream for an export written to a terminal: every ``write`` goes through
    ``escape_export`` (piped, an export is written as it is, byte for byte)."""

    def __init__(self, out: TextIO, fmt: str) -> None:
        self.out, self.fmt = out, fmt

    def write(self, text: str) -> int:
        """Write ``text``, its unsafe characters escaped."""
        return self.out.write(escape_export(text, self.fmt))


def wants_rich(out: TextIO | None = None) -> bool:
    """Whether ``out`` gets the terminal backend (a tty, and ``ALLYGRAPH_PLAIN`` unset)."""
    if os.environ.get("ALLYGRAPH_PLAIN"):
        return False
    return is_terminal(out)


def emit(blocks: list[Block], out: TextIO | None = None) -> None:
    """Print blocks with rich on a terminal, as plain text otherwise; on a terminal, output
    taller than the window goes through the pager (``pager``)."""
    out = out or sys.stdout
    pager.write(_rich_text(blocks, out) if wants_rich(out) else plain(blocks), out)


def _cell(b: Block, column: str, value: object) -> str:
    return safe_prose(value) if column in b.wrap or column in b.below else safe(value)


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
            rows = [[_cell(b, b.columns[i], row[i]) for i in shown] for row in b.rows]
            widths = [max(len(c) for c in col) for col in zip(cols, *rows, strict=False)]
            if b.style in ("table", "sources") and any(cols):
                lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=False)).rstrip())
            for raw, row in zip(b.rows, rows, strict=False):
                lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
                for i in under:
                    if raw[i]:
                        lines.append(f"      {safe(b.columns[i])}: {_cell(b, b.columns[i], raw[i])}")
    return "\n".join(lines) + "\n"


# --- the terminal backend ---------------------------------------------------------------------

_INDENT, _GAP, _UNDER = 2, 2, 6


def _rich_text(blocks: list[Block], out: TextIO) -> str:
    """The terminal backend's drawing of ``blocks`` for ``out`` (its width and colours)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, markup=False, emoji=False)
    width = max(console.width, 40)
    numbers = next(({row[0]: i for i, row in enumerate(b.rows, 1)} for b in blocks if b.style == "sources"), {})
    lines: list = []
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


def _text(value: str, style: str | None = None):
    from rich.text import Text

    return Text(value, style=style or "")


def _wrap(console, value: str, width: int, style: str | None = None, indent: int = 0) -> list:
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


def _field_lines(console, b: Block, width: int) -> list:
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


WEAK_NOTE = " (one weak source)"  # after the source ids of a relation that rests on one weak source


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


def _table_lines(console, b: Block, width: int, numbers: dict[str, int]) -> list:
    from rich.text import Text

    rows = [[_cell(b, c, v) for c, v in zip(b.columns, row, strict=False)] for row in b.rows]
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
    out = []
    if any(heads) and b.style == "table":
        out += _row_lines(console, [Text(h, style="bold") for h in heads], widths)
    for r in rows:
        out += _row_lines(console, [_text(r[i]) for i in idx], widths)
        for c in under:
            value = r[b.columns.index(c)]
            if value:
                out += _under_lines(console, f"{safe(c)}: {value}", width, b.clip if c in b.below else 0)
    return out


def _row_lines(console, cells: list, widths: list[int]) -> list:
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


def _under_lines(console, value: str, width: int, clip: int) -> list:
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


def _record_lines(console, b: Block, rows: list[list[str]], width: int) -> list:
    """Each row as its own small list of ``column: value`` lines (for tables too wide to fit)."""
    out = []
    for r in rows:
        first, *rest = zip(b.columns, r, strict=False)
        out += _wrap(console, first[1], width, style="bold", indent=_INDENT)
        for c, v in rest:
            if v:
                out += _under_lines(console, f"{safe(c)}: {v}", width, b.clip if c in b.below else 0)
    return out


def _boxed(b: Block, rows: list[list[str]], width: int):
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


def _source_lines(b: Block, width: int) -> list:
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


# --- one function per query -------------------------------------------------------------------


def _name(result: dict, eid: str) -> str:
    ent = result.get("entities", {}).get(eid)
    return ent["name"] if ent else eid


def _dates(rel: dict) -> str:
    since, until = rel.get("since"), rel.get("until")
    if since and until:
        return f"{since} – {until}"
    if since:
        return f"since {since}"
    if until:
        return f"until {until}"
    return "undated"


def _detail(rel: dict) -> str:
    bits = []
    if rel.get("tier"):
        bits.append(rel["tier"])
    attrs = rel.get("attributes") or {}
    bits += [f"{k}={v}" for k, v in attrs.items()]
    return ", ".join(bits)


def _status(rel: dict) -> str:
    """A relation's status as ``show`` and ``path`` print it: a claim that other relations
    contradict says so and names them; a reported one says it is unconfirmed."""
    status = rel.get("status", "")
    if rel.get("contradicted_by"):
        return f"{status or 'active'}, contradicted by {', '.join(rel['contradicted_by'])}"
    return "reported (unconfirmed)" if status == "reported" else status


def _sources(rel: dict, srcs: dict | None = None) -> str:
    """A relation's source ids; a relation that rests on one weak source says so (the grades
    come with the result's ``sources``)."""
    ids = rel.get("sources", [])
    text = ", ".join(ids) or "(no source)"
    if srcs is not None and len(ids) == 1 and (srcs.get(ids[0]) or {}).get("grade") == "weak":
        text += WEAK_NOTE
    return text


def _sources_block(result: dict) -> list[Block]:
    srcs = result.get("sources") or {}
    if not srcs:
        return []
    rows = []
    for sid, s in sorted(srcs.items()):
        meta = ", ".join(x for x in (s.get("publisher"), s.get("date")) if x)
        title = s["title"] + (f" ({meta})" if meta else "")
        rows.append([sid, title, s.get("grade", ""), s.get("url", "")])
    return [Block("Sources", columns=["id", "title", "grade", "url"], rows=rows, style="sources")]


def _symmetric(result: dict) -> frozenset[str] | list[str]:
    """The symmetric relation types of a result (declared ones too), drawn ↔."""
    from .vocab import SYMMETRIC_TYPES

    return result.get("symmetric_types", SYMMETRIC_TYPES)


def _arrow(result: dict, rel: dict, here: str) -> tuple[str, str]:
    if rel["type"] in _symmetric(result):
        other = rel["to"] if rel["from"] == here else rel["from"]
        return "↔", _name(result, other)
    if rel["from"] == here:
        return "→", _name(result, rel["to"])
    return "←", _name(result, rel["from"])


def _hop_arrow(result: dict, rel: dict, hop: dict) -> str:
    """How a relation runs along a hop: ``↔`` (symmetric), ``→`` or ``←``; its parties in full
    when they are not the hop's two ends (a relation that the hop reaches through its ``via``)."""
    symmetric = _symmetric(result)
    ends = {hop["from"], hop["to"]}
    if {rel["from"], rel["to"]} != ends:
        sep = "↔" if rel["type"] in symmetric else "→"
        return f"{_name(result, rel['from'])} {sep} {_name(result, rel['to'])}"
    if rel["type"] in symmetric:
        return "↔"
    return "→" if rel["from"] == hop["from"] else "←"


def path_blocks(result: dict) -> list[Block]:
    """``query.path``'s result as blocks: a headline, each path, every relation of each hop, sources."""
    a, b = _name(result, result["from"]), _name(result, result["to"])
    n = len(result["paths"])
    hops = result["hops"]
    head = f"{a} → {b}: {hops} hop{'s' if hops != 1 else ''}, {n} shortest path{'s' if n != 1 else ''}"
    if result.get("as_of"):
        head += f" (as of {result['as_of']})"
    blocks = [Block(head, style="text")]
    for i, p in enumerate(result["paths"], 1):
        chain = " — ".join(_name(result, x) for x in p["nodes"])
        blocks.append(Block(f"Path {i}: {chain}", style="text"))
        for hop in p["hops"]:
            rows = []
            for rel in hop["relations"]:
                direction = _hop_arrow(result, rel, hop)
                rows.append([direction, rel["type"], _detail(rel), _status(rel), _dates(rel),
                             _name(result, rel["via"]) if rel.get("via") else "", _sources(rel, result.get("sources")),
                             rel.get("note") or ""])  # fmt: skip
            title = f"{_name(result, hop['from'])} — {_name(result, hop['to'])}: {len(rows)} relation(s)"
            blocks.append(Block(title, columns=["", "type", "detail", "status", "dates", "via", "sources", "note"],
                                rows=rows, wrap=("detail",), below=("note",), clip=1))  # fmt: skip
    if result.get("truncated"):
        blocks.append(Block("(more shortest paths exist; only the first ones are shown)", style="text"))
    return blocks + _sources_block(result)


def show_blocks(result: dict) -> list[Block]:
    """``query.show``'s entity card as blocks: details, relations by type, what goes through it, conflicts."""
    ent = result["entity"]
    here = ent["id"]
    fields = [("id", here), ("type", ent["type"])]
    if ent.get("aliases"):
        fields.append(("aliases", ", ".join(ent["aliases"])))
    for key in ("description", "wikidata", "since", "until"):
        if ent.get(key):
            fields.append((key, str(ent[key])))
    for k, v in (ent.get("attributes") or {}).items():
        fields.append((k, str(v)))
    if ent.get("sources"):
        fields.append(("sources", ", ".join(ent["sources"])))
    blocks = [Block(ent["name"], fields=fields, style="panel")]
    by_type: dict[str, list[dict]] = {}
    for rel in result["relations"]:
        by_type.setdefault(rel["type"], []).append(rel)
    for rtype, rels in by_type.items():
        rows = []
        for rel in rels:
            arrow, other = _arrow(result, rel, here)
            rows.append([arrow, other, _detail(rel), _status(rel), _dates(rel),
                         _name(result, rel["via"]) if rel.get("via") else "", _sources(rel, result.get("sources")), rel["id"], rel.get("note") or ""])  # fmt: skip
        blocks.append(Block(f"{rtype} ({len(rows)})", columns=["", "with", "detail", "status", "dates", "via", "sources", "relation", "note"],
                            rows=rows, wrap=("detail", "relation"), below=("note",)))  # fmt: skip
    if result["via"]:
        rows = [[rel["type"], _name(result, rel["from"]), _name(result, rel["to"]), _detail(rel),
                 _status(rel), _dates(rel), _sources(rel, result.get("sources")), rel["id"], rel.get("note") or ""] for rel in result["via"]]  # fmt: skip
        blocks.append(Block(f"Through {ent['name']} ({len(rows)})", columns=["type", "from", "to", "detail", "status", "dates", "sources", "relation", "note"],
                            rows=rows, wrap=("detail", "relation"), below=("note",)))  # fmt: skip
    for i, c in enumerate(result["conflicts"], 1):
        rows = [[cl["id"], cl.get("status") or "", _dates(cl), ", ".join(cl["sources"]) or "(no source)",
                 cl.get("note") or ""] for cl in c["claims"]]  # fmt: skip
        blocks.append(Block(f"Conflicting claims {i}: sources disagree on {', '.join(c['differ'])}",
                            columns=["relation", "status", "dates", "sources", "note"], rows=rows, wrap=("note",)))  # fmt: skip
    if not result["relations"] and not result["via"]:
        blocks.append(Block("(no relations)", style="text"))
    return blocks + _sources_block(result)


def neighbors_blocks(result: dict) -> list[Block]:
    """``query.neighbors``'s result as one table: depth, name, id, type, the relations that reach each."""
    labels = result.get("labels", {})
    rows = [[str(n["depth"]), n["name"], n["id"], n["type"],
             ", ".join(r + (f" ({labels[r]})" if r in labels else "") for r in n["relations"])] for n in result["neighbors"]]  # fmt: skip
    title = f"{len(rows)} neighbour(s) of {result.get('name', result['entity'])} within depth {result['depth']} ({result['direction']})"
    if result.get("as_of"):
        title += f", as of {result['as_of']}"
    return [Block(title, columns=["depth", "name", "id", "type", "relations"], rows=rows, wrap=("relations",))]


def tiers_blocks(result: dict) -> list[Block]:
    """``query.tiers``'s partners as one table, highest tier first (or a line: none in force)."""
    rows = []
    last = None
    for p in result["partners"]:
        label = f"{p['rank']}. {p['tier_name']}" if p["tier"] != last else ""
        last = p["tier"]
        rows.append([label, p["name"], p.get("since") or "undated", ", ".join(p["sources"]) or "(no source)"])
        if any("designations" in q for q in result["partners"]):  # each side's wording, where they differ
            theirs = (p.get("designations") or {}).get(p["id"])
            rows[-1].insert(2, theirs["tier_name"] if theirs else "")
    title = f"Partners of {result.get('name', result['entity'])} by tier, highest first"
    title += f", on {result.get('name', result['entity'])}'s own ladder" if result.get("ladder") else ""
    title += f" (as of {result['as_of']})" if result.get("as_of") else " (today)"
    if not rows:
        return [Block(title, style="text"), Block("(no alliance or partnership in force)", style="text")]
    columns = ["tier", "partner", "since", "sources"]
    if rows and len(rows[0]) > len(columns):
        columns.insert(2, "partner's designation")
    return [Block(title, columns=columns, rows=rows, wrap=("sources",))]


def tier_history_blocks(result: dict) -> list[Block]:
    """``query.tier_history``'s result as blocks: the current tier, then the history oldest first."""
    a, b = _name(result, result["from"]), _name(result, result["to"])
    cur = result["current"]
    when = f" as of {result['as_of']}" if result.get("as_of") else ""
    if cur:
        fields = [("current tier", f"{cur['tier_name']} (rank {cur['rank']})"),
                  ("since", cur.get("since") or "undated"), ("relation", cur["relation"])]  # fmt: skip
        fields[1:1] = [(f"{_name(result, who)} calls it", d["tier_name"]) for who, d in (cur.get("designations") or {}).items()]  # fmt: skip
    else:
        fields = [("current tier", "none in force")]
    blocks = [Block(f"{a} – {b}{when}", fields=fields, style="panel")]
    rows = [[h.get("since") or "undated", h.get("until") or "", h["tier_name"], h.get("status") or "",
             _sources(h), h.get("note") or ""] for h in result["history"]]  # fmt: skip
    columns = ["since", "until", "tier", "status", "sources", "note"]
    if any("designations" in h for h in result["history"]):  # each side's wording, where they differ
        columns.insert(3, "designations")
        for row, h in zip(rows, result["history"], strict=True):
            row.insert(3, "; ".join(f"{_name(result, who)}: {d['tier_name']}" for who, d in (h.get("designations") or {}).items()))  # fmt: skip
    if rows:
        blocks.append(Block("History", columns=columns, rows=rows, wrap=("note",)))
    return blocks + _sources_block(result)


def search_blocks(result: dict) -> list[Block]:
    """``query.search``'s matches as one table (or the line saying nothing matched)."""
    rows = [[f"{m['score']:.0f}", m["id"], m["name"], m["type"], m["matched"]] for m in result["matches"]]
    if not rows:
        return [Block(f"No match for {result['query']!r}", style="text")]
    return [Block(f"Matches for {result['query']!r}", columns=["score", "id", "name", "type", "matched"], rows=rows,
                  wrap=("matched",))]  # fmt: skip


def check_blocks(result: dict) -> list[Block]:
    """``allygraph check``'s errors and warnings, in file order, and a count line."""
    found = [(p, sev) for sev in ("error", "warning") for p in result[sev + "s"]]
    found.sort(key=lambda ps: (ps[0]["file"], ps[0]["line"], ps[0]["column"]))
    rows = [[f"{p['file']}:{p['line']}:{p['column']}: {sev}: {p['message']}"] for p, sev in found]
    summary = f"{len(result['errors'])} error(s), {len(result['warnings'])} warning(s)"
    return ([Block("", columns=["problem"], rows=rows, style="lines")] if rows else []) + [Block(summary, style="text")]


# --- editing and review (issue 14) ----------------------------------------------------------


def changed_blocks(result: dict) -> list[Block]:
    """What an editing command changed (``{"changed": [...]}``), and with ``--dry-run`` its patch."""
    rows = [[c["action"], f"{c['old']} -> {c['id']}" if c.get("old") else c["id"] if c["id"] is not None else "", c["file"]]
            for c in result["changed"]]  # fmt: skip
    verb = "Would change" if result.get("dry_run") else "Changed"
    blocks = [Block(f"{verb}:", columns=["action", "id", "file"], rows=rows)] if rows else [Block("Nothing to change.", style="text")]  # fmt: skip
    if result.get("patch"):
        blocks.append(
            Block("", columns=["line"], rows=[[line] for line in result["patch"].splitlines()], style="lines")
        )
    return blocks


def init_blocks(result: dict) -> list[Block]:
    """``init``: where the new data directory is, and how to point allygraph at it."""
    rows = [["Use it from anywhere (e.g. in your shell's profile):"], [f"  export {result['env']}"],
            [f"or pass --data {result['env'].partition('=')[2]} to each command."]]  # fmt: skip
    title = f"Made {result['directory']}: a copy of the bundled data (entities.yaml, relations.yaml), yours to edit."
    return [Block(title, columns=["line"], rows=rows, style="lines")]


def _diff_detail(rec: dict) -> str:
    if "from" in rec:
        tier = f" ({rec['tier']})" if rec.get("tier") else ""
        return f"{rec['from']} {rec['type']} {rec['to']}{tier}"
    if "name" in rec:
        return f"{rec['name']} ({rec['type']})"
    return rec.get("title", "")


def _diff_value(value: object) -> str:
    if value is None:
        return "(none)"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def diff_blocks(result: dict) -> list[Block]:
    """``diff``: a summary, the highlights (tier upgrades, status changes), then per kind what was
    added, removed, renamed and changed field by field."""
    counts = [f"{k}: +{len(result[k]['added'])} -{len(result[k]['removed'])} ~{len(result[k]['changed'])} "
              f"renamed {len(result[k]['renamed'])}" for k in ("entities", "relations", "sources")]  # fmt: skip
    blocks = [Block(f"{result['old']} -> {result['new']}", fields=[("summary", "; ".join(counts))], style="panel")]
    if result["highlights"]:
        rows = [[h["kind"].replace("_", " "), f"{h['from']} - {h['to']}", f"{h['old']} -> {h['new']}", h["relation"]]
                for h in result["highlights"]]  # fmt: skip
        blocks.append(Block("Highlights", columns=["what", "between", "change", "relation"], rows=rows))
    for kind in ("entities", "relations", "sources"):
        sec = result[kind]
        rows = [["added", r["id"], _diff_detail(r)] for r in sec["added"]]
        rows += [["removed", r["id"], _diff_detail(r)] for r in sec["removed"]]
        rows += [["renamed", f"{r['old']} -> {r['new']}", ""] for r in sec["renamed"]]
        rows += [["changed", c["id"], "; ".join(f"{k}: {_diff_value(v['old'])} -> {_diff_value(v['new'])}" for k, v in c["changes"].items())]
                 for c in sec["changed"]]  # fmt: skip
        if rows:
            blocks.append(Block(kind.capitalize(), columns=["change", "id", "detail"], rows=rows, wrap=("detail",)))
    if len(blocks) == 1:
        blocks.append(Block("No change.", style="text"))
    return blocks


# --- issue 13: analysis and pictures ------------------------------------------------------------


def timeline_blocks(result: dict) -> list[Block]:
    """``timeline``: one row per event, oldest first."""
    names = result.get("entities", {})
    ids = result.get("pair") or ([result["entity"]] if result.get("entity") else [])
    who = [names.get(i, {}).get("noun") or names.get(i, {}).get("name", i) for i in ids]
    title = f"Timeline of {' and '.join(who)}" if who else "Timeline of the whole data set"
    bounds = [f"from {result['from']}" if result.get("from") else "", f"to {result['to']}" if result.get("to") else "",
              f"as of {result['as_of']}" if result.get("as_of") else ""]  # fmt: skip
    title += "".join(f", {b}" for b in bounds if b) + f": {len(result['events'])} event(s), oldest first"
    rows = [
        [e["date"], e["kind"].replace("_", " "), e["summary"], ", ".join(e["sources"]) or "(no source)"]
        for e in result["events"]
    ]
    if not rows:
        return [Block(title, style="text"), Block("(no dated event)", style="text")]
    return [Block(title, columns=["date", "kind", "event", "sources"], rows=rows, wrap=("event", "sources"))]


def clusters_blocks(result: dict) -> list[Block]:
    """``clusters``: declared, then emergent, then the states in several."""
    names = {k: v["name"] for k, v in result.get("entities", {}).items()}
    if result.get("method", "cliques") != "cliques":
        return _grouping_blocks(result, names)
    blocks = [Block(f"Security clusters {_as_of(result)} (ties: {', '.join(result['types'])}"
                    f"{'; partnerships at or above ' + result['rung'] if 'partnership' in result['types'] else ''})",
                    style="text")]  # fmt: skip
    declared = [[c["name"], ", ".join(names.get(m, m) for m in c["members"]), c.get("since") or "undated",
                 {"same": "same members", "within": "inside a larger one", "backed": "yes", None: "no"}[c.get("emergent")],
                 c.get("backed_since") or ("—" if not c.get("backed") else "undated")]
                for c in result["clusters"] if c["kind"] == "declared"]  # fmt: skip
    if declared:
        blocks.append(Block("Declared (frameworks of three or more states; since = the membership's last change)",
                            columns=["framework", "members", "since", "emergent?", "pairs tied without it since"],
                            rows=declared, wrap=("members",)))  # fmt: skip
    emergent = [[", ".join(names.get(m, m) for m in c["members"]), c.get("since") or "undated",
                 "yes" if c.get("maximal") else f"no: backs {c.get('backs')}", str(len(c["ties"]))]
                for c in result["clusters"] if c["kind"] == "emergent"]  # fmt: skip
    if emergent:
        blocks.append(Block("Emergent (every pair tied; since = the day the last tie closed)",
                            columns=["members", "since", "maximal", "ties"], rows=emergent, wrap=("members",)))  # fmt: skip
    if not declared and not emergent:
        blocks.append(Block("(no cluster)", style="text"))
    blocks += _dropped_blocks(result, names)
    if result.get("overlaps"):
        rows = [[o["name"], str(o["count"]), ", ".join(o["clusters"])] for o in result["overlaps"]]
        blocks.append(
            Block("States in several clusters", columns=["state", "clusters", "which"], rows=rows, wrap=("which",))
        )
    return blocks


def _stderr(x: float | None) -> str:
    """A betweenness standard error as the plain output says it."""
    return "unknown (one source)" if x is None else f"{x:.4f}"


def _plus_minus(row: dict) -> str:
    """`` ± e``: a sampled score's standard error ("" for an exact score)."""
    return "" if "stderr" not in row else f" ± {_stderr(row['stderr'])}"


def rank_blocks(result: dict) -> list[Block]:
    """``rank``: the ranking, with how it was computed."""
    extras = {
        "sample": lambda: (
            f"betweenness sampled from {result['sample']} sources (seed {result['seed']}; "
            f"standard error of a score at most {_stderr(result.get('stderr'))})"
        ),
        "exact": lambda: "betweenness exact (every entity a source)",
        "as_of": lambda: _as_of(result),
        "types": lambda: f"types {', '.join(result['types'])}",
        "weight": lambda: "weighted by tie strength",
        "include_adversarial": lambda: "adversarial ties included",
    }
    said = [
        f"{result['nodes']} entities, {result['edges']} ties",
        *(say() for k, say in extras.items() if result.get(k)),
    ]
    how = ", ".join(said)
    if "as_of" in result and result["as_of"] is None:
        how += ", all time"
    rows = [[str(i), r["name"], r["id"], r["type"], f"{r['score']:.4f}" + _plus_minus(r), ", ".join(r.get("actors", ()))]
            for i, r in enumerate(result["ranking"], 1)]  # fmt: skip
    return [Block(f"Ranked by {result['by']} ({how})", columns=["#", "name", "id", "type", "score", "acting agencies"],
                  rows=rows, wrap=("acting agencies",))]  # fmt: skip


# --- issue 18: one clock, kinds of cluster, balance, changes -----------------------------------


def _as_of(result: dict) -> str:
    return f"as of {result['as_of']}" if result.get("as_of") else "over all time"


def per_year(blocks: Callable[[dict], list[Block]]) -> Callable[[dict], list[Block]]:
    """A renderer for a command's ``--years`` documents too: each year's blocks, one after another."""

    def render_any(result: dict) -> list[Block]:
        if "years" not in result:
            return blocks(result)
        out = [b for y in result["years"] for b in blocks(y)]
        return out + [Block(f"({result['read_on']})", style="text")]

    return render_any


def _grouping_blocks(result: dict, names: dict) -> list[Block]:
    """``clusters --method kcore|louvain``: the cores or communities."""
    what = {"kcore": "k-cores (connected parts)", "louvain": "Louvain communities (seed fixed)"}[result["method"]]
    k = ["k"] if result["method"] == "kcore" else []
    rows = [[str(c["k"])] * len(k) + [str(len(c["members"])), ", ".join(names.get(m, m) for m in c["members"])]
            for c in result["clusters"]]  # fmt: skip
    blocks = [Block(f"Security clusters {_as_of(result)}: {what} (ties: {', '.join(result['types'])})",
                    columns=[*k, "states", "members"], rows=rows, wrap=("members",))]  # fmt: skip
    if not rows:
        blocks.append(Block("(no cluster)", style="text"))
    return blocks + _dropped_blocks(result, names)


def _dropped_blocks(result: dict, names: dict) -> list[Block]:
    rows = [[" – ".join(names.get(m, m) for m in d["pair"]), ", ".join(d["disputes"]), ", ".join(d["ties"])]
            for d in result.get("dropped", ())]  # fmt: skip
    if not rows:
        return []
    return [Block("Pairs in an active dispute: not security ties that day", columns=["pair", "disputes", "ties dropped"],
                  rows=rows, wrap=("disputes", "ties dropped"))]  # fmt: skip


def balance_blocks(result: dict) -> list[Block]:
    """``balance``: the counts, then each unbalanced triangle with its signs."""
    names = {k: v["name"] for k, v in result.get("entities", {}).items()}
    p = result["pairs"]
    head = (f"Structural balance {_as_of(result)}: {result['states']} states, {p['positive']} positive and "
            f"{p['negative']} negative pairs ({p['mixed']} of them also cooperate); {result['triangles']} triangles, "
            f"{result['balanced']} balanced, {len(result['unbalanced'])} unbalanced")  # fmt: skip
    rows = [[", ".join(names.get(m, m) for m in d["members"]), " ".join(d["signs"]),
             "; ".join(f"{'–'.join(x['pair'])}: {', '.join(x['disputes'] or x['ties'])}" for x in d["pairs"])]
            for d in result["details"]]  # fmt: skip
    if not rows:
        return [Block(head, style="text")]
    return [Block(head, style="text"),
            Block("Unbalanced triangles (signs: ab ac bc)", columns=["states", "signs", "why"], rows=rows,
                  wrap=("states", "why"))]  # fmt: skip


def changes_blocks(result: dict) -> list[Block]:
    """``changes``: relations formed and ended, rungs changed, clusters, movers."""
    names = {k: v["name"] for k, v in result.get("entities", {}).items()}
    title = f"Changes from {result['from']} to {result['to']}"
    if result.get("around"):
        title += f" around {names.get(result['around'], result['around'])}"
    blocks = [Block(title, style="text")]

    def rels(label: str, items: list[dict]) -> None:
        rows = [[r["id"], r["type"], f"{names.get(r['from'], r['from'])} → {names.get(r['to'], r['to'])}",
                 r.get("since") or "", r.get("until") or ""] for r in items]  # fmt: skip
        if rows:
            blocks.append(Block(label, columns=["relation", "type", "parties", "since", "until"], rows=rows,
                                wrap=("parties",)))  # fmt: skip

    rels("Formed", result["formed"])
    rels("Ended", result["ended"])
    for label in ("upgraded", "downgraded"):
        rows = [[" – ".join(names.get(m, m) for m in u["parties"]), u["was"], u["now"], u["relation"]]
                for u in result.get(label, ())]  # fmt: skip
        if rows:
            blocks.append(Block(label.capitalize(), columns=["pair", "was", "now", "relation"], rows=rows,
                                wrap=("pair",)))  # fmt: skip
    for label in ("formed", "dissolved"):
        rows = [[c["kind"], c.get("framework") or "", ", ".join(c["members"])] for c in result["clusters"][label]]
        if rows:
            blocks.append(Block(f"Clusters {label}", columns=["kind", "framework", "members"], rows=rows,
                                wrap=("members",)))  # fmt: skip
    rows = [[m["name"], f"{m['was']:.4f}", f"{m['now']:.4f}", f"{m['change']:+.4f}",
             f"{m['rank_was'] or '–'} → {m['rank_now'] or '–'}"] for m in result.get("movers", ())]  # fmt: skip
    if rows:
        blocks.append(Block("Largest movers (weighted degree)", columns=["entity", "was", "now", "change", "rank"],
                            rows=rows))  # fmt: skip
    if len(blocks) == 1:
        blocks.append(Block("(nothing changed)", style="text"))
    return blocks


def explain_blocks(result: dict) -> list[Block]:
    """``explain``: the Markdown itself, line by line (it is what an analyst pastes)."""
    return [Block("", columns=["markdown"], rows=[[line] for line in result["markdown"].splitlines()], style="lines")]


def viz_blocks(result: dict) -> list[Block]:
    """``viz`` and ``tiers --plot``: what was written."""
    what = (
        f"{result['entities']} entities, {result['relations']} relations"
        if "relations" in result
        else f"{result.get('partners', 0)} partners"
    )
    return [Block(f"Wrote {result['file']} ({what})", style="text")]

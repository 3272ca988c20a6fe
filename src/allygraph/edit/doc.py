"""One data file as text, with every record and value located: the ground for text surgery.

A file is kept as the exact text it was read as (its line endings, its quoting, its comments);
a change is a list of splices (offset ranges replaced by new text), applied at once. Locations
come from PyYAML's node tree (the pure-Python composer: its marks count characters, so they are
offsets into the text as read). New text is written in the file's own style: its line ending,
its item indentation, a blank line between records where the file puts one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError

Node = Any  # a PyYAML node (yaml.nodes.Node): its marks locate it in the text


@dataclass
class Doc:
    """The text of one data file and its node tree (``root``: a PyYAML node, or None)."""

    name: str
    text: str
    bom: str = ""
    nl: str = "\n"
    root: Node = None
    splices: list[tuple[int, int, str]] = field(default_factory=list)
    original: str | None = None  # the text as read, when ``settle`` has replaced ``text``

    @property
    def changed(self) -> bool:
        """Whether the file would be written differently from how it was read."""
        return bool(self.splices) or (self.original is not None and self.original != self.text)

    def settle(self) -> None:
        """Apply the splices so far and compose the result again, so that a further change to
        the same record is located in the text as it now is (several fields of one flow record
        cannot be changed by splices computed on the old text: their commas interleave)."""
        if not self.splices:
            return
        if self.original is None:
            self.original = self.text
        self.text, self.splices = self.applied(), []
        self.root = compose(self.text, self.name) if self.text.strip() else None

    @classmethod
    def parse(cls, name: str, raw: bytes) -> Doc:
        """Decode ``raw`` (UTF-8, an optional BOM kept) and compose its node tree."""
        text = raw.decode("utf-8")
        bom = ""
        if text.startswith("\ufeff"):
            bom, text = "\ufeff", text[1:]
        nl = "\r\n" if "\r\n" in text else "\n"
        doc = cls(name, text, bom, nl)
        doc.root = compose(text, name) if text.strip() else None
        return doc

    def data(self) -> bytes:
        """The file's bytes after the splices."""
        return (self.bom + self.applied()).encode("utf-8")

    def applied(self) -> str:
        """The text after the splices (applied in offset order; overlapping ones are refused)."""
        out, at, last_cut = [], 0, False
        for start, end, new in sorted(self.splices, key=lambda s: (s[0], s[1])):
            if start < at and last_cut and not new:  # two removals that share text (the comma between
                at = max(at, end)  # two flow items): remove what either removes
                continue
            if start < at:
                raise UsageError(f"{self.name}: two changes overlap at offset {start}; make them one at a time")
            out += [self.text[at:start], new]
            at, last_cut = end, not new
        out.append(self.text[at:])
        return "".join(out)

    def splice(self, start: int, end: int, new: str) -> None:
        """Replace ``text[start:end]`` with ``new`` when the file is written."""
        self.splices.append((start, end, new))

    # --- lines --------------------------------------------------------------------------------

    def line_start(self, offset: int) -> int:
        """Offset of the start of the line holding ``offset``."""
        return self.text.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        """Offset just past the line break ending the line holding ``offset`` (or the text's end)."""
        i = self.text.find("\n", offset)
        return len(self.text) if i < 0 else i + 1

    def prev_line(self, start: int) -> tuple[int, int] | None:
        """(start, end) of the line before the line starting at ``start``."""
        if start == 0:
            return None
        return self.line_start(start - 1), start

    def is_blank(self, span: tuple[int, int] | None) -> bool:
        """Whether the line ``span`` (from ``prev_line``) holds only whitespace."""
        return span is not None and not self.text[span[0] : span[1]].strip()

    # --- the tree -----------------------------------------------------------------------------

    def top(self, key: str) -> tuple[Node, Node] | None:
        """(key node, value node) of a top-level section, or None."""
        if self.root is None or self.root.id != "mapping":
            return None
        for k, v in self.root.value:
            if k.value == key:
                return k, v
        return None

    def value_end(self, node: Node) -> int:
        """Offset just past a node's own text: ``last_end`` without the line breaks and blank
        lines a block scalar (``|``, ``>``) takes in after its last line."""
        end = last_end(node)
        while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def record_end(self, node: Node) -> int:
        """Offset just past the last line of a record (its line break included)."""
        return self.line_end(max(self.value_end(node) - 1, node.start_mark.index))

    def dash(self, seq: Node, index: int) -> int:
        """Offset of the ``-`` that starts item ``index`` of a block sequence. PyYAML's mark for
        an item is where its content starts, which may be lines after its dash (``-`` alone on
        a line, a comment after it), so the dash is found by reading forward from the end of
        the item before (or the sequence's own start, which is its first dash) over blanks and
        comments."""
        at = seq.start_mark.index if index == 0 else self.value_end(seq.value[index - 1])
        stop = seq.value[index].start_mark.index
        while at < stop:
            c = self.text[at]
            if c == "-":
                return at
            if c == "#":
                at = self.line_end(at)
            elif c in " \t\r\n":
                at += 1
            else:
                break
        return stop


def compose(text: str, name: str) -> Node:
    """The node tree of ``text`` (the pure-Python composer, so marks are character offsets)."""
    import yaml

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise UsageError(f"{name}: cannot edit a file that is not valid YAML ({str(exc).splitlines()[0]}); run `allygraph check`") from None  # fmt: skip


def last_end(node: Node) -> int:
    """Offset just past the last character a node's own text uses (a block collection's marks
    run on to the next token; this stops at its last value)."""
    if node.id == "scalar" or node.flow_style:
        return node.end_mark.index
    if node.id == "mapping":
        return last_end(node.value[-1][1]) if node.value else node.end_mark.index
    return last_end(node.value[-1]) if node.value else node.end_mark.index


def field_of(record: Node, key: str) -> tuple[Node, Node] | None:
    """(key node, value node) of one field of a record (a mapping node), or None."""
    if record.id != "mapping":
        return None
    for k, v in record.value:
        if k.value == key:
            return k, v
    return None


def walk(node: Node, path: tuple = ()) -> Iterator[tuple[tuple, Node, bool]]:
    """Every node under ``node`` as (path, node, is_key): keys by their text, items by index."""
    if node is None:
        return
    if node.id == "mapping":
        for k, v in node.value:
            yield (*path, k.value), k, True
            yield (*path, k.value), v, False
            yield from _walk_children(v, (*path, k.value))
    elif node.id == "sequence":
        for i, item in enumerate(node.value):
            yield (*path, i), item, False
            yield from _walk_children(item, (*path, i))


def _walk_children(node: Node, path: tuple) -> Iterator[tuple[tuple, object, bool]]:
    if node.id in ("mapping", "sequence"):
        yield from walk(node, path)


def scalar_text(doc: Doc, node: Node, value: str) -> str:
    """``value`` written as a replacement of scalar ``node``, in the same quoting style when it
    can be (a plain id stays plain, a quoted one keeps its quotes)."""
    from .emit import scalar

    style = node.style
    if style in ("'", '"') and "\\" not in value and style not in value and "\n" not in value:
        return f"{style}{value}{style}"
    return scalar(value)


_INDENT = re.compile(r"[ ]*")


def indent_at(doc: Doc, offset: int) -> int:
    """The column of ``offset`` within its line."""
    return offset - doc.line_start(offset)

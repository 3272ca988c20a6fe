"""Safe YAML reading that keeps line and column for every value.

PyYAML composes the document into nodes (with the C parser when it is available); we build
plain Python values from the nodes ourselves, so that:

- every mapping remembers where each of its keys and values was written (for ``file:line:col``);
- duplicate keys are reported instead of silently overwritten;
- tags other than YAML's standard scalar/collection tags are refused (no object construction);
- alias expansion is bounded, so a "billion laughs" document fails fast instead of eating memory;
- dates stay the strings that were written, and only ``true``/``false`` are booleans
  (``NO`` stays Norway's ISO code).

The same text gives the same value whichever parser reads it (PyYAML here, yaml-rs for large
files): numbers with a leading zero (``004``, ``0o17``) stay text in both (a file holding one is
read by this path whatever its size), and YAML 1.2 floats (``1e5``, ``.nan``, ``1e400``) are
numbers in both (the loader then refuses a non-finite one). A character YAML does not allow, or
one the two read differently (NEL, U+2028, U+2029), is refused before either reads the file; a
key is read as a value in both (``1:`` is the number 1), and a problem naming a key that is not
text sends a large file back to this path, so its errors are this path's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import Problem

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_TAGS = _SCALAR_TAGS | {f"{_STD}map", f"{_STD}seq"}
_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
# YAML 1.2 core-schema floats: what yaml-rs reads as a float
_FLOAT12_RE = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
# How many values alias expansion may add beyond the distinct nodes of a document.
ALIAS_SLACK = 10_000


class YMap(dict):
    """A mapping that knows where it, its keys and its values were written."""

    __slots__ = ("line", "column", "key_pos", "value_pos")
    line: int
    column: int
    key_pos: dict[object, tuple[int, int]]
    value_pos: dict[object, tuple[int, int]]


class YList(list):
    """A sequence that knows where it and its items were written."""

    __slots__ = ("line", "column", "item_pos")
    line: int
    column: int
    item_pos: list[tuple[int, int]]


class _Builder:
    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        self.seen: set[int] = set()
        self.emitted = 0

    def problem(self, node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message))

    def build(self, node):
        self.emitted += 1
        self.seen.add(id(node))
        if self.emitted > len(self.seen) + ALIAS_SLACK:
            raise _AliasBomb(node)
        tag = node.tag
        if tag not in _ALLOWED_TAGS:
            self.problem(node, f"YAML tag {tag!r} is not allowed in allygraph data")
            return None
        kind = node.id
        if kind == "scalar":
            return _scalar(node)
        if kind == "sequence":
            seq = YList()
            seq.line, seq.column = node.start_mark.line + 1, node.start_mark.column + 1
            seq.item_pos = []
            for item in node.value:
                seq.append(self.build(item))
                seq.item_pos.append((item.start_mark.line + 1, item.start_mark.column + 1))
            return seq
        out = YMap()
        out.line, out.column = node.start_mark.line + 1, node.start_mark.column + 1
        out.key_pos, out.value_pos = {}, {}
        for knode, vnode in node.value:
            if knode.id != "scalar":  # a list or mapping as a key ([1]: x, or ? with a block)
                self.problem(knode, "a mapping key must be a plain name, not a list or mapping")
                continue
            # a scalar key is read like a value (1: is the number 1, ~: is null), as yaml-rs reads
            # it, so that the checks that follow report the same thing whichever parser read the file
            key = self.build(knode)
            if knode.tag not in _ALLOWED_TAGS:
                continue
            if key in out:
                first = out.key_pos[key]
                self.problem(knode, f"duplicate key {key!r} (first written at line {first[0]})")
                continue
            out[key] = self.build(vnode)
            out.key_pos[key] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            out.value_pos[key] = (vnode.start_mark.line + 1, vnode.start_mark.column + 1)
        return out


class _AliasBomb(Exception):
    def __init__(self, node):
        self.node = node


def _scalar(node):
    tag, text = node.tag, node.value
    if not node.style and tag in (f"{_STD}str", f"{_STD}float"):  # plain (C loader: "", Python: None)
        # floats as YAML 1.2 (and yaml-rs) read them, so both parsers agree
        special = _SPECIAL_FLOATS.get(text.lower())
        if special is not None and text[-3:] in ("inf", "Inf", "INF", "nan", "NaN", "NAN"):
            return special
        if _FLOAT12_RE.match(text) and not _INT_RE.match(text):
            return float(text)
        return text
    if tag == f"{_STD}null":
        return None
    if tag == f"{_STD}bool":
        low = text.lower()
        return low == "true" if low in ("true", "false") else text
    if tag == f"{_STD}int":
        if _INT_RE.match(text):
            return int(text.replace("_", ""))
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            return text
    return text  # str and timestamp: keep what was written


def _loader_class():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _decode(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or None with the problem (missing, unreadable, not a regular file, not
    UTF-8, a character YAML does not allow, empty). A device, FIFO or socket (or a symlink to
    one) is refused before it is read (``inputs.open_input``): reading /dev/zero never ends and
    opening a FIFO waits for a writer."""
    from .inputs import InputError, read_input

    try:
        raw = read_input(path, what="a data file")
    except FileNotFoundError:
        return None, [Problem(name, 0, 0, "is a broken symlink" if os.path.islink(path) else "file is missing")]
    except InputError as exc:
        return None, [Problem(name, 0, 0, exc.reason)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line, col = _line_col(before, len(before))
        return None, [Problem(name, line, col, f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}); re-save it as UTF-8")]
    bad = bad_character(raw, text, name)
    if bad is not None:
        return None, [bad]
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None, [Problem(name, 0, 0, "file is empty")]
    return text, []


# Characters YAML does not allow in a file (C0 controls but tab, LF and CR; DEL; C1 controls but
# NEL; U+FFFE, U+FFFF): PyYAML refuses them, yaml-rs reads some and stops at a NUL as if the file
# ended there. And the characters YAML 1.1 (PyYAML) reads as line breaks and YAML 1.2 (yaml-rs)
# as text: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR. Either is refused before any parser reads
# the file, so the same text gets the same error whatever its size.
_ASCII_BAD = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_ASCII_TABLE = bytes(0 if i in _ASCII_BAD else 1 for i in range(256))
_WIDE_BAD_RE = re.compile("[\x80-\x9f\u2028\u2029\ufffe\uffff]")
_BREAKS = {0x85: ("NEXT LINE", "\\N"), 0x2028: ("LINE SEPARATOR", "\\L"), 0x2029: ("PARAGRAPH SEPARATOR", "\\P")}
_NAMES = {
    0: "NUL",
    0x07: "BEL",
    0x08: "BACKSPACE",
    0x0B: "VERTICAL TAB",
    0x0C: "FORM FEED",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
}


def bad_character(raw: bytes, text: str, name: str) -> Problem | None:
    """The first character of ``text`` that YAML does not allow raw, or that parsers read
    differently, as a Problem at its line and column (None: there is none). About 0.1 s for
    160 MB of ASCII."""
    marked = raw.translate(_ASCII_TABLE)  # each bad ASCII byte becomes 0, at C speed
    at = marked.find(0)
    offset = len(raw[:at].decode("utf-8")) if at >= 0 else -1
    if not raw.isascii():
        m = _WIDE_BAD_RE.search(text, 0, offset if offset >= 0 else len(text))
        if m is not None:
            offset = m.start()
    if offset < 0:
        return None
    char = ord(text[offset])
    line, col = _line_col(text, offset)
    label = _NAMES.get(char) or _BREAKS.get(char, ("a control character",))[0]
    if char in _BREAKS:
        escape = _BREAKS[char][1]
        message = (f"character U+{char:04X} ({label}) is a line break to some YAML parsers and text to "
                   f"others; remove it, or write it as {escape} inside double quotes")  # fmt: skip
    else:
        escape = "\\0" if char == 0 else f"\\x{char:02x}" if char < 0x100 else f"\\u{char:04x}"
        message = (f"character U+{char:04X} ({label}) is not allowed in a YAML file; remove it (inside double "
                   f"quotes, write it as {escape})")  # fmt: skip
    count = marked.count(0) + (len(_WIDE_BAD_RE.findall(text)) if not raw.isascii() else 0)
    if count > 1:
        message += f"; {count - 1:,} more such character(s) follow in this file"
    return Problem(name, line, col, message)


def read(path: Path, display: str | None = None) -> tuple[object, list[Problem]]:
    """Read one YAML file with positions; return (value, problems). Never raises for bad input."""
    name = display or str(path)
    text, problems = _decode(path, name)
    if text is None:
        return None, problems
    return _read_text(text, name)


# --- positions, and the fast path for large files -------------------------------------------

Pos = tuple[int, int]

# Files at least this large are parsed with yaml-rs (Rust, about 12x faster than PyYAML's C
# loader here) when it parses them cleanly; smaller ones, and any file it refuses, go through
# the positioned PyYAML path above, which reports every problem with its place.
FAST_BYTES = int(os.environ.get("ALLYGRAPH_FAST_YAML_BYTES", 4 * 1024 * 1024))
_TAG_RE = re.compile(r"(?:^|[\s\[{,:])!")


class TreePositions:
    """Positions read off the values built by the positioned path (YMap / YList)."""

    def __init__(self, doc: object):
        self.doc = doc

    def _walk(self, path: tuple) -> tuple[object, object]:
        parent, node = None, self.doc
        for part in path:
            parent = node
            if (
                isinstance(node, dict)
                and part in node
                or isinstance(node, list)
                and isinstance(part, int)
                and 0 <= part < len(node)
            ):
                node = node[part]
            else:
                return parent, None
        return parent, node

    def value(self, path: tuple) -> Pos | None:
        """Where the value at ``path`` (keys and list indexes from the top) was written."""
        best: Pos | None = (getattr(self.doc, "line", 0), getattr(self.doc, "column", 0))
        node = self.doc
        for part in path:
            if isinstance(node, dict) and part in node:
                best = node.value_pos.get(part, best) if hasattr(node, "value_pos") else best
                node = node[part]
            elif isinstance(node, dict) and hasattr(node, "key_pos") and part in node.key_pos:
                return node.key_pos[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                best = node.item_pos[part] if hasattr(node, "item_pos") else best
                node = node[part]
            else:
                break
        return best

    def key(self, path: tuple) -> Pos | None:
        """Where the last key of ``path`` was written."""
        parent, _ = self._walk(path[:-1])
        if isinstance(parent, dict) or parent is None:
            node = self._walk(path[:-1])[1]
            if isinstance(node, dict) and hasattr(node, "key_pos") and path[-1] in node.key_pos:
                return node.key_pos[path[-1]]
        return self.value(path)


def _odd_path(path: tuple) -> bool:
    """Does a path (section, index or key, field, key or index...) hold a key that is not text
    (null, a number, true/false, a list: yaml-rs reads ``[1]:`` as the key ``(1,)``), or a merge
    key ``<<`` (which yaml-rs keeps as a key and the positioned path refuses)?"""
    for i, part in enumerate(path):
        if part is None or part == "<<" or isinstance(part, (bool, float, tuple)):
            return True
        if isinstance(part, int) and i in (0, 2):
            return True
        if isinstance(part, int) and i == 3 and path[2] in ("attributes", "designations"):  # mappings
            return True
    return False


class TextPositions:
    """Positions found by scanning the text, for files parsed by the fast path.

    Only asked for when a record has a problem, so the scan is lazy. Block-style lists are
    split at their items' dashes (the count is checked against the parsed list); a field is
    found by its key inside its record's lines. When the layout defeats the scan, the file is
    composed once with PyYAML for exact positions.
    """

    def __init__(self, text: str, doc: object, name: str):
        self.text, self.doc, self.name = text, doc, name
        # set when a problem names a key that is not text: the file is then read again by the
        # positioned path, whose reading (and errors) the fast path must not differ from
        self.odd_keys = False
        self._lines: list[str] | None = None
        self._items: dict[str, list[int] | None] = {}
        self._exact: TreePositions | None = None
        self._tops: dict[str, int | None] = {}
        self._ends: dict[int, int] = {}

    @property
    def lines(self) -> list[str]:
        """The text's lines (split once, on first use)."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def _top(self, key: str) -> int | None:
        if key not in self._tops:  # remembered: a file with many problems asks many times
            pattern = re.compile(rf"^{re.escape(key)}\s*:")
            self._tops[key] = next((i for i, line in enumerate(self.lines) if pattern.match(line)), None)
        return self._tops[key]

    def _section_end(self, start: int) -> int:
        if start not in self._ends:
            self._ends[start] = next(
                (i for i in range(start + 1, len(self.lines))
                 if self.lines[i] and not self.lines[i][0].isspace() and not self.lines[i].startswith(("#", "-"))),
                len(self.lines),
            )  # fmt: skip
        return self._ends[start]

    def _item_lines(self, section: str) -> list[int] | None:
        if section not in self._items:
            self._items[section] = self._scan_items(section)
        return self._items[section]

    def _scan_items(self, section: str) -> list[int] | None:
        top = self._top(section)
        items = self.doc.get(section) if isinstance(self.doc, dict) else None
        if top is None or not isinstance(items, list):
            return None
        end = self._section_end(top)
        starts, indent = [], None
        for i in range(top + 1, end):
            line = self.lines[i]
            stripped = line.lstrip(" ")
            if not stripped.startswith("- ") and stripped != "-":
                continue
            lead = len(line) - len(stripped)
            if indent is None:
                indent = lead
            if lead == indent:
                starts.append(i)
        return starts if len(starts) == len(items) else None

    def _exact_positions(self) -> TreePositions:
        if self._exact is None:
            value, _ = _read_text(self.text, self.name)
            self._exact = TreePositions(value)
        return self._exact

    def _record_span(self, path: tuple) -> tuple[int, int] | None:
        section, index = path[0], path[1]
        if isinstance(index, int):
            starts = self._item_lines(section)
            if starts is None or index >= len(starts):
                return None
            end = starts[index + 1] if index + 1 < len(starts) else self._section_end(self._top(section) or 0)
            return starts[index], end
        top = self._top(section)
        if top is None:
            return None
        end = self._section_end(top)
        pattern = re.compile(rf"^\s+['\"]?{re.escape(str(index))}['\"]?\s*:")
        for i in range(top + 1, end):
            if pattern.match(self.lines[i]):
                j = i + 1
                indent = len(self.lines[i]) - len(self.lines[i].lstrip(" "))
                while j < end and (
                    not self.lines[j].strip() or len(self.lines[j]) - len(self.lines[j].lstrip(" ")) > indent
                ):
                    j += 1
                return i, j
        return None

    def _find(self, path: tuple, want_key: bool) -> Pos | None:
        if _odd_path(path):  # a key yaml-rs read as null, a number or true/false (see odd_keys)
            self.odd_keys = True
            exact = self._exact_positions()
            return exact.key(path) if want_key else exact.value(path)
        if len(path) == 1:
            top = self._top(str(path[0]))
            return (top + 1, 1) if top is not None else None
        span = self._record_span(path)
        if span is None:
            exact = self._exact_positions()
            return exact.key(path) if want_key else exact.value(path)
        start, end = span
        if len(path) == 2:
            line = self.lines[start]
            stripped = line.lstrip(" ")
            lead = len(line) - len(stripped)
            if isinstance(path[1], int):  # the record itself starts after its "- "
                lead += len(stripped) - len(stripped[1:].lstrip(" "))
            return start + 1, lead + 1
        pattern = re.compile(rf"(?:^|[\s{{,])['\"]?({re.escape(str(path[2]))})['\"]?\s*:\s*")
        for i in range(start, end):
            line = self.lines[i].replace("- ", "  ", 1) if i == start else self.lines[i]
            m = pattern.search(line)
            if m:
                col = m.start(1) if want_key or m.end() >= len(line) else m.end()
                if len(path) > 3 and not want_key:
                    return self._inner(i, m.end(), path[3]) or (i + 1, col + 1)
                return i + 1, col + 1
        return start + 1, 1

    def _inner(self, i: int, at: int, part: object) -> Pos | None:
        """An item of a flow list (``[a, b]``) or a key of a flow mapping (``{k: v}``) that starts
        at column ``at`` of line ``i``; or the n-th ``- `` item of a block list below it."""
        line = self.lines[i]
        if at < len(line) and line[at] in "[{" and isinstance(part, int):
            col, n = at + 1, 0
            while col < len(line) and n < part:
                if line[col] == ",":
                    n += 1
                col += 1
            while col < len(line) and line[col] == " ":
                col += 1
            return (i + 1, col + 1) if n == part else None
        if at < len(line) and line[at] == "{" and isinstance(part, str):
            m = re.compile(rf"[{{,]\s*['\"]?{re.escape(part)}['\"]?\s*:\s*").search(line, at)
            return (i + 1, m.end() + 1) if m else None
        if at >= len(line) and isinstance(part, int):
            items = [
                j for j in range(i + 1, min(i + 1 + 10_000, len(self.lines))) if self.lines[j].lstrip().startswith("- ")
            ]
            if part < len(items):
                j = items[part]
                return j + 1, len(self.lines[j]) - len(self.lines[j].lstrip()) + 3
        return None

    def value(self, path: tuple) -> Pos | None:
        """Where the value at ``path`` was written."""
        return self._find(path, want_key=False)

    def key(self, path: tuple) -> Pos | None:
        """Where the last key of ``path`` was written."""
        return self._find(path, want_key=True)


def _char_at(mark: object, text: str) -> str:
    index = getattr(mark, "index", None)
    return text[index] if isinstance(index, int) and 0 <= index < len(text) else ""


def parse_hint(exc: Exception, text: str) -> str:
    """What probably went wrong, for a PyYAML parse error: '; hint: ...' (or '')."""
    problem = str(getattr(exc, "problem", "") or "")
    context = str(getattr(exc, "context", "") or "")
    start = getattr(exc, "context_mark", None)
    where = f" at line {start.line + 1}, column {start.column + 1}" if start is not None else ""
    if "flow mapping" in context:
        tip = f"the '{{' opened{where} is not closed: a '}}' or a ',' is missing"
    elif "flow sequence" in context:
        tip = f"the '[' opened{where} is not closed: a ']' or a ',' is missing"
    elif "quoted scalar" in context:
        tip = f"the quote opened{where} is not closed (or, inside double quotes, a backslash starts an unknown escape)"
    elif _char_at(getattr(exc, "problem_mark", None), text) == "\t":
        tip = "indent with spaces; YAML does not allow a tab there"
    elif "mapping values are not allowed" in problem:
        tip = "a ': ' inside a value: put the value in quotes"
    elif "could not find expected ':'" in problem:
        tip = "a line that is neither 'key: value' nor a list item, or a quote left open above it"
    elif "expected <block end>" in problem or "did not find expected key" in problem or "'-' indicator" in problem:
        tip = "this line's indentation does not match the lines above it"
    elif "undefined alias" in problem:
        tip = "a '*' starts an alias: quote the value if it is text"
    elif "cannot start any token" in problem:
        tip = "quote the value: it starts with a character YAML reserves (such as @ or `)"
    else:
        return ""
    return f"; hint: {tip}"


def _read_text(text: str, name: str) -> tuple[object, list[Problem]]:
    """The positioned path on text already decoded."""
    import yaml

    problems: list[Problem] = []
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        return None, [Problem(name, line, col, f"not valid YAML: {reason}{parse_hint(exc, text)}")]
    except yaml.YAMLError as exc:
        return None, [Problem(name, 0, 0, f"not valid YAML: {exc}")]
    except RecursionError:
        return None, [Problem(name, 0, 0, "not valid YAML: nesting is too deep")]
    finally:
        loader.dispose()
    if node is None:
        return None, [Problem(name, 0, 0, "file is empty (only comments)")]
    builder = _Builder(name, problems)
    try:
        value = builder.build(node)
    except _AliasBomb as bomb:
        mark = bomb.node.start_mark
        message = "YAML aliases expand too far (a 'billion laughs' document?); write the values out"
        return None, [Problem(name, mark.line + 1, mark.column + 1, message)]
    except RecursionError:
        return None, [Problem(name, 0, 0, "YAML nesting is too deep (or an alias refers to itself)")]
    return value, problems


# A line whose content starts this far right (indentation and "- " markers) nests deeper than any
# allygraph file needs; yaml-rs would recurse on it without limit (a segmentation fault at some
# 100,000 levels), so such a file goes to the positioned path, which refuses it cleanly.
DEEP_COLUMN = 400
_DEEP_RE = re.compile(rf"\n[ \t-]{{{DEEP_COLUMN}}}")
# A plain scalar that yaml-rs reads as a number and PyYAML as text (004, 0o17, -007): a file that
# may hold one is read by the positioned path, so its value does not depend on the file's size.
# (It starts with the literal 0, so the scan jumps from one 0 to the next: 15 ms for 15 MB.)
_LEADING_ZERO_RE = re.compile(r"0(?<=[\s\[{,:]0)[0-9_oO]|0(?<=[\s\[{,:][-+]0)[0-9_oO]")


def _unlike(text: str) -> bool:
    """Whether ``text`` holds what yaml-rs is not given: an explicit tag (the positioned path
    refuses it with its place) or nesting deeper than ``DEEP_COLUMN``."""
    if "!" in text and _TAG_RE.search(text):
        return True  # explicit tags: let the positioned path refuse them with their place
    return bool(_DEEP_RE.search(text) or _DEEP_RE.match("\n" + text[:DEEP_COLUMN]))


def list_items(text: str, key: str) -> list | None:
    """The items of a block list's records written as ``text`` (whole lines, each record from its
    dash), read by yaml-rs as the section ``key``; None when yaml-rs may read them differently
    from the positioned path, refuses them, or is not installed."""
    if _unlike(text) or _LEADING_ZERO_RE.search(text) is not None:
        return None
    try:
        return _parse_piece(f"{key}:\n" + text, key)
    except Exception:  # noqa: BLE001 - any refusal: the caller reads them the positioned way
        return None


def _fast(text: str) -> object | None:
    """yaml-rs's parse, or None when it refuses the text or may read it differently from the
    positioned path (which then reads it, or reports why not)."""
    if _unlike(text):
        return None
    try:
        import yaml_rs
    except ImportError:
        return None
    try:
        limits = yaml_rs.AliasLimits(max_total_replayed_events=ALIAS_SLACK)
    except TypeError:
        limits = None

    def parse(part: str):
        return yaml_rs.loads(part, parse_datetime=False, alias_limits=limits)

    # yaml-rs lets go of the GIL while it parses: the scan for leading zeros runs meanwhile, and
    # a large file is parsed in two halves on both cores
    from concurrent.futures import ThreadPoolExecutor

    try:
        halves = _split_last_list(text) if len(text) >= SPLIT_BYTES else None
        parts = (text,) if halves is None else halves[0]
        with ThreadPoolExecutor(len(parts)) as pool:
            futures = [pool.submit(parse, part) for part in parts]
            risky = _LEADING_ZERO_RE.search(text) is not None
            results = [f.result() for f in futures]
        if risky:
            return None
        if halves is None:
            return results[0]
        (first, second), key = results, halves[1]
        if not (isinstance(first, dict) and isinstance(second, dict) and list(second) == [key]
                and isinstance(first.get(key), list) and isinstance(second[key], list)):  # fmt: skip
            return parse(text)
        first[key].extend(second[key])
        return first
    except Exception:  # any refusal: duplicate keys, bad syntax, alias bombs
        return None


SPLIT_BYTES = 16 * 1024 * 1024


def _split_last_list(text: str) -> tuple[tuple[str, str], str] | None:
    """Split a document whose last top-level key holds a block list into two parseable halves,
    at an item of that list near the middle: ``(head, "key:\n" + rest)``. None when the layout
    is anything else (the caller then parses the whole text at once)."""
    mid = len(text) // 2
    start = text.rfind("\n", 0, mid)
    # the top-level key that owns the middle, and no top-level key after the middle
    owner = re.compile(r"(?m)^([A-Za-z_][\w-]*)[ \t]*:[ \t]*$")
    if re.search(r"\n[^\s#-]", text[mid:]):
        return None
    last = None
    for m in owner.finditer(text, 0, start + 1):
        last = m
    if last is None:
        return None
    key = last.group(1)
    first_item = re.compile(r"\n([ \t]*)- ").search(text, last.end())
    if first_item is None or first_item.start() > mid:
        return None
    cut = text.find("\n" + first_item.group(1) + "- ", mid)
    if cut < 0:
        return None
    return (text[: cut + 1], f"{key}:\n" + text[cut + 1 :]), key


# --- a large file's last list, parsed a piece at a time (the first load's memory) ------------

PIECE_BYTES = 16 * 1024 * 1024  # the text parsed at a time when a list is read in pieces (smaller: slower)


class StreamBroken(Exception):
    """A piece of a streamed list did not read as the whole text would (a quoted value across a
    cut, an unusual layout): the caller reads the file again in one piece."""


class StreamedList(list):
    """The items of a file's last top-level list, read a piece at a time so that only a few
    pieces' values are in memory at once. As a list it holds one ``None`` per item (its length
    is the number of items, which positions need); ``chunks()`` yields ``(start, items)`` in
    order, each piece parsed when the one before it has been checked."""

    def __init__(self, count: int, first: list, pieces: list[tuple[str, int]], key: str) -> None:
        super().__init__([None] * count)
        self._first, self._pieces, self._key = first, pieces, key

    def chunks(self) -> Iterator[tuple[int, list]]:
        """Each piece's items with the index of its first item; the next piece is parsed on a
        second thread while this one is checked (yaml-rs lets go of the interpreter while it
        reads, so the reading runs on the other core); raises ``StreamBroken`` when a piece does
        not parse to the items its text holds."""
        from concurrent.futures import ThreadPoolExecutor

        first, self._first = self._first, []
        pieces, self._pieces = self._pieces, []
        key = self._key
        start = len(first)
        yield 0, first
        del first
        if not pieces:
            return

        def parse(n: int) -> list | None:
            text, count = pieces[n]
            pieces[n] = ("", count)  # its text is let go with its items
            try:
                return _parse_piece(text, key)
            except Exception:  # noqa: BLE001 - any refusal: read the file whole
                return None

        with ThreadPoolExecutor(1, thread_name_prefix="allygraph-parse") as pool:
            ahead = pool.submit(parse, 0)
            for n in range(len(pieces)):
                items = ahead.result()
                if n + 1 < len(pieces):
                    ahead = pool.submit(parse, n + 1)
                if not isinstance(items, list) or len(items) != pieces[n][1]:
                    raise StreamBroken(key)
                yield start, items
                start += pieces[n][1]
                del items


def _parse_piece(text: str, key: str) -> list | None:
    import yaml_rs

    value: object = yaml_rs.loads(text, parse_datetime=False, alias_limits=_alias_limits())
    if isinstance(value, dict) and list(value) == [key] and isinstance(value[key], list):
        return value[key]
    return None


def _alias_limits() -> Any:
    import yaml_rs

    try:
        return yaml_rs.AliasLimits(max_total_replayed_events=ALIAS_SLACK)
    except TypeError:
        return None


def _streamed(text: str, key: str) -> dict | None:
    """``text`` read with its last top-level list (``key``) as a ``StreamedList``: the head (the
    sections before it, and the list's first piece) parsed now, the rest a piece at a time. None
    when the layout is anything else, or yaml-rs may read it differently from the positioned path
    (the caller then reads it whole)."""
    if _unlike(text):
        return None
    try:
        import yaml_rs
    except ImportError:
        return None
    owner = re.compile(rf"(?m)^{re.escape(key)}[ \t]*:[ \t]*$").search(text)
    if owner is None:
        return None
    first_item = re.compile(r"\n([ \t]*)- ").search(text, owner.end())
    if first_item is None or re.search(r"\n[^\s#-]", text[first_item.start() :]):
        return None  # no block list there, or a top-level key after the list
    marker = "\n" + first_item.group(1) + "- "
    if text.find(marker, owner.end()) != first_item.start():
        return None
    cuts = [first_item.start()]  # each piece starts after a marker's newline
    while True:
        cut = text.find(marker, cuts[-1] + PIECE_BYTES)
        if cut < 0:
            break
        cuts.append(cut)
    cuts.append(len(text))
    counts = [text.count(marker, a, b) for a, b in zip(cuts, cuts[1:], strict=False)]
    head: object
    try:
        head = yaml_rs.loads(text[: cuts[1] + 1], parse_datetime=False, alias_limits=_alias_limits())
    except Exception:  # noqa: BLE001 - any refusal: the caller reads it whole
        return None
    if not (isinstance(head, dict) and list(head)[-1:] == [key] and isinstance(head[key], list)
            and len(head[key]) == counts[0]):  # fmt: skip
        return None
    if _LEADING_ZERO_RE.search(text) is not None:
        return None
    prefix = f"{key}:\n"
    pieces = [(prefix + text[a + 1 : b + 1], n) for a, b, n in zip(cuts[1:], cuts[2:], counts[1:], strict=False)]
    head[key] = StreamedList(sum(counts), head[key], pieces, key)
    return head


def read_positioned(
    path: Path, display: str | None = None, exact: bool = False, stream: str | None = None
) -> tuple[object, list[Problem], TreePositions | TextPositions]:
    """Read one YAML file: (value, problems, positions). Large files take the fast path, unless
    ``exact`` (the positioned path for any size). With ``stream`` (a top-level key), a large
    file whose last section is the block list ``stream`` gives it as a ``StreamedList``."""
    name = display or str(path)
    text, problems = _decode(path, name)
    if text is None:
        return None, problems, TreePositions(None)
    if stream is not None and len(text) >= FAST_BYTES and not exact:
        streamed = _streamed(text, stream)
        if streamed is not None:
            return streamed, [], TextPositions(text, streamed, name)
    if len(text) >= FAST_BYTES and not exact:
        value = _fast(text)
        if isinstance(value, (dict, list)):
            return value, [], TextPositions(text, value, name)
    value, problems = _read_text(text, name)
    return value, problems, TreePositions(value)

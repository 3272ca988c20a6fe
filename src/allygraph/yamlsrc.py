"""Safe YAML reading that keeps line and column for every value.

PyYAML composes the document into nodes (with the C parser when it is available); we build
plain Python values from the nodes ourselves, so that:

- every mapping remembers where each of its keys and values was written (for ``file:line:col``);
- duplicate keys are reported instead of silently overwritten;
- tags other than YAML's standard scalar/collection tags are refused (no object construction);
- alias expansion is bounded, so a "billion laughs" document fails fast instead of eating memory;
- dates stay the strings that were written, and only ``true``/``false`` are booleans
  (``NO`` stays Norway's ISO code).
"""

from __future__ import annotations

import re
from pathlib import Path

from .problems import Problem

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_TAGS = _SCALAR_TAGS | {f"{_STD}map", f"{_STD}seq"}
_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
# How many values alias expansion may add beyond the distinct nodes of a document.
ALIAS_SLACK = 10_000


class YMap(dict):
    """A mapping that knows where it, its keys and its values were written."""

    __slots__ = ("line", "column", "key_pos", "value_pos")


class YList(list):
    """A sequence that knows where it and its items were written."""

    __slots__ = ("line", "column", "item_pos")


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
            out = YList()
            out.line, out.column = node.start_mark.line + 1, node.start_mark.column + 1
            out.item_pos = []
            for item in node.value:
                out.append(self.build(item))
                out.item_pos.append((item.start_mark.line + 1, item.start_mark.column + 1))
            return out
        out = YMap()
        out.line, out.column = node.start_mark.line + 1, node.start_mark.column + 1
        out.key_pos, out.value_pos = {}, {}
        for knode, vnode in node.value:
            key = self.build(knode)
            if isinstance(key, (list, dict)) or key is None:
                self.problem(knode, "a mapping key must be a plain name")
                continue
            if not isinstance(key, str):
                key = str(key)
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
    if tag == f"{_STD}float":
        try:
            return float(text.replace("_", ""))
        except ValueError:
            low = text.lower().lstrip("+")
            if low in (".inf", "-.inf"):
                return float("-inf") if low.startswith("-") else float("inf")
            return text
    return text  # str and timestamp: keep what was written


def _loader_class():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read(path: Path, display: str | None = None) -> tuple[object, list[Problem]]:
    """Read one YAML file; return (value, problems). Never raises for bad input."""
    import yaml

    name = display or str(path)
    problems: list[Problem] = []
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(name, 0, 0, "file is missing")]
    except IsADirectoryError:
        return None, [Problem(name, 0, 0, "is a directory, expected a YAML file")]
    except OSError as exc:
        return None, [Problem(name, 0, 0, f"cannot read file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line, col = _line_col(before, len(before))
        return None, [Problem(name, line, col, f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}); re-save it as UTF-8")]
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None, [Problem(name, 0, 0, "file is empty")]
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        return None, [Problem(name, line, col, f"not valid YAML: {reason}")]
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
        return None, [
            Problem(
                name,
                mark.line + 1,
                mark.column + 1,
                "YAML aliases expand too far (a 'billion laughs' document?); write the values out",
            )
        ]
    except RecursionError:
        return None, [Problem(name, 0, 0, "YAML nesting is too deep (or an alias refers to itself)")]
    return value, problems

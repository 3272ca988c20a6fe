"""Python examples of the README: ``<<python>>`` ... ``<</python>>`` in the template becomes a
``pycon`` block with each statement's real output, as an interactive session shows it.

One namespace runs through every block of the README (later examples use earlier names), in a
scratch folder as the working directory. ``tests/test_readme.py`` runs the blocks again with
doctest (``ELLIPSIS``, ``NORMALIZE_WHITESPACE``): a long result is cut with ``...``, which doctest
reads as "anything".
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import textwrap
from pathlib import Path

BLOCK = re.compile(r"<<python>>\n(.*?)<</python>>", re.S)
MAX_WIDTH = 100  # a result's repr longer than this is cut with "..."
MAX_LINES = 12  # printed output longer than this keeps its first lines and "..."


def statements(code: str) -> list[str]:
    """Each top-level statement's source text, in order (comments on their line kept)."""
    tree = ast.parse(code)
    lines = code.splitlines()
    out = []
    for node in tree.body:
        end = node.end_lineno or node.lineno
        out.append("\n".join(lines[node.lineno - 1 : end]))
    return out


def _shown(text: str) -> list[str]:
    lines = [line.rstrip() or "<BLANKLINE>" for line in text.rstrip("\n").splitlines()]
    if len(lines) > MAX_LINES:
        lines = lines[: MAX_LINES - 1] + ["..."]
    return [line if len(line) <= MAX_WIDTH else line[: MAX_WIDTH - 3] + "..." for line in lines]


def run_statement(source: str, namespace: dict) -> list[str]:
    """Run one statement as the interactive prompt does: an expression's value is shown with repr."""
    tree = ast.parse(source)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
            value = eval(compile(ast.Expression(tree.body[0].value), "<readme>", "eval"), namespace)  # noqa: S307
            if value is not None:
                print(repr(value))
        else:
            exec(compile(tree, "<readme>", "exec"), namespace)  # noqa: S102
    return _shown(buf.getvalue()) if buf.getvalue() else []


def render_block(code: str, namespace: dict) -> str:
    """One ``pycon`` block: each statement after ``>>>`` (``...`` for its further lines), then its output."""
    out = []
    for stmt in statements(textwrap.dedent(code)):
        first, *rest = stmt.splitlines()
        out.append(">>> " + first)
        out += ["... " + line for line in rest]
        out += run_statement(stmt, namespace)
    return "```pycon\n" + "\n".join(out) + "\n```"


def render(text: str, workdir: str | os.PathLike) -> str:
    """The template with every ``<<python>>`` block run in ``workdir`` and shown as a session."""
    namespace: dict = {"__name__": "__readme__"}
    with contextlib.chdir(Path(workdir)):
        return BLOCK.sub(lambda m: render_block(m.group(1), namespace), text)

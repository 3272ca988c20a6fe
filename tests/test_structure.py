"""The shape of the code (issue 10): data flows one way, functions stay short, public ones are
typed and documented. Read from the source text with ``ast``; nothing is imported or run."""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import REPO

SRC = REPO / "src" / "allygraph"
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The package modules ``name`` imports anywhere in its file (inside functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # ``from pkg import mod`` imports the module; ``from mod import name`` the module that holds it
            targets = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in MODULES else prefix for a in node.names]
        else:
            continue
        for t in targets:
            # the longest known module the import names (a name imported from a module counts as that module)
            while t and t not in MODULES:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    """Counting imports inside functions: ``cache`` taking ``__version__`` from the package whose
    ``__init__`` imports the loader is a cycle too."""
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    assert _cycles(graph) == []


def _package(module: str) -> str:
    """The unit of the package-level graph a module belongs to: ``allygraph.edit.core`` ->
    ``allygraph.edit``; a top-level module (``allygraph.cache``) is a unit of its own."""
    return ".".join(module.split(".")[:2])


def _package_graph(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    """Which package imports which, from the module graph (imports within a package left out)."""
    graph: dict[str, set[str]] = {}
    for name, targets in modules.items():
        graph.setdefault(_package(name), set()).update(_package(t) for t in targets if _package(t) != _package(name))
    return graph


def test_no_import_cycle_between_packages():
    """Counting imports inside functions, the packages of ``allygraph`` (and its top-level
    modules) import one another one way only: ``edit`` -> ``importers`` -> ``edit`` is a cycle
    even when no module imports itself back. A piece both need goes to the lower one."""
    modules = {name: _imports(name, path) for name, path in MODULES.items()}
    assert _cycles(_package_graph(modules)) == []


def _functions():
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield name, node


def test_no_function_longer_than_80_lines():
    long = [f"{m}.{f.name} ({f.end_lineno - f.lineno + 1} lines)" for m, f in _functions()
            if f.end_lineno - f.lineno + 1 > MAX_FUNCTION_LINES]  # fmt: skip
    assert long == []


def _public(tree: ast.Module):
    """Top-level public functions, and public methods of public classes."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                    yield f"{node.name}.{item.name}", item


def test_every_public_function_is_typed_and_documented():
    missing = []
    for name, path in MODULES.items():
        for qual, fn in _public(ast.parse(path.read_text(encoding="utf-8"))):
            args = [
                a for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs) if a.arg not in ("self", "cls")
            ]
            untyped = [a.arg for a in args if a.annotation is None]
            if fn.returns is None:
                untyped.append("return")
            if untyped:
                missing.append(f"{name}.{qual}: no type for {', '.join(untyped)}")
            if not ast.get_docstring(fn):
                missing.append(f"{name}.{qual}: no docstring")
    assert missing == []


def _closure(name: str) -> set[str]:
    """Every package module ``name`` imports, directly or through others (inside functions too)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        for m in _imports(current, MODULES[current]) - seen:
            seen.add(m)
            todo.append(m)
    return seen


RENDER_GROUPS = {"allygraph.render." + g for g in ("query", "analysis", "edit", "server")}


def test_errors_needs_only_the_safe_text_module():
    """``errors`` (imported by nearly everything) makes its messages safe with ``render.text``
    alone: not the layout, the terminal drawing or any command's blocks."""
    assert _closure("allygraph.errors") == {"allygraph.render.text"}


def test_each_command_groups_blocks_stand_alone():
    """The blocks of one command group import no other group's blocks, and neither the backends
    (``layout``, ``terminal``): a command loads its own blocks only, and ``Block`` and ``text``."""
    for group in sorted(RENDER_GROUPS):
        render = {m for m in _closure(group) if m.startswith("allygraph.render")}
        assert render == {"allygraph.render.blocks", "allygraph.render.text"}, group


def test_the_checks_above_can_fail(tmp_path):
    """The cycle finder finds a cycle, and the measure of a long function is its line span."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]
    modules = {"allygraph.edit.emit": {"allygraph.importers.yamlout"}, "allygraph.importers.merge": {"allygraph.edit.core"},
               "allygraph.edit.core": {"allygraph.edit.doc"}, "allygraph.importers.yamlout": set()}  # fmt: skip
    assert _cycles(_package_graph(modules)) == [["allygraph.edit", "allygraph.importers"]]
    tree = ast.parse("def f(x):\n" + "    x += 1\n" * 90 + "    return x\n")
    fn = tree.body[0]
    assert fn.end_lineno - fn.lineno + 1 == 92
    assert [q for q, _ in _public(tree)] == ["f"]
    assert "allygraph.render.terminal" in _closure("allygraph.cli.common")  # through layout, lazily

"""The test suite's own hygiene (issue 10): doctests run with the tests, tests import the package
and not ``benchmarks/``, no assertion is written so that it cannot fail, and the exporters share
their helpers through ``export.common``. Read from the source text; nothing is run."""

from __future__ import annotations

import ast
import re
import tomllib

from allygraph import synth
from helpers import REPO

TESTS = sorted((REPO / "tests").glob("*.py"))


def test_doctests_run_with_the_tests():
    """tests/test_doctests.py runs every module's examples, and pytest collects it."""
    opts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert opts["testpaths"] == ["tests"]
    text = (REPO / "tests" / "test_doctests.py").read_text(encoding="utf-8")
    assert "DocTestFinder" in text and "def test_docstring_examples" in text


def test_tests_do_not_reach_into_benchmarks():
    reaching = [p.name for p in TESTS if re.search(r"sys\.path\.\w+\(.*benchmarks", p.read_text(encoding="utf-8"))]
    assert reaching == []


def _always_true(test: ast.expr) -> bool:
    """An ``or`` with a constant true operand, or a bare constant: an assert that cannot fail."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return any(_always_true(v) for v in test.values)
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id in ("all", "any"):
        arg = test.args[0] if test.args else None
        return isinstance(arg, ast.GeneratorExp) and _always_true(arg.elt)
    return False


def test_no_assert_that_cannot_fail():
    found = []
    for path in TESTS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assert) and _always_true(node.test):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
    # the finder finds what it is for
    assert _always_true(ast.parse('all("j" in (u, v) or True for u, v in e)', mode="eval").body)
    assert not _always_true(ast.parse("x is not None", mode="eval").body)


def test_neo4j_shares_helpers_through_common_not_cypher():
    tree = ast.parse((REPO / "src" / "allygraph" / "export" / "neo4j.py").read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 1}
    assert "common" in modules and "cypher" not in modules


def test_synthetic_data_is_the_same_for_a_seed(tmp_path):
    a = synth.write(tmp_path / "a", 120, seed=7)
    b = synth.write(tmp_path / "b", 120, seed=7)
    c = synth.write(tmp_path / "c", 120, seed=8)
    for name in ("entities.yaml", "relations.yaml"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "relations.yaml").read_bytes() != (c / "relations.yaml").read_bytes()
    ents, rels = synth.generate(120, seed=7)
    assert len(rels["relations"]) == 120 and {e["type"] for e in ents["entities"]} >= {"state", "platform", "program"}

"""Every docstring example in the package runs with the tests (issue 10).

The examples are collected from the *installed* package, whatever the install (editable or not),
so the same test passes in a checkout and in CI's fresh virtual environment (pytest's
``--doctest-modules`` over ``src/`` would import a second copy of a non-editable install).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import allygraph

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(allygraph.__path__, "allygraph.") if not m.name.endswith("__main__")
)


def _examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    return [t for t in doctest.DocTestFinder().find(module, name) if t.examples]


WITH_EXAMPLES = [name for name in MODULES if _examples(name)]


def test_the_package_has_examples_to_run():
    """The examples below exist (a finder that found none would make every case pass)."""
    assert len(WITH_EXAMPLES) >= 8, WITH_EXAMPLES


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in _examples(name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed (see above)"

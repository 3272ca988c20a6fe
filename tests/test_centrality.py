"""``rank``'s advice when an optional dependency is missing (issue 17)."""

from __future__ import annotations

import sys

import pytest

import allygraph
from allygraph.analysis import rank
from allygraph.errors import UsageError
from helpers import TWO_ACTORS, invoke, write_data

ENTITIES = TWO_ACTORS
RELATIONS = """
relations:
  - {id: ab, from: aa, to: bb, type: alliance, since: "1990"}
"""


def test_pagerank_hint_names_what_pip_can_install(tmp_path, monkeypatch):
    """Without scipy, the advice names packages on the index (numpy, scipy), not allygraph's extra:
    allygraph is not on the index, so ``pip install 'allygraph[analysis]'`` fails for a wheel and a
    clone alike."""
    d = write_data(tmp_path / "d", ENTITIES, RELATIONS)
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy raises ImportError
    with pytest.raises(UsageError) as caught:
        rank(allygraph.load_graph(d, use_cache=False), "pagerank")
    message = str(caught.value)
    assert "pip install numpy scipy" in message
    assert "allygraph[" not in message
    got = invoke("rank", "--by", "pagerank", "--data", str(d))
    assert got.exit_code == 2 and "pip install numpy scipy" in got.stderr
    assert "Traceback" not in got.stderr

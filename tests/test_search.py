"""``search``'s ranking (issue 17): short codes match whole words, never parts of a longer query."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import allygraph
from allygraph import query
from helpers import write_data

ENTITIES = """
entities:
  - {id: scs, name: South China Sea, type: event, aliases: [SCS]}
  - {id: canada, name: Canada, type: state, aliases: [CAN]}
  - {id: china, name: China, type: state, aliases: [PRC]}
  - {id: india, name: India, type: state, aliases: [IN]}
  - {id: raa, name: Aland-Bland Reciprocal Access Agreement, type: agreement, aliases: [RAA]}
  - {id: acsa, name: Aland-Bland Acquisition and Cross-Servicing Agreement, type: agreement}
"""
RELATIONS = """
sources:
  s1: {title: A source, url: "https://example.org/s1"}
relations:
  - {id: c-i, from: china, to: india, type: cooperates_with, since: "2000", sources: [s1]}
"""
CODES = {"scs": "scs", "can": "canada", "prc": "china"}


@pytest.fixture(scope="module")
def G(tmp_path_factory):
    return allygraph.load_graph(write_data(tmp_path_factory.mktemp("search"), ENTITIES, RELATIONS), use_cache=False)


def _ids(G, text: str) -> list[str]:
    return [m["id"] for m in query.search(G, text)["matches"]]


def test_multi_word_query_does_not_match_parts_of_short_codes(G):
    # on the old ranking SCS (72), CAN and PRC (60) came after the agreement
    assert _ids(G, "reciprocal access") == ["raa"]
    assert set(_ids(G, "access agreement")) == {"acsa", "raa"}


def test_short_codes_still_match_whole(G):
    assert _ids(G, "scs")[0] == "scs"
    assert _ids(G, "PRC")[0] == "china"
    assert _ids(G, "in")[0] == "india"
    # a code that is a whole word of a longer query is a word match
    found = query.search(G, "prc navy")["matches"]
    assert found[0]["id"] == "china" and found[0]["matched"] == "prc" and found[0]["score"] == 90


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["reciprocal", "access", "agreement", "navy", "coast", "guard", "scsx", "canal",
                                 "prcs", "scan", "sea-lanes", "cancel"]), min_size=2, max_size=4))  # fmt: skip
def test_a_code_matches_only_as_a_word(G, query_words):
    """Whatever words a query has, a three-letter code is matched only when it is one of them."""
    text = " ".join(query_words)
    matched = {m["matched"] for m in query.search(G, text)["matches"]}
    for code in CODES:
        assert code not in matched, (text, code)

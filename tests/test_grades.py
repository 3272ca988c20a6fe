"""Source grades (issue 19): a grade on every source by the tool's own host rules, `check` warns about a
relation resting only on weak sources, queries narrow with --min-grade, exports carry the grades."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allygraph.grades import GRADES, grade_of, grade_of_url, host_of
from helpers import flow_entities, invoke, write_data

ENTITIES = flow_entities(state={"aa": "Aland", "bb": "Borduria", "cc": "Carpania"})

RELATIONS = """
sources:
  mofa: {title: Ministry readout, url: 'https://www.mofa.go.jp/a'}
  wire: {title: Wire report, url: 'https://www.reuters.com/b'}
  wiki: {title: An encyclopedia, url: 'https://en.wikipedia.org/wiki/C'}
  blog: {title: A blog, url: 'https://someone.blogspot.com/d'}
  judged: {title: A blog the analyst vouches for, url: 'https://other.blogspot.com/e', grade: specialist}
relations:
  - {id: ab, from: aa, to: bb, type: cooperates_with, sources: [mofa]}
  - {id: bc, from: bb, to: cc, type: cooperates_with, sources: [wire, wiki]}
  - {id: ac, from: aa, to: cc, type: cooperates_with, sources: [wiki, blog]}
  - {id: ca, from: cc, to: aa, type: cooperates_with, sources: [judged]}
"""


@pytest.fixture
def data(tmp_path):
    return write_data(tmp_path / "d", ENTITIES, RELATIONS)


def test_hosts_are_graded_by_rule():
    assert [grade_of_url(u) for u in (
        "https://www.mofa.go.jp/x", "https://www.gov.uk/x", "https://allhands.navy.mil/x", "https://asean.org/x",
        "https://www.reuters.com/x", "https://mb.com.ph/x", "https://amti.csis.org/x", "https://japanpitt.pitt.edu/x",
        "https://en.wikipedia.org/x", "https://www.einpresswire.com/x", "https://betaen.vietnamplus.vn/x",
        "https://example.org/x", None,
    )] == ["official", "official", "official", "official", "major", "major", "specialist", "specialist",
           "weak", "weak", "weak", "secondary", "secondary"]  # fmt: skip
    assert host_of("https://en.people.cn./x") == "en.people.cn"  # a trailing dot is the same host
    assert grade_of({"url": "https://x.blogspot.com", "grade": "official"}) == "official"  # the analyst's word wins


@given(st.text(max_size=60))
def test_any_url_text_gets_a_grade(text):
    assert grade_of_url(text) in GRADES and grade_of_url("https://" + text) in GRADES


def test_check_warns_about_a_relation_resting_only_on_weak_sources(data):
    r = invoke("check", "--data", str(data))
    weak = [line for line in r.stdout.splitlines() if "rests only on weak sources" in line]
    assert len(weak) == 1 and "relation 'ac'" in weak[0] and "wiki, blog" in weak[0]


def test_min_grade_narrows_queries(data):
    def ids(*args):
        out = json.loads(invoke(*args, "--json", "--data", str(data)).stdout)
        return sorted(r["id"] for r in out["relations"])

    assert ids("show", "Carpania") == ["ac", "bc", "ca"]
    assert ids("show", "Carpania", "--min-grade", "major") == ["bc"]
    assert ids("show", "Carpania", "--min-grade", "specialist") == ["bc", "ca"]
    assert ids("show", "Carpania", "--min-grade", "weak") == ["ac", "bc", "ca"]
    r = invoke("path", "Aland", "Carpania", "--min-grade", "official", "--data", str(data))
    assert r.exit_code == 1  # only the official tie Aland-Borduria is left
    r = invoke("show", "Aland", "--min-grade", "best", "--data", str(data))
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "official, major" in r.stderr


def test_queries_and_exports_carry_the_grade(data, tmp_path):
    out = json.loads(invoke("show", "Aland", "--json", "--data", str(data)).stdout)
    assert out["sources"]["mofa"]["grade"] == "official" and out["sources"]["judged"]["grade"] == "specialist"
    dest = tmp_path / "g.csv"
    assert invoke("export", "csv", "-o", str(dest), "--data", str(data)).exit_code == 0
    import csv

    rows = {r["relation_id"]: r for r in csv.DictReader((tmp_path / "g.edges.csv").open(encoding="utf-8"))}
    assert rows["bc"]["source_grades"] == "major | weak"


def test_min_grade_narrows_an_export(data, tmp_path):
    dest = tmp_path / "strong.json"
    r = invoke("export", "json", "-o", str(dest), "--min-grade", "major", "--data", str(data))
    assert r.exit_code == 0, r.stderr
    got = json.loads(dest.read_text(encoding="utf-8"))
    assert sorted(e["id"] for e in got["edges"]) == ["ab", "bc"]
    r = invoke("export", "json", "-o", str(dest), "--min-grade", "nope", "--data", str(data))
    assert r.exit_code == 2


def test_show_and_explain_say_when_a_claim_rests_on_one_weak_source(tmp_path):
    rels = RELATIONS.replace("sources: [wiki, blog]", "sources: [wiki]")
    d = write_data(tmp_path / "w", ENTITIES, rels)
    shown = invoke("show", "Aland", "--data", str(d)).stdout
    row = next(line for line in shown.splitlines() if "wiki" in line and "Carpania" in line)
    assert "(one weak source)" in row
    assert "mofa [official]" not in shown  # piped: the sources list is a table with a grade column
    assert any(line.split()[:1] == ["mofa"] and "official" in line.split() for line in shown.splitlines())
    out = json.loads(invoke("explain", "Aland", "Carpania", "--json", "--all-time", "--data", str(d)).stdout)
    hops = [h for route in out["routes"] for h in route["hops"] if h["relation"]["id"] == "ac"]
    assert (
        hops
        and hops[0]["source_grades"] == ["weak"]
        and hops[0]["sentence"].endswith("(this rests on one weak source)")
    )


def test_min_grade_narrows_the_analyses(data):
    def ranked(*extra):
        r = invoke("rank", "--all-time", "--json", "--data", str(data), *extra)
        assert r.exit_code == 0, r.stderr
        return {x["id"]: x["score"] for x in json.loads(r.stdout)["ranking"] if x["score"]}

    assert set(ranked()) == {"aa", "bb", "cc"}
    assert set(ranked("--min-grade", "official")) == {"aa", "bb"}  # only the ministry-sourced tie is left
    r = invoke("timeline", "Aland", "--all-time", "--json", "--min-grade", "official", "--data", str(data))
    assert r.exit_code == 0 and all(
        "cc" not in json.dumps(e.get("entities", [])) for e in json.loads(r.stdout)["events"]
    )

"""`export dyadyears` (issue 18): a dyad-year panel in the conventions IR researchers use, read back with pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from allygraph.analysis.dyads import COLUMNS, dyad_years
from allygraph.load import load
from allygraph.store import DatasetStore
from helpers import invoke, write_data

ENTITIES = """
entities:
  - {id: aa, name: Aland, type: state, attributes: {cow_code: 740}}
  - {id: bb, name: Borduria, type: state, attributes: {cow_code: 840}}
  - {id: cc, name: Carpania, type: state, attributes: {cow_code: 2}}
  - {id: nn, name: Nocode, type: state}
  - {id: bb_cg, name: Borduria Coast Guard, type: organization}
  - {id: pact, name: Access Pact, type: agreement, attributes: {kind: access}}
  - {id: acsa, name: Logistics Pact, type: agreement}
  - {id: club, name: Club, type: framework}
  - {id: shoal_2023, name: Shoal incident, type: event, since: 2023-08-05}
  - {id: osa, name: Aid programme, type: program}
"""

RELATIONS = """
sources:
  s: {title: A source, url: 'https://example.org/s'}
tiers:
  - {id: alliance}
  - {id: csp}
  - {id: sp}
ladders:
  bb: {rungs: [alliance, sp, csp], sources: [s]}
relation_types:
  disputes_with: {symmetric: true, description: A dispute., polarity: adversarial, layer: dispute}
  involved_in: {symmetric: false, description: Takes part., polarity: neutral, layer: incident, tie: false}
relations:
  - {id: cg-part, from: bb_cg, to: bb, type: part_of, sources: [s]}
  - {id: ab-sp, from: aa, to: bb, type: partnership, tier: sp, status: ended, since: 2011-09-27, until: 2015-06-04, sources: [s]}
  - {id: ab-csp, from: aa, to: bb, type: partnership, tier: csp, since: 2015-06-04, sources: [s]}
  - {id: ca-all, from: cc, to: aa, type: alliance, since: 1960, sources: [s]}
  - {id: aid-2016, from: aa, to: bb_cg, type: provides, via: osa, since: 2016-01, until: 2016-01, sources: [s]}
  - {id: arms-2025, from: aa, to: bb, type: arms_transfer, status: reported, since: 2025, sources: [s]}
  - {id: a-pact, from: aa, to: pact, type: party_to, status: in_force, since: 2025-09-11, sources: [s]}
  - {id: b-pact, from: bb, to: pact, type: party_to, status: in_force, since: 2025-09-11, sources: [s]}
  - {id: a-acsa, from: aa, to: acsa, type: party_to, status: signed, since: 2024, sources: [s]}
  - {id: b-acsa, from: bb, to: acsa, type: party_to, status: signed, since: 2024, sources: [s]}
  - {id: a-club, from: aa, to: club, type: member_of, since: 2020, sources: [s]}
  - {id: b-club, from: bb, to: club, type: member_of, since: 2021, sources: [s]}
  - {id: cb-dispute, from: cc, to: bb, type: disputes_with, since: 2012, sources: [s]}
  - {id: c-inc, from: cc, to: shoal_2023, type: involved_in, status: ended, since: 2023-08-05, until: 2023-08-05, attributes: {side: C}, sources: [s]}
  - {id: b-inc, from: bb_cg, to: shoal_2023, type: involved_in, status: ended, since: 2023-08-05, until: 2023-08-05, attributes: {side: B}, sources: [s]}
  - {id: a-inc, from: aa, to: shoal_2023, type: involved_in, status: ended, since: 2023-08-05, until: 2023-08-05, attributes: {side: rescuer}, sources: [s]}
"""


@pytest.fixture
def data(tmp_path):
    return write_data(tmp_path / "d", ENTITIES, RELATIONS)


def _panel(data, tmp_path, *args) -> pd.DataFrame:
    out = tmp_path / "panel.csv"
    r = invoke("export", "dyadyears", "-o", str(out), "--data", str(data), *args)
    assert r.exit_code == 0, r.stderr
    return pd.read_csv(out)


def test_the_panel_reads_back_with_pandas(data, tmp_path):
    df = _panel(data, tmp_path, "--from", "2010", "--to", "2026")
    assert list(df.columns) == list(COLUMNS)
    assert not df.duplicated(["ccode1", "ccode2", "year"]).any()
    assert (df["ccode1"] < df["ccode2"]).all()  # undirected: each pair once, lower code first
    assert len(df) == 3 * 17  # three coded states, three pairs, 2010-2026; the state without a code left out
    for col in ("alliance", "access_agreement", "dispute", "incidents", "arms_transfers", "aid", "shared_frameworks"):
        assert df[col].dtype.kind == "i", col

    def row(c1, c2, year):
        found = df[(df.ccode1 == c1) & (df.ccode2 == c2) & (df.year == year)]
        assert len(found) == 1
        return found.iloc[0]

    ab = {y: row(740, 840, y) for y in range(2010, 2027)}  # Aland (740) and Borduria (840), by hand:
    assert pd.isna(ab[2010].partnership) and ab[2011].partnership == "sp"
    assert ab[2015].partnership == "csp"  # both rungs in force in 2015: the higher one
    assert (ab[2015].rank1, ab[2015].rank2) == (2, 3)  # csp is 2nd on the default ladder, 3rd on Borduria's own
    assert ab[2016].aid == 1 and ab[2017].aid == 0  # given to Borduria's coast guard: rolled up to Borduria
    assert ab[2025].arms_transfers == 0  # only reported: not counted
    assert ab[2025].access_agreement == 1 and ab[2024].access_agreement == 0  # signed is not in force
    assert ab[2020].shared_frameworks == 0 and ab[2021].shared_frameworks == 1
    assert ab[2023].incidents == 0  # a rescuer takes no side
    cb = {y: row(2, 840, y) for y in range(2010, 2027)}
    assert cb[2011].dispute == 0 and cb[2012].dispute == 1
    assert cb[2023].incidents == 1 and cb[2024].incidents == 0  # the coast guard's incident counts for its state
    ca = row(2, 740, 2010)
    assert ca.alliance == 1 and pd.isna(ca.partnership)


def test_directed_panels_count_transfers_from_state1(data, tmp_path):
    df = _panel(data, tmp_path, "--from", "2016", "--to", "2016", "--directed")
    assert len(df) == 6 and not df.duplicated(["ccode1", "ccode2", "year"]).any()
    aid = {(r.state1, r.state2): r.aid for r in df.itertuples()}
    assert aid[("aa", "bb")] == 1 and aid[("bb", "aa")] == 0


def test_reported_and_roll_up_are_switches(data):
    S = DatasetStore(load(data, use_cache=False))

    def cell(result, s1, s2, year, col):
        return next(r[col] for r in result["rows"] if (r["state1"], r["state2"], r["year"]) == (s1, s2, year))

    assert cell(dyad_years(S, year_from=2025, year_to=2025, reported=True), "aa", "bb", 2025, "arms_transfers") == 1
    no_roll = dyad_years(S, year_from=2016, year_to=2023, roll_up=False)
    assert cell(no_roll, "aa", "bb", 2016, "aid") == 0
    assert cell(no_roll, "cc", "bb", 2023, "incidents") == 0
    assert dyad_years(S)["skipped"] == ["nn"]
    assert dyad_years(S)["from"] == 1960  # from the first year anything ties two states


def test_bad_arguments_are_one_line_and_exit_2(data, tmp_path):
    r = invoke(
        "export", "dyadyears", "-o", str(tmp_path / "p.csv"), "--from", "2020", "--to", "2010", "--data", str(data)
    )
    assert r.exit_code == 2 and "before" in r.stderr
    r = invoke("export", "graphml", "-o", str(tmp_path / "g.graphml"), "--directed", "--data", str(data))
    assert r.exit_code == 2 and "only apply to dyadyears" in r.stderr
    r = invoke("export", "dyadyears", "-o", str(tmp_path / "p.txt"), "--data", str(data))
    assert r.exit_code == 2 and "CSV" in r.stderr

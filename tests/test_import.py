"""The importers on committed excerpts (tests/fixtures/IMPORT_FIXTURES.md): COW, ATOP, SIPRI."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allygraph import yamlsrc
from allygraph.importers import ColumnError, Namer, atop, cow, sipri, yamlout

FIX = Path(__file__).parent / "fixtures"
COW = FIX / "cow_states2016_excerpt.csv"
ATOP_M = FIX / "atop4_01m_excerpt.csv"
ATOP_A = FIX / "atop4_01a_excerpt.csv"
SIPRI = FIX / "sipri_trade_register_excerpt.csv"


def _state(eid: str, name: str, iso3: str, code: int, abb: str) -> dict:
    return {"id": eid, "name": name, "type": "state", "attributes": {"iso3": iso3, "cow_code": code, "cow_abb": abb}}


# the entities the excerpts name, as a data directory might hold them (mapped by COW code, ISO code,
# name or alias): the importers' matching is tested on these, not on the bundled data
KNOWN = {e["id"]: e for e in [
    _state("japan", "Japan", "JPN", 740, "JPN"), _state("philippines", "Philippines", "PHL", 840, "PHI"),
    _state("united_states", "United States", "USA", 2, "USA"), _state("canada", "Canada", "CAN", 20, "CAN"),
    _state("australia", "Australia", "AUS", 900, "AUL"), _state("new_zealand", "New Zealand", "NZL", 920, "NEW"),
    _state("russia", "Russia", "RUS", 365, "RUS"), _state("united_kingdom", "United Kingdom", "GBR", 200, "UKG"),
    _state("vietnam", "Vietnam", "VNM", 816, "DRV"),
    {"id": "anzus_treaty", "name": "ANZUS Treaty", "type": "agreement", "aliases": ["ANZUS"]},
    {"id": "us_jp_security_treaty", "type": "agreement", "aliases": ["US-Japan Security Treaty"],
     "name": "Treaty of Mutual Cooperation and Security between Japan and the United States of America"},
    {"id": "us_jp_security_treaty_1951", "type": "agreement", "aliases": ["1951 US-Japan Security Treaty"],
     "name": "Security Treaty between the United States and Japan (1951)"},
    {"id": "us_ph_mdt", "type": "agreement", "aliases": ["US-Philippines Mutual Defense Treaty"],
     "name": "Mutual Defense Treaty between the Republic of the Philippines and the United States of America"},
    {"id": "tc_90", "name": "Beechcraft TC-90", "type": "platform", "aliases": ["TC-90", "King Air"]},
]}  # fmt: skip


@pytest.fixture(scope="module")
def known_namer() -> Namer:
    return Namer(KNOWN)


# --- COW ---------------------------------------------------------------------------------------


def test_cow_states_one_entity_per_code_with_tenures(known_namer):
    r = cow.read(COW, known_namer)
    assert r.read == 13 and not r.rejects
    assert len(r.entities) == 11
    jp = r.entities["japan"]
    assert jp["attributes"]["cow_code"] == 740 and jp["attributes"]["cow_abb"] == "JPN"
    assert jp["attributes"]["cow_tenures"] == "1860-01-01/1945-08-14; 1952-04-28/"
    assert "cow_member_until" not in jp["attributes"]  # 2016-12-31 is the end of the data
    assert r.entities["canada"]["type"] == "state"
    assert r.entities["united_states"]["name"] == "United States of America"  # mapped by code


def test_missing_or_renamed_column_names_it(tmp_path):
    text = COW.read_text().replace("statenme", "state_name", 1)
    (tmp_path / "s.csv").write_text(text)
    with pytest.raises(ColumnError, match=r"missing column 'statenme' \(renamed to 'state_name'\?\)"):
        cow.read(tmp_path / "s.csv")


# --- ATOP --------------------------------------------------------------------------------------


def test_atop_named_alliances(known_namer):
    r = atop.read(ATOP_M, ATOP_A, known_namer)
    assert r.read == 9 + 4 and not r.rejects
    rel = r.relations
    # 3220: US-Japan 1951, asymmetric: only the US has a defence obligation
    a = rel["atop.3220.2-740"]
    assert (a["from"], a["to"], a["type"], a["since"], a["until"]) == (
        "united_states",
        "japan",
        "alliance",
        "1951-09-08",
        "1960-01-19",
    )
    assert a["attributes"]["defense_by"] == "united_states" and a["via"] == "us_jp_security_treaty_1951"
    # 3375: US-Japan 1960, still in force: exit 0 is an open until, not year 0
    b = rel["atop.3375.2-740"]
    assert b["since"] == "1960-01-19" and "until" not in b and b["via"] == "us_jp_security_treaty"
    assert rel["atop.3375.740"]["status"] == "in_force" and "until" not in rel["atop.3375.740"]
    # 3210: US-Philippines 1951, mutual defence, in force
    c = rel["atop.3210.2-840"]
    assert (c["to"], c["since"], c.get("until")) == ("philippines", "1951-08-30", None)
    assert "defense_by" not in c["attributes"]
    mdt = r.entities["us_ph_mdt"]["attributes"]
    assert mdt["atop_id"] == 3210 and mdt["defense"] is True and mdt["in_effect"] is True
    assert r.entities["anzus_treaty"]["attributes"]["members"] == 3  # mapped to the hand-curated ANZUS entity


def test_atop_without_alliance_file_derives_dates(tmp_path):
    r = atop.read(ATOP_M, None, Namer())
    ent = r.entities["atop_3220"]
    assert ent["since"] == "1951-09-08" and ent["until"] == "1960-01-19"
    assert "until" not in r.entities["atop_3375"]


def test_atop_unknown_code_and_bad_row_are_rejected_with_line(tmp_path):
    lines = ATOP_M.read_text().splitlines()
    lines[1] = lines[1].replace(",2,", ",8152,", 1)
    lines[2] = lines[2].replace(",1951,", ",19x1,", 1)
    (tmp_path / "m.csv").write_text("\n".join(lines) + "\n")
    r = atop.read(tmp_path / "m.csv", None, Namer())
    assert [(x.line, x.reason.split()[0]) for x in r.rejects] == [("2", "member"), ("3", "yrent")]
    assert r.read == 9 and r.imported == 7


# --- SIPRI -------------------------------------------------------------------------------------


def test_sipri_excerpt_quirks(known_namer):
    r = sipri.read(SIPRI, known_namer)
    assert r.read == 20 and not r.rejects
    king = r.relations["sipri.japan.philippines.2016.king_air"]
    assert (king["from"], king["to"], king["via"], king["since"], king["until"]) == (
        "japan",
        "philippines",
        "tc_90",
        "2016",
        "2019",
    )
    a = king["attributes"]
    assert a["delivery_years"] == "2017; 2018" and a["condition"] == "Second hand"
    assert (a["number_ordered"], a["number_delivered"], a["tiv_per_unit"], a["tiv_delivered"]) == (5, 5, 1.14, 5.7)
    assert "TC-90A" in king["note"] and r.sources["sipri-arms-transfers"]["date"] == "2025-03-13"
    kh4 = r.relations["sipri.japan.philippines.1965.kh_4"]["attributes"]
    assert kh4["order_year_uncertain"] and kh4["number_ordered_uncertain"] and kh4["number_delivered_uncertain"]
    # the record cut by a line break (lines 31-32) is repaired, not read as two records
    split = r.relations["sipri.germany.saudi_arabia.2024.ship_engine"]
    assert split["attributes"]["repaired_lines"] == "31-32" and split["attributes"]["tiv_total_order"] == 18
    assert split["note"].endswith("frigate from Spain")
    radar = r.relations["sipri.japan.philippines.2020.j_fps_3"]
    assert "until" not in radar  # 2 of 4 delivered: still open
    assert sum(1 for x in r.relations.values() if (x["from"], x["to"]) == ("japan", "philippines")) == 7


TODAYS_NAMES = {"Türkiye": 640, "Czechia": 316, "DR Congo": 490, "Bosnia-Herzegovina": 346, "Côte d'Ivoire": 437,
                "Cabo Verde": 402, "North Macedonia": 343, "Eswatini": 572, "Soviet Union": 365}  # fmt: skip


def test_sipri_names_of_today_match_the_states_cow_imported(tmp_path):
    """After ``import cow-states``, SIPRI's names of today (Türkiye, not COW's Turkey) find the
    state COW made; historical names still go through the hand table (Soviet Union: COW 365)."""
    states = cow.read(Path(cow.__file__).parent / "data" / "cow_states2016.csv").entities
    by_code = {e["attributes"]["cow_code"]: eid for eid, e in states.items()}
    assert by_code[640] == "turkey"

    def edit(lines):
        for name in TODAYS_NAMES:
            lines.insert(13, f"{name},Japan,2001,,1,,Test boat,patrol boat,1,,2002,New,,1,1,1")

    r = sipri.read(_sipri_variant(tmp_path, edit), Namer(states))
    to = {rel["to"] for rel in r.relations.values() if rel["attributes"]["designation"] == "Test boat"}
    assert to == {by_code[c] for c in TODAYS_NAMES.values()}
    assert not [e for e in r.entities.values() if e["type"] == "state"]  # no second Turkey, no new state


def _sipri_variant(tmp_path: Path, edit) -> Path:
    lines = SIPRI.read_bytes().decode("latin-1").split("\n")
    edit(lines)
    path = tmp_path / "v.csv"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    return path


def test_sipri_latin1_names_and_non_state_recipients(tmp_path):
    def edit(lines):
        lines.insert(13, "Côte d'Ivoire,Japan,2001,,1,,Test boat,patrol boat,1,,2002,New,Essai numéro 1,1,1,1")
        lines.insert(13, "United Nations**,Japan,2001,,2,,Test boat,patrol boat,2,,2002,New,,1,2,2")

    r = sipri.read(_sipri_variant(tmp_path, edit), Namer())
    assert not r.rejects and r.read == 22
    ivory = r.entities["ivory_coast"]  # Côte d'Ivoire is COW 437, "Ivory Coast"
    assert ivory["attributes"]["cow_code"] == 437 and "cote_d_ivoire" not in r.entities
    assert r.entities["united_nations"]["type"] == "organization"
    assert "United Nations**" in r.entities["united_nations"]["aliases"]
    assert any(x.get("note") == "Essai numéro 1" for x in r.relations.values())


def test_sipri_unrepairable_split_is_rejected_with_both_lines(tmp_path):
    def edit(lines):
        lines[31] = ",1.5,18,0,extra,fields,that,do,not,fit,at,all,here"  # continuation that does not fit

    r = sipri.read(_sipri_variant(tmp_path, edit), Namer())
    reasons = {x.line: x.reason for x in r.rejects}
    assert "31" in reasons and "a record cut by a line break" in reasons["31"]
    assert not any("saudi_arabia" in rid for rid in r.relations)
    assert r.read == r.imported + len(r.rejects)


def test_sipri_missing_column_and_missing_header(tmp_path):
    path = _sipri_variant(tmp_path, lambda ls: ls.__setitem__(11, ls[11].replace("Weapon designation", "Weapon name")))
    with pytest.raises(ColumnError, match="missing column 'Weapon designation'"):
        sipri.read(path)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ColumnError, match="'Recipient' and 'Supplier'"):
        sipri.read(tmp_path / "x.csv")


def test_sipri_unquoted_comma_in_comments_is_put_back(tmp_path):
    def edit(lines):
        lines[12] = lines[12].replace("$104 m", "$104, m")

    r = sipri.read(_sipri_variant(tmp_path, edit), Namer())
    assert not r.rejects
    assert "$104, m" in r.relations["sipri.japan.philippines.2020.j_fps_3"]["note"]


_cell = st.text(st.characters(blacklist_characters=',\n\r"', blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(_cell, min_size=1, max_size=20), max_size=6),
    years=st.lists(st.integers(1900, 2030), max_size=3),
)
def test_sipri_any_rows_are_data_or_rejects_never_a_crash(tmp_path_factory, rows, years):
    """Whatever the rows, every record is data or a reject, and the count adds up."""
    tmp = tmp_path_factory.mktemp("h")
    head = SIPRI.read_bytes().decode("latin-1").split("\n")[:12]
    good = f"Philippines,Japan,2001,,1,,Boat,patrol boat,1,,{'; '.join(map(str, years))},New,,1,1,1"
    text = "\n".join([*head, good, *(",".join(r) for r in rows)]) + "\n"
    (tmp / "h.csv").write_bytes(text.encode("utf-8"))
    r = sipri.read(tmp / "h.csv", Namer())
    assert r.read >= 1 and r.read == len(r.relations) + len(r.rejects)


# --- the YAML writer ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans()))
def test_written_scalars_read_back_unchanged(tmp_path_factory, value):
    rec = {"id": "x", "note": value, "attributes": {"k": value}, "sources": [value] if isinstance(value, str) else []}
    text = "relations:\n" + yamlout.record(rec, yamlout.RELATION_KEYS)
    path = tmp_path_factory.mktemp("y") / "r.yaml"
    path.write_text(text, encoding="utf-8")
    doc, problems = yamlsrc.read(path)
    assert not problems
    back = doc["relations"][0]
    assert back["note"] == value and back["attributes"]["k"] == value
    if isinstance(value, str):
        assert back["sources"] == [value]


PLAIN_LIKE = st.text(alphabet=st.sampled_from("aeFNnOoSsTtUuYylL1 -._()'\u212a\u017f#:\"\\\x7f\u2028é"), max_size=7)


@settings(max_examples=300, deadline=None)
@given(st.one_of(PLAIN_LIKE, st.sampled_from(["yes", "No", "OFF", "n", "Y", "nULL", "True ", "a b", "on"]), st.text()))
def test_a_text_is_written_plain_exactly_when_the_rule_says(value):
    """``text_scalar``'s one pattern is the rule it stands for: ``_PLAIN``, no trailing space, no
    reserved word in any case (the fast writer of ``fmt`` relies on it)."""
    import json

    from allygraph.yamltext import _PLAIN, _RESERVED, _UNSAFE, date_text, text_scalar

    plain = bool(_PLAIN.fullmatch(value)) and value == value.strip() and value.casefold() not in _RESERVED
    assert (text_scalar(value) == value) is plain
    if not plain:  # quoted as JSON writes it, the characters YAML would not read raw escaped
        want = _UNSAFE.sub(lambda m: "\\ufffd" if 0xD800 <= ord(m.group()) <= 0xDFFF else f"\\u{ord(m.group()):04x}",
                           json.dumps(value, ensure_ascii=False))  # fmt: skip
        assert text_scalar(value) == want
    assert date_text(value) == json.dumps(value)  # a date: always quoted, as JSON writes it


def test_cow_finds_a_state_written_by_hand_under_its_name_of_today():
    """COW's "Turkey" (640) is the "Türkiye" an analyst wrote, by name or by ``attributes.iso3``."""
    by_name = Namer({"turkiye": {"id": "turkiye", "name": "Türkiye", "type": "state"}})
    by_iso = Namer({"tr": {"id": "tr", "name": "Republic of Turkey", "type": "state", "attributes": {"iso3": "TUR"}}})
    assert (by_name.cow_id(640), by_iso.cow_id(640), Namer({}).cow_id(640)) == ("turkiye", "tr", "turkey")

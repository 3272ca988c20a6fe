"""Merging imports into a data directory: hand-written data survives, re-import changes nothing.

Some imports go into copies of the bundled data (a realistic directory to merge into), which must
stay as they were."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allygraph.importers import atop, cow, run, sipri
from allygraph.importers.merge import MARKER
from allygraph.load import load
from helpers import BUNDLED, check_errors, entities_yaml, write_data

FIX = Path(__file__).parent / "fixtures"


def _all(data: Path) -> list:
    return [
        run(lambda n: cow.read(FIX / "cow_states2016_excerpt.csv", n), data),
        run(lambda n: atop.read(FIX / "atop4_01m_excerpt.csv", FIX / "atop4_01a_excerpt.csv", n), data),
        run(lambda n: sipri.read(FIX / "sipri_trade_register_excerpt.csv", n), data),
    ]


@pytest.fixture
def copy(tmp_path) -> Path:
    for name in ("entities.yaml", "relations.yaml"):
        shutil.copy(BUNDLED / name, tmp_path / name)
    return tmp_path


def test_hand_written_text_survives_and_reimport_changes_nothing(copy):
    before = {n: (BUNDLED / n).read_text() for n in ("entities.yaml", "relations.yaml")}
    _all(copy)
    after = {n: (copy / n).read_text() for n in before}
    # every hand-written line, comments included, is still there, in order
    for name in before:
        hand = after[name].split(MARKER)[0]
        kept = iter(hand.splitlines())
        missing = [line for line in before[name].splitlines() if "attributes:" not in line and "aliases:" not in line
                   and "sources: [" not in line and not any(line == k for k in kept)]  # fmt: skip
        assert not missing, missing[:3]
    assert check_errors(copy) == []
    again = _all(copy)
    assert not any(s.written for s in again)
    assert all(s.report.count("add") == 0 and s.report.count("update") == 0 for s in again)
    assert {n: (copy / n).read_text() for n in before} == after


def test_hand_curated_entities_keep_names_and_gain_only_missing_fields(copy):
    _all(copy)
    ds = load(copy, use_cache=False)
    jp = ds.entities["japan"]
    assert jp["name"] == "Japan" and jp["aliases"][:3] == ["JPN", "JP", "Nippon"]
    assert jp["attributes"]["iso3"] == "JPN" and jp["attributes"]["cow_code"] == 740
    treaty = ds.entities["us_jp_security_treaty_1951"]
    assert treaty["since"] == "1952-04-28" and treaty["attributes"]["atop_id"] == 3220
    assert treaty["name"].startswith("Security Treaty between")
    # both claims about the 1951 alliance stay, each with its sources
    claims = [
        r for r in ds.relations.values() if r["type"] == "alliance" and r.get("via") == "us_jp_security_treaty_1951"
    ]
    assert {(r["since"], tuple(r["sources"])[:1]) for r in claims} >= {
        ("1952-04-28", ("worldjpn-us-jp-1951-text",)),
        ("1951-09-08", ("atop-4",)),
    }


def test_newer_export_updates_imported_records_in_place(copy, tmp_path):
    path = tmp_path / "newer.csv"
    text = (FIX / "sipri_trade_register_excerpt.csv").read_bytes().decode("latin-1")
    run(lambda n: sipri.read(FIX / "sipri_trade_register_excerpt.csv", n), copy)
    path.write_bytes(
        text.replace("J/FPS-3,air search radar,2,,2023; 2024", "J/FPS-3,air search radar,4,,2023; 2024; 2025").encode(
            "latin-1"
        )
    )
    s = run(lambda n: sipri.read(path, n), copy)
    assert s.report.count("update") == 1 and s.report.count("add") == 0
    rel = load(copy, use_cache=False).relations["sipri.japan.philippines.2020.j_fps_3"]
    assert rel["attributes"]["number_delivered"] == 4 and rel["until"] == "2026"
    assert (copy / "relations.yaml").read_text().count("id: sipri.japan.philippines.2020.j_fps_3  # import:") == 1


def test_dry_run_writes_nothing(copy):
    before = (copy / "relations.yaml").read_bytes()
    s = run(lambda n: sipri.read(FIX / "sipri_trade_register_excerpt.csv", n), copy, dry_run=True)
    assert not s.written and s.report.count("add") > 0
    assert (copy / "relations.yaml").read_bytes() == before


def test_record_moved_above_the_marker_becomes_hand_curated(copy):
    run(lambda n: cow.read(FIX / "cow_states2016_excerpt.csv", n), copy)
    text = (copy / "entities.yaml").read_text()
    hand, gen = text.split("  " + MARKER)
    start = gen.index("  - id: netherlands  # import:")
    block = gen[start : gen.index("\n\n", start) + 2]
    block = block.replace("name: Netherlands", "name: Netherlands (curated)")
    rest = gen.replace(block.replace("Netherlands (curated)", "Netherlands"), "")
    (copy / "entities.yaml").write_text(hand.rstrip() + "\n\n" + block + "  " + MARKER + rest)
    run(lambda n: cow.read(FIX / "cow_states2016_excerpt.csv", n), copy)
    ds = load(copy, use_cache=False)
    assert ds.entities["netherlands"]["name"] == "Netherlands (curated)"
    assert len(re.findall(r"id: netherlands\b", (copy / "entities.yaml").read_text())) == 1


def test_empty_or_new_data_directory(tmp_path):
    write_data(tmp_path / "a", "entities: []\n", "relations: []\nsources: {}\n")
    for d in (tmp_path / "a", tmp_path / "b"):
        d.mkdir(exist_ok=True)
        _all(d)
        assert check_errors(d) == []
        ds = load(d, use_cache=False)
        assert "atop.3220.2-740" in ds.relations and ds.relations["atop.3220.2-740"]["via"] == "atop_3220"


# --- what people write below the marker, and transfers they already recorded -------------------

SIPRI = FIX / "sipri_trade_register_excerpt.csv"
JFPS, KH4, WGU = (f"sipri.{x}" for x in ("japan.philippines.2020.j_fps_3", "japan.philippines.1965.kh_4",
                                          "united_states.philippines.2019.wgu_59_apkws"))  # fmt: skip
KING = "sipri.japan.philippines.2016.king_air"
HAND_ENTITIES = entities_yaml(("tc_90", "TC-90", "platform"))
HAND_SOURCES = "sources:\n  manual:\n    title: A hand-written source\nrelations:\n"
TC90_TRANSFER = ("id: jp-ph-tc90-transfer   # delivered 2017-2018", "from: japan", "to: philippines",
                 "type: arms_transfer", 'since: "2017-03-27"', "via: tc_90")  # fmt: skip


def _record(lines: tuple[str, ...], indent: int) -> str:
    """One block-style record of ``lines``, its dash at column ``indent``."""
    pad = " " * indent
    return f"{pad}- {lines[0]}\n" + "".join(f"{pad}  {line}\n" for line in lines[1:])


HAND_TRANSFERS = (
    "\n"
    + HAND_SOURCES
    + _record((*TC90_TRANSFER, "attributes: {quantity: 5}", "sources: [manual]"), 2)
    + """  - id: jp-ph-tc90-talks
    from: japan
    to: philippines
    type: arms_transfer
    status: reported
    since: "2026-05-05"
    via: tc_90
    sources: [manual]
"""
)


@pytest.fixture
def hand(tmp_path) -> Path:
    return write_data(tmp_path / "hand", HAND_ENTITIES, HAND_TRANSFERS)


def _sipri(data: Path, path: Path = SIPRI):
    return run(lambda n: sipri.read(path, n), data)


def _newer_sipri(tmp_path: Path) -> Path:
    """The excerpt as a newer export would have it: the J/FPS-3, KH-4 and WGU-59 records changed."""
    text = SIPRI.read_bytes().decode("latin-1")
    for old, new in (("J/FPS-3,air search radar,2,,2023; 2024", "J/FPS-3,air search radar,4,,2023; 2024; 2025"),
                     ("KH-4,light helicopter,1,?,1966,New,,0.5,0.5,0.5", "KH-4,light helicopter,1,?,1966,New,,0.6,0.6,0.6"),
                     ("air-to-surface missile,100,,2020,", "air-to-surface missile,100,,2020; 2021,")):  # fmt: skip
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "newer.csv"
    path.write_bytes(text.encode("latin-1"))
    return path


def test_reimport_keeps_a_comment_a_note_and_an_edit_made_below_the_marker(hand, tmp_path):
    from helpers import invoke

    _sipri(hand)
    rel = hand / "relations.yaml"
    text = rel.read_text()
    text = re.sub(rf"(  - id: {re.escape(JFPS)}\b)", r"  # checked against the JMSDF list\n\1", text)
    block = re.search(rf"  - id: {re.escape(KH4)}\b.*?\n    sources: .*?\n", text, re.S)
    text = text.replace(block.group(), block.group() + "    note: seen at Sangley Point by our team\n")
    rel.write_text(text + "  # end of the imported records\n")
    assert invoke("edit", WGU, "--set", "status=ended", "--data", str(hand)).returncode == 0
    before = rel.read_bytes()

    again = _sipri(hand)  # the same export: nothing to change, and nothing lost
    assert not again.written and rel.read_bytes() == before

    p = invoke("import", "sipri", str(_newer_sipri(tmp_path)), "--data", str(hand))  # a newer export
    assert p.returncode == 0, p.stderr
    assert f"= kept: commented by hand: relation {JFPS} (the import differs in attributes, until)" in p.stdout
    assert f"= kept: edited by hand: relation {KH4} (the import differs in attributes, note)" in p.stdout
    assert f"= kept: edited by hand: relation {WGU} (the import differs in attributes, status, until)" in p.stdout
    assert "3 kept as edited by hand" in p.stdout
    after = rel.read_text()
    assert "  # checked against the JMSDF list\n" in after and after.endswith("  # end of the imported records\n")
    ds = load(hand, use_cache=False)
    assert ds.relations[JFPS]["attributes"]["number_delivered"] == 2
    assert ds.relations[KH4]["note"] == "seen at Sangley Point by our team"
    assert ds.relations[WGU]["status"] == "ended"
    assert check_errors(hand) == []


def test_records_imported_before_digests_are_still_the_imports(hand, tmp_path):
    """A directory imported by an older allygraph (no ``# import:`` digests): records in the
    import's own layout are updated as before, and gain their digest."""
    _sipri(hand)
    rel = hand / "relations.yaml"
    rel.write_text(re.sub(r"  # import:[0-9a-f]{12}", "", rel.read_text()))
    again = _sipri(hand)
    assert again.written and again.report.tally()["updated"] == 0
    assert re.search(rf"id: {re.escape(JFPS)}  # import:[0-9a-f]{{12}}\n", rel.read_text())
    newer = _sipri(hand, _newer_sipri(tmp_path))
    assert newer.report.tally() == {"new": 0, "updated": 3, "unchanged": 17, "kept": 0}


def test_an_imported_transfer_merges_into_the_hand_written_one(hand):
    s = _sipri(hand)
    ds = load(hand, use_cache=False)
    assert KING not in ds.relations
    tc90 = ds.relations["jp-ph-tc90-transfer"]
    assert tc90["sources"] == ["manual", "sipri-arms-transfers"] and tc90["since"] == "2017-03-27"
    a = tc90["attributes"]
    assert (a["quantity"], a["number_delivered"], a["delivery_years"], a["import_id"]) == (5, 5, "2017; 2018", KING)
    assert ds.relations["jp-ph-tc90-talks"]["sources"] == ["manual"]  # 2026: no overlap with 2016-2018
    [matched] = [c for c in s.report.changes if c.action == "matched"]
    assert (matched.id, matched.into, matched.differs) == (KING, "jp-ph-tc90-transfer", ["since", "until"])
    via_tc90 = [r for r in ds.relations.values() if r.get("via") == "tc_90" and r["type"] == "arms_transfer"]
    assert len(via_tc90) == 2  # the delivered transfer once, and the talks
    assert "# delivered 2017-2018" in (hand / "relations.yaml").read_text()
    assert check_errors(hand) == []
    before = (hand / "relations.yaml").read_bytes()
    again = _sipri(hand)
    assert not again.written and (hand / "relations.yaml").read_bytes() == before


def test_a_transfer_two_hand_written_ones_may_record_is_added_and_flagged(tmp_path):
    extra = HAND_TRANSFERS.replace("  - id: jp-ph-tc90-talks", "  - id: jp-ph-tc90-lease\n    from: japan\n    to: philippines\n    type: arms_transfer\n    since: \"2017\"\n    via: tc_90\n    sources: [manual]\n  - id: jp-ph-tc90-talks")  # fmt: skip
    d = write_data(tmp_path / "d", HAND_ENTITIES, extra)
    s = _sipri(d)
    [king] = [c for c in s.report.changes if c.id == KING]
    assert (king.action, king.why) == ("add", "may repeat hand-written jp-ph-tc90-transfer, jp-ph-tc90-lease")
    assert KING in load(d, use_cache=False).relations


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    notes=st.lists(
        st.tuples(
            st.integers(0, 10**6), st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_comment_below_the_marker_survives_a_newer_export(tmp_path_factory, notes):
    """Whole-line comments put anywhere below the marker (between records, inside one, after the
    last) are all still there after a newer export is imported, and the data still checks."""
    tmp = tmp_path_factory.mktemp("c")
    d = write_data(tmp / "d", HAND_ENTITIES, HAND_TRANSFERS)
    _sipri(d)
    rel = d / "relations.yaml"
    lines = rel.read_text().split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == MARKER) + 1
    wanted = []
    for n, (at, text) in enumerate(notes):
        comment = f"    # note {n}: {text}".rstrip()
        lines.insert(start + at % (len(lines) - start), comment)
        wanted.append(comment)
    rel.write_text("\n".join(lines))
    _sipri(d, _newer_sipri(tmp))
    after = rel.read_text().split("\n")
    assert [c for c in wanted if c not in after] == []
    assert check_errors(d) == []


def test_a_transfer_linked_by_hand_below_the_marker_is_flagged_not_doubled_silently(tmp_path):
    """``link`` after an import appends below the marker; a later import names it as a possible
    repeat, in the summary and in the record (``attributes.may_repeat``), and keeps it as written."""
    from helpers import invoke

    d = write_data(tmp_path / "d", HAND_ENTITIES, "relations: []\n")
    _sipri(d)
    p = invoke("link", "japan", "arms_transfer", "philippines", "--via", "tc_90", "--since", "2017-03-27",
               "--source", "https://example.org/tc90", "--id", "jp-ph-tc90-linked", "--data", str(d))  # fmt: skip
    assert p.returncode == 0, p.stderr
    rel = d / "relations.yaml"
    linked = re.search(r"  - id: jp-ph-tc90-linked\n.*?\n(?:\n|$)", rel.read_text(), re.S).group()
    s = _sipri(d)
    [king] = [c for c in s.report.changes if c.id == KING]
    assert (king.action, king.fields) == ("update", ["attributes"])
    assert load(d, use_cache=False).relations[KING]["attributes"]["may_repeat"] == "jp-ph-tc90-linked"
    assert linked in rel.read_text()


def test_an_id_twice_below_the_marker_is_refused_naming_the_line(hand):
    from allygraph.errors import UsageError

    _sipri(hand)
    rel = hand / "relations.yaml"
    text = rel.read_text()
    block = re.search(rf"  - id: {re.escape(KH4)}\b.*?\n\n", text, re.S).group()
    rel.write_text(text + "\n" + block)
    with pytest.raises(UsageError, match=rf"would be lost: line \d+ \(a second relation '{re.escape(KH4)}'\)"):
        _sipri(hand)


def test_an_entity_edited_below_the_marker_is_kept(hand):
    from helpers import invoke

    run(lambda n: cow.read(FIX / "cow_states2016_excerpt.csv", n), hand)
    assert (
        invoke("edit", "netherlands", "--set", "name=Kingdom of the Netherlands", "--data", str(hand)).returncode == 0
    )
    s = run(lambda n: cow.read(FIX / "cow_states2016_excerpt.csv", n), hand)
    assert [(c.id, c.action, c.fields) for c in s.report.changes if c.action == "edited"] == [("netherlands", "edited", ["name"])]  # fmt: skip
    assert load(hand, use_cache=False).entities["netherlands"]["name"] == "Kingdom of the Netherlands"


def test_an_import_citing_two_new_sources_makes_one_registry(tmp_path):
    """SIPRI into a directory with no ``sources:`` cites SIPRI and COW (for the states it adds):
    one registry with both, not two ``sources:`` keys."""
    d = write_data(tmp_path / "d", HAND_ENTITIES, "relations: []\n")
    s = _sipri(d)
    assert s.written and sorted(c.id for c in s.report.changes if c.kind == "source") == [
        "cow-states-2016",
        "sipri-arms-transfers",
    ]
    assert (d / "relations.yaml").read_text().count("sources:\n") == 1
    assert check_errors(d) == []


def test_a_formatted_directory_is_left_as_it_is_by_a_reimport(hand):
    """``allygraph fmt`` lays the imported records out its own way (values unchanged, digests
    kept): re-importing the same export then writes nothing."""
    from helpers import invoke

    _sipri(hand)
    assert invoke("fmt", "--data", str(hand)).returncode == 0
    before = {p.name: p.read_bytes() for p in hand.glob("*.yaml")}
    again = _sipri(hand)
    assert not again.written and {p.name: p.read_bytes() for p in hand.glob("*.yaml")} == before


@pytest.mark.parametrize("brk", ["\u2028", "\x85", "\u2029"], ids=["LS", "NEL", "PS"])
def test_a_note_holding_a_line_break_yaml_counts_stays_byte_for_byte(hand, brk):
    """YAML counts NEL, LS and PS as line breaks, ``str.splitlines`` counts more: the record
    blocks are cut where YAML's line numbers say, so an edited record with one stays whole."""
    _sipri(hand)
    rel = hand / "relations.yaml"
    text = rel.read_text()
    block = re.search(rf"  - id: {re.escape(KH4)}\b.*?\n    sources: .*?\n", text, re.S).group()
    # written as YAML's escape: a raw NEL, LS or PS is refused by the loader, which both parsers
    # would read differently (test_hostile_input), so a person types the escape
    esc = "\\x85" if brk == "\x85" else f"\\u{ord(brk):04x}"
    rel.write_text(text.replace(block, block + f'    note: "seen{esc}at Sangley Point"\n'))
    before = rel.read_bytes()
    s = _sipri(hand)
    assert not s.written and rel.read_bytes() == before
    assert [c.id for c in s.report.changes if c.action == "edited"] == [KH4]


# --- the hand-written part is changed by text splices only ------------------------------------


def _cow(data: Path):
    return run(lambda n: cow.read(FIX / "cow_states2016_excerpt.csv", n), data)


def _subsequence(old: str, new: str) -> bool:
    """Whether ``new`` is ``old`` with text inserted (nothing removed or changed)."""
    rest = iter(new)
    return all(c in rest for c in old)


MIXED_ENTITIES = """\
# states first
entities:
- id: japan   # the host
  name: Japan
  type: state
  aliases:
  - Nippon   # old name
  attributes:
    iso3: JPN    # ISO 3166
  sources:
  - manual
# between records
- {id: philippines, name: Philippines, type: state, attributes: {iso3: PHL}, sources: ['manual']}  # flow record
"""


def test_hand_written_records_gain_fields_in_their_own_style_and_keep_every_byte(tmp_path):
    """What an import adds to hand-written records is spliced in: a block list gains items at
    its own indentation, a flow record and flow values gain entries, comments beside values,
    between records and above the list stay where they were (a round trip through a YAML
    library re-indented the list and moved the comments)."""
    d = write_data(tmp_path / "d", MIXED_ENTITIES, "sources:\n  manual: {title: Mine}\nrelations: []\n")
    assert _cow(d).written
    text = (d / "entities.yaml").read_text()
    hand = text.split(MARKER)[0]
    assert _subsequence(MIXED_ENTITIES, hand)
    assert "  aliases:\n  - Nippon   # old name\n  - JPN\n" in hand
    assert "    iso3: JPN    # ISO 3166\n    cow_code: 740\n" in hand
    assert "  sources:\n  - manual\n  - cow-states-2016\n# between records\n" in hand
    assert "- {id: philippines, name: Philippines, type: state, aliases: [PHI], attributes: {iso3: PHL, cow_code: 840," in hand  # fmt: skip
    assert "sources: ['manual', cow-states-2016]}  # flow record\n" in hand
    # the generated records take the list's indentation (column 0 here)
    assert "\n- id: canada  # import:" in text
    ds = load(d, use_cache=False)
    assert ds.entities["japan"]["aliases"] == ["Nippon", "JPN"]
    assert ds.entities["philippines"]["attributes"]["cow_code"] == 840
    assert check_errors(d) == []
    before = {p.name: p.read_bytes() for p in d.glob("*.yaml")}
    assert not _cow(d).written and {p.name: p.read_bytes() for p in d.glob("*.yaml")} == before


def test_a_list_in_flow_style_or_not_last_moves_to_the_end_as_written(tmp_path):
    """Generated records follow the marker at the end of the list, so the list must be a block
    list and the file's last section: a flow list's items become block items as they were
    written, the comment on its key line stays on it, and the sections before keep their bytes."""
    ents = "# top\nentities: [{id: japan, name: Japan, type: state},  # the host\n  {id: philippines, name: Philippines, type: state}]  # in flow style\n# end\n"  # fmt: skip
    rels = "# relations\nrelations: []  # none yet\nsources:\n  manual: {title: Mine}  # my notes\n"
    d = write_data(tmp_path / "d", ents, rels)
    run(lambda n: atop.read(FIX / "atop4_01m_excerpt.csv", FIX / "atop4_01a_excerpt.csv", n), d)
    etext, rtext = ((d / n).read_text() for n in ("entities.yaml", "relations.yaml"))
    assert etext.startswith("# top\n# end\nentities:  # in flow style\n  - {id: japan, name: Japan, type: state")
    assert "\n  - {id: philippines, name: Philippines, type: state" in etext
    assert re.search(r"\n  - \{id: japan, [^\n]*\}  # the host\n  - \{id: philippines, ", etext)
    assert rtext.startswith("# relations\nsources:\n  manual: {title: Mine}  # my notes\n")
    assert "\nrelations:  # none yet\n" in rtext and rtext.index("sources:") < rtext.index("relations:")
    assert check_errors(d) == []
    ds = load(d, use_cache=False)
    assert "atop.3220.2-740" in ds.relations and ds.entities["japan"]["name"] == "Japan"


ZERO_INDENT_TRANSFERS = HAND_SOURCES + _record(
    (*TC90_TRANSFER, "attributes:", "  quantity: 5", "sources:", "- manual"), 0
)


def test_a_list_indented_at_column_zero_keeps_its_indentation(tmp_path):
    """Records generated after a hand-written list whose dashes stand at column 0 stand there too
    (at column 2 they would not be YAML), and a matched transfer gains its fields in its style."""
    d = write_data(tmp_path / "d", HAND_ENTITIES, ZERO_INDENT_TRANSFERS)
    s = _sipri(d)
    assert s.written and check_errors(d) == []
    text = (d / "relations.yaml").read_text()
    hand = text.split(MARKER)[0]
    assert _subsequence(ZERO_INDENT_TRANSFERS, hand)
    assert "  sources:\n  - manual\n  - sipri-arms-transfers\n" in hand
    assert re.search(r"\n- id: sipri\.\S+  # import:", text)
    assert load(d, use_cache=False).relations["jp-ph-tc90-transfer"]["attributes"]["import_id"] == KING
    before = (d / "relations.yaml").read_bytes()
    assert not _sipri(d).written and (d / "relations.yaml").read_bytes() == before


def _flow(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


@st.composite
def _hand_entity(draw, n: int, indent: int) -> tuple[str, dict]:
    """One hand-written entity in a drawn layout (block or flow record, each list and mapping
    absent, empty, block or flow, comments beside lines): its text and its values."""
    pad, rid = " " * indent, f"e{n}"
    values: dict = {"id": rid, "name": f"E {n}", "type": "state"}
    fields = {"aliases": draw(st.sampled_from([None, [], [f"old{n}"], [f"old{n}", "x"]])),
              "description": draw(st.sampled_from([None, "said"])),
              "attributes": draw(st.sampled_from([None, {}, {"iso3": "ABC"}])),
              "sources": draw(st.sampled_from([None, [], ["manual"]]))}  # fmt: skip
    values.update({k: v for k, v in fields.items() if v is not None})
    if draw(st.booleans()):  # a flow record
        body = ", ".join(f"{k}: {_flow(v)}" for k, v in values.items())
        return f"{pad}- {{{body}}}" + draw(st.sampled_from(["", "  # flow"])) + "\n", values
    note = st.sampled_from(["", "  # why"])
    lines = [f"{pad}- id: {rid}" + draw(note), f"{pad}  name: E {n}", f"{pad}  type: state"]
    for key, value in values.items():
        if key in ("id", "name", "type"):
            continue
        if isinstance(value, (list, dict)) and value and draw(st.booleans()):  # block style
            lines.append(f"{pad}  {key}:" + draw(note))
            inner = pad + "  " + draw(st.sampled_from(["", "  "]) if isinstance(value, list) else st.just("  "))
            items = [f"- {v}" for v in value] if isinstance(value, list) else [f"{k}: {v}" for k, v in value.items()]
            lines += [inner + item + draw(note) for item in items]
        else:
            lines.append(f"{pad}  {key}: {_flow(value)}" + draw(note))
    return "\n".join(lines) + "\n", values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_additions_spliced_into_any_layout_read_back_and_keep_every_byte(data):
    """Whatever the layout of a hand-written record, the import's additions (aliases, attributes,
    sources) read back appended to what it had, and the file is the old text with text inserted."""
    from allygraph.importers.merge import _enrich
    from allygraph.yamltext import ENTITY_KEYS

    indent = data.draw(st.sampled_from([0, 2]))
    records = [data.draw(_hand_entity(n, indent)) for n in range(2)]
    text = "entities:\n" + "# between\n".join(t for t, _ in records)
    add = data.draw(st.fixed_dictionaries({}, optional={"aliases": st.just(["NEW"]),
                                                        "attributes": st.just({"cow_code": 7}),
                                                        "sources": st.just(["cow"])}))  # fmt: skip
    out = _enrich(text, "entities.yaml", "entities", {"e0": add}, ENTITY_KEYS)
    assert _subsequence(text, out)
    got = yaml.safe_load(out)["entities"]
    old = records[0][1]
    want = dict(old)
    for key in ("aliases", "sources"):
        if key in add:
            want[key] = (old.get(key) or []) + add[key]
    if "attributes" in add:
        want["attributes"] = {**(old.get("attributes") or {}), **add["attributes"]}
    assert got == [want, records[1][1]]


def test_comments_above_the_marker_and_at_the_end_survive_additions_to_hand_written_records(hand):
    """A comment a person wrote after the last hand-written record (just above the marker) and one
    at the end of the file stay where they are when a later import adds to the records above."""
    _sipri(hand)
    path = hand / "entities.yaml"
    text = path.read_text()
    before_marker, rest = text.split("  " + MARKER)
    path.write_text(
        before_marker.rstrip() + "\n  # curated by hand down to here\n\n  " + MARKER + rest + "  # the end\n"
    )
    s = _cow(hand)
    assert [c.id for c in s.report.changes if c.action == "enrich"][:2] == ["japan", "philippines"]
    text = path.read_text()
    assert "    type: platform\n  # curated by hand down to here\n\n  " + MARKER in text
    assert text.endswith("\n  # the end\n")
    assert load(hand, use_cache=False).entities["japan"]["attributes"]["cow_code"] == 740
    assert check_errors(hand) == []


def test_a_file_with_a_byte_order_mark_keeps_it_and_its_comments(tmp_path):
    """The splices locate text after a byte order mark: a flow list that moves to the end and a
    record that gains fields keep every byte, and the mark stays first (once)."""
    ents = "\ufeff# mine\nentities: [{id: japan, name: Japan, type: state}]  # in flow style\n"
    d = tmp_path / "d"
    d.mkdir()
    (d / "entities.yaml").write_text(ents, encoding="utf-8")
    (d / "relations.yaml").write_text("\ufeffrelations:  # none yet\nsources: {}\n", encoding="utf-8")
    _cow(d)
    etext, rtext = ((d / n).read_text(encoding="utf-8") for n in ("entities.yaml", "relations.yaml"))
    assert etext.startswith("\ufeff# mine\nentities:  # in flow style\n  - {id: japan, name: Japan, type: state, aliases: [JPN]")  # fmt: skip
    assert rtext.startswith("\ufeffsources:\n  cow-states-2016:\n") and "\nrelations:  # none yet\n" in rtext
    assert etext.count("\ufeff") == rtext.count("\ufeff") == 1
    assert check_errors(d) == []

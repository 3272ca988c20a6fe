"""SVG pictures (``viz -o X.svg``, ``tiers --plot X.svg``) are well-formed XML whatever a name
holds: every C0 control, DEL, C1, U+FFFE/U+FFFF, bidi controls and (from the library) lone
surrogates. Characters XML 1.0 cannot carry become U+FFFD (``export.common.xml_text``, the
exporters' escaping); the rest is text, never markup."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from allygraph.viz.ladder import ladder_svg
from allygraph.viz.network import svg
from helpers import invoke, write_data

C0 = "".join(f"\\x{i:02x}" for i in range(32))  # as YAML escapes
C1 = "".join(f"\\x{i:02x}" for i in range(0x80, 0xA0))
NAME = f"A{C0}\\x7f{C1}\\ufffe\\uffff\\u202e<b>&amp;]]>Z"
ENTITIES = f"""
entities:
  - id: aa
    name: "{NAME}"
    type: state
  - id: bb
    name: Bland
    type: state
"""
RELATIONS = """
tiers:
  - id: alliance
    name: "Treaty\\x1b]0;t\\x07 alliance"
  - id: strategic_partnership
    name: "Strategic\\x00\\x9b partnership"
relations:
  - {id: ab, from: aa, to: bb, type: partnership, tier: strategic_partnership, since: "2005", sources: [https://example.org]}
  - {id: ab2, from: aa, to: bb, type: alliance, since: "2015", sources: [https://example.org]}
"""


def _parse(text: str | bytes) -> etree._Element:
    """Parse as XML, strictly (lxml raises on anything that is not well-formed)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return etree.fromstring(data, etree.XMLParser(recover=False, resolve_entities=False))


def _texts(root: etree._Element) -> str:
    return " ".join(root.itertext())


@pytest.mark.parametrize("args", [["viz", "aa"], ["tiers", "aa", "--plot"]], ids=["viz", "tiers --plot"])
def test_svg_with_control_characters_in_names_is_well_formed(tmp_path, args):
    data = write_data(tmp_path / "d", ENTITIES, RELATIONS)
    out = tmp_path / "picture.svg"
    proc = invoke(*args[:2], *args[2:], *(["-o"] if args[0] == "viz" else []), str(out), "--data", str(data))
    assert proc.returncode == 0, proc.stderr
    root = _parse(out.read_bytes())
    text = _texts(root)
    # what XML can carry is kept as text (tab, LF, CR, DEL, C1, bidi); the rest became U+FFFD
    want = "A" + "\ufffd" * 9 + "\t\n\ufffd\ufffd\r" + "\ufffd" * 18 + "\x7f" + "".join(map(chr, range(0x80, 0xA0)))
    want += "\ufffd\ufffd\u202e<b>&amp;]]>Z"
    assert want in text
    assert root.find(".//{http://www.w3.org/2000/svg}b") is None  # a name is never markup
    if args[0] == "tiers":
        assert "Strategic\ufffd\x9b partnership" in text


_ANY = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)  # surrogates too


@settings(max_examples=60, deadline=None)
@given(names=st.lists(_ANY, min_size=2, max_size=3), tier=_ANY)
def test_svg_map_and_ladder_are_well_formed_for_any_name(names, tier):
    ents = [{"id": f"e{i}", "name": n, "type": "state", "x": i / 3, "y": 0.5, "shape": "circle", "colour": "#000"}
            for i, n in enumerate(names)]  # fmt: skip
    rel = {"id": "r", "from": "e0", "to": "e1", "type": "partnership", "tier_name": tier, "since": "2001",
           "width": 2.0, "via": None}  # fmt: skip
    pic = {
        "focus": None,
        "as_of": None,
        "entities": ents,
        "relations": [rel],
        "legend": {tier or "x": ["#000", "square"]},
    }
    _parse(svg(pic))
    steps = {"name": names[0], "rungs": [{"id": "t", "name": tier, "rank": 1}],
             "partners": [{"id": f"e{i}", "name": n, "steps": [{"since": "2001", "rank": 1, "tier": "t"}]}
                          for i, n in enumerate(names[1:], 1)]}  # fmt: skip
    _parse(ladder_svg(steps))


def test_lone_surrogates_become_replacement_characters():
    ents = [
        {"id": "a", "name": "x\ud800y\udfffz", "type": "state", "x": 0, "y": 0, "shape": "circle", "colour": "#000"}
    ]
    root = _parse(svg({"focus": None, "as_of": None, "entities": ents, "relations": [], "legend": {}}))
    assert "x\ufffdy\ufffdz" in _texts(root)

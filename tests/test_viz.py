"""Issue 13 pictures: the offline HTML map (in a real headless Chromium), the SVG map and the
ladder step chart. The browser runs are started together once per module (a few seconds)."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

import allygraph
from allygraph.errors import UsageError
from allygraph.viz import picture, tiers_plot, viz
from allygraph.viz.ladder import ladder_steps
from helpers import write_data

IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
SCRIPT = "<script>document.body.setAttribute('data-pwned','2')</script>"
ENTITIES = f"""
entities:
  - {{id: aa, name: Aland, type: state}}
  - {{id: bb, name: {json.dumps(IMG)}, type: state}}
  - {{id: cc, name: {json.dumps(SCRIPT)}, type: framework}}
  - {{id: dd, name: Dland, type: agreement}}
"""
RELATIONS = """
sources:
  s1: {title: "Good source", url: "https://example.org/one"}
  s2: {title: "Bad source", url: "javascript:document.body.setAttribute('data-pwned','3')"}
relations:
  - {id: ab-old, from: aa, to: bb, type: partnership, tier: strategic_partnership, since: "2005", until: "2015", sources: [s1]}
  - {id: ab-new, from: aa, to: bb, type: partnership, tier: comprehensive_strategic_partnership, since: "2015", via: dd, sources: [s1, s2]}
  - {id: a-cc, from: aa, to: cc, type: member_of, since: "2020", sources: [s1]}
  - {id: b-cc, from: bb, to: cc, type: member_of, since: "2020", sources: [s1]}
  - {id: a-dd, from: aa, to: dd, type: party_to, status: negotiating, sources: [s1]}
"""
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return write_data(tmp_path_factory.mktemp("viz") / "d", ENTITIES, RELATIONS)


@pytest.fixture(scope="module")
def page(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "map.html"
    result = viz(allygraph.load_graph(data_dir), out=out)
    assert result == {"file": str(out), "entities": 4, "relations": 5}
    return out


def _chromium(*args: str) -> subprocess.Popen:
    return subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--virtual-time-budget=3000", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip


@pytest.fixture(scope="module")
def browser(page, tmp_path_factory):
    """Every Chromium run at once (three: each costs seconds on a loaded machine): DOM dumps at
    two dates, the second with a relation opened and a search typed, and a screenshot. Returns {name: dumped DOM} and the screenshot's path."""
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium (.ci/run does)")
    shot = tmp_path_factory.mktemp("shot") / "map.png"
    url = page.as_uri()
    runs = {
        "2010": _chromium("--dump-dom", url + "#as_of=2010"),
        "2021": _chromium("--dump-dom", url + "#as_of=2021&rel=ab-new&q=alan"),
        "shot": _chromium("--window-size=500,350", f"--screenshot={shot}", url),
    }
    doms = {name: p.communicate(timeout=60)[0] for name, p in runs.items()}
    return doms, shot


def _shown(dom: str) -> set[str]:
    return set(re.findall(r'<line [^>]*class="edge on"[^>]*data-id="([^"]+)"', dom)) | set(
        re.findall(r'<line [^>]*data-id="([^"]+)"[^>]*class="edge on"', dom))  # fmt: skip


def test_names_are_in_the_rendered_dom_as_text(browser):
    dom = browser[0]["2010"]
    assert ">Aland</text>" in dom and ">Dland</text>" in dom
    assert htmllib.escape(IMG, quote=False) in dom and htmllib.escape(SCRIPT, quote=False) in dom


def test_hostile_names_change_nothing(browser):
    for dom in browser[0].values():
        if not dom:
            continue
        assert "data-pwned=" not in dom  # no handler ran: the attribute was never set
        assert "<img" not in dom and dom.count("<script") == 2  # our two script elements, no third


def test_the_date_slider_replays_the_network(browser):
    doms = browser[0]
    assert _shown(doms["2010"]) == {"ab-old"}
    assert _shown(doms["2021"]) == {"ab-new", "a-cc", "b-cc"}  # negotiating is never in force
    assert 'data-shown="1"' in doms["2010"]
    assert re.search(r'<line [^>]*class="edge off"[^>]*data-via="ab-new"', doms["2010"])  # what it went through
    assert re.search(r'<line [^>]*class="edge on"[^>]*data-via="ab-new"', doms["2021"])


def test_a_relation_opens_with_its_sources_as_plain_links_only_for_http(browser):
    dom = browser[0]["2021"]
    assert '<a href="https://example.org/one" rel="noopener noreferrer" target="_blank">Good source</a>' in dom
    assert "javascript:" not in dom.split('id="details"')[1].split("</ul>")[0].replace("&amp;", "&").split("<span>")[0]
    assert not re.search(r'<a [^>]*href="javascript', dom)
    assert 'class="node hit" data-id="aa"' in dom or 'data-id="aa" class="node hit"' in dom  # the search box


def _png_pixels(path: Path) -> set[bytes]:
    """The distinct pixels of an 8-bit RGB(A) PNG (a tiny decoder: no imaging library needed)."""
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(raw):
        (n,), kind = struct.unpack(">I", raw[pos : pos + 4]), raw[pos + 4 : pos + 8]
        body = raw[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    data, stride, prev, seen = zlib.decompress(idat), width * channels, bytearray(width * channels), set()
    for y in range(height):  # every row is unfiltered (filters read the row above); every 4th is kept
        f, line = data[y * (stride + 1)], bytearray(data[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            p = a + b - c
            pred = {0: 0, 1: a, 2: b, 3: (a + b) // 2,
                    4: a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c}[f]  # fmt: skip
            line[i] = (line[i] + pred) & 0xFF
        if y % 4 == 0:
            seen.update(bytes(line[i : i + 3]) for i in range(0, stride, channels * 3))
        prev = line
    return seen


def test_the_screenshot_is_not_blank(browser):
    pixels = _png_pixels(browser[1])
    assert len(pixels) > 20  # white, lines, five colours of shapes, text anti-aliasing


def test_the_page_loads_nothing_from_the_network(page):
    text = page.read_text(encoding="utf-8")
    head, rest = text.split('<script type="application/json" id="allygraph-data">')
    blob, tail = rest.split("</script>", 1)
    outside = head + tail
    assert re.findall(r"https?://[^\s\"')]+", outside) == ["http://www.w3.org/2000/svg"]  # a namespace, not a load
    assert not re.search(r"<link|@import|url\(|fetch\(|XMLHttpRequest|import\(|src=", outside)
    urls = re.findall(r"https?://[^\"]+", blob)
    assert urls and all(u == "https://example.org/one" for u in urls)  # only the data's source links
    assert "<" not in blob and "default-src 'none'" in head  # the data cannot end its element; CSP forbids loads


def test_svg_map_is_static_a4_and_escapes_names(data_dir, tmp_path):
    out = tmp_path / "map.svg"
    assert viz(allygraph.load_graph(data_dir), "Aland", out=out, as_of="2010")["relations"] == 1
    root = ET.parse(out).getroot()
    assert root.get("width") == "297mm" and root.get("height") == "210mm"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert IMG in texts and SCRIPT not in texts  # on a day, only entities with something in force then
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
    assert len(list(root.iter("{http://www.w3.org/2000/svg}line"))) == 1
    viz(allygraph.load_graph(data_dir), "Aland", out=out, as_of="2021")
    root = ET.parse(out).getroot()
    assert SCRIPT in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]  # as text, never markup
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
    dashed = [e for e in root.iter("{http://www.w3.org/2000/svg}line") if e.get("stroke-dasharray")]
    assert len(dashed) == 1  # ab-new went through Dland


def test_too_big_a_picture_is_refused_with_advice(data_dir, tmp_path):
    with pytest.raises(UsageError, match=r"too many.*--around X.*--depth.*--type"):
        viz(allygraph.load_graph(data_dir), out=tmp_path / "x.html", max_nodes=3)
    with pytest.raises(UsageError, match=r"\.html or \.svg"):
        viz(allygraph.load_graph(data_dir), out=tmp_path / "x.png")
    assert not (tmp_path / "x.html").exists()


def test_picture_layout_is_deterministic_and_in_the_unit_square(data_dir):
    g = allygraph.load_graph(data_dir)
    one, two = picture(g), picture(g)
    assert one["entities"] == two["entities"]
    assert all(0 <= e["x"] <= 1 and 0 <= e["y"] <= 1 for e in one["entities"])
    assert len({(e["x"], e["y"]) for e in one["entities"]}) == 4


def test_ladder_steps_and_chart(data_dir, tmp_path):
    g = allygraph.load_graph(data_dir)
    steps = ladder_steps(g, "Aland")
    assert steps["partners"][0]["steps"] == [
        {"since": "2005", "rank": steps["partners"][0]["steps"][0]["rank"], "tier": "strategic_partnership"},
        {
            "since": "2015",
            "rank": steps["partners"][0]["steps"][1]["rank"],
            "tier": "comprehensive_strategic_partnership",
        },
    ]
    assert steps["partners"][0]["steps"][1]["rank"] < steps["partners"][0]["steps"][0]["rank"]  # an upgrade
    out = tmp_path / "ladder.svg"
    assert tiers_plot(g, "Aland", out) == {"file": str(out), "entity": "aa", "partners": 1}
    root = ET.parse(out).getroot()
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Strategic Partnership" in texts and "Comprehensive Strategic Partnership" in texts and IMG in texts
    assert "2005" in texts
    with pytest.raises(UsageError, match="no alliance or partnership"):
        tiers_plot(g, "Dland", tmp_path / "none.svg")

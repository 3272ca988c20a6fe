"""The output layer in rooms (``allygraph.render``): what each room loads when it runs, and the
blocks of each command group printed through both backends."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import flow_entities, invoke, write_data


def _loaded_after(code: str) -> list[str]:
    """The allygraph and rich modules a fresh interpreter holds after running ``code``."""
    probe = (
        code
        + "\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('allygraph', 'rich'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_errors_loads_only_the_safe_text_module():
    """A problem printed (``Problem.__str__`` makes it safe) loads ``render.text`` and nothing
    else of the output layer: no layout, no pager, no rich."""
    loaded = _loaded_after(
        "from allygraph.errors import Problem\nassert str(Problem('e.yaml', 1, 2, 'bad\\x1b[2J')) == "
        "'e.yaml:1:2: error: bad\\\\x1b[2J'"
    )
    assert [m for m in loaded if m.startswith(("allygraph.render", "allygraph.pager", "rich"))] == [
        "allygraph.render",
        "allygraph.render.text",
    ]


def test_piped_blocks_load_neither_rich_nor_other_groups():
    """Blocks printed to a pipe go through the plain backend: the terminal drawing and rich stay
    unloaded, and so do the other command groups' blocks."""
    loaded = _loaded_after(
        "import io\nfrom allygraph.render.layout import emit\nfrom allygraph.render.query import search_blocks\n"
        "out = io.StringIO()\nemit(search_blocks({'query': 'x', 'matches': []}), out)\n"
        "assert out.getvalue() == \"No match for 'x'\\n\", out.getvalue()"
    )
    assert not [m for m in loaded if m.startswith("rich")]
    render = [m for m in loaded if m.startswith("allygraph.render")]
    assert render == ["allygraph.render", "allygraph.render.blocks", "allygraph.render.layout",
                      "allygraph.render.query", "allygraph.render.text"]  # fmt: skip


STATES = flow_entities(state={"a": "Aland", "b": "Borduria", "c": "Carpania"})
TIES = """
sources:
  s1: {title: A treaty, url: "https://example.org/t"}
relations:
  - {id: ab, from: a, to: b, type: alliance, since: 2001, sources: [s1]}
  - {id: bc, from: b, to: c, type: alliance, since: 2001, sources: [s1]}
  - {id: ac, from: a, to: c, type: alliance, since: 2001, sources: [s1]}
"""


def test_louvain_communities_print(tmp_path):
    """``clusters --method louvain`` printed its communities' rows by reading a core's ``k``,
    which a community has not: an internal error (exit 70) instead of the table."""
    d = str(write_data(tmp_path / "d", STATES, TIES))
    out = invoke("clusters", "--method", "louvain", "--as-of", "2020", "--data", d)
    assert out.exit_code == 0, out.stderr
    assert "Louvain communities" in out.stdout and "Aland, Borduria, Carpania" in out.stdout
    assert out.stdout.splitlines()[1:3] == ["  states  members", "  3       Aland, Borduria, Carpania"]
    kcore = invoke("clusters", "--method", "kcore", "--as-of", "2020", "--data", d)
    assert kcore.exit_code == 0 and kcore.stdout.splitlines()[1:3] == [
        "  k  states  members",
        "  2  3       Aland, Borduria, Carpania",
    ]

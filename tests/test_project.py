"""The project's own promises: one version everywhere, a typed package, every ``ALLYGRAPH_*``
variable documented in the README's one table, and a README that is its template rendered."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import tomllib

from helpers import REPO, run

SRC = REPO / "src" / "allygraph"
TEMPLATE = REPO / "scripts" / "README.tpl.md"
README = REPO / "README.md"
# \b: click's own _ALLYGRAPH_COMPLETE (shell completion) is not ours to document
BENCH = re.compile(
    r"Run the command above for this machine's figures\.|Measured on the development machine \(.*?\):\n\n"
    r"```text\nallygraph benchmarks:.*?\n```",
    re.S,
)
ENV_NAME = re.compile(r"\bALLYGRAPH_[A-Z0-9_]*[A-Z0-9]\b")


def test_one_version_everywhere():
    import allygraph

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "src/allygraph/version.py"
    cli = run("--version")
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.strip() == f"allygraph {allygraph.__version__}"
    assert importlib.metadata.version("allygraph") == allygraph.__version__


def test_the_wheel_is_typed_and_versioned(tmp_path):
    """The wheel the build backend makes holds py.typed, and its version is version.py's."""
    import zipfile

    from hatchling.builders.wheel import WheelBuilder

    import allygraph

    assert (SRC / "py.typed").is_file()
    [wheel] = WheelBuilder(str(REPO)).build(directory=str(tmp_path), versions=["standard"])
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "allygraph/py.typed" in names
    assert f"\nVersion: {allygraph.__version__}\n" in metadata


def _env_table(text: str) -> dict[str, str]:
    """The rows of the README's environment-variable table: name -> the rest of its row."""
    section = text.split("### Environment variables", 1)[1].split("\n#", 1)[0]
    return {m[1]: m[2] for m in re.finditer(r"^\| `(ALLYGRAPH_[A-Z0-9_]+)` \|(.*)$", section, re.M)}


def test_every_environment_variable_is_in_the_readme_table():
    in_code = {name for path in SRC.rglob("*.py") for name in ENV_NAME.findall(path.read_text(encoding="utf-8"))}
    table = _env_table(TEMPLATE.read_text(encoding="utf-8"))
    assert in_code - table.keys() == set(), "read by the code but missing from the README table"
    assert table.keys() - in_code == set(), "in the README table but read nowhere in src/"
    for name, row in table.items():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert len(cells) == 2 and all(cells), f"{name}: the row needs what it does and its default"
    assert _env_table(README.read_text(encoding="utf-8")) == table


def test_readme_is_its_template_rendered():
    """Every piece of the template's prose is in README.md, in order, with each example's command
    where the template runs it; the generated tables are rendered again and compared (the examples'
    outputs are tests/test_readme.py's job, so nothing is run twice)."""
    spec = importlib.util.spec_from_file_location("render_readme", REPO / "scripts" / "render_readme.py")
    assert spec and spec.loader
    render = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render)
    generated = {"<<vocab>>": render.vocab_tables(), "<<datasummary>>": render.data_summary()}
    template, readme = TEMPLATE.read_text(encoding="utf-8"), README.read_text(encoding="utf-8")
    pos, line = 0, 1  # in README.md; the line of the template the piece starts on
    for piece in re.split(
        r"(<<run: .+?>>|<<vocab>>|<<datasummary>>|<<bench>>|<<python>>\n(?s:.*?)<</python>>|<<file: .+?>>)", template
    ):
        if piece.startswith("<<python>>"):  # a session: its statements, in order, outputs aside
            m = re.compile(r"```pycon\n(.*?)```", re.S).match(readme, pos)
            assert m, f"README.tpl.md line {line}: README.md has no Python session here"
            shown = [ln for ln in m.group(1).splitlines() if ln.startswith((">>> ", "... "))]
            want = [("... " if i else ">>> ") + ln for s in render.readme_python.statements(piece[11:-11])
                    for i, ln in enumerate(s.splitlines())]  # fmt: skip
            assert shown == want, f"README.tpl.md line {line}: README.md's session differs from the template's"
            pos = m.end()
        elif piece.startswith("<<run: "):
            block = re.compile(re.escape("```console\n$ " + piece[7:-2] + "\n") + r".*?```", re.S)
            m = block.match(readme, pos)
            assert m, f"README.tpl.md line {line}: README.md does not run {piece[7:-2]!r} here"
            pos = m.end()
        elif piece.startswith("<<file: "):  # a benchmark's saved output, as it is in the repository
            block = "```text\n" + (REPO / piece[8:-2]).read_text(encoding="utf-8").rstrip() + "\n```"
            assert readme.startswith(block, pos), f"README.tpl.md line {line}: README.md does not show {piece[8:-2]}"
            pos += len(block)
        elif piece == "<<bench>>":
            m = BENCH.match(readme, pos)  # the figures of whichever run the render was given
            assert m, f"README.tpl.md line {line}: README.md has no benchmark figures here"
            pos = m.end()
        else:
            text = generated.get(piece, piece)
            if not readme.startswith(text, pos):
                want, got = text.splitlines() or [""], readme[pos:].splitlines() or [""]
                diff = next((i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b), len(got))
                shown = want[diff] if diff < len(want) else ""
                raise AssertionError(
                    f"README.md is not README.tpl.md rendered (near template line {line + diff}): template has "
                    f"{shown!r}, README has {got[diff] if diff < len(got) else ''!r}; "
                    "run python scripts/render_readme.py --bench benchmarks/RESULTS.txt"
                )
            pos += len(text)
        line += piece.count("\n")
    assert pos == len(readme), "README.md has text after the template's end"
    # the render runs the examples in a scratch folder and shows it as /tmp/: none of it may leak
    assert "allygraph-readme-" not in readme, "README.md shows the render's scratch folder"

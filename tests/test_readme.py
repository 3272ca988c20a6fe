"""Every example in README.md runs as the installed `allygraph` and still prints what is shown."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO

BLOCK = re.compile(r"```console\n\$ (.+?)\n(.*?)```", re.S)
EXAMPLES = BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8"))


def test_readme_has_the_main_job_and_examples():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install . && allygraph path Japan Philippines" in text
    assert "pip install '.[test]' && python -m pytest" in text
    assert len(EXAMPLES) >= 8


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> str:
    """This run's own folder for the paths the README writes under /tmp (two runs on one machine
    never share /tmp/ag-edit); the examples that build on each other share it, in order."""
    return str(tmp_path_factory.mktemp("readme"))


@pytest.mark.parametrize("cmd,shown", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example(cmd, shown, scratch):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    env.pop("NO_COLOR", None)
    cmd, shown = cmd.replace("/tmp/", scratch + "/"), shown.replace("/tmp/", scratch + "/")
    proc = subprocess.run(cmd, shell=True, cwd=REPO, capture_output=True, text=True, env=env, timeout=120)
    assert "Traceback" not in proc.stderr
    actual = [line.rstrip() for line in proc.stdout.splitlines()]
    expected = [line.rstrip() for line in shown.rstrip("\n").splitlines() if line.rstrip() != "..."]
    it = iter(actual)
    missing = [line for line in expected if not any(line == a for a in it)]
    assert not missing, f"{cmd}: these README lines are no longer printed (in order): {missing[:3]}"


PYCON = re.compile(r"```pycon\n(.*?)```", re.S)


def test_readme_python_sessions_print_what_is_shown(tmp_path, monkeypatch):
    """The README's Python examples (``pycon`` blocks, one namespace through all of them, as
    ``scripts/readme_python.py`` renders them) run with doctest and print what is shown."""
    import doctest

    sessions = PYCON.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert sessions, "the README has no Python examples"
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest("\n".join(sessions), {"__name__": "__readme__"}, "README", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)[:3000]

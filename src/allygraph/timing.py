"""Stage timings on stderr when ``ALLYGRAPH_TIMING=1`` (for profiling loads; off by default)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENABLED = bool(os.environ.get("ALLYGRAPH_TIMING"))


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as stage ``name`` (printed on stderr when ``ALLYGRAPH_TIMING=1``)."""
    if not ENABLED:
        yield
        return
    t0 = time.perf_counter()
    yield
    print(f"[timing] {name}: {time.perf_counter() - t0:.2f} s", file=sys.stderr)

"""Stage timings on stderr when ``ALLYGRAPH_TIMING=1`` (for profiling loads; off by default): each
stage's wall time, and the process's peak resident memory so far (where the peak of a load is)."""

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
    print(f"[timing] {name}: {time.perf_counter() - t0:.2f} s (peak {peak_rss_mb():,.0f} MB)", file=sys.stderr)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (0 where unknown)."""
    try:
        import resource
    except ImportError:  # not on this platform
        return 0.0
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024 * 1024 if sys.platform == "darwin" else 1024)


class Totals:
    """Stages that recur (once per piece of a file read in pieces), summed and printed once by
    ``report`` when ``ALLYGRAPH_TIMING=1``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the block's time to stage ``name``."""
        if not ENABLED:
            yield
            return
        t0 = time.perf_counter()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0

    def report(self) -> None:
        """Print each stage's total (in the order they first ran)."""
        for name, seconds in self.seconds.items():
            print(f"[timing] {name}: {seconds:.2f} s (peak {peak_rss_mb():,.0f} MB)", file=sys.stderr)

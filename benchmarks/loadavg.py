"""The load average every benchmark prints beside its figures (a figure taken above 1 is not a result)."""

from __future__ import annotations

import os


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as ``/proc/loadavg`` writes them ("n/a" where the
    system keeps none)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"

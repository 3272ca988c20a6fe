"""Pictures: a network map (self-contained offline HTML, or static SVG) and a ladder step chart.

The layout is computed here, in Python (``layout``); the HTML page carries its data as JSON and a
small script of our own that builds the drawing with ``textContent`` (no markup is ever read from
data, no network request is made). Names and every other data string are text in both outputs.
"""

from __future__ import annotations

from .ladder import ladder_svg, tiers_plot
from .network import picture, viz

__all__ = ["ladder_svg", "picture", "tiers_plot", "viz"]

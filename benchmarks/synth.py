"""A synthetic data directory for the benchmarks: a thin wrapper over ``allygraph.synth``.

Usage: python benchmarks/synth.py DIR [--relations N] [--seed S] [--layout synth|plain]
"""

from __future__ import annotations

from allygraph.synth import LAYOUTS, generate, main, write

__all__ = ["LAYOUTS", "generate", "main", "write"]

if __name__ == "__main__":
    main()

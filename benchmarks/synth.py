"""A synthetic data directory for the benchmarks: a thin wrapper over ``allygraph.synth``.

Usage: python benchmarks/synth.py DIR [--relations N] [--seed S]
"""

from __future__ import annotations

from allygraph.synth import generate, main, write

__all__ = ["generate", "main", "write"]

if __name__ == "__main__":
    main()

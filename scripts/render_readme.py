"""Regenerate README.md from scripts/README.tpl.md, running each example for real.

Usage: python scripts/render_readme.py [--bench FILE]   (FILE: what benchmarks/run.py printed)
`<<run: CMD>>` becomes a console block with CMD's real (piped, plain) output; long outputs keep
their first lines and end with "...". tests/test_readme.py runs every example again and checks
that the shown lines still appear, in order.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 32


def run_example(cmd: str) -> str:
    env = dict(os.environ, ALLYGRAPH_PLAIN="1")
    env.pop("NO_COLOR", None)
    out = subprocess.run(cmd, shell=True, cwd=ROOT, capture_output=True, text=True, env=env).stdout
    lines = [line.rstrip() for line in out.rstrip("\n").splitlines()]
    if len(lines) > MAX_LINES:
        lines = lines[: MAX_LINES - 2] + ["..."]
    return "```console\n$ " + cmd + "\n" + "\n".join(lines) + "\n```"


def vocab_tables() -> str:
    from allygraph.vocab import BUNDLED_TIERS, ENTITY_TYPES, RELATION_TYPES

    out = ["| entity type | meaning |", "| --- | --- |"]
    out += [f"| `{k}` | {v} |" for k, v in ENTITY_TYPES.items()]
    out += ["", "| relation type | symmetric | meaning |", "| --- | --- | --- |"]
    out += [f"| `{k}` | {'yes' if v.symmetric else ''} | {v.description} |" for k, v in RELATION_TYPES.items()]
    head = "The bundled tier ladder, highest first (a data directory may declare its own default under `tiers:`"
    out += ["", head + ", and each state's own under `ladders:`):", ""]
    out += [f"{i}. `{t.id}`: {t.name}" for i, t in enumerate(BUNDLED_TIERS, 1)]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", type=Path, help="the output of benchmarks/run.py to quote")
    parser.add_argument("--machine", default="2 cores, 24 GB, Python 3.11")
    args = parser.parse_args()
    text = (ROOT / "scripts" / "README.tpl.md").read_text()
    text = re.sub(r"<<run: (.+?)>>", lambda m: run_example(m.group(1)), text)
    bench = "Run the command above for this machine's figures."
    if args.bench:
        table = args.bench.read_text().split("allygraph benchmarks:", 1)[-1]
        bench = f"Measured on the development machine ({args.machine}):\n\n```text\nallygraph benchmarks:{table.rstrip()}\n```"
    text = text.replace("<<vocab>>", vocab_tables()).replace("<<bench>>", bench)
    (ROOT / "README.md").write_text(text)


if __name__ == "__main__":
    main()

"""Regenerate README.md from scripts/README.tpl.md, running each example for real.

Usage: python scripts/render_readme.py [--bench FILE]   (FILE: what benchmarks/run.py printed)
`<<run: CMD>>` becomes a console block, `<<python>>`...`<</python>>` a pycon session (readme_python.py), with CMD's real (piped, plain) output; long outputs keep
their first lines and end with "...". tests/test_readme.py runs every example again and checks
that the shown lines still appear, in order.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # readme_python, beside this file
import readme_python  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 32


SCRATCH = tempfile.mkdtemp(prefix="allygraph-readme-")  # this run's /tmp: two renders never share /tmp/ag-edit


def run_example(cmd: str) -> str:
    env = dict(os.environ, ALLYGRAPH_PLAIN="1")
    env.pop("NO_COLOR", None)
    real = cmd.replace("/tmp/", SCRATCH + "/")
    out = subprocess.run(real, shell=True, cwd=ROOT, capture_output=True, text=True, env=env).stdout
    # markdown output escapes the "_" that mkdtemp's name may hold
    out = out.replace(SCRATCH + "/", "/tmp/").replace(SCRATCH.replace("_", "\\_") + "/", "/tmp/")
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


def data_summary() -> str:
    """The bundled data's coverage, counted from the data itself (so the README cannot drift)."""
    from collections import Counter

    from allygraph.load import load

    ds = load(use_cache=False)
    ents, rels = ds.entities, list(ds.relations.values())
    etypes = Counter(e["type"] for e in ents.values())
    rtypes = Counter(r["type"] for r in rels)
    states = sorted(e["name"] for e in ents.values() if e["type"] == "state")
    pairs = {frozenset((r["from"], r["to"])) for r in rels if r["type"] == "partnership"}
    frameworks = [e for e in ents.values() if e["type"] == "framework"]
    reported = sorted(r["id"] for r in rels if r.get("status") == "reported")
    incidents = {r["to"] for r in rels if r["type"] == "involved_in"}
    from allygraph.ties import layer_of

    layers = Counter(layer_of(ds.registry, r, ds.entities.get) for r in rels)
    polities = sorted(e["name"] for e in ents.values() if e["type"] == "polity")
    rows = [
        ("states", f"{etypes['state']}: {', '.join(states)}"),
        (
            "treaty alliances",
            f"{rtypes['alliance']} (each with its treaty as an agreement, signature and entry into force as separate facts)",
        ),
        (
            "partnerships",
            f"{rtypes['partnership']} designations over {len(pairs)} pairs, with their upgrades; {len(ds.ladders)} states' own ladders ({', '.join(sorted(ents[s]['name'] for s in ds.ladders))})",
        ),
        (
            "agreements",
            f"{etypes['agreement']} agreements (treaties, access and visiting-forces agreements, pacts) with {rtypes['party_to']} dated `party_to` facts",
        ),
        (
            "frameworks",
            f"{len(frameworks)} frameworks and minilaterals ({', '.join(sorted(f['name'] for f in frameworks))}) with {rtypes['member_of']} dated memberships",
        ),
        (
            "contested ties",
            f"{rtypes['disputes_with']} disputes (`disputes_with`, via {etypes['area']} disputed areas) and {len(incidents)} dated events (incidents and the 2016 award) with {rtypes['involved_in']} `involved_in` links naming each side",
        ),
        (
            "aid, arms, exercises",
            f"{rtypes['provides']} grants, {rtypes['arms_transfer']} arms transfers, {rtypes['exercises_with']} exercises, {rtypes['deploys_to']} deployments, all dated",
        ),
        ("leaders", f"{rtypes['leads']} `leads` relations for {etypes['person']} people"),
        ("polities", f"{len(polities)} of their own kind, not states: {', '.join(polities)}"),
        (
            "incidents at features",
            f"{rtypes['occurred_at']} `occurred_at` links from an incident to the feature it happened at",
        ),
        ("by layer", ", ".join(f"{layer} {n}" for layer, n in sorted(layers.items(), key=lambda kv: (-kv[1], kv[0])))),
        ("sources", f"{len(ds.sources)} cited sources; every relation cites at least one"),
        (
            "reported",
            f"{len(reported)} relations are `status: reported` (not confirmed by an official source): {', '.join(f'`{r}`' for r in reported)}",
        ),
    ]
    out = [f"{len(ents)} entities and {len(rels)} relations:", "", "| what | count |", "| --- | --- |"]
    out += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(out)


def measured(name: str) -> str:
    """``<<file: benchmarks/X.txt>>``: what a benchmark printed, saved in the repository, as a text
    block (the figures are the run's, not this render's)."""
    return "```text\n" + (ROOT / name).read_text(encoding="utf-8").rstrip() + "\n```"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", type=Path, help="the output of benchmarks/run.py to quote")
    parser.add_argument("--machine", default="2 cores, 24 GB, Python 3.11")
    args = parser.parse_args()
    text = (ROOT / "scripts" / "README.tpl.md").read_text()
    text = re.sub(r"<<run: (.+?)>>", lambda m: run_example(m.group(1)), text)
    text = re.sub(r"<<file: (.+?)>>", lambda m: measured(m.group(1)), text)
    text = readme_python.render(text, SCRATCH)
    bench = "Run the command above for this machine's figures."
    if args.bench:
        table = args.bench.read_text().split("allygraph benchmarks:", 1)[-1]
        bench = f"Measured on the development machine ({args.machine}):\n\n```text\nallygraph benchmarks:{table.rstrip()}\n```"
    text = (
        text.replace("<<vocab>>", vocab_tables()).replace("<<datasummary>>", data_summary()).replace("<<bench>>", bench)
    )
    (ROOT / "README.md").write_text(text)


if __name__ == "__main__":
    main()

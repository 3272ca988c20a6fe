"""A synthetic data directory in contract format, for tests, export and load benchmarks.

Usage: ``python -m allygraph.synth DIR [--relations N] [--seed S] [--layout synth|plain]`` (or
``benchmarks/synth.py``).
The same seed gives the same data. Every value is made up: nothing here is a fact.

Shapes follow the bundled data: one entity per ten relations, most of them states; arms
transfers via platforms; agreements with parties; memberships of frameworks; aid via
programmes; partnerships spread over the tier ladder, some upgraded over time (the older tier
ends when the newer begins). 1,000,000 relations make about 100,000 entities and 120 MB of
block-style YAML, written directly (PyYAML's emitter would take minutes).

Two layouts of the same values, so that benchmarks cover more than one way of writing a file:
``synth`` (every relation has an ``id``, sources cite the ``sources:`` registry, block records)
and ``plain`` (no relation ids: the loader derives them; every source an inline URL; no
``sources:`` section; each record on one line in flow style, ``- {from: ..., to: ...}``).

>>> ents, rels = generate(200, seed=1)
>>> len(rels["relations"]), len(ents["entities"]) >= 60
(200, True)
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

TIERS = ["special_strategic_global_partnership", "special_strategic_partnership", "comprehensive_strategic_partnership",
         "strengthened_strategic_partnership", "strategic_partnership", "global_partnership"]  # fmt: skip


def _date(rng: random.Random) -> str:
    y = rng.randint(1950, 2025)
    return rng.choice(
        [str(y), f"{y}-{rng.randint(1, 12):02d}", f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
    )


def generate(n_relations: int = 10_000, seed: int = 0) -> tuple[dict, dict]:
    """(entities document, relations document) with ``n_relations`` relations."""
    rng = random.Random(seed)
    n_entities = max(60, n_relations // 10)
    shares = {"state": 0.55, "platform": 0.15, "agreement": 0.12, "program": 0.03, "framework": 0.02,
              "organization": 0.08, "person": 0.05}  # fmt: skip
    counts = {etype: max(3, int(n_entities * share)) for etype, share in shares.items()}
    entities: list[dict] = []
    by_type: dict[str, list[str]] = {}
    for etype, k in counts.items():
        for i in range(k):
            eid = f"{etype}_{i}"
            ent: dict[str, object] = {
                "id": eid,
                "name": f"{etype.capitalize()} {i}",
                "type": etype,
                "aliases": [f"{etype[:3].upper()}{i}"],
            }
            if etype == "state":
                ent["attributes"] = {"iso3": f"S{i:04d}", "population_m": round(rng.uniform(0.1, 1400), 1)}
            if etype in ("agreement", "program") and rng.random() < 0.7:
                ent["since"] = _date(rng)
            if etype == "platform":
                ent["attributes"] = {"unit_cost_usd": rng.randint(10**5, 10**9), "crewed": rng.random() < 0.5}
            ent["sources"] = ["synth"]
            entities.append(ent)
            by_type.setdefault(etype, []).append(eid)
    states = by_type["state"]
    rels: list[dict] = []

    def add(**rel) -> None:
        rel.setdefault("sources", ["synth"])
        rels.append({"id": f"r{len(rels)}", **rel})

    while len(rels) < n_relations:
        r = rng.random()
        a, b = rng.sample(states, 2)
        if r < 0.30:
            add(**{"from": a, "to": b, "type": "arms_transfer", "via": rng.choice(by_type["platform"]),
                   "since": _date(rng), "attributes": {"quantity": rng.randint(1, 60)}})  # fmt: skip
        elif r < 0.50:
            add(**{"from": a, "to": rng.choice(by_type["agreement"]), "type": "party_to",
                   "status": rng.choice(["signed", "in_force", "in_force", "negotiating"]), "since": _date(rng)})  # fmt: skip
        elif r < 0.62:
            tiers = sorted(rng.sample(range(len(TIERS)), rng.randint(1, 3)), reverse=True)
            years = sorted(rng.sample(range(1990, 2026), len(tiers)))
            for j, (t, y) in enumerate(zip(tiers, years, strict=True)):
                rel = {"from": a, "to": b, "type": "partnership", "tier": TIERS[t], "since": str(y)}
                if j + 1 < len(years):
                    rel["until"] = str(years[j + 1])
                add(**rel)
        elif r < 0.64:
            add(**{"from": a, "to": b, "type": "alliance", "since": _date(rng), "status": "in_force"})
        elif r < 0.74:
            add(**{"from": a, "to": rng.choice(by_type["framework"]), "type": "member_of", "since": _date(rng)})
        elif r < 0.84:
            add(**{"from": a, "to": b, "type": "provides", "via": rng.choice(by_type["program"]), "since": _date(rng),
                   "attributes": {"fiscal_year": rng.randint(2000, 2025), "amount_jpy": rng.randint(10**6, 10**10)}})  # fmt: skip
        elif r < 0.92:
            add(**{"from": a, "to": b, "type": "exercises_with", "since": _date(rng), "note": "synthetic exercise"})
        elif r < 0.96:
            add(**{"from": rng.choice(by_type["person"]), "to": a, "type": "leads", "since": _date(rng)})
        else:
            add(
                **{
                    "from": rng.choice(by_type["organization"]),
                    "to": rng.choice(by_type["program"]),
                    "type": "administers",
                }
            )
    rels = rels[:n_relations]
    sources = {"synth": {"title": "Synthetic data", "url": "https://example.org/synth", "date": "2026"}}
    return {"entities": entities}, {"sources": sources, "relations": rels}


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if text[:4].isdigit():  # dates: quote, as the contract's examples do
        return f'"{text}"'
    return text if text.replace(" ", "").replace("_", "").replace("-", "").isalnum() else repr(text)


def _value(value: object) -> str:
    """A field's value as written: a flow list, a flow mapping (``yamltext.flow``), or a scalar,
    each scalar as ``_scalar`` writes it (the attribute keys synthesised are plain words)."""
    from .yamltext import flow

    return flow(value, _scalar)


def _block(record: dict) -> str:
    lines = []
    for i, (key, value) in enumerate(record.items()):
        lead = "  - " if i == 0 else "    "
        lines.append(f"{lead}{key}: {_value(value)}")
    return "\n".join(lines) + "\n"


PLAIN_URL = "https://example.org/synth"
LAYOUTS = ("synth", "plain")


def _flow(record: dict) -> str:
    """One record on one line, ``  - {key: value, ...}`` (the ``plain`` layout)."""
    parts = [f"{key}: {_value(value)}" for key, value in record.items()]
    return "  - {" + ", ".join(parts) + "}\n"


def _plain(record: dict) -> dict:
    """A record of the ``plain`` layout: no relation id, the source cited by its URL."""
    out = {k: v for k, v in record.items() if not (k == "id" and "from" in record)}
    if "sources" in out:
        out["sources"] = [PLAIN_URL if s == "synth" else s for s in out["sources"]]
    return out


def _identity(rec: dict) -> tuple:
    """What the loader derives a relation's id from (``derive_relation_id``)."""
    return tuple(rec.get(k) for k in ("from", "type", "to", "tier", "via", "since", "until", "status"))


def write(directory: str | Path, n_relations: int = 10_000, seed: int = 0, layout: str = "synth") -> Path:
    """Write ``entities.yaml`` and ``relations.yaml`` into ``directory`` in ``layout`` (see the
    module docstring); return it."""
    from .fsutil import atomic_group

    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}: one of {', '.join(LAYOUTS)}")
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    ents, rels = generate(n_relations, seed)
    if layout == "plain":
        with atomic_group([d / "entities.yaml", d / "relations.yaml"]) as (ent_fh, rel_fh):
            ent_fh.write("entities:\n")
            ent_fh.writelines(_flow(_plain(e)) for e in ents["entities"])
            rel_fh.write("relations:\n")
            seen: set[tuple] = set()
            for n, r in enumerate(rels["relations"]):
                rec = _plain(r)
                key = _identity(rec)
                while key in seen:  # without an id, two records the same would be one relation twice
                    rec["until"] = f"{2026 + n % 50}-{1 + n % 12:02d}-{1 + len(seen) % 28:02d}"
                    rec.pop("since", None)
                    n += 7
                    key = _identity(rec)
                seen.add(key)
                rel_fh.write(_flow(rec))
        return d
    with atomic_group([d / "entities.yaml", d / "relations.yaml"]) as (ent_fh, rel_fh):
        ent_fh.write("entities:\n")
        ent_fh.writelines(_block(e) for e in ents["entities"])
        rel_fh.write("sources:\n")
        for sid, src in rels["sources"].items():
            rel_fh.write(f"  {sid}:\n" + "".join(f"    {k}: {_scalar(v)}\n" for k, v in src.items()))
        rel_fh.write("relations:\n")
        rel_fh.writelines(_block(r) for r in rels["relations"])
    return d


def main() -> None:
    """The command line: write a synthetic data directory and print its path."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory")
    ap.add_argument("--relations", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--layout", choices=LAYOUTS, default="synth", help="how the files are written (module docstring)")
    args = ap.parse_args()
    print(write(args.directory, args.relations, args.seed, args.layout))


if __name__ == "__main__":
    main()

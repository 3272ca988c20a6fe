"""Merge the lead's base files with helper fragments into data/{entities,relations}.yaml (one-off tool)."""
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
base_entities = (root / "parts" / "base-entities.yaml").read_text()
base_relations = (root / "parts" / "base-relations.yaml").read_text()
sections = {"entities": [], "sources": [], "relations": []}
for frag in sys.argv[1:]:
    text = Path(frag).read_text()
    parts = re.split(r"(?m)^(entities|sources|relations):\s*(?:\[\]\s*)?$", text)
    for key, body in zip(parts[1::2], parts[2::2]):
        sections[key].append(f"\n  # ---- from {Path(frag).name} ----\n" + body.strip("\n") + "\n")
ent = base_entities.rstrip("\n") + "\n" + "".join(sections["entities"])
rel = base_relations.replace("# @SOURCES@\n", "".join(sections["sources"])).replace("# @RELATIONS@\n", "".join(sections["relations"]))
(root / "entities.yaml").write_text(ent)
(root / "relations.yaml").write_text(rel)

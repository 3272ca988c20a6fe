"""Merge imported records into a data directory without destroying what people wrote.

Layout. Each of ``entities.yaml`` and ``relations.yaml`` keeps its hand-written records first,
exactly as written (comments, quoting, order), and ends with one generated section that starts
with a marker comment inside the list::

    entities:
      - id: japan          # hand-written
        ...
      # ==== allygraph import: generated records below this line ====
      - id: canada         # imported
        ...

Why: the hand-written part is never re-serialised unless an import adds to it, and then through
ruamel.yaml's round trip, which keeps every comment and byte it does not touch. The generated
part is rewritten whole, sorted and one record per block, by ``yamlout`` (fast and the same on
every run, so re-importing changes nothing and a newer export shows as a small diff).

Rules:

- a record above the marker is hand-curated: an import adds attributes and aliases that it
  lacks (and cites its source for them), and never changes anything else;
- an imported record with a new id is added; one with the id of an imported record replaces it
  (a newer export updates in place); nothing imported is deleted;
- imported relations have their own ids, so where they disagree with a hand-written relation
  (other dates, say) both claims stay, each with its sources;
- new citations are added to the ``sources:`` registry, existing entries are kept;
- hand-written content below the marker (a record without an id, another top-level section
  such as ``tiers:``) would be lost by the rewrite: the import refuses, naming its lines;
- a file written with CRLF line ends keeps them;
- the merged directory is validated before anything is written; the two files are then replaced
  together (``fsutil.commit_data``: both or neither, under the directory's lock).
"""

from __future__ import annotations

import copy
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import yamlsrc
from ..fsutil import commit_data
from ..inputs import read_input
from ..load import ENTITIES_FILE, RELATIONS_FILE, data_dir
from ..names import build_index, exact_key
from ..problems import DataError, Problem, UsageError
from . import yamlout
from .common import ImportResult, natural_key

MARKER = "# ==== allygraph import: generated records below this line ===="
MARKER_NOTE = (
    "# `allygraph import` rewrites everything below this line: one record per block, sorted by type and id.\n"
    "# To curate a record by hand, move it above this line; imports then only add to it.\n"
)
ENTITY_TYPE_ORDER = ["state", "organization", "agreement", "platform"]
HEADERS = {
    ENTITIES_FILE: "# allygraph entities. Format: CONTRACT.md section 1 (v1).\n",
    RELATIONS_FILE: "# allygraph relations and the source registry. Format: CONTRACT.md section 1 (v1).\n",
}


@dataclass
class Change:
    kind: str  # entity, relation, source
    id: str
    action: str  # add, update, enrich, unchanged, kept
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        mark = {"add": "+", "update": "~", "enrich": "~", "kept": "=", "unchanged": " "}[self.action]
        detail = f" ({', '.join(self.fields)})" if self.fields else ""
        what = {"enrich": "add to hand-written", "kept": "keep hand-written"}.get(self.action, self.action)
        return f"{mark} {what} {self.kind} {self.id}{detail}"


@dataclass
class MergeReport:
    changes: list[Change] = field(default_factory=list)
    written: bool = False

    def count(self, action: str) -> int:
        """How many records (sources aside) the merge gave this action."""
        return sum(1 for c in self.changes if c.action == action and c.kind != "source")

    @property
    def merged(self) -> int:
        """Records that met one already in the data directory."""
        return sum(1 for c in self.changes if c.kind != "source" and c.action != "add")

    @property
    def changed(self) -> list[Change]:
        """The changes that change something."""
        return [c for c in self.changes if c.action not in ("unchanged",)]


@dataclass
class _Side:
    """One YAML file of the data directory, split at the marker."""

    path: Path
    key: str
    text: str | None
    doc: dict | None
    hand: dict[str, dict]
    generated: dict[str, dict]
    marker_line: int | None
    crlf: bool = False

    @classmethod
    def read(cls, path: Path, key: str) -> _Side:
        if not path.exists():
            return cls(path, key, None, None, {}, {}, None)
        raw = read_input(path)
        crlf = raw.split(b"\n", 1)[0].endswith(b"\r")
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        doc, problems = yamlsrc.read(path)
        if [p for p in problems if p.severity == "error"]:
            raise DataError(problems)
        marker_line = None
        for i, line in enumerate(text.splitlines(), 1):
            if line.strip() == MARKER:
                marker_line = i
                break
        hand: dict[str, dict] = {}
        generated: dict[str, dict] = {}
        lost: list[str] = []  # hand-written content below the marker, that a rewrite would drop
        items = doc.get(key) if isinstance(doc, dict) else None
        if isinstance(items, list):
            for i, item in enumerate(items):
                line = items.item_pos[i][0] if hasattr(items, "item_pos") else 0
                below = marker_line is not None and line > marker_line
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    if below:
                        lost.append(f"line {line} (a {key[:-1]} without an id)")
                    continue
                (generated if below else hand)[item["id"]] = _plain(item)
        if marker_line is not None and isinstance(doc, dict) and hasattr(doc, "key_pos"):
            for other, (line, _) in doc.key_pos.items():
                if other != key and line > marker_line:
                    lost.append(f"line {line} (the {other}: section)")
        if lost:
            raise UsageError(
                f"{path}: hand-written content below the import marker (line {marker_line}) would be lost: "
                f"{', '.join(lost)}; move it above the marker line, then import again"
            )
        return cls(path, key, text, doc if isinstance(doc, dict) else None, hand, generated, marker_line, crlf)

    def hand_text(self) -> str:
        """The hand-written part, ready for generated list items to follow."""
        if self.text is None or self.doc is None:
            return HEADERS.get(self.path.name, "") + f"{self.key}:\n"
        if self.marker_line is not None:
            lines = self.text.splitlines(keepends=True)[: self.marker_line - 1]
            return "".join(lines).rstrip() + "\n\n"
        doc = self.doc
        items = doc.get(self.key)
        keys = list(doc)
        block = isinstance(items, list) and bool(items) and _starts_block(self.text, doc.value_pos.get(self.key))
        if keys and keys[-1] == self.key and block:
            return self.text.rstrip() + "\n\n"
        return _move_list_last(self.text, self.key)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _starts_block(text: str, pos: tuple[int, int] | None) -> bool:
    if not pos:
        return False
    line = text.splitlines()[pos[0] - 1]
    return line[pos[1] - 1 :].startswith("-")


# --- ruamel round trip for the hand-written part ----------------------------------------------


def _ruamel():
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1_000_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(yaml, doc) -> str:
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _move_list_last(text: str, key: str) -> str:
    """Rewrite the document so that ``key`` is its last key, a block list (or bare, if empty)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = _ruamel()
    doc = yaml.load(text)
    if not isinstance(doc, CommentedMap):
        return text.rstrip() + f"\n{key}:\n"
    items = doc.pop(key, None) or []
    if not items:
        body = _dump(yaml, doc) if doc else ""
        return body.rstrip() + ("\n" if body.strip() else "") + f"{key}:\n"
    seq = items if isinstance(items, CommentedSeq) else CommentedSeq(items)
    seq.fa.set_block_style()
    doc[key] = seq
    return _dump(yaml, doc).rstrip() + "\n\n"


def _last_slot(node):
    """The container and key of the deepest last value: where ruamel keeps a trailing comment."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    while True:
        if isinstance(node, CommentedMap) and node:
            key = list(node)[-1]
            if (
                isinstance(node[key], (CommentedMap, CommentedSeq))
                and node[key]
                and node[key].fa.flow_style() is not True
            ):
                node = node[key]
                continue
            return node, key
        if isinstance(node, CommentedSeq) and node:
            i = len(node) - 1
            if isinstance(node[i], (CommentedMap, CommentedSeq)) and node[i]:
                node = node[i]
                continue
            return node, i
        return None, None


def _append(container, key, value) -> None:
    """Add ``key: value`` at the end of a mapping, keeping the blank line/comment that followed it."""
    old_node, old_key = _last_slot(container)
    token = old_node.ca.items.pop(old_key, None) if old_node is not None else None
    container[key] = value
    if token is not None:
        new_node, new_key = _last_slot(container)
        if new_node is not None:
            new_node.ca.items[new_key] = token


def _insert(mapping, key, value, before: tuple[str, ...]) -> None:
    for i, k in enumerate(mapping):
        if k in before:
            mapping.insert(i, key, value)
            return
    _append(mapping, key, value)


def _flow_map(values: dict):
    from ruamel.yaml.comments import CommentedMap

    cm = CommentedMap(values)
    cm.fa.set_flow_style()
    return cm


def _flow_seq(values: list):
    from ruamel.yaml.comments import CommentedSeq

    cs = CommentedSeq(values)
    cs.fa.set_flow_style()
    return cs


def _enrich_hand(text: str, key: str, additions: dict[str, dict]) -> str:
    """Add attributes, aliases and sources to hand-written records, touching nothing else."""
    yaml = _ruamel()
    doc = yaml.load(text)
    for item in doc[key]:
        add = additions.get(item.get("id")) if hasattr(item, "get") else None
        if not add:
            continue
        if add.get("aliases"):
            if isinstance(item.get("aliases"), list):
                item["aliases"].extend(add["aliases"])
            else:
                _insert(
                    item,
                    "aliases",
                    _flow_seq(add["aliases"]),
                    ("description", "wikidata", "since", "until", "attributes", "sources"),
                )
        if add.get("attributes"):
            if isinstance(item.get("attributes"), dict):
                for k, v in add["attributes"].items():
                    item["attributes"][k] = v
            else:
                _insert(item, "attributes", _flow_map(add["attributes"]), ("sources",))
        if add.get("sources"):
            if isinstance(item.get("sources"), list):
                item["sources"].extend(add["sources"])
            else:
                _append(item, "sources", _flow_seq(add["sources"]))
    return _dump(yaml, doc)


def _add_sources(text: str, new: dict[str, dict]) -> str:
    """Add entries to the ``sources:`` registry of relations.yaml, as text spliced in after the
    last entry (the editing commands' own path: every other byte stays as it was)."""
    from ..edit.core import append_entry
    from ..edit.doc import Doc
    from ..edit.emit import source_entry

    doc = Doc.parse(RELATIONS_FILE, text.encode("utf-8"))
    for sid, src in new.items():
        append_entry(
            doc, "sources", lambda indent, s=sid, v=src: source_entry(s, v, indent, doc.nl), before="relations"
        )
    return doc.applied()


# --- merging ---------------------------------------------------------------------------------


class Target:
    """A data directory opened for an import."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = data_dir(directory)
        self.entities_side = _Side.read(self.directory / ENTITIES_FILE, "entities")
        self.relations_side = _Side.read(self.directory / RELATIONS_FILE, "relations")
        rdoc = self.relations_side.doc or {}
        registry = rdoc.get("sources") if isinstance(rdoc, dict) else None
        self.source_ids = set(registry) if isinstance(registry, dict) else set()
        self.texts: dict[Path, str] = {}

    def entities(self) -> dict[str, dict]:
        """Every entity in the directory, hand-written and imported (for name mapping)."""
        return {**self.entities_side.generated, **self.entities_side.hand}

    def merge(self, result: ImportResult) -> MergeReport:
        """Compute the merged files (kept in ``self.texts``) and what changes."""
        report = MergeReport()
        es, rs = self.entities_side, self.relations_side
        gen_entities = copy.deepcopy(es.generated)
        gen_relations = copy.deepcopy(rs.generated)
        enrich = _merge_entities(es.hand, gen_entities, result.entities, report)
        _merge_relations(rs.hand, gen_relations, result.relations, report)
        cited = {s for rec in (*result.entities.values(), *result.relations.values()) for s in rec.get("sources") or []}
        new_sources = {sid: src for sid, src in result.sources.items() if sid not in self.source_ids and sid in cited}
        report.changes.extend(Change("source", sid, "add") for sid in new_sources)

        etext = es.hand_text()
        if enrich:
            etext = _enrich_hand(etext, "entities", enrich)
        rtext = rs.hand_text()
        if new_sources:
            rtext = _add_sources(rtext, new_sources)
        self.texts = {
            es.path: _with_section(etext, _entity_section(gen_entities)),
            rs.path: _with_section(rtext, _relation_section(gen_relations)),
        }
        return report

    def write(self) -> bool:
        """Validate the merged directory, then replace its changed files together (the caller
        holds ``fsutil.lock_data``). False if nothing changed."""
        new: dict[str, bytes] = {}
        for side in (self.entities_side, self.relations_side):
            text = self.texts[side.path]
            data = (text.replace("\n", "\r\n") if side.crlf else text).encode("utf-8")
            current = read_input(side.path) if side.path.exists() else None
            if current != data:
                new[side.path.name] = data
        if not new:
            return False
        _validate(self.texts)
        commit_data(self.directory, new)
        return True


def _free_aliases(index: dict, eid: str, aliases: list[str], have: list[str]) -> list[str]:
    """The aliases no other entity already goes by, and not yet among ``have`` (each once)."""
    seen = {exact_key(a) for a in have}
    out = []
    for alias in aliases:
        owners = index["exact"].get(exact_key(alias), [])
        if exact_key(alias) in seen or (owners and owners != [eid]):
            continue
        seen.add(exact_key(alias))
        out.append(alias)
    return out


def _merge_entities(hand: dict[str, dict], generated: dict[str, dict], imported: dict[str, dict],
                    report: MergeReport) -> dict[str, dict]:  # fmt: skip
    """Add or update the imported entities in ``generated``; return what to add to hand-written ones."""
    index = build_index({**generated, **hand})
    enrich: dict[str, dict] = {}
    for eid, ent in imported.items():
        if eid in hand:
            add = _additions(index, eid, hand[eid], ent)
            if add:
                enrich[eid] = add
            report.changes.append(Change("entity", eid, "enrich", sorted(add)) if add else Change("entity", eid, "unchanged"))  # fmt: skip
            continue
        ent = dict(ent)
        old = generated.get(eid)
        ent["aliases"] = _free_aliases(index, eid, ent.get("aliases", []), [ent["name"]])
        if old is None:
            generated[eid] = _clean(ent)
            report.changes.append(Change("entity", eid, "add"))
            continue
        merged = _combine(old, ent)
        if merged != old:
            generated[eid] = merged
            report.changes.append(Change("entity", eid, "update", _differing(merged, old)))
        else:
            report.changes.append(Change("entity", eid, "unchanged"))
    return enrich


def _additions(index: dict, eid: str, old: dict, ent: dict) -> dict[str, object]:
    """What an import adds to a hand-written entity: attributes and aliases it lacks, and the
    sources cited for them."""
    attrs = {k: v for k, v in (ent.get("attributes") or {}).items() if k not in (old.get("attributes") or {})}
    labels = [eid, old.get("name", ""), *(old.get("aliases") or [])]
    named = [ent["name"]] if ent.get("type") == "state" and ent.get("name") else []
    aliases = _free_aliases(index, eid, [a for a in ent.get("aliases", []) + named if a], labels)
    add: dict[str, object] = {}
    if attrs:
        add["attributes"] = attrs
    if aliases:
        add["aliases"] = aliases
    if add:
        srcs = [s for s in ent.get("sources", []) if s not in (old.get("sources") or [])]
        if srcs:
            add["sources"] = srcs
    return add


def _merge_relations(hand: dict[str, dict], generated: dict[str, dict], imported: dict[str, dict],
                     report: MergeReport) -> None:  # fmt: skip
    """Add or update the imported relations in ``generated``; hand-written ones are kept."""
    for rid, rel in imported.items():
        if rid in hand:
            report.changes.append(Change("relation", rid, "kept"))
            continue
        old = generated.get(rid)
        rel = _clean(rel)
        if old is None:
            report.changes.append(Change("relation", rid, "add"))
        elif old != rel:
            report.changes.append(Change("relation", rid, "update", _differing(rel, old)))
        else:
            report.changes.append(Change("relation", rid, "unchanged"))
            continue
        generated[rid] = rel


def _differing(new: dict, old: dict) -> list[str]:
    """The fields whose values differ, sorted."""
    return sorted(k for k in set(new) | set(old) if new.get(k) != old.get(k))


def _clean(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if v not in (None, [], {})}


def _combine(old: dict, new: dict) -> dict:
    """An imported entity met again: the dataset that made it updates it, others only add."""
    out = copy.deepcopy(old)
    owner = (old.get("sources") or [None])[0] == (new.get("sources") or [None])[0]
    for key in ("name", "type", "description", "since", "until", "wikidata"):
        if key in new and (owner or key not in out):
            out[key] = new[key]
    attrs = dict(out.get("attributes") or {})
    for k, v in (new.get("attributes") or {}).items():
        if owner or k not in attrs:
            attrs[k] = v
    out["attributes"] = attrs
    aliases = list(out.get("aliases") or [])
    for alias in new.get("aliases") or []:
        if exact_key(alias) not in {exact_key(a) for a in aliases} and exact_key(alias) != exact_key(out["name"]):
            aliases.append(alias)
    out["aliases"] = aliases
    sources = list(out.get("sources") or [])
    sources += [s for s in new.get("sources") or [] if s not in sources]
    out["sources"] = sources
    return _clean(out)


def _with_section(hand: str, section: str) -> str:
    if not section:
        return hand.rstrip() + "\n" if not hand.rstrip().endswith(":") else hand
    note = "".join(f"  {line}\n" for line in MARKER_NOTE.splitlines())
    return f"{hand}  {MARKER}\n{note}{section}"


def _entity_section(ents: dict[str, dict]) -> str:
    def group(e: dict) -> int:
        t = e.get("type")
        return ENTITY_TYPE_ORDER.index(t) if t in ENTITY_TYPE_ORDER else len(ENTITY_TYPE_ORDER)

    return _section(
        ents, lambda e: (group(e), e.get("type", "")), lambda e: f"{e.get('type')} entities", yamlout.ENTITY_KEYS
    )


def _relation_section(rels: dict[str, dict]) -> str:
    def source(r: dict) -> str:
        return (r.get("sources") or ["no source"])[0]

    return _section(
        rels,
        lambda r: (source(r), r.get("type", "")),
        lambda r: f"{r.get('type')} relations from {source(r)}",
        yamlout.RELATION_KEYS,
    )


def _section(records: dict[str, dict], group, title, keys) -> str:
    parts: list[str] = []
    last = None
    for rec in sorted(records.values(), key=lambda r: (group(r), natural_key(r["id"]))):
        g = group(rec)
        if g != last:
            parts.append(f"\n  # --- {title(rec)} ---\n")
            last = g
        parts.append("\n" + yamlout.record(rec, keys))
    return "".join(parts)


def _validate(texts: dict[Path, str]) -> None:
    from ..load import validate

    with tempfile.TemporaryDirectory(prefix="allygraph-import-") as tmp:
        names = {}
        for path, text in texts.items():
            (Path(tmp) / path.name).write_text(text, encoding="utf-8")
            names[str(Path(tmp) / path.name)] = str(path)
        dataset, problems = validate(Path(tmp))
    if dataset is None:
        fixed = [Problem(names.get(p.file, p.file), p.line, p.column, p.message, p.severity) for p in problems]
        raise DataError(fixed)

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

Why: the hand-written part is never re-serialised: what an import adds to it is spliced into its
text (``edit.core``'s splices, the editing commands' own path), which keeps every comment and byte
it does not touch. The generated part is kept sorted, one record per block; a record the import writes anew goes through
``yamlout`` (fast and the same on every run, so re-importing changes nothing and a newer export
shows as a small diff), every other record keeps its text byte for byte.

Rules:

- a record above the marker is hand-curated: an import adds attributes and aliases that it
  lacks (and cites its source for them), and never changes anything else;
- each record the import writes carries ``# import:<digest>`` on its id line, the digest of the
  values it wrote. A record whose values no longer match it (``edit --set``, a note typed in) or
  that has a comment in or just above it belongs to a person: it is kept as it is and reported
  as ``edited`` with the fields the import would change. Comments between or after records stay;
- otherwise an imported record with a new id is added; one with the id of an imported record
  replaces it (a newer export updates in place); nothing imported is deleted;
- imported relations have their own ids, so where they disagree with a hand-written relation
  (other dates, say) both claims stay, each with its sources; except an ``arms_transfer`` that
  repeats exactly one hand-written transfer (same supplier, recipient and via, overlapping years):
  it is merged into that one (attributes it lacks, its sources, ``attributes.import_id``) rather
  than counted twice; one that several could repeat is added with ``attributes.may_repeat``;
- new citations are added to the ``sources:`` registry, existing entries are kept;
- hand-written content below the marker that the rewrite cannot place (a record without an id,
  an id written twice, another top-level section such as ``tiers:``) makes the import refuse,
  naming its lines;
- a file written with CRLF line ends keeps them; a list indented by other than two spaces keeps
  its indentation (the generated records take it);
- the merged directory is validated before anything is written; the two files are then replaced
  together (``fsutil.commit_data``: both or neither, under the directory's lock).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import yamlsrc
from ..edit.core import append_entry, flow_insert, insert_text, items, scalar_of, set_field, validate_files
from ..edit.doc import Doc, Node, field_of, indent_at
from ..errors import DataError, UsageError
from ..fsutil import commit_data
from ..inputs import read_input
from ..load import ENTITIES_FILE, RELATIONS_FILE, data_dir
from ..names import build_index, exact_key
from ..yamltext import ENTITY_KEYS, RELATION_KEYS, flow, source_entry
from . import yamlout
from .common import ImportResult, natural_key

MARKER = "# ==== allygraph import: generated records below this line ===="
MARKER_NOTE = (
    "# `allygraph import` keeps the records below this line sorted by type and id, and rewrites those it wrote.\n"
    "# `# import:` is the digest of what it wrote: a record edited or commented since then is kept as it is.\n"
    "# To curate a record by hand, move it above this line; imports then only add to it.\n"
)
OLD_MARKER_NOTES = (
    "# `allygraph import` rewrites everything below this line: one record per block, sorted by type and id.\n"
    "# To curate a record by hand, move it above this line; imports then only add to it.\n",
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
    action: str  # add, update, enrich, unchanged, kept, edited
    fields: list[str] = field(default_factory=list)
    why: str = ""  # for edited: edited, commented or other (see _Side.owner); else a note
    into: str = ""  # for matched: the hand-written relation the imported one was merged into
    differs: list[str] = field(default_factory=list)  # for matched: fields where the two claims differ

    def __str__(self) -> str:
        if self.action == "edited":
            how = {"edited": "edited by hand", "commented": "commented by hand"}.get(
                self.why, "not written by an import"
            )
            return f"= kept: {how}: {self.kind} {self.id} (the import differs in {', '.join(self.fields)})"
        if self.action == "matched":
            attrs = [f for f in self.fields if f.startswith("attributes.")]
            parts = ([f"{len(attrs)} attribute(s)"] if attrs else []) + [f for f in self.fields if f not in attrs]
            added = f"; adds {', '.join(parts)}" if parts else ""
            differs = f"; the claims differ in {', '.join(self.differs)}, the hand-written ones stay" if self.differs else ""  # fmt: skip
            return f"~ merged into hand-written relation {self.into}: {self.kind} {self.id}{added}{differs}"
        mark = {"add": "+", "update": "~", "enrich": "~", "kept": "=", "unchanged": " "}[self.action]
        detail = f" ({', '.join(self.fields)})" if self.fields else ""
        what = {"enrich": "add to hand-written", "kept": "keep hand-written"}.get(self.action, self.action)
        return f"{mark} {what} {self.kind} {self.id}{detail}" + (f": {self.why}" if self.why else "")


@dataclass
class MergeReport:
    changes: list[Change] = field(default_factory=list)
    written: bool = False
    into_hand: dict[str, dict] = field(default_factory=dict)  # hand-written relation id -> what matched imports add

    def count(self, action: str) -> int:
        """How many records (sources aside) the merge gave this action."""
        return sum(1 for c in self.changes if c.action == action and c.kind != "source")

    def tally(self) -> dict[str, int]:
        """Every imported record counted once: ``new``, ``updated`` (a hand-written record that
        gained something included), ``unchanged`` or ``kept`` (edited by hand, left as it is)."""
        out = {"new": 0, "updated": 0, "unchanged": 0, "kept": 0}
        for c in self.changes:
            if c.kind == "source":
                continue
            if c.action == "add":
                out["new"] += 1
            elif c.action in ("update", "enrich") or (c.action == "matched" and c.fields):
                out["updated"] += 1
            elif c.action == "edited":
                out["kept"] += 1
            else:
                out["unchanged"] += 1
        return out

    @property
    def notable(self) -> list[Change]:
        """The changes a person should see on every run: records kept because they were edited
        by hand, transfers merged into hand-written ones, and new ones that may repeat one."""
        return [c for c in self.changes if c.action in ("edited", "matched") or (c.action == "add" and c.why)]

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
    doc: yamlsrc.YMap | None
    hand: dict[str, dict]
    generated: dict[str, dict]
    marker_line: int | None
    crlf: bool = False
    indent: int = 2  # the column of the list's dashes, which the generated records take
    blocks: dict[str, _Block] = field(default_factory=dict)  # the text of each record below the marker
    tail: list[str] = field(default_factory=list)  # comment lines after the last record

    def owner(self, rid: str) -> str:
        """Who a record below the marker now belongs to: ``import`` (the import may rewrite it),
        ``edited`` (its values changed since the import wrote them), ``commented`` (a comment in
        or just above it) or ``other`` (no import wrote it: ``link``, or a record written by hand)."""
        block = self.blocks.get(rid)
        if block is None:
            return "import"
        value = self.generated[rid]
        if block.digest is None:
            # written before digests, or not by an import: the import's own layout, untouched, is its
            if "".join(block.body) != _record_text(value, self.indent):
                return "other"
        elif block.digest != digest(value):
            return "edited"
        return "commented" if block.has_comment() else "import"

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
        lines = _split_lines(text)
        for i, text_line in enumerate(lines, 1):
            if text_line.strip() == MARKER:
                marker_line = i
                break
        hand: dict[str, dict] = {}
        generated: dict[str, dict] = {}
        starts: list[tuple[int, str]] = []  # (line, id) of each record below the marker
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
                if below and item["id"] in generated:
                    lost.append(f"line {line} (a second {key[:-1]} {item['id']!r})")
                    continue
                (generated if below else hand)[item["id"]] = _plain(item)
                if below:
                    starts.append((line, item["id"]))
        if marker_line is not None and isinstance(doc, dict) and hasattr(doc, "key_pos"):
            for other, (line, _) in doc.key_pos.items():
                if other != key and line > marker_line:
                    lost.append(f"line {line} (the {other}: section)")
        if lost:
            raise UsageError(
                f"{path}: hand-written content below the import marker (line {marker_line}) would be lost: "
                f"{', '.join(lost)}; move it above the marker line, then import again"
            )
        side = cls(path, key, text, doc if isinstance(doc, yamlsrc.YMap) else None, hand, generated, marker_line, crlf,
                   _indent(lines, items))  # fmt: skip
        if marker_line is not None:
            side.blocks, side.tail = _blocks(lines, marker_line, starts)
        return side

    def hand_text(self) -> str:
        """The hand-written part, ready for generated list items to follow."""
        if self.text is None or self.doc is None:
            return HEADERS.get(self.path.name, "") + f"{self.key}:\n"
        if self.marker_line is not None:
            lines = _split_lines(self.text)[: self.marker_line - 1]
            return "".join(lines).rstrip() + "\n\n"
        doc = self.doc
        items = doc.get(self.key)
        keys = list(doc)
        block = (
            isinstance(items, list)
            and bool(items)
            and _starts_block(self.text, getattr(doc, "value_pos", {}).get(self.key))
        )
        if keys and keys[-1] == self.key and block:
            return self.text.rstrip() + "\n\n"
        return _move_list_last(self.text, self.key)


@dataclass
class _Block:
    """The lines of one record below the marker: comment lines just above it (``lead``), its own
    lines (``body``, with any comment lines right after it) and the digest its first line carries."""

    lead: list[str]
    body: list[str]
    digest: str | None

    def has_comment(self) -> bool:
        """Whether a person wrote a comment in or just above the record."""
        if self.lead:
            return True
        first = _DIGEST.sub("", self.body[0])
        return any(_COMMENT.search(_QUOTED.sub('""', line)) for line in (first, *self.body[1:]))

    def text(self) -> str:
        out = "".join((*self.lead, *self.body))
        return out if out.endswith(_BREAKS) else out + "\n"


_BREAKS = ("\n", "\x85", "\u2028", "\u2029")  # what YAML (and so a record's line number) counts as a line break
_LINE = re.compile(".*?(?:\n|\x85|\u2028|\u2029)|.+$", re.S)


def _split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their breaks, split where YAML counts a new line (``str.splitlines``
    also splits at form feeds and other characters YAML keeps inside a line)."""
    return _LINE.findall(text)


_DIGEST = re.compile(r"\s+# import:([0-9a-f]{12})\s*$")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'')
_COMMENT = re.compile(r"(?:^|\s)#")
_GROUP = re.compile(r"\s*# --- .* ---\s*$")


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _blocks(lines: list[str], marker_line: int, starts: list[tuple[int, str]]) -> tuple[dict[str, _Block], list[str]]:
    """Split the lines below the marker (each with its line break) into one block per record
    (``starts``: its first line and id), and the comment lines after the last one. The import's own lines (its note, the group
    headings, blank lines) belong to no block: the rewrite makes them anew."""
    generated = {line.strip() for note in (MARKER_NOTE, *OLD_MARKER_NOTES) for line in note.splitlines()}

    def people(chunk: list[str]) -> list[str]:
        return [x for x in chunk if _is_comment(x) and x.strip() not in generated and not _GROUP.fullmatch(x)]

    blocks: dict[str, _Block] = {}
    starts = sorted(starts)
    lead = people(lines[marker_line : starts[0][0] - 1]) if starts else []
    tail: list[str] = []
    for n, (line, rid) in enumerate(starts):
        end = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(lines)
        chunk = lines[line - 1 : end]
        last = max(i for i, x in enumerate(chunk) if i == 0 or (x.strip() and not _is_comment(x)))
        while last + 1 < len(chunk) and _is_comment(chunk[last + 1]):
            last += 1  # comment lines right after the record are its own
        m = _DIGEST.search(chunk[0])
        blocks[rid] = _Block(lead, chunk[: last + 1], m.group(1) if m else None)
        lead = people(chunk[last + 1 :])
    tail = lead
    return blocks, tail


def digest(rec: dict) -> str:
    """A short digest of a record's values: what the import wrote, to tell a later hand edit."""
    text = json.dumps(rec, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _record_text(rec: dict, indent: int = 2) -> str:
    keys = RELATION_KEYS if "from" in rec or "to" in rec else ENTITY_KEYS
    return yamlout.record(rec, keys, indent)


def _indent(lines: list[str], items: object) -> int:
    """The column of the dashes of a block list (two when it is empty or in flow style), from
    its first item (``items``: the list as ``yamlsrc`` read it, with its items' positions)."""
    pos = getattr(items, "item_pos", None)
    if not pos:
        return 2
    line = lines[pos[0][0] - 1]
    rest = line.lstrip(" ")
    return len(line) - len(rest) if rest.startswith("-") else 2


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _starts_block(text: str, pos: tuple[int, int] | None) -> bool:
    if not pos:
        return False
    line = _split_lines(text)[pos[0] - 1]
    return line[pos[1] - 1 :].startswith("-")


# --- the hand-written part: text splices (``edit.core``'s), every other byte kept ------------


def _move_list_last(text: str, key: str) -> str:
    """The document with ``key`` as its last section, a block list (or bare, when empty), so that
    generated records can follow: the section's text moves to the end as it stands (the items of
    a list in flow style become block items, each as it was written); every other byte stays."""
    doc = Doc.parse(key, text.encode("utf-8"))
    top, text = doc.top(key), doc.text  # offsets count from after a byte order mark, kept apart
    if top is None:
        return doc.bom + _joined(text, f"{key}:\n", "")
    k, v = top
    start = doc.line_start(k.start_mark.index)
    if v.id == "sequence" and v.value and not v.flow_style:
        end = doc.record_end(v.value[-1])
        return doc.bom + _joined(text[:start] + text[end:], text[start:end], "\n")
    if v.id == "scalar" and v.value in ("", "~", "null") and not v.style:
        end, after = doc.line_end(k.end_mark.index), max(v.end_mark.index, text.index(":", k.end_mark.index) + 1)
    elif v.id == "sequence":
        end, after = doc.record_end(v), doc.value_end(v)
    else:
        return doc.bom + text  # not a list: validation names it
    comment = text[after:end].strip()
    head = f"{key}:" + (f"  {comment}" if comment.startswith("#") else "") + "\n"
    body = _block_items(doc, v) if v.id == "sequence" else ""
    return doc.bom + _joined(text[:start] + text[end:], head + body, "\n" if body else "")


def _block_items(doc: Doc, seq: Node) -> str:
    """The items of a flow list as block items, each as it was written, with the comments
    written between them (above the first item before it, beside an item after it)."""
    out, at = [], seq.start_mark.index + 1
    for n, item in enumerate(seq.value):
        out += [f"  {note}\n" for note in _COMMENTS.findall(doc.text, at, item.start_mark.index)]
        end = doc.value_end(item)
        stop = seq.value[n + 1].start_mark.index if n + 1 < len(seq.value) else seq.end_mark.index
        notes = _COMMENTS.findall(doc.text, end, stop)
        beside = f"  {notes[0]}" if notes else ""
        out += [f"  - {_indented(doc.text[item.start_mark.index : end])}{beside}\n", *(f"  {n}\n" for n in notes[1:])]
        at = stop
    return "".join(out)


_COMMENTS = re.compile(r"#[^\n]*")


def _joined(rest: str, section: str, after: str) -> str:
    rest = rest.rstrip()
    return (rest + "\n" if rest else "") + section + after


def _indented(item: str) -> str:
    """A flow item written over several lines, its later lines indented under its new dash."""
    first, *more = item.split("\n")
    return "\n".join([first, *(line if line.startswith("    ") else "    " + line.lstrip(" ") for line in more)])


def _enrich(text: str, name: str, key: str, additions: dict[str, dict], order: tuple[str, ...],
            new_sources: dict[str, dict] | None = None) -> str:  # fmt: skip
    """Add aliases, attributes and sources to the hand-written records of list ``key`` (and
    ``new_sources`` to the ``sources:`` registry), as text spliced in: every other byte stays."""
    doc = Doc.parse(name, text.encode("utf-8"))
    if new_sources:  # one splice for all: a registry that is not there yet is made once
        append_entry(
            doc,
            "sources",
            lambda indent: "".join(source_entry(s, v, indent, doc.nl) for s, v in new_sources.items()),
            before=key,
        )
    for node in items(doc, key) if additions else []:
        add = additions.get(scalar_of(node, "id") or "") if node.id == "mapping" else None
        if not add:
            continue
        if add.get("aliases"):
            _extend_list(doc, node, "aliases", add["aliases"], order)
        if add.get("attributes"):
            _extend_mapping(doc, node, "attributes", add["attributes"], order)
        if add.get("sources"):
            _extend_list(doc, node, "sources", add["sources"], order)
    return doc.bom + doc.applied()


def _extend_list(doc: Doc, record: Node, key: str, values: list, order: tuple[str, ...]) -> None:
    """Append ``values`` to a record's list field, in the list's own style; a record without
    the field gets it (in ``order``'s place) as a flow list."""
    found = field_of(record, key)
    seq = found[1] if found is not None else None
    if seq is not None and seq.id == "sequence" and seq.flow_style:
        flow_insert(doc, seq, ", ".join(flow(v) for v in values))
    elif seq is not None and seq.id == "sequence" and seq.value:
        pad = " " * indent_at(doc, doc.dash(seq, len(seq.value) - 1))
        insert_text(doc, doc.record_end(seq.value[-1]), "".join(f"{pad}- {flow(v)}{doc.nl}" for v in values))
    else:
        set_field(doc, record, key, flow(values), order)


def _extend_mapping(doc: Doc, record: Node, key: str, values: dict, order: tuple[str, ...]) -> None:
    """Set entries of a record's mapping field, in the mapping's own style (block or flow); a
    record without the field (or with an empty one) gets it as a flow mapping."""
    found = field_of(record, key)
    mapping = found[1] if found is not None else None
    if mapping is not None and mapping.id == "mapping" and mapping.value:
        for k, v in values.items():
            set_field(doc, mapping, str(k), flow(v))
    else:
        set_field(doc, record, key, flow(values), order)


# --- merging ---------------------------------------------------------------------------------


class Target:
    """A data directory opened for an import."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = data_dir(directory)
        self.entities_side = _Side.read(self.directory / ENTITIES_FILE, "entities")
        self.relations_side = _Side.read(self.directory / RELATIONS_FILE, "relations")
        rdoc: dict = self.relations_side.doc or {}
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
        fresh: set[str] = set()  # records (entities and relations) whose text the import writes anew
        enrich = _merge_entities(es, gen_entities, result.entities, report, fresh)
        _merge_relations(rs, gen_relations, result.relations, report, fresh)
        cited = {s for rec in (*result.entities.values(), *result.relations.values()) for s in rec.get("sources") or []}
        new_sources = {sid: src for sid, src in result.sources.items() if sid not in self.source_ids and sid in cited}
        report.changes.extend(Change("source", sid, "add") for sid in new_sources)

        etext = es.hand_text()
        if enrich:
            etext = _enrich(etext, str(es.path), "entities", enrich, ENTITY_KEYS)
        rtext = rs.hand_text()
        if new_sources or report.into_hand:
            rtext = _enrich(rtext, str(rs.path), "relations", report.into_hand, RELATION_KEYS, new_sources)
        self.texts = {
            es.path: _with_section(etext, _entity_section(gen_entities, es, fresh), es.tail, es.indent),
            rs.path: _with_section(rtext, _relation_section(gen_relations, rs, fresh), rs.tail, rs.indent),
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
        validate_files(self.directory, {p.name: t.encode("utf-8") for p, t in self.texts.items()})
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


def _merge_entities(side: _Side, generated: dict[str, dict], imported: dict[str, dict], report: MergeReport,
                    fresh: set[str]) -> dict[str, dict]:  # fmt: skip
    """Add or update the imported entities in ``generated`` (ids written anew go into ``fresh``);
    return what to add to hand-written ones."""
    hand = side.hand
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
            fresh.add(eid)
            report.changes.append(Change("entity", eid, "add"))
            continue
        _meet(side, "entity", generated, eid, _combine(old, ent), report, fresh)
    return enrich


def _meet(side: _Side, kind: str, generated: dict[str, dict], rid: str, new: dict, report: MergeReport,
          fresh: set[str]) -> None:  # fmt: skip
    """An imported record meets one below the marker: update it, unless a person changed it since
    the import wrote it (then keep it as it is, and report what the import would change)."""
    old = generated[rid]
    owner = side.owner(rid)
    if owner != "import":
        action, fields = ("edited", _differing(new, old)) if new != old else ("unchanged", [])
        report.changes.append(Change(kind, rid, action, fields, why=owner if action == "edited" else ""))
        return
    if new != old:
        generated[rid] = new
        report.changes.append(Change(kind, rid, "update", _differing(new, old)))
    else:
        report.changes.append(Change(kind, rid, "unchanged"))
    if new != old or side.blocks[rid].digest is None:
        fresh.add(rid)  # a record written before digests gains one


def _additions(index: dict, eid: str, old: dict, ent: dict) -> dict[str, object]:
    """What an import adds to a hand-written entity: attributes and aliases it lacks, and the
    sources cited for them."""
    attrs = {k: v for k, v in (ent.get("attributes") or {}).items() if k not in (old.get("attributes") or {})}
    labels = [eid, old.get("name", ""), *(old.get("aliases") or [])]
    named = [ent["name"]] if ent.get("type") == "state" and ent.get("name") else []
    aliases = _free_aliases(index, eid, [a for a in ent.get("aliases", []) + named if a], labels)
    add = _filled(attributes=attrs, aliases=aliases)
    if add:
        srcs = [s for s in ent.get("sources", []) if s not in (old.get("sources") or [])]
        if srcs:
            add["sources"] = srcs
    return add


def _filled(**fields: object) -> dict[str, object]:
    """The fields that hold something (a non-empty list or mapping), in the order given: what
    an import adds to a hand-written record."""
    return {k: v for k, v in fields.items() if v}


def _merge_relations(side: _Side, generated: dict[str, dict], imported: dict[str, dict], report: MergeReport,
                     fresh: set[str]) -> None:  # fmt: skip
    """Add or update the imported relations in ``generated`` (ids written anew go into ``fresh``);
    hand-written ones are kept; an imported transfer that a hand-written one already records is
    merged into it (see ``_Transfers``)."""
    # below the marker, records with no digest that cite none of this import's sources (``link``
    # appends there) count as hand-written for matching, but are only flagged: the merge rewrites
    # no text below the marker
    cited = {s for r in imported.values() for s in r.get("sources") or []}
    written_by_people = {i: r for i, r in generated.items() if i not in imported and side.blocks.get(i) is not None
                         and side.blocks[i].digest is None and not cited & set(r.get("sources") or [])}  # fmt: skip
    transfers = _Transfers(side.hand, written_by_people)
    for rid, rel in imported.items():
        if rid in side.hand:
            report.changes.append(Change("relation", rid, "kept"))
            continue
        rel = _clean(rel)
        hid, others = transfers.match(rid, rel)
        if hid is not None:
            _into_hand(side, generated, hid, rid, rel, report)
            continue
        note = f"may repeat hand-written {', '.join(others)}" if others else ""
        if others:  # kept in the record, so that `show` tells it too, not only this run's summary
            rel["attributes"] = {**rel.get("attributes", {}), "may_repeat": ", ".join(others)}
        if rid not in generated:
            generated[rid] = rel
            fresh.add(rid)
            report.changes.append(Change("relation", rid, "add", why=note))
            continue
        _meet(side, "relation", generated, rid, rel, report, fresh)


class _Transfers:
    """Hand-written arms transfers, to match an imported one against: the one whose
    ``attributes.import_id`` is its id, else the only one of the same supplier, recipient and
    platform (``via``) whose years overlap its own. Each hand-written transfer takes one.
    ``below``: hand-written transfers below the marker, which can only be named as possible
    repeats."""

    def __init__(self, hand: dict[str, dict], below: dict[str, dict] | None = None):
        self.linked: dict[str, str] = {}
        self.by_parties: dict[tuple, list[str]] = {}
        self.hand = {**(below or {}), **hand}
        self.below = set(below or ()) - set(hand)
        for hid, rec in self.hand.items():
            if rec.get("type") != "arms_transfer" or not rec.get("via"):
                continue
            linked = (rec.get("attributes") or {}).get("import_id")
            if isinstance(linked, str):
                self.linked[linked] = hid
            self.by_parties.setdefault((rec.get("from"), rec.get("to"), rec.get("via")), []).append(hid)
        self.taken = set(self.linked.values()) | self.below

    def match(self, rid: str, rel: dict) -> tuple[str | None, list[str]]:
        """(the hand-written transfer ``rel`` repeats, or None; others it may repeat)."""
        if rid in self.linked and self.linked[rid] not in self.below:
            return self.linked[rid], []
        if rel.get("type") != "arms_transfer":
            return None, []
        near = [h for h in self.by_parties.get((rel.get("from"), rel.get("to"), rel.get("via")), [])
                if _years_overlap(self.hand[h], rel)]  # fmt: skip
        free = [h for h in near if h not in self.taken]
        if len(free) == 1 and len(near) == 1:
            self.taken.add(free[0])
            return free[0], []
        return None, near


def _years(rec: dict) -> tuple[int, int]:
    """The years a relation covers, both ends included (``until`` is exclusive: a year-only
    ``until`` ends the year before)."""
    since, until = rec.get("since"), rec.get("until")
    first = int(str(since)[:4]) if since else -(10**6)
    if not until:
        return first, 10**6
    u = str(until)
    return first, int(u[:4]) - (1 if len(u) == 4 else 0)


def _years_overlap(a: dict, b: dict) -> bool:
    (a0, a1), (b0, b1) = _years(a), _years(b)
    return a0 <= b1 and b0 <= a1


def _into_hand(side: _Side, generated: dict[str, dict], hid: str, rid: str, rel: dict, report: MergeReport) -> None:
    """Merge the imported transfer ``rel`` into the hand-written ``hid``: add the attributes it
    lacks, the import's sources and ``attributes.import_id`` (so later imports find it at once);
    keep its own values. An earlier imported copy that nobody edited is removed."""
    hand = side.hand[hid]
    have = hand.get("attributes") or {}
    attrs = {k: v for k, v in (rel.get("attributes") or {}).items() if k not in have}
    if have.get("import_id") != rid:
        attrs["import_id"] = rid
    sources = [s for s in rel.get("sources") or [] if s not in (hand.get("sources") or [])]
    add = _filled(attributes=attrs, sources=sources)
    if add:
        report.into_hand[hid] = add
    fields = [f"attributes.{k}" for k in attrs] + (["sources"] if sources else [])
    if rid in generated and side.owner(rid) == "import":
        del generated[rid]
        fields.append(f"removes the imported copy {rid}")
    differs = [k for k in ("since", "until", "status") if k in rel and hand.get(k) != rel.get(k)]
    theirs = rel.get("attributes") or {}
    differs += [f"attributes.{k}" for k in theirs if k in have and k != "import_id" and have[k] != theirs[k]]
    report.changes.append(Change("relation", rid, "matched", fields, into=hid, differs=differs))


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


def _with_section(hand: str, section: str, tail: Sequence[str] = (), indent: int = 2) -> str:
    if not section:
        return hand.rstrip() + "\n" if not hand.rstrip().endswith(":") else hand
    pad = " " * indent
    note = "".join(f"{pad}{line}\n" for line in MARKER_NOTE.splitlines())
    end = "\n" + "".join(line if line.endswith(_BREAKS) else line + "\n" for line in tail) if tail else ""
    return f"{hand}{pad}{MARKER}\n{note}{section}{end}"


def _entity_section(ents: dict[str, dict], side: _Side, fresh: set[str]) -> str:
    def group(e: dict) -> int:
        t = e.get("type")
        return ENTITY_TYPE_ORDER.index(t) if t in ENTITY_TYPE_ORDER else len(ENTITY_TYPE_ORDER)

    return _section(ents, lambda e: (group(e), e.get("type", "")), lambda e: f"{e.get('type')} entities",
                    ENTITY_KEYS, side, fresh)  # fmt: skip


def _relation_section(rels: dict[str, dict], side: _Side, fresh: set[str]) -> str:
    def source(r: dict) -> str:
        return (r.get("sources") or ["no source"])[0]

    return _section(rels, lambda r: (source(r), r.get("type", "")), lambda r: f"{r.get('type')} relations from {source(r)}",
                    RELATION_KEYS, side, fresh)  # fmt: skip


def _section(records: dict[str, dict], group, title, keys, side: _Side, fresh: set[str]) -> str:
    """The generated part: records sorted into groups; those in ``fresh`` written anew with their
    digest, every other one exactly as it stands in the file. Blank lines as ``allygraph fmt``
    puts them (one between records, none after a comment), so that a formatted file stays so."""
    parts: list[str] = []
    last = None
    for rec in sorted(records.values(), key=lambda r: (group(r), natural_key(r["id"]))):
        g = group(rec)
        if g != last:
            parts.append(("\n" if parts else "") + " " * side.indent + f"# --- {title(rec)} ---\n")
            last = g
        else:
            parts.append("\n")
        block = side.blocks.get(rec["id"])
        if block is not None and rec["id"] not in fresh:
            parts.append(block.text())
            continue
        first, nl, rest = yamlout.record(rec, keys, side.indent).partition("\n")
        parts.append(f"{first}  # import:{digest(rec)}{nl}{rest}")
    return "".join(parts)

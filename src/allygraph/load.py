"""A data directory -> a validated Dataset, with every problem located as file:line:column.

Stages, each replaceable on its own (a faster parser, a compiled cache):

1. ``yamlsrc.read``: text -> plain values that remember their positions;
2. ``validate``: values -> pydantic-checked records, then whole-data checks (ids, references,
   tiers, dates, sources), collecting every problem instead of stopping at the first;
3. ``cache``: the resulting plain Dataset is pickled, so later runs skip 1 and 2 entirely.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import cache
from .dataset import Dataset
from .problems import DataError, Problem, UsageError

ENTITIES_FILE = "entities.yaml"
RELATIONS_FILE = "relations.yaml"


def bundled_data_dir() -> Path:
    """The data directory shipped inside the package (or the repository's, in a checkout)."""
    here = Path(__file__).resolve().parent
    packaged = here / "data"
    if (packaged / ENTITIES_FILE).exists():
        return packaged
    return here.parent.parent / "data"


def data_dir(data: str | os.PathLike | None = None) -> Path:
    """Which data directory to use: ``data``, else ``$ALLYGRAPH_DATA``, else the bundled one."""
    chosen = data if data is not None else os.environ.get("ALLYGRAPH_DATA") or None
    if chosen is None:
        return bundled_data_dir()
    path = Path(chosen).expanduser()
    if not path.is_dir():
        origin = "--data" if data is not None else "ALLYGRAPH_DATA"
        raise UsageError(f"{origin}: {str(chosen)!r} is not a directory")
    return path


def load(data: str | os.PathLike | None = None, *, use_cache: bool = True) -> Dataset:
    """Load and validate a data directory; raise DataError listing every error found."""
    directory = data_dir(data)
    if use_cache:
        hit = cache.get(directory)
        if hit is not None:
            return hit
    before = cache.stamp(directory)
    dataset, problems = validate(directory)
    if dataset is None:
        raise DataError(problems)
    if use_cache:
        cache.put(directory, dataset, before)
    return dataset


def check(data: str | os.PathLike | None = None) -> list[Problem]:
    """Every error and warning in a data directory (never raises for bad data)."""
    _, problems = validate(data_dir(data))
    return problems


# --- validation -------------------------------------------------------------------------------


class _Collector:
    def __init__(self, directory: Path):
        self.directory = directory
        self.problems: list[Problem] = []

    def add(self, file: str, pos: tuple[int, int] | None, message: str, severity: str = "error") -> None:
        line, col = pos or (0, 0)
        self.problems.append(Problem(file, line, col, message, severity))


def _pos_of(record, loc: tuple) -> tuple[int, int] | None:
    """Where the value at ``loc`` (a pydantic error location) was written."""
    node, pos = record, (getattr(record, "line", 0), getattr(record, "column", 0))
    for part in loc:
        if isinstance(node, dict) and part in node:
            pos = node.value_pos.get(part, pos) if hasattr(node, "value_pos") else pos
            node = node[part]
        elif isinstance(node, dict) and hasattr(node, "key_pos") and part not in node:
            # an extra (forbidden) key is reported at the key itself
            pos = node.key_pos.get(part, pos)
            break
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            pos = node.item_pos[part] if hasattr(node, "item_pos") else pos
            node = node[part]
        else:
            break
    return pos


def _validate_records(col: _Collector, file: str, kind: str, model, items, fields: list[str]):
    """Validate each record with ``model``; report every error; return [(record, model|None)]."""
    from pydantic import ValidationError

    from .names import suggest
    from .progress import track

    out = []
    for i, record in enumerate(track(items, len(items), f"validating {kind}s")):
        rpos = items.item_pos[i] if hasattr(items, "item_pos") else None
        if not isinstance(record, dict):
            col.add(file, rpos, f"{kind} #{i + 1}: expected a mapping of fields, got {_show(record)}")
            out.append((record, None))
            continue
        try:
            out.append((record, model.model_validate(record)))
        except ValidationError as exc:
            label = _label(kind, record)
            for err in exc.errors():
                loc = tuple(err["loc"])
                field = ".".join(str(p) for p in loc) if loc else ""
                etype = err["type"]
                if etype == "missing":
                    col.add(file, rpos, f"{label}: missing required field {field!r}")
                elif etype == "extra_forbidden":
                    hint = suggest(str(loc[-1]), fields, limit=1)
                    tip = f" — did you mean {hint[0]!r}?" if hint else f" (fields: {', '.join(fields)})"
                    col.add(file, _pos_of(record, loc), f"{label}: unknown field {field!r}{tip}")
                else:
                    msg = err["msg"].removeprefix("Value error, ")
                    col.add(
                        file,
                        _pos_of(record, loc),
                        f"{label}: field {field!r}: {msg} (got {_show(err.get('input'))})",
                    )
            out.append((record, None))
    return out


def _label(kind: str, record: dict) -> str:
    rid = record.get("id")
    return f"{kind} {rid!r}" if isinstance(rid, str) else kind


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _top(col: _Collector, file: str, doc, allowed: dict[str, type]) -> dict:
    """Check a file's top-level mapping; return its recognised sections."""
    from .names import suggest

    if doc is None:
        return {}
    if not isinstance(doc, dict):
        col.add(file, (1, 1), f"expected a mapping with {', '.join(repr(k) for k in allowed)} at the top")
        return {}
    out = {}
    for key, value in doc.items():
        if key not in allowed:
            hint = suggest(key, list(allowed), limit=1)
            tip = f" — did you mean {hint[0]!r}?" if hint else ""
            col.add(file, doc.key_pos.get(key), f"unknown top-level key {key!r}{tip}")
            continue
        want = allowed[key]
        if value is None:
            value = want()
        if not isinstance(value, want):
            col.add(
                file,
                doc.value_pos.get(key),
                f"{key!r} must be a {'list' if want is list else 'mapping'}, got {_show(value)}",
            )
            continue
        out[key] = value
    return out


def derive_relation_id(rel: dict) -> str:
    """A stable id from a relation's identifying content (used when the data gives none)."""
    import hashlib

    ident = (rel["from"], rel["type"], rel["to"], rel.get("tier"), rel.get("via"),
             rel.get("since"), rel.get("until"), rel.get("status"))  # fmt: skip
    digest = hashlib.blake2b(repr(ident).encode(), digest_size=4).hexdigest()
    return f"{rel['from']}.{rel['type']}.{rel['to']}.{digest}"


def _clean(model, *, by_alias: bool = False) -> dict:
    """A model as a plain dict without empty optional fields."""
    data = model.model_dump(by_alias=by_alias)
    return {k: v for k, v in data.items() if v not in (None, [], {})}


def validate(directory: Path) -> tuple[Dataset | None, list[Problem]]:
    """Validate a data directory. Returns (dataset or None when there are errors, problems)."""
    from . import dates, yamlsrc
    from .model import FIELDS, Entity, Relation, Source, TierDef
    from .names import suggest
    from .vocab import BUNDLED_TIERS, TIER_TYPES

    col = _Collector(directory)
    ef = str(directory / ENTITIES_FILE)
    rf = str(directory / RELATIONS_FILE)
    edoc, p1 = yamlsrc.read(directory / ENTITIES_FILE, ef)
    rdoc, p2 = yamlsrc.read(directory / RELATIONS_FILE, rf)
    col.problems += p1 + p2
    etop = _top(col, ef, edoc, {"entities": list})
    rtop = _top(col, rf, rdoc, {"sources": dict, "tiers": list, "relations": list})
    if edoc is not None and isinstance(edoc, dict) and "entities" not in edoc:
        col.add(ef, (1, 1), "missing the top-level key 'entities'")

    # sources
    sources: dict[str, dict] = {}
    sdoc = rtop.get("sources", {})
    for sid, value in sdoc.items():
        pos = sdoc.value_pos.get(sid)
        if not isinstance(value, dict):
            col.add(rf, pos, f"source {sid!r}: expected a mapping with title and url, got {_show(value)}")
            continue
        [(_, model)] = _validate_records(col, rf, f"source {sid!r}", Source, _single(value, pos), FIELDS["source"])
        if model is not None:
            sources[sid] = _clean(model)

    # tiers
    tiers: list[dict]
    if "tiers" in rtop:
        tiers = []
        tdoc = rtop["tiers"]
        for record, model in _validate_records(col, rf, "tier", TierDef, tdoc, FIELDS["tier"]):
            if model is None:
                continue
            if any(t["id"] == model.id for t in tiers):
                col.add(rf, _pos_of(record, ("id",)), f"duplicate tier id {model.id!r}")
                continue
            tiers.append({"id": model.id, "name": model.name or model.id})
    else:
        tiers = [{"id": t.id, "name": t.name} for t in BUNDLED_TIERS]
    tier_ids = [t["id"] for t in tiers]

    def check_sources(file, record, refs: list[str], label: str) -> None:
        for i, ref in enumerate(refs):
            if "://" in ref or ref in sources:
                continue
            pos = (
                _pos_of(record, ("sources", i))
                if isinstance(record.get("sources"), list)
                else _pos_of(record, ("sources",))
            )
            hint = suggest(ref, list(sources), limit=1)
            tip = (
                f" — did you mean {hint[0]!r}?"
                if hint
                else " (add it under 'sources:' in relations.yaml, or give a URL)"
            )
            col.add(file, pos, f"{label}: unknown source {ref!r}{tip}")

    def check_order(file, record, since, until, label) -> None:
        if not dates.ordered(since, until):
            col.add(file, _pos_of(record, ("until",)), f"{label}: until {until!r} is before since {since!r}")

    # entities
    entities: dict[str, dict] = {}
    seen_ids: dict[str, tuple[str, int]] = {}
    for record, model in _validate_records(col, ef, "entity", Entity, etop.get("entities", []), FIELDS["entity"]):
        if model is None:
            continue
        label = f"entity {model.id!r}"
        folded = model.id.casefold()
        if folded in seen_ids:
            first_id, first_line = seen_ids[folded]
            col.add(
                ef, _pos_of(record, ("id",)), f"duplicate entity id {model.id!r} (first defined at line {first_line})"
            )
            continue
        seen_ids[folded] = (model.id, record.line)
        check_sources(ef, record, model.sources, label)
        check_order(ef, record, model.since, model.until, label)
        ent = _clean(model)
        ent.setdefault("aliases", [])
        entities[model.id] = ent

    # relations
    relations: dict[str, dict] = {}
    rel_lines: dict[str, int] = {}
    for record, model in _validate_records(
        col, rf, "relation", Relation, rtop.get("relations", []), FIELDS["relation"]
    ):
        if model is None:
            # the record is invalid, but its references can still be checked: report those too
            if isinstance(record, dict):
                raw = {k: record.get(k) for k in ("from", "to", "via", "type", "tier")}
                rid = record.get("id") if isinstance(record.get("id"), str) else None
                label = f"relation {rid!r}" if rid else "relation"
                _check_relation_refs(col, rf, record, raw, label, entities, tier_ids)
            continue
        rel = _clean(model, by_alias=True)
        rel["status"] = model.status
        explicit = model.id is not None
        rid = model.id if explicit else derive_relation_id(rel)
        label = f"relation {rid!r}" if explicit else f"relation {model.from_}->{model.to} ({model.type})"
        ok = _check_relation_refs(col, rf, record, rel, label, entities, tier_ids)
        if model.tier is not None and model.type not in TIER_TYPES:
            col.add(
                rf,
                _pos_of(record, ("tier",)),
                f"{label}: 'tier' only applies to a partnership, not {model.type!r}",
                "warning",
            )
        if model.from_ == model.to:
            col.add(rf, _pos_of(record, ("to",)), f"{label}: relates {model.to!r} to itself", "warning")
        check_sources(rf, record, model.sources, label)
        check_order(rf, record, model.since, model.until, label)
        if not model.sources:
            col.add(rf, (record.line, record.column), f"{label}: no source; add 'sources: [...]'", "warning")
        if rid in relations:
            what = "duplicate relation id" if explicit else "relation repeats the one"
            col.add(rf, _pos_of(record, ("id",)) if explicit else (record.line, record.column),
                    f"{what} {rid!r} (first at line {rel_lines[rid]})" if explicit
                    else f"{label}: {what} at line {rel_lines[rid]}; give each an explicit 'id' if both are meant")  # fmt: skip
            continue
        if not ok:
            continue
        rel["id"] = rid
        relations[rid] = {"id": rid, **{k: v for k, v in rel.items() if k != "id"}}
        rel_lines[rid] = record.line

    _warn_alias_clashes(col, ef, entities)
    col.problems.sort(key=lambda p: (p.file != ef, p.file, p.line, p.column))
    errors = [p for p in col.problems if p.severity == "error"]
    if errors:
        return None, col.problems
    warnings = [p for p in col.problems if p.severity == "warning"]
    return Dataset(str(directory), entities, relations, sources, tiers, warnings), col.problems


def _check_relation_refs(col: _Collector, file: str, record, rel: dict, label: str,
                         entities: dict, tier_ids: list[str]) -> bool:  # fmt: skip
    """Check a relation's entity references and tier; report problems; True when all resolve."""
    from .names import suggest

    ok = True
    for field in ("from", "to", "via"):
        ref = rel.get(field)
        if not isinstance(ref, str) or ref in entities:
            continue
        ok = False
        hint = suggest(ref, list(entities), limit=1)
        tip = f" — did you mean {hint[0]!r}?" if hint else ""
        col.add(file, _pos_of(record, (field,)), f"{label}: field {field!r}: unknown entity {ref!r}{tip}")
    tier = rel.get("tier")
    if rel.get("type") == "partnership" and tier is None:
        ok = False
        col.add(
            file, (record.line, record.column), f"{label}: a partnership needs a 'tier' (one of: {', '.join(tier_ids)})"
        )
    if isinstance(tier, str) and tier not in tier_ids:
        ok = False
        hint = suggest(tier, tier_ids, limit=1)
        tip = f" — did you mean {hint[0]!r}?" if hint else f" (tiers: {', '.join(tier_ids)})"
        col.add(file, _pos_of(record, ("tier",)), f"{label}: field 'tier': unknown tier {tier!r}{tip}")
    return ok


def _single(value, pos):
    """Wrap one mapping as a one-item list so it goes through ``_validate_records``."""
    from .yamlsrc import YList

    items = YList([value])
    items.item_pos = [pos or (0, 0)]
    return items


def _warn_alias_clashes(col: _Collector, file: str, entities: dict[str, dict]) -> None:
    from .names import build_index

    index = build_index(entities)
    for key, ids in index["exact"].items():
        if len(ids) > 1:
            col.add(
                file,
                None,
                f"the name {key!r} is shared by {', '.join(ids)}: queries with it will be ambiguous",
                "warning",
            )

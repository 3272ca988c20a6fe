"""The checkers of the small sections: sources, the default tier ladder, declared types and
entities. Each reads its section, reports what is wrong, and returns the records that passed."""

from __future__ import annotations

import re

from .. import dates
from ..errors import Problem
from ..names import suggest
from ..vocab import BUNDLED_TIERS, ENTITY_TYPES, RELATION_TYPES
from .report import File, check_records, date_field, names_of, show

# A URL's scheme: letters first, then letters, digits, '+', '-' or '.', then ':'
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# What a link may not hold: whitespace, C0/C1 controls, bidirectional controls
_LINK_BAD_CHARS = re.compile("[\\s\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def link_problem(url: str) -> str | None:
    """Why ``url`` is not a link a source may give (None: it is one): sources link only to the
    web (``http://``, ``https://`` with a host) or to a DOI (``doi:10.…``); a ``javascript:``,
    ``data:`` or ``file:`` URL, or one with spaces or control characters, is not (``check``
    warns; the renderers never make a link of it).

    >>> link_problem("https://example.org/a"), link_problem("doi:10.1000/182")
    (None, None)
    >>> link_problem("javascript:alert(1)")
    "a 'javascript:' link; sources link only to the web (http://, https://) or to a DOI (doi:10.…)"
    """
    from urllib.parse import urlsplit

    m = _SCHEME_RE.match(url)
    scheme = m.group(1).lower() if m else ""
    if scheme not in ("http", "https", "doi"):
        what = f"a {scheme + ':'!r} link" if scheme else "not a link"
        return f"{what}; sources link only to the web (http://, https://) or to a DOI (doi:10.…)"
    bad = _LINK_BAD_CHARS.search(url)
    if bad:
        tip = " (write a space as %20)" if bad.group() == " " else ""
        return f"a link cannot hold U+{ord(bad.group()):04X}{tip}"
    if scheme == "doi":
        return None if url[4:].startswith("10.") else "a DOI starts with '10.' (doi:10.1000/182)"
    try:
        host = urlsplit(url).hostname
    except ValueError as exc:
        return f"not a valid web address ({exc})"
    return None if host else "a web link needs a host (https://example.org/...)"


def is_link(ref: str) -> bool:
    """Does a source reference look like a link (a scheme, e.g. ``https:``) rather than an id?"""
    return _SCHEME_RE.match(ref) is not None


def check_sources(sources: dict, file: File, path: tuple, refs: list[str], label: str, record: dict) -> None:
    """Report each of a record's source references that is neither a known source id nor a web
    or DOI link (``link_problem``)."""
    for i, ref in enumerate(refs):
        if ref in sources:
            continue
        where = (*path, "sources", i) if isinstance(record.get("sources"), list) else (*path, "sources")
        if is_link(ref):
            problem = link_problem(ref)
            if problem is not None:
                file.add(where, f"{label}: source {show(ref)}: {problem}", "warning")
            continue
        hint = suggest(ref, list(sources), limit=1)
        tip = f" — did you mean {hint[0]!r}?" if hint else " (add it under 'sources:' in relations.yaml, or give a URL)"
        file.add(where, f"{label}: unknown source {ref!r}{tip}")


def sources_section(file: File, top: dict) -> dict[str, dict]:
    """The ``sources:`` registry (id -> {title, url, date, ...}), dates checked."""
    sources: dict[str, dict] = {}
    sdoc = top.get("sources", {})
    sids = list(sdoc)
    svals = [sdoc[s] for s in sids]
    for i in check_records(file, "sources", "source", svals, keys=sids):
        rec = svals[i]
        date, ok = date_field(file, ("sources", sids[i]), f"source {sids[i]!r}", rec, "date")
        url = rec.get("url")
        problem = link_problem(url) if isinstance(url, str) else None
        if problem is not None:
            file.add(("sources", sids[i], "url"), f"source {sids[i]!r}: url {show(url)}: {problem}", "warning")
        if ok:
            sources[str(sids[i])] = {k: v for k, v in {**rec, "date": date}.items() if v is not None}
    return sources


def tiers_section(file: File, top: dict) -> list[dict]:
    """The default ladder: the ``tiers:`` list ({id, name}, highest first), else the bundled one."""
    if "tiers" not in top:
        return [{"id": t.id, "name": t.name} for t in BUNDLED_TIERS]
    tiers: list[dict] = []
    items = top["tiers"]
    for i in check_records(file, "tiers", "tier", items):
        rec = items[i]
        if any(t["id"] == rec["id"] for t in tiers):
            file.add(("tiers", i, "id"), f"duplicate tier id {rec['id']!r}")
            continue
        tiers.append({"id": rec["id"], "name": rec.get("name") or rec["id"]})
    return tiers


def declared_types(file: File, top: dict, section: str, kind: str) -> dict[str, dict]:
    """The types a ``relation_types:`` or ``entity_types:`` section declares (name -> fields)."""
    from .records import TYPE_NAME_PATTERN

    items = top.get(section, {})
    if not items:
        return {}
    names = list(items)
    builtin = RELATION_TYPES if kind == "relation_type" else ENTITY_TYPES
    what = "relation type" if kind == "relation_type" else "entity type"
    out: dict[str, dict] = {}
    values = [items[n] for n in names]
    for i in check_records(file, section, kind, values, keys=names):
        name = names[i]
        if not isinstance(name, str) or not re.match(TYPE_NAME_PATTERN, name):
            file.add((section, name), f"{what} {name!r}: a type's name is lowercase snake_case (letters, digits, '_'), e.g. 'disputes_with'", key=True)  # fmt: skip
        elif name in builtin:
            file.add((section, name), f"{what} {name!r} is built in and cannot be redefined; give yours another name (`allygraph types` lists the built-in ones)", key=True)  # fmt: skip
        else:
            out[name] = {k: v for k, v in values[i].items() if v is not None}
    return out


def entities_section(file: File, items: list, sources: dict, entity_types: dict) -> dict[str, dict]:
    """The entities (id -> record as the contract writes it): ids unique ignoring case, names
    plain text, dates in order, sources known."""
    from ..timing import stage

    entities: dict[str, dict] = {}
    folded_ids: dict[str, int] = {}
    with stage("validate entities (pydantic)"):
        good = check_records(file, "entities", "entity", items, declared=tuple(entity_types))
    for i in good:
        rec = items[i]
        path = ("entities", i)
        eid = rec["id"]
        label = f"entity {eid!r}"
        folded = eid.casefold()
        if folded in folded_ids:
            first = file.positions.value(("entities", folded_ids[folded])) or (0, 0)
            file.add((*path, "id"), f"duplicate entity id {eid!r} (first defined at line {first[0]})")
            continue
        folded_ids[folded] = i
        _check_name_chars(file, path, label, rec)
        since, ok1 = date_field(file, path, label, rec, "since")
        until, ok2 = date_field(file, path, label, rec, "until")
        if ok1 and ok2 and not dates.ordered(since, until):
            file.add((*path, "until"), f"{label}: until {until!r} is before since {since!r}")
        refs = names_of(rec.get("sources"))
        check_sources(sources, file, path, refs, label, rec)
        entities[eid] = _entity(rec, since, until, refs)
    return entities


def _entity(rec: dict, since: str | None, until: str | None, refs: list[str]) -> dict:
    """An entity as stored: the fields that carry something, in the contract's order."""
    ent = {"id": rec["id"], "name": rec["name"], "type": rec["type"], "aliases": names_of(rec.get("aliases"))}
    for key, value in (("description", rec.get("description")), ("wikidata", rec.get("wikidata")),
                       ("since", since), ("until", until), ("attributes", rec.get("attributes")),
                       ("sources", refs)):  # fmt: skip
        if value not in (None, [], {}):
            ent[key] = dict(rec["attributes"]) if key == "attributes" else value
    return ent


# C0 and C1 control characters, and the bidirectional embeddings, overrides and isolates that
# can make a name display as something else. (The marks LRM, RLM and ALM belong in right-to-left
# text and are allowed.)
_BAD_NAME_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _check_name_chars(file: File, path: tuple, label: str, rec: dict) -> None:
    """Names and aliases are what people type and read: a control or bidi-control character in
    one is a warning (the data still loads, every output shows it escaped, and exports keep it
    as written). In an id it is an error: ids are ASCII letters, digits, '_', '-' and '.'."""
    bad = _BAD_NAME_CHARS
    m = bad.search(rec["name"])
    if m:
        file.add((*path, "name"), f"{label}: field 'name': control character U+{ord(m.group()):04X} at position {m.start() + 1}; names are plain text (remove it)", "warning")  # fmt: skip
    aliases = rec.get("aliases")
    for j, alias in enumerate([aliases] if isinstance(aliases, str) else aliases or ()):
        m = bad.search(alias)
        if m:
            where = (*path, "aliases") if isinstance(aliases, str) else (*path, "aliases", j)
            file.add(where, f"{label}: alias {j + 1}: control character U+{ord(m.group()):04X} at position {m.start() + 1}; aliases are plain text (remove it)", "warning")  # fmt: skip


def warn_alias_clashes(file: File, index: dict) -> None:
    """Warn about each name (or alias) that several entities share: queries with it are ambiguous."""
    for key, ids in index["exact"].items():
        if len(ids) > 1:
            file.problems.append(Problem(file.name, 0, 0, f"the name {key!r} is shared by {', '.join(ids)}: queries with it will be ambiguous", "warning"))  # fmt: skip

"""Name resolution and fuzzy suggestions: the one place that turns what a user typed into ids.

Ids, names and aliases match without regard to case; a second, looser pass also ignores
accents, spaces and punctuation (``marcos jr`` finds ``Marcos Jr.``). When neither finds the
name, a third pass reads it as words: it names an entity when its words appear, in order and
next to each other, among the words of one of the entity's names or aliases (``RAA``,
``Reciprocal Access Agreement``, ``Abukuma``, ``Marcos``); the last word may be the start of a
word (``Bong``) when it has three letters or more. Whole words win over word starts. One entity
found answers; several are ambiguous (the choices are listed).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from .errors import AmbiguousName, UnknownEntity

_LOOSE_RE = re.compile(r"[\W_]+")
MIN_PREFIX = 3  # the shortest word start that may stand for a word


def exact_key(text: str) -> str:
    """The key a name is matched on exactly: trimmed and case-folded."""
    return text.strip().casefold()


def loose_key(text: str) -> str:
    """The key a name is matched on loosely: case, accents, spaces and punctuation ignored."""
    if text.isascii():
        return _LOOSE_RE.sub("", text.casefold())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _LOOSE_RE.sub("", stripped)


def suggest(word: str, choices: Iterable[str], limit: int = 3, cutoff: float = 70.0) -> list[str]:
    """Close matches for ``word`` among ``choices``, best first (rapidfuzz edit-distance ratio,
    case-insensitive): the "did you mean" of a typo."""
    from rapidfuzz import fuzz, process, utils

    found = process.extract(word, list(choices), scorer=fuzz.ratio, processor=utils.default_process, limit=limit * 3)
    out: list[str] = []
    best = found[0][1] if found else 0
    for choice, score, _ in found:
        # keep only the clear front-runners: a typo's match, not everything vaguely alike
        if score >= max(cutoff, best - 8) and choice not in out:
            out.append(choice)
    return out[:limit]


def build_index(entities: Mapping[str, Mapping]) -> dict[str, dict[str, list[str]]]:
    """Map exact and loose keys of every id, name and alias to the entity ids they name."""
    exact: dict[str, list[str]] = {}
    loose: dict[str, list[str]] = {}
    for eid, ent in entities.items():
        for label in (eid, ent["name"], *ent.get("aliases", ())):
            for table, key in ((exact, exact_key(label)), (loose, loose_key(label))):
                if not key:
                    continue
                ids = table.setdefault(key, [])
                if eid not in ids:
                    ids.append(eid)
    return {"exact": exact, "loose": loose}


def words(text: str) -> list[str]:
    """The words of a name, case-folded, without accents or punctuation."""
    folded = text.casefold()
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return [w for w in _LOOSE_RE.split(folded) if w]


def word_matches(name: str, labels: Mapping[str, Iterable[str]]) -> list[str]:
    """Entity ids whose name or alias contains the words of ``name`` (see the module docstring):
    those matched by whole words if any, else those matched with a word start. Sorted."""
    query = words(name)
    if not query:
        return []
    whole: set[str] = set()
    start: set[str] = set()
    n, head, last = len(query), query[:-1], query[-1]
    prefix_ok = len(last) >= MIN_PREFIX
    for label, ids in labels.items():
        toks = words(label)
        for i in range(len(toks) - n + 1):
            if toks[i : i + n - 1] != head:
                continue
            tok = toks[i + n - 1]
            if tok == last:
                whole.update(ids)
                break
            if prefix_ok and tok.startswith(last):
                start.update(ids)
    return sorted(whole or start)


def resolve(name: str, entities: Mapping[str, Mapping], index: Mapping[str, Mapping[str, list[str]]]) -> str:
    """Return the id that ``name`` stands for.

    Raises UnknownEntity (with suggestions) or AmbiguousName (with the choices).

    >>> ents = {"japan": {"name": "Japan", "aliases": ["JPN"]}}
    >>> resolve("jpn", ents, build_index(ents))
    'japan'
    """
    if name in entities:
        return name
    for table, key in (("exact", exact_key(name)), ("loose", loose_key(name))):
        ids = index[table].get(key)
        if ids:
            if len(ids) == 1:
                return ids[0]
            raise AmbiguousName(name, [(i, entities[i]["name"]) for i in sorted(ids)])
    ids = word_matches(name, index["exact"])
    if len(ids) == 1:
        return ids[0]
    if ids:
        raise AmbiguousName(name, [(i, entities[i]["name"]) for i in ids])
    labels = list(index["exact"])
    close = suggest(name, labels)
    suggestions: list[str] = []
    for label in close:
        for eid in index["exact"][label]:
            if eid not in suggestions:
                suggestions.append(eid)
    raise UnknownEntity(name, suggestions)

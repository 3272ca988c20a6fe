"""``search``: fuzzy search over ids, names and aliases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UsageError
from ..names import words
from ..store import Store, as_store

if TYPE_CHECKING:
    import networkx as nx


SHORT_LABEL = 3  # labels this short (codes: SCS, CAN, PRC) match as a whole, never as a part
WORD_SCORE = 90.0  # a code that is a whole word of the query: what WRatio gives a label found whole in a longer one


def _word_runs(text: str) -> set[str]:
    """Every run of one or two consecutive words of a query of two words or more, space-joined
    (a label of three characters has at most two words: ``c-5``); empty for a single word."""
    w = words(text)
    if len(w) < 2:
        return set()
    return set(w) | {f"{a} {b}" for a, b in zip(w, w[1:], strict=False)}


def search(G: Store | nx.MultiDiGraph, text: str, *, limit: int = 10, cutoff: float = 60.0) -> dict:
    """Fuzzy search over ids, names and aliases (rapidfuzz WRatio, 0-100), best first.

    At most ``limit`` matches, except that matches tied with the last one shown are shown too
    (``coast gard`` lists every coast guard, not the first in alphabetical order). Labels of at
    most three characters (codes) match only the whole query or, three-letter ones, a whole word of
    it (score 90), never a part of a word: ``reciprocal access`` does not find ``SCS``."""
    from rapidfuzz import fuzz, process, utils

    S = as_store(G)
    if not text.strip():
        raise UsageError("search needs some text")
    labels = S.labels()
    # WRatio rewards partial matches, which makes short codes (IN, ID, SCS, CAN) match almost
    # anything (scs in "reciprocal access"): score those as a whole or as whole words instead.
    longer = sorted(label for label in labels if len(label) > SHORT_LABEL)  # sorted: ties break alike in every store
    shorter = sorted(label for label in labels if len(label) <= SHORT_LABEL)
    # every label above the cutoff (not the first few): an entity whose labels score lower than
    # another entity's many aliases must not fall out of a tie
    found = process.extract(text, longer, scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=None, score_cutoff=cutoff)  # fmt: skip
    # a code matches the whole query by edit distance (a typo: jnp) ...
    found += process.extract(text, shorter, scorer=fuzz.ratio, processor=utils.default_process,
                             limit=limit, score_cutoff=max(cutoff, 80))  # fmt: skip
    # ... or, from three characters, a whole word of a longer query (prc navy), never a part of one
    runs = _word_runs(text)
    if runs:
        found += [(label, WORD_SCORE, -1) for label in shorter
                  if len(label) == SHORT_LABEL and " ".join(words(label)) in runs]  # fmt: skip
    best: dict[str, tuple[float, str]] = {}
    for label, score, _ in found:
        for eid in sorted(labels[label]):
            if eid not in best or score > best[eid][0]:
                best[eid] = (score, label)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], S.entity(kv[0])["name"].casefold()))
    keep = ranked[:limit]
    if len(ranked) > limit and keep:  # a tie at the limit is kept whole: no tied match is dropped
        last = round(keep[-1][1][0], 1)
        keep += [kv for kv in ranked[limit:] if round(kv[1][0], 1) == last]
    matches = [{"id": eid, "name": S.entity(eid)["name"], "type": S.entity(eid)["type"],
                "score": round(score, 1), "matched": label} for eid, (score, label) in keep]  # fmt: skip
    return {"query": text, "matches": matches}

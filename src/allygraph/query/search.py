"""``search``: fuzzy search over ids, names and aliases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..problems import UsageError
from ..store import Store, as_store

if TYPE_CHECKING:
    import networkx as nx


def search(G: Store | nx.MultiDiGraph, text: str, *, limit: int = 10, cutoff: float = 60.0) -> dict:
    """Fuzzy search over ids, names and aliases (rapidfuzz WRatio, 0-100), best first.

    At most ``limit`` matches, except that matches tied with the last one shown are shown too
    (``coast gard`` lists every coast guard, not the first in alphabetical order)."""
    from rapidfuzz import fuzz, process, utils

    S = as_store(G)
    if not text.strip():
        raise UsageError("search needs some text")
    labels = S.labels()
    # WRatio rewards partial matches, which makes two-letter aliases (IN, ID) match almost
    # anything: score those by plain edit distance instead.
    longer = sorted(label for label in labels if len(label) > 2)  # sorted: ties break alike in every store
    shorter = sorted(label for label in labels if len(label) <= 2)
    # every label above the cutoff (not the first few): an entity whose labels score lower than
    # another entity's many aliases must not fall out of a tie
    found = process.extract(text, longer, scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=None, score_cutoff=cutoff)  # fmt: skip
    found += process.extract(text, shorter, scorer=fuzz.ratio, processor=utils.default_process,
                             limit=limit, score_cutoff=max(cutoff, 80))  # fmt: skip
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

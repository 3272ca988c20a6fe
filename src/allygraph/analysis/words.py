"""The words of analysis: how a relation reads as an English sentence.

One table, ``TEMPLATES``, keyed by relation type and status, holds every sentence ``timeline`` and
``explain`` write. Each entry is a ``Phrase`` with three forms: ``began`` (the event of its start,
past tense, for a timeline), ``holds`` (what it is on the day a brief is read, for ``explain``)
and ``ended`` (the event of its end; None when an end is no event, as for an exercise). The
status a sentence is chosen by is the relation's status *on the day read* (``ties.standing``):
an alliance that ended in 2015 reads "are treaty allies" in a brief dated 2012.

- a ``reported`` relation is always qualified ("reportedly discussed the transfer of ...");
- a ``contradicted`` claim (one whose ``contradicted_by`` names the relations that refute it)
  reads as the claim it makes, followed by "a claim contradicted by ..." naming them;
- names take "the" by a small rule (``noun``): an entity's ``attributes.article`` (``the`` or
  ``none``) when given; else states whose names are plural or a form of government ("the
  Philippines", "the United States", "the Republic of Korea"); else agreements, frameworks,
  organisations, events and areas ("the Quad", "the Japan Coast Guard"), except a name that is one
  all-capital word or one proper word and a number ("ASEAN", "AUKUS", "Balikatan 2025") and a
  named feature ("Second Thomas Shoal", "Reed Bank");
  people, platforms and programmes never ("Official Security Assistance");
- "a" or "an" by the sound of the next word (``indefinite``: "an Extensive Strategic Partnership").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ..store import Store

Escape = Callable[[str], str]


class Phrase(NamedTuple):
    """The sentences of one relation type in one status (see the module docstring)."""

    began: str | None
    holds: str
    ended: str | None = None


# Placeholders: {A} the first party as a sentence's subject (capitalised), {a} the same mid-sentence,
# {b} the other party, {via} the platform, programme or exercise it went through ("" when none),
# {tier} a partnership's rung with "a"/"an", {Tier} the rung's bare name; {since} " since D",
# {span} " from D1 to D2" (or since/until), {dated} " (D)" or " (D1 to D2)".
# Keyed by relation type, then status (flattened below into TEMPLATES).
_BY_TYPE: dict[str, dict[str, Phrase]] = {
    "alliance": {
        "active": Phrase("{A} and {b} became treaty allies{under}", "{A} and {b} have been treaty allies{under}{since}",
                         "{A} and {b} ended their alliance{under}"),
        "ended": Phrase("{A} and {b} became treaty allies{under}", "{A} and {b} were treaty allies{under}{span}",
                        "{A} and {b} ended their alliance{under}"),
        "signed": Phrase("{A} and {b} signed a treaty of alliance{under}",
                         "{A} and {b} signed a treaty of alliance{under}{dated}"),
    },
    "partnership": {
        "active": Phrase("{A} and {b} set up {tier}", "{A} and {b} have held {tier}{since}",
                         "{A} and {b} no longer hold {tier}"),
        "ended": Phrase("{A} and {b} set up {tier}", "{A} and {b} held {tier}{span}",
                        "{A} and {b} no longer hold {tier}"),
        "reported": Phrase("{A} and {b} reportedly set up {tier}", "{A} and {b} have reportedly held {tier}{since}",
                           "{A} and {b} reportedly no longer hold {tier}"),
        "proposed": Phrase("{A} and {b} proposed {tier}", "{A} and {b} have proposed {tier}{dated}"),
    },
    "party_to": {
        "active": Phrase("{B} entered into force for {a}", "{A} has been party to {b}{since}", "{A} left {b}"),
        "ended": Phrase("{B} entered into force for {a}", "{A} was party to {b}{span}", "{A} left {b}"),
        "suspended": Phrase("{B} entered into force for {a}", "{A} has been party to {b}{since}",
                            "{A} suspended participation in {b}"),
        "signed": Phrase("{A} signed {b}", "{A} signed {b}{dated}, not yet in force"),
        "negotiating": Phrase("{A} began negotiating {b}", "{A} has been negotiating {b}{since}"),
        "proposed": Phrase("{A} proposed {b}", "{A} has proposed {b}{dated}"),
        "reported": Phrase("{A} reportedly agreed to {b}", "{A} has reportedly been party to {b}{since}"),
    },
    "member_of": {
        "active": Phrase("{A} joined {b}", "{A} has been a member of {b}{since}", "{A} left {b}"),
        "ended": Phrase("{A} joined {b}", "{A} was a member of {b}{span}", "{A} left {b}"),
        "reported": Phrase("{A} reportedly joined {b}", "{A} has reportedly been a member of {b}{since}"),
    },
    "arms_transfer": {
        "active": Phrase("{A} transferred {what} to {b}", "{A} transferred {what} to {b}{dated}"),
        "reported": Phrase("{A} reportedly discussed the transfer of {what} to {b}",
                           "{A} reportedly discussed the transfer of {what} to {b}{dated}"),
        "proposed": Phrase("{A} proposed the transfer of {what} to {b}",
                           "{A} has proposed the transfer of {what} to {b}{dated}"),
        "negotiating": Phrase("{A} began negotiating the transfer of {what} to {b}",
                              "{A} is negotiating the transfer of {what} to {b}{dated}"),
        "signed": Phrase("{A} signed the transfer of {what} to {b}",
                         "{A} signed the transfer of {what} to {b}{dated}, not yet delivered"),
    },
    "provides": {
        "active": Phrase("{A} provided {support} to {b}", "{A} provided {support} to {b}{dated}"),
        "reported": Phrase("{A} reportedly provided {support} to {b}",
                           "{A} reportedly provided {support} to {b}{dated}"),
        "proposed": Phrase("{A} proposed {support} for {b}", "{A} has proposed {support} for {b}{dated}"),
        "signed": Phrase("{A} agreed to provide {support} to {b}",
                         "{A} agreed to provide {support} to {b}{dated}, not yet delivered"),
    },
    "exercises_with": {
        "active": Phrase("{A} and {b} exercised together{in_via}", "{A} and {b} exercised together{in_via}{dated}"),
        "reported": Phrase("{A} and {b} reportedly exercised together{in_via}",
                           "{A} and {b} reportedly exercised together{in_via}{dated}"),
    },
    "deploys_to": {
        "active": Phrase("{A} deployed forces to {b}{for_via}", "{A} deployed forces to {b}{for_via}{dated}"),
        "reported": Phrase("{A} reportedly deployed forces to {b}{for_via}",
                           "{A} reportedly deployed forces to {b}{for_via}{dated}"),
    },
    "involved_in": {
        "active": Phrase("{A} took part in {b}", "{A} took part in {b}{dated}"),
    },
    "disputes_with": {
        "active": Phrase("{A} and {b} began to dispute {over}", "{A} and {b} have disputed {over}{since}",
                         "{A} and {b} settled their dispute over {over}"),
        "ended": Phrase("{A} and {b} began to dispute {over}", "{A} and {b} disputed {over}{span}",
                        "{A} and {b} settled their dispute over {over}"),
    },
    "leads": {
        "active": Phrase("{A} took office at the head of {b}", "{A} has led {b}{since}",
                         "{A} left office at the head of {b}"),
        "ended": Phrase("{A} took office at the head of {b}", "{A} led {b}{span}",
                        "{A} left office at the head of {b}"),
    },
    "cooperates_with": {
        "active": Phrase("{A} and {b} began to cooperate{through}", "{A} and {b} have cooperated{through}{since}",
                         "{A} and {b} ended their cooperation{through}"),
    },
    "part_of": {
        "active": Phrase("{A} became part of {b}", "{A} has been part of {b}{since}", "{A} ceased to be part of {b}"),
    },
    "promotes": {
        "active": Phrase("{A} began to promote {b}", "{A} has promoted {b}{since}", "{A} stopped promoting {b}"),
    },
    "administers": {
        "active": Phrase("{A} began to run {b}", "{A} has run {b}{since}", "{A} stopped running {b}"),
    },
    "*": {
        "active": Phrase("{A} {verb} {b}{through}, from this date", "{A} {verb} {b}{through}{since}",
                         "{A} {verb} {b}{through}, until this date"),
        "ended": Phrase("{A} {verb} {b}{through}, from this date", "{A} {verb} {b}{through}{span}",
                        "{A} {verb} {b}{through}, until this date"),
    },
}  # fmt: skip
TEMPLATES: dict[tuple[str, str], Phrase] = {(t, s): ph for t, by in _BY_TYPE.items() for s, ph in by.items()}

# A partnership that follows an earlier rung between the same pair (a timeline's tier_upgrade and
# tier_change); {old} is the earlier rung with "a"/"an".
TIER_MOVES: dict[tuple[str, str], str] = {
    ("tier_upgrade", "active"): "{A} and {b} raised their partnership from {old} to {tier}",
    ("tier_upgrade", "reported"): "{A} and {b} reportedly raised their partnership from {old} to {tier}",
    ("tier_change", "active"): "{A} and {b} moved their partnership from {old} to {tier}",
    ("tier_change", "reported"): "{A} and {b} reportedly moved their partnership from {old} to {tier}",
}

# An entity's own dated events (a timeline's agreement_signed, agreement_in_force, framework_founded,
# event, and any other type's "<type>_began"); {N} is its name as a sentence's subject.
ENTITY_EVENTS: dict[str, str] = {
    "agreement_signed": "{N} was signed", "agreement_in_force": "{N} entered into force",
    "framework_founded": "{N} was founded", "event": "{N} began", "*": "{N} began",
}  # fmt: skip

# An undated relation placed at the date of its earliest source (a timeline's first_cited).
FIRST_CITED = "First cited: {sentence}"

# Relation types whose end is not an event of its own (the last day of an exercise or a transfer).
NO_END_EVENT = frozenset({"arms_transfer", "provides", "exercises_with", "deploys_to", "involved_in"})

# What a sentence adds when its type has no words of its own for a status.
QUALIFIERS: dict[str, str] = {
    "reported": " (reported, unconfirmed)", "proposed": " (proposed)", "negotiating": " (under negotiation)",
    "signed": " (signed, not in force)", "suspended": " (suspended)",
}  # fmt: skip

# The statuses that read as another: in force is active; the days before or after a relation read
# by its own status (the timeline's start of an alliance that has ended since is still a start).
_SAME = {"in_force": "active", "not_yet": "active"}


def phrase(rel_type: str, status: str) -> tuple[Phrase, str]:
    """The phrase of ``rel_type`` in ``status`` and the qualifier to add to it ("" when the
    phrase says the status itself): the type's own words, else its active words qualified, else
    the generic words."""
    status = _SAME.get(status, status)
    found = TEMPLATES.get((rel_type, status))
    if found is not None:
        return found, ""
    if status == "ended" and (rel_type, "active") in TEMPLATES:
        return TEMPLATES[(rel_type, "active")], ""
    base = TEMPLATES.get((rel_type, "active")) or TEMPLATES[("*", "ended" if status == "ended" else "active")]
    return base, QUALIFIERS.get(status, "")


# ----------------------------------------------------------------------------- names and articles

_THE_STATE = re.compile(
    r"^(United|Republic|Kingdom|Federated|Democratic|Holy|Czech Republic|Central African|Dominican)\b"
    r"|\b(Islands|Philippines|Netherlands|Bahamas|Maldives|Gambia|Comoros|Emirates|Republic)$"
)
_FEATURE = re.compile(r"\b(Shoal|Bank|Reef|Island|Atoll|Cay|Rocks?)$")
_NEVER_THE = frozenset({"person", "platform", "program"})
_PROPER = re.compile(r"^[A-Z][A-Za-z]*$")


def takes_the(ent: dict) -> bool:
    """Whether an entity's name takes "the" (see the module docstring for the rule).

    >>> takes_the({"name": "Philippines", "type": "state"}), takes_the({"name": "Japan", "type": "state"})
    (True, False)
    >>> takes_the({"name": "ASEAN", "type": "organization"}), takes_the({"name": "Quad", "type": "framework"})
    (False, True)
    >>> takes_the({"name": "Balikatan 2025", "type": "event"}), takes_the({"name": "Reed Bank sinking", "type": "event"})
    (False, True)
    """
    said = str((ent.get("attributes") or {}).get("article", "")).strip().lower()
    if said in ("the", "none", "no", "false"):
        return said == "the"
    name = ent.get("name", "")
    if name.lower().startswith("the "):
        return False  # the name has its own
    if ent.get("type") == "state":
        return bool(_THE_STATE.search(name))
    if _FEATURE.search(name):
        return False  # Second Thomas Shoal, Reed Bank: a named feature takes none
    if ent.get("type") in _NEVER_THE:
        return False
    words = [w for w in re.sub(r"\([^)]*\)", " ", name).split() if not w[:1].isdigit()]
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        return False  # ASEAN, AUKUS, KAMANDAG 2 (2018)
    # Balikatan 2025: a proper name and its year takes none
    return not (ent.get("type") == "event" and len(words) == 1 and _PROPER.match(words[0]) and words != name.split())


def noun(ent: dict, esc: Escape = str) -> str:
    """An entity's name as a sentence uses it: "the Philippines", "Japan"."""
    return ("the " if takes_the(ent) else "") + esc(ent["name"])


def indefinite(words: str) -> str:
    """``words`` with "a" or "an" in front, by sound.

    >>> indefinite("Extensive Strategic Partnership"), indefinite("Strategic Partnership")
    ('an Extensive Strategic Partnership', 'a Strategic Partnership')
    """
    low = words.lower()
    vowel = low[:1] in ("a", "e", "i", "o", "u") and not low.startswith(("uni", "use", "usu", "one", "eu"))
    vowel = vowel or low.startswith(("hour", "honest", "honou"))
    return ("an " if vowel else "a ") + words


def capital(text: str) -> str:
    """``text`` with its first letter in capitals ("the Philippines" -> "The Philippines")."""
    return text[:1].upper() + text[1:]


def joined(names: Sequence[str]) -> str:
    """Names as a list in a sentence: "A", "A and B", "A, B and C"."""
    names = list(names)
    if len(names) < 3:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# ----------------------------------------------------------------------------- sentences


def _times(rel: dict) -> dict[str, str]:
    since, until = rel.get("since"), rel.get("until")
    span = (
        f" from {since} to {until}"
        if since and until
        else (f" since {since}" if since else (f" until {until}" if until else ""))
    )
    dated = f" ({since} to {until})" if since and until else (f" ({since or until})" if since or until else "")
    return {"since": f" since {since}" if since else "", "span": span, "dated": dated}  # fmt: skip


def fields(S: Store, rel: dict, esc: Escape = str, *, first: str | None = None, subject: str | None = None) -> dict:
    """The placeholders of ``TEMPLATES`` for one relation. A symmetric relation names ``first``
    first; ``subject`` replaces the first party's name (the parties of a merged event)."""
    ends = (rel["from"], rel["to"])
    if first == rel["to"] and rel["type"] in S.registry.symmetric_types:
        ends = ends[::-1]
    a = subject if subject is not None else noun(S.entity(ends[0]), esc)
    b = noun(S.entity(ends[1]), esc)
    via_ent = S.entity(rel["via"]) if rel.get("via") else None
    via = noun(via_ent, esc) if via_ent else ""
    tier = esc(S.tier_name(rel.get("tier") or "")) if rel.get("tier") else "partnership"
    return {
        "A": capital(a), "a": a, "B": capital(b), "b": b, "via": via,
        "under": f" under {via}" if via else "", "in_via": f" in {via}" if via else "",
        "for_via": (f" for {via}" if via_ent.get("type") == "event" else f" with {via}") if via_ent else "", "through": f" through {via}" if via else "",
        "what": via or "arms",
        # equipment (a platform) is what was given; a programme is what it was given through
        "support": (via if via_ent.get("type") == "platform" else f"support through {via}") if via_ent else "support",
        "over": via or "territory", "tier": indefinite(tier), "Tier": tier,
        "verb": rel["type"].replace("_", " "), **_times(rel),
    }  # fmt: skip


def contradiction(S: Store, rel: dict, esc: Escape = str) -> str:
    """What refutes a contradicted claim: ", a claim contradicted by <id> (<status> since D), ..."."""
    refs = []
    for rid in rel.get("contradicted_by") or ():
        other = _relation(S, rid, rel)
        if other is None:
            refs.append(esc(rid))
            continue
        status = (other.get("status") or "active").replace("_", " ")
        since = f" since {other['since']}" if other.get("since") else ""
        refs.append(f"{esc(rid)} ({status}{since})")
    return f", a claim contradicted by {joined(refs)}" if refs else ""


def _relation(S: Store, rid: str, near: dict) -> dict | None:
    """A relation by id: first among the relations of the claim's own parties (where what
    contradicts a claim usually is), else the store's (``Store.relation``)."""
    for end in (near["from"], near["to"]):
        for other in (*S.out_rels(end), *S.in_rels(end)):
            if other.get("id") == rid:
                return other
    return S.relation(rid)


def sentence(S: Store, rel: dict, status: str, form: str = "holds", esc: Escape = str, *,
             first: str | None = None, subject: str | None = None) -> str | None:  # fmt: skip
    """One relation as a sentence (with its full stop) in ``form`` (``began``, ``holds`` or
    ``ended``), worded for ``status`` (its status on the day read); None when the form is no
    event for this type (an exercise's end). A contradicted claim reads as what it claims, then
    names what contradicts it.

    >>> from allygraph.store import as_store
    >>> import allygraph
    >>> S = as_store(allygraph.load_graph(use_cache=False))
    >>> sentence(S, {"from": "japan", "to": "philippines", "type": "partnership", "since": "2015-06-04",
    ...              "tier": "strengthened_strategic_partnership"}, "active")
    'Japan and the Philippines have held a Strengthened Strategic Partnership since 2015-06-04.'
    """
    claimed = rel.get("status") or "active"
    contradicted = status == "contradicted"
    if contradicted:
        status = claimed
    if form == "ended" and rel["type"] in NO_END_EVENT:
        return None
    words, qualifier = phrase(rel["type"], status)
    template = getattr(words, form)
    if template is None:
        return None
    text = template.format(**fields(S, rel, esc, first=first, subject=subject)) + qualifier
    if contradicted:
        text += contradiction(S, rel, esc)
    return text + "."

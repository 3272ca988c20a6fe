"""The vocabularies: entity types, relation types, statuses and the bundled tier ladder.

This module is the single home of every built-in type name allygraph knows. Adding a built-in
type is a change to the tables below and nothing else. A data directory may add its own types
and each state's ladder (contract v1.2); ``Registry`` holds the built-ins plus those, and the
loader, the queries, ``allygraph types`` and the exporters read a data directory's Registry
(``Dataset.registry``, ``Store.registry``).
"""

from __future__ import annotations

from typing import NamedTuple

ENTITY_TYPES: dict[str, str] = {
    "state": "A sovereign state.",
    "person": "A named individual, such as a head of government.",
    "organization": "A ministry, armed force, coast guard, agency or international organization.",
    "agreement": "A treaty, pact or other instrument that parties join.",
    "platform": "A weapon system, ship or aircraft class.",
    "program": "A programme or funding mechanism that things go through.",
    "framework": "A grouping, dialogue, strategy or vision (the Quad, FOIP).",
    "event": "A dated happening, such as an exercise or a summit.",
}


class RelationType(NamedTuple):
    """A relation type: whether it reads the same both ways, what it means, and how analysis
    reads it (the tie model, contract v1.3): its ``polarity`` (cooperative, adversarial,
    neutral), its ``layer``, whether it is a ``tie`` between its parties, and the ``strength``
    of such a tie in (0, 1] (a partnership's comes from its rung; see ``ties.strength``)."""

    symmetric: bool
    description: str
    polarity: str = "neutral"
    layer: str = "other"
    tie: bool = False
    strength: float = 0.0


# The tie model's strengths are a modelling choice, shown by `allygraph types` and the README:
# a treaty alliance binds most, a shared dialogue least; a partnership's strength comes from its
# rung on each party's own ladder instead of the figure here.
RELATION_TYPES: dict[str, RelationType] = {
    "alliance": RelationType(True, "A treaty alliance with a mutual-defence obligation.", "cooperative", "alliance", True, 1.0),
    "partnership": RelationType(True, "A bilateral partnership at a named tier (needs `tier`).", "cooperative", "partnership", True, 0.5),
    "party_to": RelationType(False, "A party joins, signs or negotiates an agreement.", "cooperative", "agreement", True, 0.6),
    "arms_transfer": RelationType(False, "Supplier transfers arms to recipient, `via` the platform.", "cooperative", "arms", True, 0.6),
    "provides": RelationType(False, "Provider gives aid or equipment, `via` the programme.", "cooperative", "aid", True, 0.4),
    "member_of": RelationType(False, "Member belongs to a framework or organization.", "cooperative", "framework", True, 0.3),
    "leads": RelationType(False, "A person heads a state or organization.", "neutral", "leadership", False, 0.0),
    "exercises_with": RelationType(True, "Forces exercise together, `via` the exercise.", "cooperative", "exercise", True, 0.5),
    "deploys_to": RelationType(False, "A force deploys to a host state.", "cooperative", "deployment", True, 0.7),
    "administers": RelationType(False, "An organization runs a programme.", "neutral", "organisation", False, 0.0),
    "cooperates_with": RelationType(True, "Any other cooperation.", "cooperative", "cooperation", True, 0.3),
    "part_of": RelationType(False, "An organization is part of a state or larger organization.", "neutral", "organisation", False, 0.0),
    "promotes": RelationType(False, "An actor promotes a framework or vision.", "cooperative", "framework", True, 0.2),
}  # fmt: skip

# The layers a relation type may declare (others are allowed, and warned about by `check`).
LAYERS: dict[str, str] = {
    "alliance": "Treaty alliances with a mutual-defence obligation.",
    "partnership": "Named partnership rungs (strategic, comprehensive strategic, ...).",
    "access": "Access and status-of-forces agreements (a party_to an access agreement).",
    "agreement": "Other agreements the parties are party to.",
    "defence": "Defence cooperation that is not an alliance.",
    "framework": "Frameworks, minilaterals and visions the parties share.",
    "aid": "Aid and equipment given through a programme.",
    "arms": "Arms transfers.",
    "exercise": "Exercises together.",
    "deployment": "Forces deployed to a host.",
    "cooperation": "Any other cooperation.",
    "dispute": "Contested sovereignty or maritime rights.",
    "incident": "Dated clashes, standoffs, rulings.",
    "leadership": "Who leads a state or organization.",
    "organisation": "What is part of what, who runs what.",
    "other": "A declared type that names no layer.",
}

SYMMETRIC_TYPES: frozenset[str] = frozenset(k for k, v in RELATION_TYPES.items() if v.symmetric)

# Relation types that describe something that happens at a time (a transfer, a grant, an
# exercise, a deployment) rather than a standing tie: undated, they would read as in force
# forever, so `check` warns about one without a date.
TIME_BOUND_TYPES: frozenset[str] = frozenset({"arms_transfer", "provides", "exercises_with", "deploys_to"})

# Relation types that place their parties on a tier rung.
TIER_TYPES: frozenset[str] = frozenset({"alliance", "partnership"})


def tier_of(rel: dict) -> str | None:
    """The rung a relation puts its parties on: ``alliance`` for an alliance, the tier of a
    partnership, None for any other relation."""
    return "alliance" if rel["type"] == "alliance" else rel.get("tier")


def tier_ranks(tiers: list[dict]) -> dict[str, int]:
    """Tier id -> rank on a ladder given highest first (rank 1 is the highest)."""
    return {t["id"]: i + 1 for i, t in enumerate(tiers)}


STATUSES: dict[str, str] = {
    "proposed": "Proposed, not yet under negotiation.",
    "negotiating": "Under negotiation.",
    "signed": "Signed, not yet in force.",
    "in_force": "In force (an agreement).",
    "active": "Active (the default).",
    "reported": "Reported by a source but not confirmed.",
    "suspended": "Suspended.",
    "ended": "Ended.",
}
DEFAULT_STATUS = "active"


def effective_status(rel: dict) -> str:
    """The status a relation is read with: ``contradicted`` when it names what contradicts it
    (``contradicted_by``), else its own status (``active`` when it has none). Here, below both
    ``ties`` (the one rule for time and status) and the SQLite cache's status column.

    >>> effective_status({"status": "negotiating", "contradicted_by": ["raa-in-force"]})
    'contradicted'
    >>> effective_status({})
    'active'
    """
    if rel.get("contradicted_by"):
        return "contradicted"
    return rel.get("status") or DEFAULT_STATUS


# Source reliability grades, strongest first (``grades`` holds the host rules that assign them).
GRADES: dict[str, str] = {
    "official": "A government, parliament, armed force, court or intergovernmental body speaking for itself.",
    "major": "A major news organization or national wire agency.",
    "specialist": "A research institute, specialist defence or regional outlet, university or scholarly publisher.",
    "secondary": "Any other outlet: corroborates, but should not carry a claim alone.",
    "weak": "An encyclopedia anyone edits, a blog, an aggregator or repost, a press-release wire, a staging or catalogue host.",
}


class Tier(NamedTuple):
    id: str
    name: str


# Highest first. Contract v1 rungs plus designations found in the bundled data
# that sit outside it: enhanced_global_strategic_partnership (UK, 2023: "The Hiroshima Accord: An
# Enhanced UK-Japan Global Strategic Partnership", in both leaders' readouts, rg-wiredgov-2023-hiroshima
# and rg-kantei-2023-hiroshima; its own rung, just above the plain global_strategic_partnership, which
# "enhanced" qualifies), global_strategic_partnership, strategic_global_partnership
# (India, 2006, below the 2014 "Special Strategic and Global"), extensive_strategic_partnership
# (Vietnam, 2014, below the 2023 Comprehensive Strategic Partnership).
BUNDLED_TIERS: tuple[Tier, ...] = (
    Tier("alliance", "Treaty alliance"),
    Tier("special_strategic_global_partnership", "Special Strategic and Global Partnership"),
    Tier("special_strategic_partnership", "Special Strategic Partnership"),
    Tier("enhanced_global_strategic_partnership", "Enhanced Global Strategic Partnership"),
    Tier("global_strategic_partnership", "Global Strategic Partnership"),
    Tier("comprehensive_strategic_partnership", "Comprehensive Strategic Partnership"),
    Tier("strategic_global_partnership", "Strategic and Global Partnership"),
    Tier("extensive_strategic_partnership", "Extensive Strategic Partnership"),
    Tier("strengthened_strategic_partnership", "Strengthened Strategic Partnership"),
    Tier("strategic_partnership", "Strategic Partnership"),
    Tier("global_partnership", "Global Partnership"),
)


class Registry:
    """The vocabularies of one data directory: the built-in tables above plus what its
    ``relations.yaml`` declares (``relation_types:``, ``entity_types:``, ``ladders:``).

    ``tiers`` is the default ladder ([{id, name}], highest first); ``ladders`` maps a state's id
    to its own ladder ({"rungs": [{id, name}], "sources": [...], "note"?}). Declared types are
    plain dicts ({"symmetric", "description"} / {"description"}), so a Registry is rebuilt
    cheaply from what a cache stored.
    """

    def __init__(self, tiers: list[dict], relation_types: dict[str, dict] | None = None,
                 entity_types: dict[str, dict] | None = None, ladders: dict[str, dict] | None = None):  # fmt: skip
        self.tiers = tiers
        self.declared_relation_types = relation_types or {}
        self.declared_entity_types = entity_types or {}
        self.ladders = ladders or {}
        self.relation_types: dict[str, RelationType] = dict(RELATION_TYPES)
        for name, decl in self.declared_relation_types.items():
            polarity = decl.get("polarity") or "neutral"
            self.relation_types[name] = RelationType(
                bool(decl["symmetric"]), decl["description"], polarity, decl.get("layer") or "other",
                bool(decl.get("tie", polarity != "neutral")), float(decl.get("strength", 1.0 if polarity != "neutral" else 0.0)),
            )  # fmt: skip
        self.entity_types: dict[str, str] = dict(ENTITY_TYPES)
        for name, decl in self.declared_entity_types.items():
            self.entity_types[name] = decl["description"]
        self.symmetric_types: frozenset[str] = (
            frozenset(k for k, v in self.relation_types.items() if v.symmetric)
            if self.declared_relation_types
            else SYMMETRIC_TYPES
        )
        self.tier_rank = tier_ranks(tiers)
        self.tier_names: dict[str, str] = {}
        for ladder in (tiers, *(lad["rungs"] for lad in self.ladders.values())):
            for t in ladder:
                self.tier_names.setdefault(t["id"], t.get("name") or t["id"])
        self._ranks: dict[str, dict[str, int]] = {}

    def tier_name(self, tier_id: str) -> str:
        """A rung's display name (its id when it has none)."""
        return self.tier_names.get(tier_id, tier_id)

    def ladder_for(self, eid: str | None) -> list[dict]:
        """The ladder ``eid`` ranks its partners by, highest first: its own rungs, then the default
        ladder's rungs it does not list, then any other declared rung (so every rung has a rank)."""
        own = self.ladders.get(eid) if eid is not None else None
        if own is None and len(self.tier_names) == len(self.tiers):
            return self.tiers
        out: list[dict] = list(own["rungs"]) if own else []
        seen = {t["id"] for t in out}
        for ladder in (self.tiers, *(lad["rungs"] for lad in self.ladders.values())):
            for t in ladder:
                if t["id"] not in seen:
                    seen.add(t["id"])
                    out.append({"id": t["id"], "name": self.tier_name(t["id"])})
        return out

    def ranks_for(self, eid: str | None) -> dict[str, int]:
        """Tier id -> rank on ``ladder_for(eid)`` (1 is the highest)."""
        key = eid if eid in self.ladders else ""
        ranks = self._ranks.get(key)
        if ranks is None:
            ranks = self._ranks[key] = tier_ranks(self.ladder_for(eid))
        return ranks


def designation_of(rel: dict, eid: str) -> str | None:
    """The rung a relation puts its parties on as ``eid`` words it: its entry in the relation's
    ``designations`` when it has one, else ``tier_of(rel)``."""
    own = rel.get("designations")
    if own and eid in own:
        return own[eid]
    return tier_of(rel)


def describe(registry: Registry) -> dict:
    """The vocabularies of a data directory as plain data (what ``allygraph types`` shows): entity
    types, relation types, statuses, the default tier ladder and each state's own, ranks from 1.

    >>> describe(Registry([{"id": "ally", "name": "Ally"}]))["tiers"]
    [{'rank': 1, 'id': 'ally', 'name': 'Ally'}]
    """
    return {
        "entity_types": registry.entity_types,
        "relation_types": {k: {"symmetric": v.symmetric, "description": v.description, "polarity": v.polarity,
                               "layer": v.layer, "tie": v.tie, "strength": v.strength}
                           for k, v in registry.relation_types.items()},
        "layers": LAYERS,
        "statuses": STATUSES,
        "grades": GRADES,
        "tiers": [{"rank": i + 1, **t} for i, t in enumerate(registry.tiers)],
        "ladders": {sid: {**lad, "rungs": [{"rank": i + 1, **t} for i, t in enumerate(lad["rungs"])]}
                    for sid, lad in registry.ladders.items()},
    }  # fmt: skip

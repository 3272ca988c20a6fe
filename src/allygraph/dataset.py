"""A validated data directory as plain Python data (no pydantic), cheap to cache and reload.

Entities and relations are plain dicts with the contract's keys, so they serialise to the
contract's JSON as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .names import build_index, resolve
from .problems import Problem
from .vocab import tier_ranks


@dataclass
class Dataset:
    directory: str
    entities: dict[str, dict]  # id -> entity
    relations: dict[str, dict]  # id -> relation, in file order
    sources: dict[str, dict]  # source id -> {title, url, publisher, date}
    tiers: list[dict]  # [{id, name}], highest first
    warnings: list[Problem] = field(default_factory=list)
    index: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.index:
            self.index = build_index(self.entities)
        self.tier_rank = tier_ranks(self.tiers)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("tier_rank", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.tier_rank = tier_ranks(self.tiers)

    def resolve(self, name: str) -> str:
        """The entity id for an id, name or alias (see ``names.resolve``)."""
        return resolve(name, self.entities, self.index)

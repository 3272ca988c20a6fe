"""A validated data directory as plain Python data (no pydantic), cheap to cache and reload.

Entities and relations are plain dicts with the contract's keys, so they serialise to the
contract's JSON as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Problem
from .names import build_index, resolve
from .vocab import Registry


@dataclass
class Dataset:
    directory: str
    entities: dict[str, dict]  # id -> entity
    relations: dict[str, dict]  # id -> relation, in file order
    sources: dict[str, dict]  # source id -> {title, url, publisher, date}
    tiers: list[dict]  # [{id, name}], highest first: the default ladder
    warnings: list[Problem] = field(default_factory=list)
    index: dict = field(default_factory=dict)
    relation_types: dict[str, dict] = field(default_factory=dict)  # declared: name -> {symmetric, description}
    entity_types: dict[str, dict] = field(default_factory=dict)  # declared: name -> {description}
    ladders: dict[str, dict] = field(default_factory=dict)  # state id -> {rungs: [{id, name}], sources, note?}

    def __post_init__(self) -> None:
        if not self.index:
            self.index = build_index(self.entities)
        self._derive()

    def _derive(self) -> None:
        self.registry = Registry(self.tiers, self.relation_types, self.entity_types, self.ladders)
        self.tier_rank = self.registry.tier_rank

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("tier_rank", None)
        state.pop("registry", None)
        return state

    def __setstate__(self, state: dict) -> None:
        for key in ("relation_types", "entity_types", "ladders"):  # a cache written before v1.2
            state.setdefault(key, {})
        self.__dict__.update(state)
        self._derive()

    def resolve(self, name: str) -> str:
        """The entity id for an id, name or alias (see ``names.resolve``)."""
        return resolve(name, self.entities, self.index)

"""The pydantic models for one record of each kind: entity, relation, source, tier.

They check the shape and value types of a single record. Checks that need the whole data set
(unknown ids, duplicate ids, unknown tiers, unknown source ids) live in ``load.py``.
This module imports pydantic, so only the loader imports it, and only on a cache miss.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from . import dates
from .names import suggest
from .vocab import DEFAULT_STATUS, ENTITY_TYPES, RELATION_TYPES, STATUSES

ID_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")


def _check_id(value: object) -> object:
    if isinstance(value, str) and not ID_RE.match(value):
        raise ValueError(f"invalid id {value!r}: use letters, digits, '_', '-' and '.' only")
    return value


def _check_date(value: object) -> object:
    return None if value is None else dates.parse(value)


def _scalars(value: dict) -> dict:
    for key, item in value.items():
        if not isinstance(item, (str, int, float, bool)) and item is not None:
            kind = (
                "a list" if isinstance(item, list) else "a mapping" if isinstance(item, dict) else type(item).__name__
            )
            raise ValueError(f"attribute {key!r} must be text, a number or true/false, not {kind}")
    return value


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _vocab_check(kind: str, value: str, vocab: dict[str, Any]) -> str:
    if value not in vocab:
        hint = suggest(value, list(vocab))
        extra = f" — did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(vocab)})"
        raise ValueError(f"unknown {kind} {value!r}{extra}")
    return value


Id = Annotated[str, BeforeValidator(_check_id)]
PartialDate = Annotated[str | None, BeforeValidator(_check_date)]
StrList = Annotated[list[str], BeforeValidator(_one_or_many)]
Text = Annotated[str, Field(min_length=1)]
Attributes = Annotated[dict[str, Any], AfterValidator(_scalars)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, populate_by_name=True)


class Source(_Record):
    title: Text
    url: str | None = None
    publisher: str | None = None
    date: PartialDate = None
    note: str | None = None


class TierDef(_Record):
    id: Id
    name: str | None = None
    description: str | None = None


class Entity(_Record):
    id: Id
    name: Text
    type: str
    aliases: StrList = []
    description: str | None = None
    wikidata: str | None = None
    since: PartialDate = None
    until: PartialDate = None
    attributes: Attributes = {}
    sources: StrList = []

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        return _vocab_check("entity type", v, ENTITY_TYPES)


class Relation(_Record):
    id: Id | None = None
    from_: Id = Field(alias="from")
    to: Id
    type: str
    tier: Id | None = None
    status: str = DEFAULT_STATUS
    since: PartialDate = None
    until: PartialDate = None
    via: Id | None = None
    attributes: Attributes = {}
    sources: StrList = []
    note: str | None = None

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        return _vocab_check("relation type", v, RELATION_TYPES)

    @field_validator("status")
    @classmethod
    def _status(cls, v: str) -> str:
        return _vocab_check("status", v, STATUSES)


FIELDS: dict[str, list[str]] = {
    "entity": [f for f in Entity.model_fields],
    "relation": [("from" if f == "from_" else f) for f in Relation.model_fields],
    "source": list(Source.model_fields),
    "tier": list(TierDef.model_fields),
}

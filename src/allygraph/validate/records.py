"""The shape of each kind of record (entity, relation, source, tier, declared type, ladder),
checked by pydantic.

Records are TypedDicts validated in bulk by pydantic's Rust core in strict mode: types,
required fields, unknown fields, vocabularies (as Literals), id and date patterns. What needs
the whole data set (unknown ids, duplicates, tiers, source ids, calendar dates, until before
since) is checked by the section checkers of this package. This module imports pydantic, so only the loader imports it,
and only when the cache cannot answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Annotated, Literal, Required, Union

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter
from typing_extensions import TypedDict

from ..vocab import ENTITY_TYPES, RELATION_TYPES, STATUSES

ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"  # ASCII digits: dates are ASCII

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]
PartialDate = Union[
    Annotated[int, Field(ge=1000, le=9999)], Annotated[str, StringConstraints(pattern=DATE_PATTERN)], None
]
# JSON has no inf or nan: a non-finite number (.inf, .nan, 1e400) is refused, whichever parser read it
Scalar = Union[str, int, Annotated[float, Field(allow_inf_nan=False)], bool, None]
Names = Union[list[str], str]  # a single string is read as a one-item list

_CONFIG = ConfigDict(extra="forbid", strict=True)


def _entity_record(types: tuple[str, ...]) -> type:
    # functional form: the type's Literal is built at run time
    return TypedDict(  # type: ignore[operator]  # mypy takes the call form for a type expression
        "EntityRecord",
        {
            "id": Required[Id],
            "name": Required[Text],
            "type": Required[Literal[types]],
            "aliases": Names,
            "description": Union[str, None],
            "wikidata": Union[str, None],
            "since": PartialDate,
            "until": PartialDate,
            "attributes": Union[dict[str, Scalar], None],
            "sources": Names,
        },
        total=False,
    )


def _relation_record(types: tuple[str, ...]) -> type:
    # functional form: "from" is a Python keyword
    return TypedDict(  # type: ignore[operator]  # mypy takes the call form for a type expression
        "RelationRecord",
        {
            "id": Union[Id, None],
            "from": Required[Id],
            "to": Required[Id],
            "type": Required[Literal[types]],
            "tier": Union[Id, None],
            "designations": Union[dict[Id, Id], None],
            "status": Literal[tuple(STATUSES)],
            "since": PartialDate,
            "until": PartialDate,
            "via": Union[Id, None],
            "attributes": Union[dict[str, Scalar], None],
            "sources": Names,
            "contradicted_by": Names,  # relation ids of the claims that contradict this one
            "note": Union[str, None],
        },
        total=False,
    )


EntityRecord = _entity_record(tuple(ENTITY_TYPES))
RelationRecord = _relation_record(tuple(RELATION_TYPES))


class SourceRecord(TypedDict, total=False):
    title: Required[Text]
    url: Union[str, None]
    publisher: Union[str, None]
    date: PartialDate
    grade: Literal[
        "official", "major", "specialist", "secondary", "weak"
    ]  # the analyst's grade: wins over the host rules
    note: Union[str, None]  # fmt: skip


class TierRecord(TypedDict, total=False):
    id: Required[Id]
    name: Union[str, None]
    description: Union[str, None]


class RelationTypeRecord(TypedDict, total=False):
    symmetric: Required[bool]
    description: Required[Text]
    # the tie model (contract v1.3): how analysis reads the type
    polarity: Literal["cooperative", "adversarial", "neutral"]
    layer: Id
    tie: bool
    strength: Annotated[float, Field(gt=0, le=1)]


class EntityTypeRecord(TypedDict, total=False):
    description: Required[Text]


class LadderRecord(TypedDict, total=False):
    rungs: Required[list]  # each rung (an id, or {id, name}) is checked in ladders.py
    sources: Required[Names]
    note: Union[str, None]


for _record in (EntityRecord, RelationRecord, SourceRecord, TierRecord, RelationTypeRecord, EntityTypeRecord,
                LadderRecord):  # fmt: skip
    _record.__pydantic_config__ = _CONFIG  # type: ignore[attr-defined]  # pydantic reads config off a TypedDict

RECORDS = {"entity": EntityRecord, "relation": RelationRecord, "source": SourceRecord, "tier": TierRecord,
           "relation_type": RelationTypeRecord, "entity_type": EntityTypeRecord, "ladder": LadderRecord}  # fmt: skip
# the pattern of a declared type's name (relation_types:, entity_types:)
TYPE_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
FIELDS: dict[str, list[str]] = {kind: list(rec.__annotations__) for kind, rec in RECORDS.items()}
DATE_FIELDS = frozenset({"since", "until", "date"})
ID_FIELDS = frozenset({"id", "from", "to", "via", "tier"})
VOCABULARIES: dict[tuple[str, str], tuple[str, Iterable[str]]] = {
    ("entity", "type"): ("entity type", ENTITY_TYPES),
    ("relation", "type"): ("relation type", RELATION_TYPES),
    ("relation", "status"): ("status", STATUSES),
}


@cache
def adapter(kind: str, declared: tuple[str, ...] = ()) -> TypeAdapter:
    """A validator for a list of records of one kind (built once, on first use).

    ``declared`` names the types a data directory adds to the built-in entity or relation types.
    """
    record = RECORDS[kind]
    if declared and kind == "entity":
        record = _entity_record((*ENTITY_TYPES, *declared))
    elif declared and kind == "relation":
        record = _relation_record((*RELATION_TYPES, *declared))
    record.__pydantic_config__ = _CONFIG  # type: ignore[attr-defined]  # pydantic reads config off a TypedDict
    return TypeAdapter(list[record])  # type: ignore[valid-type]  # a record type built at run time

"""The record shapes, now in ``allygraph.validate.records`` (this name stays importable)."""

from .validate.records import (  # noqa: F401
    DATE_FIELDS,
    DATE_PATTERN,
    FIELDS,
    ID_FIELDS,
    ID_PATTERN,
    RECORDS,
    TYPE_NAME_PATTERN,
    VOCABULARIES,
    EntityRecord,
    EntityTypeRecord,
    LadderRecord,
    RelationRecord,
    RelationTypeRecord,
    SourceRecord,
    TierRecord,
    adapter,
)

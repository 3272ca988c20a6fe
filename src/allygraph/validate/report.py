"""The reporting side of validation: one data file with its positions and problems, and the bulk
shape check (pydantic) that reports each bad record once, at its line and column."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Protocol

from .. import dates
from ..errors import Problem
from ..names import suggest
from ..progress import track

if TYPE_CHECKING:
    from collections.abc import Mapping

CHUNK = 20_000  # records validated per pydantic call (bounds the memory of its copies)


def show(value: object) -> str:
    """A value as a message quotes it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Positions(Protocol):
    """Where a path's key and value were written, (line, column), or None: ``yamlsrc``'s
    TreePositions and TextPositions, or any object that answers the same."""

    def key(self, path: tuple) -> tuple[int, int] | None:
        """Where the key of ``path`` was written."""
        ...

    def value(self, path: tuple) -> tuple[int, int] | None:
        """Where the value of ``path`` was written."""
        ...


class File:
    """One data file being validated: its name, its positions, and the problems found."""

    def __init__(self, name: str, positions: Positions, problems: list[Problem]) -> None:
        self.name, self.positions, self.problems = name, positions, problems

    def add(self, path: tuple, message: str, severity: str = "error", *, key: bool = False) -> None:
        """Report a problem at the value (or, with ``key``, the key) that ``path`` names."""
        pos = (self.positions.key(path) if key else self.positions.value(path)) if path else None
        line, col = pos or (0, 0)
        self.problems.append(Problem(self.name, line, col, message, severity))


def key_message(key: object) -> str:
    """Why a key that YAML read as null, a number or true/false is not a name (both parsers read
    it so: ``1:`` is the number 1, ``~:`` and ``null:`` are null)."""
    if key is None:
        return "key null (~, null or nothing before the ':') is not a name; write a name"
    text = ("true" if key else "false") if isinstance(key, bool) else repr(key)
    what = "true/false" if isinstance(key, bool) else "a number"
    return f'key {text} is read as {what}, not a name; quote it ("{text}") if it is one'


def record_label(kind: str, record: object, path: tuple) -> str:
    """How a message names a record: by its id, its key, or its place in the list."""
    rid = record.get("id") if isinstance(record, dict) else None
    if isinstance(rid, str):
        return f"{kind} {rid!r}"
    if kind == "source" or isinstance(path[-1], str):  # a record of a mapping section, named by its key
        return f"{kind.replace('_', ' ')} {path[-1]!r}"
    return f"{kind} #{path[-1] + 1}" if isinstance(path[-1], int) else kind


def _field_message(kind: str, field: str, value: object, errors: list[dict], declared: tuple = ()) -> tuple[str, tuple]:
    """One message for all of pydantic's complaints about one field (a union gives several)."""
    from .records import DATE_FIELDS, ID_FIELDS, VOCABULARIES

    if field in DATE_FIELDS:
        try:
            dates.parse(value)
            if isinstance(value, int) and not isinstance(value, bool):
                return f"malformed date {value!r}: a year has four digits", ()
        except ValueError as exc:
            return str(exc), ()
    if (kind, field) in VOCABULARIES and isinstance(value, str):
        what, vocab = VOCABULARIES[(kind, field)]
        vocab = [*vocab, *declared] if field == "type" else list(vocab)  # declared types are types, not statuses
        hint = suggest(value, list(vocab))
        extra = f" — did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(vocab)})"
        return f"unknown {what} {value!r}{extra}", ()
    if field in ID_FIELDS and isinstance(value, str):
        return f"invalid id {value!r}: use letters, digits, '_', '-' and '.' only", ()
    if field == "attributes" and isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"attribute {key_message(key)}", (key,)
            if isinstance(item, (list, dict)):
                kind_ = "a list" if isinstance(item, list) else "a mapping"
                return f"attribute {key!r} must be text, a number or true/false, not {kind_}", (key,)
            if isinstance(item, float) and not math.isfinite(item):
                return (f"attribute {key!r} must be a finite number, not {item!r} (JSON has no inf or nan; "
                        "quote it to keep it as text)"), (key,)  # fmt: skip
    if field == "designations" and isinstance(value, dict):
        for party, tier in value.items():
            if not isinstance(tier, str):
                return f"the designation for {party!r} must be a tier id (got {show(tier)})", (party,)
    if field in ("aliases", "sources") and isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, str):
                return f"item {i + 1} must be text, got {show(item)}", (i,)
    if isinstance(value, str) and not value and field in ("name", "title"):
        return "must not be empty", ()
    msg = errors[0]["msg"]
    return f"{msg} (got {show(value)})", ()


def check_records(file: File, section: str, kind: str, items: list, keys: list | None = None,
                  declared: tuple = (), offset: int = 0) -> list[int]:  # fmt: skip
    """Validate records in bulk; report each problem once; return the indexes that passed.

    ``keys`` names the records of a mapping section (sources), validated as a list;
    ``declared`` the types the data directory adds (``records.adapter``); ``offset`` is the
    index of ``items[0]`` in its section (a piece of a list read a piece at a time).
    """
    from pydantic import ValidationError

    from .records import adapter

    ta = adapter(kind, declared)
    good: list[int] = []
    chunks = range(0, len(items), CHUNK)
    for start in track(chunks, len(chunks), f"validating {kind}s", threshold=3):
        chunk = items[start : start + CHUNK]
        try:
            ta.validate_python(chunk)
            good.extend(range(offset + start, offset + start + len(chunk)))
            continue
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False)
        by_record: dict[int, dict[str, list[Any]]] = {}
        for err in errors:
            loc = err["loc"]
            by_record.setdefault(int(loc[0]), {}).setdefault(str(loc[1]) if len(loc) > 1 else "", []).append(err)
        good.extend(offset + start + at for at in range(len(chunk)) if at not in by_record)
        for at, per_field in by_record.items():
            i = start + at
            path = (section, keys[i] if keys is not None else offset + i)
            _report_record(file, kind, path, chunk[at], per_field, declared)
    return good


def _report_record(file: File, kind: str, path: tuple, record: Any, per_field: dict[str, list[dict]],
                   declared: tuple) -> None:  # fmt: skip
    """One message per field pydantic refused in one record."""
    from .records import FIELDS

    fields = FIELDS[kind]
    label = record_label(kind, record, path)
    for field, errs in per_field.items():
        etype = errs[0]["type"]
        if field == "":
            file.add(path, f"{label}: expected a mapping of fields, got {show(record)}")
        elif etype == "invalid_key":  # 1:, ~: or true: where a field name belongs
            key = errs[0]["input"]
            file.add((*path, key), f"{label}: {key_message(key)}", key=True)
        elif etype == "missing":
            file.add(path, f"{label}: missing required field {field!r}")
        elif etype == "extra_forbidden":
            hint = suggest(field, fields, limit=1)
            tip = f" — did you mean {hint[0]!r}?" if hint else f" (fields: {', '.join(fields)})"
            file.add((*path, field), f"{label}: unknown field {field!r}{tip}", key=True)
        else:
            message, sub = _field_message(kind, field, record.get(field), errs, declared)
            shown = field + "".join(f".{s}" if isinstance(s, str) else "" for s in sub)
            got = "" if "(got " in message else f" (got {show(record.get(field))})"
            file.add((*path, field, *sub), f"{label}: field {shown!r}: {message}{got}")


def top_sections(file: File, doc: object, allowed: Mapping[str, type]) -> dict:
    """Check a file's top-level mapping; return its recognised sections."""

    if doc is None:
        return {}
    if not isinstance(doc, dict):
        file.problems.append(Problem(file.name, 1, 1, f"expected a mapping with {', '.join(repr(k) for k in allowed)} at the top"))  # fmt: skip
        return {}
    out = {}
    for key, value in doc.items():
        if key not in allowed:
            hint = suggest(str(key), list(allowed), limit=1)
            tip = f" — did you mean {hint[0]!r}?" if hint else ""
            file.add((key,), f"unknown top-level key {key!r}{tip}", key=True)
            continue
        want = allowed[key]
        if value is None:
            value = want()
        if not isinstance(value, want):
            file.add((key,), f"{key!r} must be a {'list' if want is list else 'mapping'}, got {show(value)}")
            continue
        out[key] = value
    return out


def date_field(file: File, path: tuple, label: str, record: dict, field: str) -> tuple[str | None, bool]:
    """A checked date as its string (years written as numbers become strings)."""

    value = record.get(field)
    if value is None:
        return None, True
    try:
        return dates.parse_checked(value), True
    except ValueError as exc:
        file.add((*path, field), f"{label}: field {field!r}: {exc}")
        return None, False


def names_of(value: str | list[str] | None) -> list[str]:
    """A names field (one string or a list) as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)

"""Partial dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) and "in force on day D".

A partial date is kept as the string that was written. When it bounds a relation it covers its
whole year or month and is compared at its own precision: ``since: 2015`` holds from
2015-01-01, and ``until: 2020`` ends the relation when 2020 begins (D < 2020 at year precision).
So a relation is in force on day D when ``first_day(since) <= D < first_day(until)``.
An ``--as-of`` value that is itself partial means the last day it covers (``2020`` is
2020-12-31: the state of things by the end of that year).
"""

from __future__ import annotations

import datetime as _dt
import re


def _month_days(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]  # no date past 9999-12-31 is needed


# ASCII digits only: \d would also accept Arabic-Indic or full-width digits, which sort wrongly.
_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?$")


def parse(value: object) -> str:
    """Check a partial date and return it as written (normalised to a string).

    Raises ValueError with a one-line reason, and a corrected form where one exists.

    >>> parse(2011), parse("2024-07"), parse("2024-07-08")
    ('2011', '2024-07', '2024-07-08')
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got {value!r}")
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got {value!r}")
    text = value.strip()
    m = _DATE_RE.match(text)
    if not m:
        if not text.isascii() and any(c.isdigit() for c in text):
            raise ValueError(f"malformed date {value!r}: write dates with ASCII digits 0-9")
        raise ValueError(f"malformed date {value!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.group(1), m.group(2), m.group(3)
    if year == "0000":  # no calendar has it (1 BC is followed by AD 1), nor has Python's date
        raise ValueError(f"malformed date {value!r}: there is no year 0000; years run from 0001 to 9999")
    canonical = year
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"malformed date {value!r}: month {int(month)} is not 1-12")
        canonical += f"-{int(month):02d}"
    if day is not None:
        last = _month_days(int(year), int(month))
        if not 1 <= int(day) <= last:
            raise ValueError(f"malformed date {value!r}: {year}-{int(month):02d} has no day {int(day)}")
        canonical += f"-{int(day):02d}"
    if canonical != text:
        raise ValueError(f"malformed date {value!r}: write it as {canonical!r}")
    return text


def parse_checked(value: int | str) -> str:
    """``parse`` for a value already known to be an int or to match ``YYYY[-MM[-DD]]`` (the
    loader's bulk check): only the calendar is left to check, cheaply."""
    if isinstance(value, int) or value.startswith("0000"):
        return parse(value)
    n = len(value)
    if n == 4:
        return value
    if n == 7 and "01" <= value[5:7] <= "12":
        return value
    if n == 10:
        try:
            _dt.date.fromisoformat(value)
            return value
        except ValueError:
            pass
    return parse(value)  # raises with the precise reason


def first_day(d: str) -> _dt.date:
    """The first day a partial date covers."""
    parts = [int(p) for p in d.split("-")]
    return _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def last_day(d: str) -> _dt.date:
    """The last day a partial date covers."""
    parts = [int(p) for p in d.split("-")]
    if len(parts) == 3:
        return _dt.date(*parts)
    if len(parts) == 2:
        return _dt.date(parts[0], parts[1], _month_days(parts[0], parts[1]))
    return _dt.date(parts[0], 12, 31)


def as_of_day(value: str) -> _dt.date:
    """Turn an ``--as-of`` argument into the day it stands for (the last day it covers)."""
    return last_day(parse(value))


def in_force(since: str | None, until: str | None, day: _dt.date) -> bool:
    """True when an interval with these (partial) bounds covers ``day``."""
    if since is not None and day < first_day(since):
        return False
    return until is None or day < first_day(until)


def ordered(since: str | None, until: str | None) -> bool:
    """False when ``until`` comes before ``since``."""
    return since is None or until is None or first_day(until) >= first_day(since)


def sort_key(d: str | None) -> tuple[int, str]:
    """Sort undated first, then by the day a date starts (finer dates after coarser ones)."""
    return (0, "") if d is None else (1, d)


def today() -> _dt.date:
    """Today's date (one place, so tests and "as of today" agree)."""
    return _dt.date.today()

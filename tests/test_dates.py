import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allygraph import dates


@pytest.mark.parametrize("value,expected", [(2011, "2011"), ("2024-07", "2024-07"), ("2024-07-08", "2024-07-08"),
                                            (dt.date(2024, 7, 8), "2024-07-08")])  # fmt: skip
def test_parse_keeps_precision(value, expected):
    assert dates.parse(value) == expected


@pytest.mark.parametrize(
    "value,fragment",
    [("2024-13", "month 13"), ("2023-02-29", "has no day 29"), ("2024-7-8", "write it as '2024-07-08'"),
     ("July 2024", "malformed date"), (True, "expected a date"), (3.5, "expected a date"), ("24", "malformed")],
)  # fmt: skip
def test_parse_rejects_with_reason(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        dates.parse(value)


def test_partial_dates_cover_their_period():
    # since 2015 holds from 2015-01-01; until 2020 ends the relation when 2020 begins
    assert dates.in_force("2015", None, dt.date(2015, 1, 1))
    assert not dates.in_force("2015", None, dt.date(2014, 12, 31))
    assert dates.in_force("2015", "2020", dt.date(2019, 12, 31))
    assert not dates.in_force("2015", "2020", dt.date(2020, 6, 1))
    assert dates.in_force("2024-07", None, dt.date(2024, 7, 1))
    assert not dates.in_force("2024-07", None, dt.date(2024, 6, 30))
    assert not dates.in_force(None, "2024-07-08", dt.date(2024, 7, 8))  # D < until


def test_as_of_means_the_last_day_covered():
    assert dates.as_of_day("2020") == dt.date(2020, 12, 31)
    assert dates.as_of_day("2024-02") == dt.date(2024, 2, 29)
    assert dates.as_of_day("2024-02-03") == dt.date(2024, 2, 3)


def test_status_decides_for_unbounded_relations():
    from allygraph.ties import in_force

    day = dt.date(2020, 1, 1)
    assert not in_force({"status": "negotiating"}, day)
    assert not in_force({"status": "ended"}, day)
    assert in_force({"status": "ended", "since": "2010", "until": "2021"}, day)
    assert not in_force({"status": "ended", "since": "2010", "until": "2019"}, day)
    assert not in_force({"status": "reported"}, day)  # never counted silently
    assert in_force({"status": "reported"}, day, reported=True)
    assert not in_force({"status": "signed", "since": "2016"}, day)  # signed, not in force
    assert not in_force({"status": "negotiating", "contradicted_by": ["x"]}, day, reported=True)


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)), st.integers(1, 3))
def test_parse_roundtrips_every_real_date(d, precision):
    text = d.isoformat()[: {1: 4, 2: 7, 3: 10}[precision]]
    assert dates.parse(text) == text
    assert dates.first_day(text) <= d <= dates.last_day(text)


@given(st.text(max_size=12))
def test_parse_never_fails_unexpectedly(text):
    try:
        out = dates.parse(text)
    except ValueError:
        return
    assert dates.first_day(out) <= dates.last_day(out)

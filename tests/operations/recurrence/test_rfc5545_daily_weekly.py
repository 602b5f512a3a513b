"""RFC 5545 §3.8.5.3 examples at daily and weekly frequency, and the sub-daily ones the engine refuses.

Each example has DTSTART 09:00 America/New_York and must yield exactly the dates the RFC lists
(docs/specs/recurrence-rfc5545.md has the table). Open-ended examples are compared up to the last date the RFC
lists; bounded ones over a longer span, so an extra visit would show.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from operations.recurrence import UnsupportedRuleError, parse_rrule
from tests.operations.recurrence.support import every_day, on, rfc_dates

SEP_2_1997 = datetime(1997, 9, 2, 9, 0)
LATER = date(1999, 1, 1)


# --- Daily -------------------------------------------------------------------------------------------------------


def test_rfc5545_daily_for_10_occurrences() -> None:
    assert rfc_dates("FREQ=DAILY;COUNT=10", SEP_2_1997, LATER) == every_day(date(1997, 9, 2), date(1997, 9, 11))


def test_rfc5545_daily_until_december_24_1997() -> None:
    dates = rfc_dates("FREQ=DAILY;UNTIL=19971224T000000Z", SEP_2_1997, LATER)

    assert dates == every_day(date(1997, 9, 2), date(1997, 12, 23))


def test_rfc5545_every_other_day_forever() -> None:
    expected = (
        on(1997, 9, *range(2, 31, 2))
        + on(1997, 10, *range(2, 25, 2))
        + on(1997, 10, 26, 28, 30)
        + on(1997, 11, *range(1, 30, 2))
        + on(1997, 12, 1, 3)
    )

    assert rfc_dates("FREQ=DAILY;INTERVAL=2", SEP_2_1997, date(1997, 12, 3)) == expected


def test_rfc5545_every_10_days_5_occurrences() -> None:
    dates = rfc_dates("FREQ=DAILY;INTERVAL=10;COUNT=5", SEP_2_1997, LATER)

    assert dates == on(1997, 9, 2, 12, 22) + on(1997, 10, 2, 12)


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
        "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
    ],
)
def test_rfc5545_every_day_in_january_for_3_years(text: str) -> None:
    expected = [day for year in (1998, 1999, 2000) for day in every_day(date(year, 1, 1), date(year, 1, 31))]

    assert rfc_dates(text, datetime(1998, 1, 1, 9, 0), date(2001, 2, 1)) == expected


# --- Weekly ------------------------------------------------------------------------------------------------------


def test_rfc5545_weekly_for_10_occurrences() -> None:
    expected = on(1997, 9, 2, 9, 16, 23, 30) + on(1997, 10, 7, 14, 21, 28) + on(1997, 11, 4)

    assert rfc_dates("FREQ=WEEKLY;COUNT=10", SEP_2_1997, LATER) == expected


def test_rfc5545_weekly_until_december_24_1997() -> None:
    expected = (
        on(1997, 9, 2, 9, 16, 23, 30)
        + on(1997, 10, 7, 14, 21, 28)
        + on(1997, 11, 4, 11, 18, 25)
        + on(1997, 12, 2, 9, 16, 23)
    )

    assert rfc_dates("FREQ=WEEKLY;UNTIL=19971224T000000Z", SEP_2_1997, LATER) == expected


def test_rfc5545_every_other_week_forever() -> None:
    expected = (
        on(1997, 9, 2, 16, 30)
        + on(1997, 10, 14, 28)
        + on(1997, 11, 11, 25)
        + on(1997, 12, 9, 23)
        + on(1998, 1, 6, 20)
        + on(1998, 2, 3, 17)
    )

    assert rfc_dates("FREQ=WEEKLY;INTERVAL=2;WKST=SU", SEP_2_1997, date(1998, 2, 17)) == expected


@pytest.mark.parametrize(
    "text",
    ["FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH", "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH"],
)
def test_rfc5545_weekly_on_tuesday_and_thursday_for_five_weeks(text: str) -> None:
    expected = on(1997, 9, 2, 4, 9, 11, 16, 18, 23, 25, 30) + on(1997, 10, 2)

    assert rfc_dates(text, SEP_2_1997, LATER) == expected


def test_rfc5545_every_other_week_on_monday_wednesday_and_friday_until_december_24_1997() -> None:
    text = "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR"
    expected = (
        on(1997, 9, 1, 3, 5, 15, 17, 19, 29)
        + on(1997, 10, 1, 3, 13, 15, 17, 27, 29, 31)
        + on(1997, 11, 10, 12, 14, 24, 26, 28)
        + on(1997, 12, 8, 10, 12, 22)
    )

    assert rfc_dates(text, datetime(1997, 9, 1, 9, 0), LATER) == expected


def test_rfc5545_every_other_week_on_tuesday_and_thursday_for_8_occurrences() -> None:
    text = "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH"

    assert rfc_dates(text, SEP_2_1997, LATER) == on(1997, 9, 2, 4, 16, 18, 30) + on(1997, 10, 2, 14, 16)


def test_rfc5545_wkst_makes_a_difference_with_wkst_mo() -> None:
    text = "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"

    assert rfc_dates(text, datetime(1997, 8, 5, 9, 0), LATER) == on(1997, 8, 5, 10, 19, 24)


def test_rfc5545_wkst_makes_a_difference_with_wkst_su() -> None:
    text = "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"

    assert rfc_dates(text, datetime(1997, 8, 5, 9, 0), LATER) == on(1997, 8, 5, 17, 19, 31)


# --- Sub-daily: refused, a series has one visit a day --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("every 3 hours from 9:00 AM to 5:00 PM on a specific day", "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z"),
        ("every 15 minutes for 6 occurrences", "FREQ=MINUTELY;INTERVAL=15;COUNT=6"),
        ("every hour and a half for 4 occurrences", "FREQ=MINUTELY;INTERVAL=90;COUNT=4"),
        (
            "every 20 minutes from 9:00 AM to 4:40 PM every day",
            "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
        ),
        (
            "every 20 minutes from 9:00 AM to 4:40 PM every day",
            "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
        ),
    ],
)
def test_rfc5545_sub_daily_examples_are_refused(name: str, text: str) -> None:
    with pytest.raises(UnsupportedRuleError, match="not supported") as caught:
        parse_rrule(text)

    assert caught.value.field == "rrule"

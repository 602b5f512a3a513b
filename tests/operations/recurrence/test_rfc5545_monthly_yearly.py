"""RFC 5545 §3.8.5.3 examples at monthly and yearly frequency.

Each example has DTSTART 09:00 America/New_York and must yield exactly the dates the RFC lists
(docs/specs/recurrence-rfc5545.md has the table). Open-ended examples are compared up to the last date the RFC
lists; bounded ones over a longer span, so an extra visit would show.
"""

from __future__ import annotations

from datetime import date, datetime

from operations.recurrence import expand_occurrences, parse_rrule
from tests.operations.recurrence.support import NY, TWO_HOURS, on, rfc_dates, starts, utc

LATER = date(2008, 1, 1)


# --- Monthly -----------------------------------------------------------------------------------------------------


def test_rfc5545_monthly_on_the_first_friday_for_10_occurrences() -> None:
    expected = (
        on(1997, 9, 5)
        + on(1997, 10, 3)
        + on(1997, 11, 7)
        + on(1997, 12, 5)
        + on(1998, 1, 2)
        + on(1998, 2, 6)
        + on(1998, 3, 6)
        + on(1998, 4, 3)
        + on(1998, 5, 1)
        + on(1998, 6, 5)
    )

    assert rfc_dates("FREQ=MONTHLY;COUNT=10;BYDAY=1FR", datetime(1997, 9, 5, 9, 0), LATER) == expected


def test_rfc5545_monthly_on_the_first_friday_until_december_24_1997() -> None:
    dates = rfc_dates("FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR", datetime(1997, 9, 5, 9, 0), LATER)

    assert dates == on(1997, 9, 5) + on(1997, 10, 3) + on(1997, 11, 7) + on(1997, 12, 5)


def test_rfc5545_every_other_month_on_the_first_and_last_sunday_for_10_occurrences() -> None:
    expected = on(1997, 9, 7, 28) + on(1997, 11, 2, 30) + on(1998, 1, 4, 25) + on(1998, 3, 1, 29) + on(1998, 5, 3, 31)

    dates = rfc_dates("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", datetime(1997, 9, 7, 9, 0), LATER)

    assert dates == expected


def test_rfc5545_monthly_on_the_second_to_last_monday_for_6_months() -> None:
    expected = on(1997, 9, 22) + on(1997, 10, 20) + on(1997, 11, 17) + on(1997, 12, 22) + on(1998, 1, 19)

    dates = rfc_dates("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", datetime(1997, 9, 22, 9, 0), LATER)

    assert dates == [*expected, date(1998, 2, 16)]


def test_rfc5545_monthly_on_the_third_to_the_last_day_forever() -> None:
    expected = on(1997, 9, 28) + on(1997, 10, 29) + on(1997, 11, 28) + on(1997, 12, 29) + on(1998, 1, 29)

    dates = rfc_dates("FREQ=MONTHLY;BYMONTHDAY=-3", datetime(1997, 9, 28, 9, 0), date(1998, 2, 26))

    assert dates == [*expected, date(1998, 2, 26)]


def test_rfc5545_monthly_on_the_2nd_and_15th_for_10_occurrences() -> None:
    expected = [day for year, month in _months(1997, 9, 5) for day in on(year, month, 2, 15)]

    assert rfc_dates("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", datetime(1997, 9, 2, 9, 0), LATER) == expected


def test_rfc5545_monthly_on_the_first_and_last_day_for_10_occurrences() -> None:
    expected = on(1997, 9, 30) + on(1997, 10, 1, 31) + on(1997, 11, 1, 30) + on(1997, 12, 1, 31) + on(1998, 1, 1, 31)

    dates = rfc_dates("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", datetime(1997, 9, 30, 9, 0), LATER)

    assert dates == [*expected, date(1998, 2, 1)]


def test_rfc5545_every_18_months_on_the_10th_thru_15th_for_10_occurrences() -> None:
    text = "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15"

    dates = rfc_dates(text, datetime(1997, 9, 10, 9, 0), LATER)

    assert dates == on(1997, 9, 10, 11, 12, 13, 14, 15) + on(1999, 3, 10, 11, 12, 13)


def test_rfc5545_every_tuesday_every_other_month() -> None:
    expected = (
        on(1997, 9, 2, 9, 16, 23, 30)
        + on(1997, 11, 4, 11, 18, 25)
        + on(1998, 1, 6, 13, 20, 27)
        + on(1998, 3, 3, 10, 17, 24, 31)
    )

    assert rfc_dates("FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", datetime(1997, 9, 2, 9, 0), date(1998, 3, 31)) == expected


def test_rfc5545_every_friday_the_13th_forever() -> None:
    # The RFC excludes its off-pattern DTSTART with an EXDATE; the engine never yields it anyway (R9).
    dtstart = datetime(1997, 9, 2, 9, 0)

    dates = rfc_dates("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", dtstart, date(2000, 10, 13), exdates=[dtstart])

    assert dates == on(1998, 2, 13) + on(1998, 3, 13) + on(1998, 11, 13) + on(1999, 8, 13) + on(2000, 10, 13)


def test_rfc5545_the_first_saturday_that_follows_the_first_sunday_of_the_month_forever() -> None:
    expected = (
        on(1997, 9, 13)
        + on(1997, 10, 11)
        + on(1997, 11, 8)
        + on(1997, 12, 13)
        + on(1998, 1, 10)
        + on(1998, 2, 7)
        + on(1998, 3, 7)
        + on(1998, 4, 11)
        + on(1998, 5, 9)
        + on(1998, 6, 13)
    )

    text = "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13"

    assert rfc_dates(text, datetime(1997, 9, 13, 9, 0), date(1998, 6, 13)) == expected


def test_rfc5545_the_third_instance_into_the_month_of_tuesday_wednesday_or_thursday_for_3_months() -> None:
    dates = rfc_dates("FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", datetime(1997, 9, 4, 9, 0), LATER)

    assert dates == on(1997, 9, 4) + on(1997, 10, 7) + on(1997, 11, 6)


def test_rfc5545_the_second_to_last_weekday_of_the_month() -> None:
    expected = (
        on(1997, 9, 29)
        + on(1997, 10, 30)
        + on(1997, 11, 27)
        + on(1997, 12, 30)
        + on(1998, 1, 29)
        + on(1998, 2, 26)
        + on(1998, 3, 30)
    )

    text = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2"

    assert rfc_dates(text, datetime(1997, 9, 29, 9, 0), date(1998, 3, 30)) == expected


def test_rfc5545_an_invalid_date_february_30_is_ignored() -> None:
    dates = rfc_dates("FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", datetime(2007, 1, 15, 9, 0), LATER)

    assert dates == on(2007, 1, 15, 30) + on(2007, 2, 15) + on(2007, 3, 15, 30)


# --- Yearly ------------------------------------------------------------------------------------------------------


def test_rfc5545_yearly_in_june_and_july_for_10_occurrences() -> None:
    expected = [day for year in range(1997, 2002) for day in on(year, 6, 10) + on(year, 7, 10)]

    assert rfc_dates("FREQ=YEARLY;COUNT=10;BYMONTH=6,7", datetime(1997, 6, 10, 9, 0), LATER) == expected


def test_rfc5545_every_other_year_on_january_february_and_march_for_10_occurrences() -> None:
    expected = on(1997, 3, 10) + [day for year in (1999, 2001, 2003) for m in (1, 2, 3) for day in on(year, m, 10)]

    dates = rfc_dates("FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", datetime(1997, 3, 10, 9, 0), LATER)

    assert dates == expected


def test_rfc5545_every_third_year_on_the_1st_100th_and_200th_day_for_10_occurrences() -> None:
    expected = (
        on(1997, 1, 1)
        + on(1997, 4, 10)
        + on(1997, 7, 19)
        + on(2000, 1, 1)
        + on(2000, 4, 9)
        + on(2000, 7, 18)
        + on(2003, 1, 1)
        + on(2003, 4, 10)
        + on(2003, 7, 19)
        + on(2006, 1, 1)
    )

    text = "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200"

    assert rfc_dates(text, datetime(1997, 1, 1, 9, 0), LATER) == expected


def test_rfc5545_every_20th_monday_of_the_year_forever() -> None:
    dates = rfc_dates("FREQ=YEARLY;BYDAY=20MO", datetime(1997, 5, 19, 9, 0), date(1999, 5, 17))

    assert dates == on(1997, 5, 19) + on(1998, 5, 18) + on(1999, 5, 17)


def test_rfc5545_monday_of_week_number_20_forever() -> None:
    dates = rfc_dates("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", datetime(1997, 5, 12, 9, 0), date(1999, 5, 17))

    assert dates == on(1997, 5, 12) + on(1998, 5, 11) + on(1999, 5, 17)


def test_rfc5545_every_thursday_in_march_forever() -> None:
    dates = rfc_dates("FREQ=YEARLY;BYMONTH=3;BYDAY=TH", datetime(1997, 3, 13, 9, 0), date(1999, 3, 25))

    assert dates == on(1997, 3, 13, 20, 27) + on(1998, 3, 5, 12, 19, 26) + on(1999, 3, 4, 11, 18, 25)


def test_rfc5545_every_thursday_but_only_during_june_july_and_august_forever() -> None:
    expected = (
        on(1997, 6, 5, 12, 19, 26)
        + on(1997, 7, 3, 10, 17, 24, 31)
        + on(1997, 8, 7, 14, 21, 28)
        + on(1998, 6, 4, 11, 18, 25)
        + on(1998, 7, 2, 9, 16, 23, 30)
        + on(1998, 8, 6, 13, 20, 27)
        + on(1999, 6, 3, 10, 17, 24)
        + on(1999, 7, 1, 8, 15, 22, 29)
        + on(1999, 8, 5, 12, 19, 26)
    )

    dates = rfc_dates("FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", datetime(1997, 6, 5, 9, 0), date(1999, 8, 26))

    assert dates == expected


def test_rfc5545_every_4_years_the_first_tuesday_after_a_monday_in_november_forever() -> None:
    text = "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8"

    dates = rfc_dates(text, datetime(1996, 11, 5, 9, 0), date(2004, 11, 2))

    assert dates == on(1996, 11, 5) + on(2000, 11, 7) + on(2004, 11, 2)


def _months(year: int, month: int, how_many: int) -> list[tuple[int, int]]:
    index = year * 12 + month - 1
    return [((index + i) // 12, (index + i) % 12 + 1) for i in range(how_many)]


def test_rfc5545_nine_am_is_edt_then_est_as_the_rfc_shows() -> None:
    # rfc_dates checks 09:00 local; here the instants: 13:00Z while EDT, 14:00Z once EST starts (26 October 1997).
    rule = parse_rrule("FREQ=MONTHLY;COUNT=10;BYDAY=1FR")

    occurrences = expand_occurrences(
        rule, datetime(1997, 9, 5, 9, 0), NY, utc(1997, 9, 1), utc(1998, 1, 1), duration=TWO_HOURS
    )

    assert starts(occurrences) == [
        utc(1997, 9, 5, 13),
        utc(1997, 10, 3, 13),
        utc(1997, 11, 7, 14),
        utc(1997, 12, 5, 14),
    ]

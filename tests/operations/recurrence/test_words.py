"""Rules in words (operations.recurrence_text; the rendering rules are in docs/specs/recurrence-rfc5545.md)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given

from operations.recurrence import RuleEnd, RulePattern, Weekday, build_rule, parse_rrule
from operations.recurrence_text import describe_rule
from tests.operations.recurrence.support import NY
from tests.operations.recurrence.test_rule_properties import PROPERTY_SETTINGS, any_rules

SEP_2_1997 = datetime(1997, 9, 2, 9, 0)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # The issue's own examples.
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270701T035959Z",
            "Every 2 weeks on Tuesday and Thursday, until 30 June 2027",
        ),
        ("FREQ=MONTHLY;BYDAY=1TU,3TU", "Monthly on the first and third Tuesday"),
        ("FREQ=YEARLY;BYMONTH=4,10;BYMONTHDAY=1", "Yearly in April and October on the 1st"),
        # The cadences organizers sell.
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "Monthly on the 1st and 15th"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,-1", "Monthly on the 1st and last day"),
        ("FREQ=MONTHLY;BYDAY=1SU,-1SU", "Monthly on the first and last Sunday"),
        ("FREQ=MONTHLY;BYDAY=-2MO", "Monthly on the second-to-last Monday"),
        ("FREQ=MONTHLY;BYMONTHDAY=-3", "Monthly on the third-to-last day"),
        ("FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", "Every 2 months on every Tuesday"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", "Monthly on the second-to-last weekday"),
        ("FREQ=DAILY;COUNT=5", "Daily, 5 times"),
        ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=1", "Monthly on the last Friday, once"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Weekly on Monday to Friday"),
        ("FREQ=WEEKLY;BYDAY=SU,MO,TU,WE,TH,FR,SA", "Weekly every day"),
        # RFC 5545 examples.
        ("FREQ=DAILY;UNTIL=19971224T000000Z", "Daily, until 23 December 1997"),
        ("FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", "Daily in January, until 31 January 2000"),
        (
            "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
            "Yearly in January every day, until 31 January 2000",
        ),
        (
            "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
            "Every 18 months on the 10th to 15th, 10 times",
        ),
        (
            "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
            "Every 3 years on the 1st, 100th and 200th day of the year, 10 times",
        ),
        ("FREQ=YEARLY;BYDAY=20MO", "Yearly on the 20th Monday of the year"),
        ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "Yearly in week 20 of the year on Monday"),
        ("FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", "Yearly in June, July and August on every Thursday"),
        ("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "Monthly on the 13th, when it is a Friday"),
        ("FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", "Monthly on the 7th to 13th, when it is a Saturday"),
        (
            "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
            "Every 4 years in November on the 2nd to 8th, when it is a Tuesday",
        ),
        (
            "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
            "Monthly on every Tuesday to Thursday, only the third of them each month, 3 times",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
            "Every 2 weeks on Tuesday and Sunday (weeks start on Sunday), 4 times",
        ),
        # Google writes WKST=SU on every weekly rule: only said when it changes the visits.
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU", "Every 2 weeks on Tuesday and Thursday"),
        ("FREQ=MONTHLY;BYDAY=2FR,MO;BYMONTHDAY=13", "Monthly on the 13th, when it is a Monday or the second Friday"),
        ("FREQ=YEARLY;BYWEEKNO=1,-1;BYDAY=MO", "Yearly in week 1 and the last week of the year on Monday"),
        ("FREQ=DAILY;BYMONTHDAY=1,2,21,22,23,31", "Daily on the 1st, 2nd, 21st to 23rd and 31st"),
    ],
)
def test_rule_in_words(text: str, words: str) -> None:
    assert describe_rule(parse_rrule(text), tz=NY, local_start=SEP_2_1997) == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("FREQ=WEEKLY;COUNT=10", "Weekly on Tuesday, 10 times"),
        ("FREQ=MONTHLY", "Monthly on the 2nd"),
        ("FREQ=YEARLY", "Yearly on 2 September"),
        ("FREQ=YEARLY;BYMONTH=6,7", "Yearly in June and July on the 2nd"),
    ],
)
def test_a_rule_naming_no_day_takes_it_from_the_start(text: str, words: str) -> None:
    assert describe_rule(parse_rrule(text), local_start=SEP_2_1997) == words


def test_without_the_start_a_rule_naming_no_day_says_only_how_often() -> None:
    assert describe_rule(parse_rrule("FREQ=WEEKLY;INTERVAL=3")) == "Every 3 weeks"


def test_until_is_the_local_date_in_the_site_zone() -> None:
    rule = build_rule(
        pattern=RulePattern.WEEKLY, tz=NY, weekdays=[Weekday.TU], ends=RuleEnd.ON_DATE, end_on=date(2027, 6, 30)
    )

    assert describe_rule(rule, tz=NY) == "Weekly on Tuesday, until 30 June 2027"
    assert describe_rule(rule) == "Weekly on Tuesday, until 1 July 2027"  # no zone given: the UTC date


@PROPERTY_SETTINGS
@given(rule=any_rules())
def test_every_rule_has_words(rule: object) -> None:
    words = describe_rule(rule, tz=NY, local_start=SEP_2_1997)  # type: ignore[arg-type]

    assert words[0].isupper()
    assert "  " not in words
    assert not words.endswith((",", " "))

"""A repeat rule in words for users: "Every 2 weeks on Tuesday and Thursday, until 30 June 2027".

Pure like :mod:`operations.recurrence` (no Django; import-linter enforces it). English only, and spelled out by
hand rather than with strftime, whose day and month names follow the process locale. The rendering rules are in
docs/specs/recurrence-rfc5545.md; in short the sentence is: how often, which months, which weeks, which days, which
of them (BYSETPOS), the week start when it changes the visits, and the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from operations.recurrence import (
    Frequency,
    NthWeekday,
    RecurrenceError,
    RecurrenceRule,
    Weekday,
    parse_rrule,
    utc_to_local,
)

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth")
_UNIT = {Frequency.DAILY: "day", Frequency.WEEKLY: "week", Frequency.MONTHLY: "month", Frequency.YEARLY: "year"}
_ADVERB = {
    Frequency.DAILY: "Daily",
    Frequency.WEEKLY: "Weekly",
    Frequency.MONTHLY: "Monthly",
    Frequency.YEARLY: "Yearly",
}
_WORKDAYS = (Weekday.MO, Weekday.TU, Weekday.WE, Weekday.TH, Weekday.FR)


def describe_rule(rule: RecurrenceRule, *, tz: str | None = None, local_start: datetime | None = None) -> str:
    """Say the rule in one English sentence.

    ``tz`` (the site's zone) shows UNTIL as the local date of the last possible visit; without it the UTC date
    is shown. ``local_start`` (the naive series start) names the day the rule takes from it when it names none
    ("Weekly on Tuesday" rather than "Weekly").
    """
    parts = [_how_often(rule)]
    if rule.months:
        parts.append("in " + _join([MONTH_NAMES[month - 1] for month in rule.months]))
    if rule.week_numbers:
        parts.append("in " + _join([_week(number) for number in rule.week_numbers]) + " of the year")
    days, positions_said = _days(rule, local_start)
    if days:
        parts.append(days)
    sentence = " ".join(parts)
    if rule.set_positions and not positions_said:
        picked = _join([_position(position) for position in rule.set_positions])
        sentence += f", only the {picked} of them each {_UNIT[rule.freq]}"
    if _week_start_matters(rule):
        sentence += f" (weeks start on {rule.wkst.label})"
    if rule.until is not None:
        until = utc_to_local(rule.until, tz) if tz is not None else rule.until.astimezone(UTC)
        sentence += f", until {until.day} {MONTH_NAMES[until.month - 1]} {until.year}"
    if rule.count is not None:
        sentence += ", once" if rule.count == 1 else f", {rule.count} times"
    return sentence


def _how_often(rule: RecurrenceRule) -> str:
    if rule.interval == 1:
        return _ADVERB[rule.freq]
    return f"Every {rule.interval} {_UNIT[rule.freq]}s"


def _days(rule: RecurrenceRule, local_start: datetime | None) -> tuple[str, bool]:
    """The "on ..." phrase, and whether it already said the BYSETPOS positions."""
    weekly = rule.freq in (Frequency.DAILY, Frequency.WEEKLY)
    if rule.set_positions and rule.weekdays == _WORKDAYS and not _named_days(rule, weekdays=False):
        # "The second-to-last weekday" rather than "every Monday to Friday, only the second-to-last of them".
        return f"on the {_join([_position(p) for p in rule.set_positions])} weekday", True
    # A week has one Monday, a month several: "in week 20 on Monday", "in March on every Thursday".
    every = not weekly and not rule.week_numbers
    weekday_items = [_weekday_range(rule.weekdays, every=every)] if rule.weekdays else []
    weekday_items += _positioned(rule.nth_weekdays, in_year=rule.freq is Frequency.YEARLY and not rule.months)
    dates: list[str] = []
    if rule.month_days:
        dates.append("the " + _day_list(rule.month_days))
    if rule.year_days:
        dates.append("the " + _join([_position(day, numeric=True) for day in rule.year_days]) + " day of the year")
    if dates and weekday_items:
        # "the 13th, when it is a Friday": the days filter the dates (RFC 5545 intersects them).
        which = [f"a {_weekday_range(rule.weekdays, every=False, word='or')}"] if rule.weekdays else []
        which += _positioned(rule.nth_weekdays, in_year=False)
        return f"on {_join(dates)}, when it is {_join(which, word='or')}", False
    if weekday_items == ["every day"]:
        return "every day", False
    if dates or weekday_items:
        return "on " + _join(dates or weekday_items), False
    if rule.week_numbers or local_start is None:
        return "", False
    # Nothing named: RFC 5545 takes the day from the start.
    if rule.freq is Frequency.WEEKLY:
        return f"on {Weekday(local_start.weekday()).label}", False
    if rule.freq is Frequency.MONTHLY or (rule.freq is Frequency.YEARLY and rule.months):
        return f"on the {_numeric(local_start.day)}", False
    if rule.freq is Frequency.YEARLY:
        return f"on {local_start.day} {MONTH_NAMES[local_start.month - 1]}", False
    return "", False


def _named_days(rule: RecurrenceRule, *, weekdays: bool = True) -> bool:
    named = rule.nth_weekdays or rule.month_days or rule.year_days or rule.week_numbers
    return bool(named or (weekdays and rule.weekdays))


def _weekday_range(days: Sequence[Weekday], *, every: bool, word: str = "and") -> str:
    if len(days) == 7:
        return "every day" if every or word == "and" else "any day"
    items: list[str] = []
    for run in _runs([int(day) for day in days]):
        labels = [Weekday(day).label for day in run]
        if len(labels) >= 3:
            items.append(f"{labels[0]} to {labels[-1]}")
        else:
            items.extend(labels)
    return ("every " if every else "") + _join(items, word=word)


def _positioned(positions: Sequence[NthWeekday], *, in_year: bool) -> list[str]:
    # "the first and third Tuesday": positions grouped under their weekday, weekdays in the rule's order.
    by_day: dict[Weekday, list[int]] = {}
    for position in positions:
        by_day.setdefault(position.weekday, []).append(position.nth)
    scope = " of the year" if in_year else ""
    return [f"the {_join([_position(n) for n in nths])} {day.label}{scope}" for day, nths in by_day.items()]


def _day_list(days: Sequence[int]) -> str:
    """BYMONTHDAY: "1st and 15th", "10th to 15th", "1st and last day", "third-to-last day"."""
    positive = [day for day in days if day > 0]
    items = []
    for run in _runs(positive):
        if len(run) >= 3:
            items.append(f"{_numeric(run[0])} to {_numeric(run[-1])}")
        else:
            items.extend(_numeric(day) for day in run)
    items += [_position(day) for day in days if day < 0]
    return _join(items) + (" day" if len(positive) < len(days) else "")


def _runs(values: Sequence[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    return runs


def _week(number: int) -> str:
    return f"week {number}" if number > 0 else f"the {_position(number)} week"


def _week_start_matters(rule: RecurrenceRule) -> bool:
    """WKST changes the visits of a weekly rule every N > 1 weeks whose days straddle the week start, and of
    BYWEEKNO; Google writes WKST=SU on every weekly rule, so it is not mentioned otherwise."""
    if rule.wkst is Weekday.MO:
        return False
    if rule.week_numbers:
        return True
    if rule.freq is not Frequency.WEEKLY or rule.interval == 1:
        return False
    late = {day for day in rule.weekdays if day >= rule.wkst}
    return bool(late) and len(late) < len(rule.weekdays)


def _position(value: int, *, numeric: bool = False) -> str:
    """1 -> "first" (or "1st"), -1 -> "last", -2 -> "second-to-last"."""
    if value == -1:
        return "last"
    if value < 0:
        return f"{_position(-value, numeric=numeric)}-to-last"
    if not numeric and value <= len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[value - 1]
    return _numeric(value)


def _numeric(value: int) -> str:
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def _join(items: Sequence[str], *, word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def describe_stored(rrule: str, *, tz: str, local_start: str) -> str:
    """A stored series' rule in words (the text, zone and ISO start as a series row keeps them).

    A rule stored before the engine learned to read it is shown as its text rather than breaking the page.
    """
    try:
        rule = parse_rrule(rrule, tz=tz)
        return describe_rule(rule, tz=tz, local_start=datetime.fromisoformat(local_start))
    except (RecurrenceError, ValueError):
        return rrule

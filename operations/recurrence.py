"""Pure recurrence engine for recurring appointments (docs/specs/recurrence.md, docs/specs/recurrence-rfc5545.md).

Everything here is plain Python: no Django, no Celery, no project app (import-linter enforces it). Inputs and
outputs are frozen dataclasses and plain values. "Now", the time zone and the window are always parameters.

Model
-----
A series is described by four values that the Django layer stores on ``RecurringSeries``:

* ``rule``: a :class:`RecurrenceRule`: every RFC 5545 rule at daily frequency or coarser that dateutil expands
  (DAILY, WEEKLY, MONTHLY, YEARLY; INTERVAL; COUNT or an inclusive UTC UNTIL; WKST; BYDAY with or without
  positions; BYMONTHDAY, BYMONTH, BYYEARDAY, BYWEEKNO, BYSETPOS; docs/specs/recurrence-rfc5545.md). Sub-daily
  frequencies and BYHOUR/BYMINUTE/BYSECOND are refused: a series has one visit a day at most. It is stored as
  RRULE text without DTSTART (:func:`format_rrule` / :func:`parse_rrule`) and built from the schedule form by
  :func:`build_rule`. :mod:`operations.recurrence_text` says it in words.
* ``local_start``: the *naive* local wall time of the first visit (DTSTART without its zone).
* ``tz``: the IANA zone of the visit's site (validated by :func:`resolve_zone`).
* ``exdates`` / ``rdates``: removed / added starts. A naive value is a local wall time in ``tz``; an aware value
  is an instant. Both are matched against occurrences **by instant** (RFC 5545 §3.8.5.1), so
  ``2025-10-14 09:00`` local removes the 13:00Z visit while ``2025-10-14T09:00Z`` removes nothing.

Expansion
---------
dateutil does the expansion. Two things are ours: COUNT is counted here (so the iteration can also be cut at the
window, see below), and a WEEKLY rule is handed to dateutil anchored on its week's first day (WKST) because
dateutil otherwise applies BYSETPOS to the partial first week, while RFC 5545 applies it to the whole week.
dateutil only checks UNTIL when it finds a match, so a rule that never matches would iterate to the year 9999
(13 s for a daily rule): :func:`normalize_local_start` therefore refuses a rule with no visit in its first five
years after a bounded search, and every later iteration is cut just past its window.
:func:`expand_occurrences` hands dateutil an *aware* ``zoneinfo`` DTSTART. dateutil computes each occurrence's
fields as a local wall time and attaches the zone afterwards, so 09:00 stays 09:00 across DST; each occurrence is
then converted to UTC on its own. Adding ``timedelta(days=7)`` to a UTC instant, or handing dateutil a UTC
DTSTART, is exactly the bug this avoids (R1, R18). DST edge times follow RFC 5545 §3.3.5, which is what
``zoneinfo`` does with ``fold=0``: a nonexistent 02:30 uses the offset before the gap (07:30Z in New York, shown
as 03:30 EDT), an ambiguous 01:30 is the first one (EDT). Invalid dates (the 31st of a 30-day month, a 5th Tuesday)
are skipped and not counted, as dateutil and the RFC do.

The recurrence set is RRULE occurrences (COUNT counts them *before* EXDATE is applied, so a cancelled visit still
uses up one of N visits, §1.2 rule 6) plus RDATEs, minus EXDATEs. It is returned sorted by instant with duplicate
instants merged, because ``(series, original_start)`` is unique in the database. Every expansion takes a window
``[window_start, window_end)`` on the *start* instant of at most :data:`MAX_WINDOW` (366 days); a larger window
raises :class:`WindowTooLargeError` (the view answers 400) and no API ever lists an unbounded series. ``ends`` is
``starts + duration`` in elapsed time, so a visit spanning a DST change still lasts its real length.

DTSTART off the pattern (R9)
----------------------------
dateutil silently drops a DTSTART that does not match the rule, so expansion never yields it. On save a service
either calls :func:`normalize_local_start` (moves it to the first occurrence at or after it, the policy we
recommend for the schedule form, which then shows the first visit) or :func:`check_local_start` (raises
:class:`OffPatternStartError` carrying the suggested start, for strict inputs such as an API). Normalising never
changes the set of visits: dateutil anchors the INTERVAL phase on DTSTART's week or month, which the first
occurrence shares.

"This and following" (R13, R14)
-------------------------------
:func:`split_series` does Google's split: the old series keeps its rule with ``UNTIL = T - 1 s`` (UTC,
:func:`split_until`) and the new series starts at the new local start with ``COUNT = remaining``
(:func:`remaining_count`; EXDATE'd visits before T still count) or the old UNTIL. A move to another weekday or
day of month rewrites BYDAY/BYMONTHDAY (Nextcloud #8957) unless the caller passes the new pattern. Cancelled
visits at or after T are carried to the new series by the same wall-clock shift, so COUNT keeps the same number of
real visits; those that do not land on the new pattern are returned for staff review. "All visits" is a split at
:func:`next_occurrence` after now.

Public API
----------
Values: :class:`Frequency`, :class:`Weekday`, :class:`NthWeekday`, :class:`RecurrenceRule`, :class:`Occurrence`,
:class:`SeriesSplit`, :class:`RulePattern`, :class:`RuleEnd`, :class:`WallTimeKind`, :data:`MAX_WINDOW`.
Rules: :func:`build_rule`, :func:`parse_rrule`, :func:`format_rrule`.
Zones and wall times: :func:`resolve_zone`, :func:`local_to_utc`, :func:`utc_to_local`,
:func:`classify_wall_time`.
Expansion: :func:`expand_occurrences`, :func:`next_occurrence`, :func:`materialization_window`.
Start validation: :func:`normalize_local_start`, :func:`check_local_start` (both refuse a rule with no visit in
its first five years).
Split: :func:`split_until`, :func:`count_occurrences_before`, :func:`remaining_count`, :func:`split_series`.
Errors (all ``ValueError`` subclasses with a human message and an optional form ``field``):
:class:`RecurrenceError` > :class:`InvalidRuleError` > (:class:`UnsupportedRuleError`,
:class:`FloatingUntilError`); :class:`UnknownTimeZoneError`; :class:`InvalidWindowError` >
:class:`WindowTooLargeError`; :class:`InvalidStartError` > :class:`OffPatternStartError`;
:class:`EmptySeriesError` > (:class:`EndsBeforeStartError`, :class:`NoVisitSoonError`);
:class:`NotAnOccurrenceError`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from enum import IntEnum, StrEnum
from functools import cache, lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil import rrule as du

# --- Limits -----------------------------------------------------------------------------------------------------

MAX_WINDOW = timedelta(days=366)
# Positions the schedule form offers for "monthly on the nth weekday": first to fourth, and last. Rule text may
# use any position a month has (1-5, -1 to -5), and a yearly rule any position in the year (1-53, -1 to -53).
NTH_CHOICES: tuple[int, ...] = (1, 2, 3, 4, -1)
# A rule must have a visit within this many years of its start (bad input otherwise, and a bound on iteration).
FIRST_VISIT_YEARS = 5
# Wall-clock order and UTC order disagree by at most a day (Pacific/Apia skipped 2011-12-30 when it crossed the
# date line), so a wall-clock search padded by two days always brackets a UTC window.
_PAD = timedelta(days=2)

# --- Messages (imported by tests and shown to users) -------------------------------------------------------------

UNKNOWN_TZ_MSG = "Unknown time zone {tz!r}: use an IANA name such as America/New_York."
EMPTY_RULE_MSG = "The repeat rule is empty."
MALFORMED_PART_MSG = "Cannot read {part!r} in the repeat rule: expected NAME=VALUE."
DUPLICATE_PART_MSG = "{name} appears twice in the repeat rule."
UNKNOWN_PART_MSG = "{name} is not a repeat rule property."
DTSTART_IN_RULE_MSG = "The repeat rule must be one RRULE line; the start date is stored separately."
MISSING_FREQ_MSG = "The repeat rule needs FREQ (daily, weekly, monthly or yearly)."
UNKNOWN_FREQ_MSG = "{freq!r} is not a repeat frequency."
UNSUPPORTED_FREQ_MSG = (
    "Visits repeat at most daily: {freq} schedules (several visits a day) are not supported; "
    "use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."
)
UNSUPPORTED_PART_MSG = "{name} is not supported: a schedule has one visit a day, at its start time."
BAD_WKST_MSG = "WKST must be a day of the week such as MO or SU, not {value!r}."
BAD_INTEGER_MSG = "{name} must be a whole number, not {value!r}."
BAD_INTERVAL_MSG = "The repeat interval must be a whole number of at least 1."
BAD_COUNT_MSG = "The number of visits must be at least 1."
COUNT_AND_UNTIL_MSG = "A schedule ends either on a date or after a number of visits, not both."
BAD_UNTIL_MSG = "Cannot read the end {value!r}: expected YYYYMMDDTHHMMSSZ."
FLOATING_UNTIL_MSG = "The end of the schedule must be in UTC (YYYYMMDDTHHMMSSZ) or given with a time zone."
BAD_WEEKDAY_MSG = "{value!r} is not a day of the week."
WEEKLY_NEEDS_DAYS_MSG = "Choose at least one day of the week."
WEEKLY_POSITION_MSG = "A weekly schedule cannot use a position such as 2TU; use a monthly schedule."
DAILY_POSITION_MSG = "A daily schedule cannot use a position such as 2TU; use a monthly or yearly schedule."
WEEKLY_MONTHDAY_MSG = "A weekly schedule cannot name a day of the month."
WEEKNO_POSITION_MSG = "With BYWEEKNO the days cannot carry a position such as 2TU (RFC 5545)."
BAD_NTH_MSG = (
    "A weekday position in a month must be 1 to 5 (first to fourth, or fifth) or -1 to -5 "
    "(last, second to last, ...), not {nth}."
)
BAD_YEAR_NTH_MSG = "A weekday position in a year must be 1 to 53 or -1 to -53, not {nth}."
FORM_NTH_MSG = "The weekday position must be one of first to fourth or last (1-4 or -1), not {nth}."
BAD_MONTH_DAY_MSG = "The day of the month must be between 1 and 31, or -1 to -31 counted from the end, not {day}."
BAD_MONTH_MSG = "The month must be between 1 and 12, not {month}."
BAD_YEAR_DAY_MSG = "The day of the year must be between 1 and 366, or -1 to -366 counted from the end, not {day}."
BAD_WEEK_NUMBER_MSG = "The week number must be between 1 and 53, or -1 to -53 counted from the end, not {week}."
BAD_SETPOS_MSG = "BYSETPOS must be between 1 and 366, or -1 to -366 counted from the end, not {pos}."
SETPOS_ALONE_MSG = "BYSETPOS picks among the days another BY part lists (for example BYDAY); add one."
ONLY_YEARLY_MSG = "{name} can only be used in a yearly schedule (FREQ=YEARLY)."
YEARDAY_FREQ_MSG = "BYYEARDAY cannot be used in a daily, weekly or monthly schedule (RFC 5545); use FREQ=YEARLY."
CONFLICT_MSG = "{single} and {plural} disagree: give the list only."
MONTHLY_NEEDS_DAY_MSG = "Choose the day of the month."
MONTHLY_NEEDS_POSITION_MSG = "Choose which weekday of the month (for example the second Tuesday)."
END_DATE_REQUIRED_MSG = "Choose the date the schedule ends on."
END_COUNT_REQUIRED_MSG = "Choose after how many visits the schedule ends."
NAIVE_WINDOW_MSG = "The window bounds must be aware datetimes."
REVERSED_WINDOW_MSG = "The window ends before it starts."
WINDOW_TOO_LARGE_MSG = "A window of {days} days is too large: at most 366 days can be listed at once."
BAD_HORIZON_MSG = "The horizon must be between 1 and 366 days, not {days}."
AWARE_START_MSG = "The series start must be a local wall time without a time zone."
START_MICROSECONDS_MSG = "The series start must be a whole second."
NEGATIVE_DURATION_MSG = "A visit cannot last a negative time."
OFF_PATTERN_MSG = "{start} does not match the schedule; the first matching visit is {suggested}."
EMPTY_SERIES_MSG = "This schedule has no visits: it ends before its first matching date."
UNTIL_BEFORE_START_MSG = "The schedule ends ({until}) before its first visit starts ({start})."
NO_VISIT_SOON_MSG = (
    "This schedule has no visit in the five years from {start}: check that its days and months can meet "
    "(for example there is no 30 February)."
)
NAIVE_INSTANT_MSG = "{name} must be an aware datetime."
NOT_AN_OCCURRENCE_MSG = "{when} is not a visit of this series."
BOUNDED_PATTERN_MSG = "The new pattern must not carry its own end: it inherits the old series' end."


# --- Errors -----------------------------------------------------------------------------------------------------


class RecurrenceError(ValueError):
    """Base error: ``str(err)`` is a message fit for users; ``field`` names the form field when known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidRuleError(RecurrenceError):
    """The rule's values are wrong (an interval of 0, COUNT together with UNTIL, an unreadable RRULE)."""


class UnsupportedRuleError(InvalidRuleError):
    """Valid RFC 5545 that a series cannot hold: sub-daily frequencies, BYHOUR, BYMINUTE, BYSECOND."""


class FloatingUntilError(InvalidRuleError):
    """UNTIL without a zone and no zone given to interpret it (RFC 5545 requires UTC with a TZID DTSTART)."""


class UnknownTimeZoneError(RecurrenceError):
    """The name is not an IANA zone known to this system."""


class InvalidWindowError(RecurrenceError):
    """The expansion window is naive or reversed."""


class WindowTooLargeError(InvalidWindowError):
    """The expansion window is longer than :data:`MAX_WINDOW`."""


class InvalidStartError(RecurrenceError):
    """The series start is not a naive, whole-second local wall time."""


class OffPatternStartError(InvalidStartError):
    """The series start does not fall on the rule; ``suggested_local_start`` is the first visit it would have."""

    def __init__(self, message: str, *, suggested_local_start: datetime, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.suggested_local_start = suggested_local_start


class EmptySeriesError(RecurrenceError):
    """The rule yields no visit at all from this start (for example UNTIL before the first match)."""


class EndsBeforeStartError(EmptySeriesError):
    """UNTIL is before the series start."""


class NoVisitSoonError(EmptySeriesError):
    """The rule has no visit in the :data:`FIRST_VISIT_YEARS` years from its start (30 February, ...)."""


class NotAnOccurrenceError(RecurrenceError):
    """An instant that should be a visit of the series (a split point) is not one."""


# --- Value types ------------------------------------------------------------------------------------------------


class Frequency(StrEnum):
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


class Weekday(IntEnum):
    """Days numbered like ``date.weekday()`` so the two compare equal."""

    MO = 0
    TU = 1
    WE = 2
    TH = 3
    FR = 4
    SA = 5
    SU = 6

    @property
    def label(self) -> str:
        """English day name for messages (not ``calendar.day_name``, which follows the process locale)."""
        return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[self]


_DU_WEEKDAYS = (du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU)
_DU_FREQS: dict[Frequency, Literal[0, 1, 2, 3, 4, 5, 6]] = {
    Frequency.DAILY: du.DAILY,
    Frequency.WEEKLY: du.WEEKLY,
    Frequency.MONTHLY: du.MONTHLY,
    Frequency.YEARLY: du.YEARLY,
}
_SUBDAILY_FREQS = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
_SUBDAILY_PARTS = frozenset({"BYSECOND", "BYMINUTE", "BYHOUR"})
_RFC_PARTS = frozenset(
    {
        "FREQ",
        "UNTIL",
        "COUNT",
        "INTERVAL",
        "BYSECOND",
        "BYMINUTE",
        "BYHOUR",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
_BYDAY_RE = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_UNTIL_UTC_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True)
class NthWeekday:
    """A weekday position: ``NthWeekday(2, Weekday.TU)`` is ``2TU``, ``-1`` is the last one.

    In a monthly rule (or a yearly one with BYMONTH) the position counts in the month, otherwise in the year.
    """

    nth: int
    weekday: Weekday


def _signed_key(value: int) -> tuple[bool, int]:
    # Positions and days in reading order: 1, 3, ..., then from the end: -2 (second to last), -1 (last).
    return (value < 0, value)


@dataclass(frozen=True, slots=True)
class RecurrenceRule:
    """The RRULE part of a series, always valid (RFC 5545 at daily frequency or coarser).

    ``weekdays`` are plain BYDAY days, ``nth_weekdays`` the positioned ones (``1SU,-1SU``); ``month_days``,
    ``months``, ``year_days``, ``week_numbers`` and ``set_positions`` are BYMONTHDAY, BYMONTH, BYYEARDAY, BYWEEKNO
    and BYSETPOS. Lists are stored sorted and unique. Parts left empty follow DTSTART as in RFC 5545 (a weekly
    rule without BYDAY repeats on DTSTART's weekday). ``nth_weekday`` and ``month_day`` are the one-element
    shorthands the schedule form uses: given, they fill the list; read, they hold its only element or None.
    ``until`` is an inclusive instant, normalised to UTC and floored to the second because RRULE text has second
    precision. Construction raises :class:`InvalidRuleError` or :class:`UnsupportedRuleError`.
    """

    freq: Frequency
    interval: int = 1
    weekdays: tuple[Weekday, ...] = ()
    nth_weekday: NthWeekday | None = None
    month_day: int | None = None
    until: datetime | None = None
    count: int | None = None
    nth_weekdays: tuple[NthWeekday, ...] = ()
    month_days: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    year_days: tuple[int, ...] = ()
    week_numbers: tuple[int, ...] = ()
    set_positions: tuple[int, ...] = ()
    wkst: Weekday = Weekday.MO

    def __post_init__(self) -> None:
        # Values come from forms, text and callers alike; normalising here means no invalid rule can exist.
        if str(self.freq).upper() in _SUBDAILY_FREQS:
            raise UnsupportedRuleError(UNSUPPORTED_FREQ_MSG.format(freq=str(self.freq).lower()), field="freq")
        try:
            freq = Frequency(self.freq)
        except ValueError:
            raise InvalidRuleError(UNKNOWN_FREQ_MSG.format(freq=self.freq), field="freq") from None
        object.__setattr__(self, "freq", freq)
        if not _is_int(self.interval) or self.interval < 1:
            raise InvalidRuleError(BAD_INTERVAL_MSG, field="interval")
        if self.count is not None and (not _is_int(self.count) or self.count < 1):
            raise InvalidRuleError(BAD_COUNT_MSG, field="count")
        if self.count is not None and self.until is not None:
            raise InvalidRuleError(COUNT_AND_UNTIL_MSG, field="until")
        if self.until is not None:
            if self.until.tzinfo is None or self.until.utcoffset() is None:
                raise FloatingUntilError(FLOATING_UNTIL_MSG, field="until")
            object.__setattr__(self, "until", self.until.astimezone(UTC).replace(microsecond=0))
        object.__setattr__(self, "wkst", _weekday(self.wkst, "wkst"))
        object.__setattr__(self, "weekdays", tuple(sorted({_weekday(day, "weekdays") for day in self.weekdays})))
        self._normalize_positions(freq)
        self._normalize_month_days(freq)
        object.__setattr__(self, "months", _int_list(self.months, 1, 12, BAD_MONTH_MSG, "month", "months"))
        year_days = _int_list(self.year_days, -366, 366, BAD_YEAR_DAY_MSG, "day", "year_days")
        if year_days and freq is not Frequency.YEARLY:
            raise InvalidRuleError(YEARDAY_FREQ_MSG, field="year_days")
        object.__setattr__(self, "year_days", year_days)
        week_numbers = _int_list(self.week_numbers, -53, 53, BAD_WEEK_NUMBER_MSG, "week", "week_numbers")
        if week_numbers and freq is not Frequency.YEARLY:
            raise InvalidRuleError(ONLY_YEARLY_MSG.format(name="BYWEEKNO"), field="week_numbers")
        if week_numbers and self.nth_weekdays:
            raise InvalidRuleError(WEEKNO_POSITION_MSG, field="week_numbers")
        object.__setattr__(self, "week_numbers", week_numbers)
        set_positions = _int_list(self.set_positions, -366, 366, BAD_SETPOS_MSG, "pos", "set_positions")
        if set_positions and not self.has_by_parts:
            raise InvalidRuleError(SETPOS_ALONE_MSG, field="set_positions")
        object.__setattr__(self, "set_positions", set_positions)

    def _normalize_positions(self, freq: Frequency) -> None:
        given = list(self.nth_weekdays)
        if self.nth_weekday is not None:
            if given and given != [self.nth_weekday]:
                raise InvalidRuleError(CONFLICT_MSG.format(single="nth_weekday", plural="nth_weekdays"))
            given = [self.nth_weekday]
        in_month = freq is Frequency.MONTHLY or bool(self.months)
        positions: set[NthWeekday] = set()
        for item in given:
            if freq is Frequency.WEEKLY:
                raise InvalidRuleError(WEEKLY_POSITION_MSG, field="nth_weekday")
            if freq is Frequency.DAILY:
                raise InvalidRuleError(DAILY_POSITION_MSG, field="nth_weekday")
            nth, limit = item.nth, 5 if in_month else 53
            if not _is_int(nth) or nth == 0 or not -limit <= nth <= limit:
                message = BAD_NTH_MSG if in_month else BAD_YEAR_NTH_MSG
                raise InvalidRuleError(message.format(nth=nth), field="nth_weekday")
            positions.add(NthWeekday(nth, _weekday(item.weekday, "nth_weekday")))
        ordered = tuple(sorted(positions, key=lambda p: (*_signed_key(p.nth), p.weekday)))
        object.__setattr__(self, "nth_weekdays", ordered)
        object.__setattr__(self, "nth_weekday", ordered[0] if len(ordered) == 1 else None)

    def _normalize_month_days(self, freq: Frequency) -> None:
        given = list(self.month_days)
        if self.month_day is not None:
            if given and given != [self.month_day]:
                raise InvalidRuleError(CONFLICT_MSG.format(single="month_day", plural="month_days"))
            given = [self.month_day]
        days = _int_list(given, -31, 31, BAD_MONTH_DAY_MSG, "day", "month_day")
        if days and freq is Frequency.WEEKLY:
            raise InvalidRuleError(WEEKLY_MONTHDAY_MSG, field="month_day")
        object.__setattr__(self, "month_days", days)
        object.__setattr__(self, "month_day", days[0] if len(days) == 1 else None)

    @property
    def is_bounded(self) -> bool:
        """True when the rule itself ends (COUNT or UNTIL); an unbounded series is never listed whole."""
        return self.count is not None or self.until is not None

    @property
    def has_by_parts(self) -> bool:
        """True when the rule names days, months or weeks itself (otherwise they follow DTSTART)."""
        return bool(
            self.weekdays or self.nth_weekdays or self.month_days or self.months or self.year_days or self.week_numbers
        )


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One visit. ``original_start`` is the RECURRENCE-ID (immutable); ``starts``/``ends`` are where it is now.

    Expansion knows no exceptions, so it returns ``starts == original_start``; the Django layer overlays moved
    rows by ``original_start``. All three are aware UTC datetimes.
    """

    original_start: datetime
    starts: datetime
    ends: datetime


@dataclass(frozen=True, slots=True)
class SeriesSplit:
    """The result of :func:`split_series` ("this and following" from visit T).

    ``old_rule`` is the old series' rule bounded by ``UNTIL = T - 1 s``; ``visits_before`` is how many RRULE
    occurrences precede T (EXDATE'd ones included). When it is 0 the old series keeps no visit, so the service
    should edit the series in place instead of splitting. ``new_rule``/``new_local_start`` describe the new
    series. Exdates (naive local wall times) are partitioned: before T they stay on the old series; at or after
    T they move to the new series shifted like T was, unless the shifted time is not a visit of the new series,
    in which case they are listed in ``unmapped_exdates`` for staff review.
    """

    old_rule: RecurrenceRule
    visits_before: int
    new_rule: RecurrenceRule
    new_local_start: datetime
    old_exdates: tuple[datetime, ...]
    new_exdates: tuple[datetime, ...]
    unmapped_exdates: tuple[datetime, ...]


class RulePattern(StrEnum):
    """The schedule form's repeat choices."""

    WEEKLY = "weekly"  # every N weeks on the chosen weekdays
    MONTHLY_BY_DATE = "monthly_by_date"  # every N months on day D (or -1: the last day)
    MONTHLY_BY_WEEKDAY = "monthly_by_weekday"  # every N months on the nth weekday (2nd Tuesday, last Friday)


class RuleEnd(StrEnum):
    """The schedule form's end choices."""

    NEVER = "never"
    ON_DATE = "on_date"
    AFTER_COUNT = "after_count"


class WallTimeKind(StrEnum):
    NORMAL = "normal"
    NONEXISTENT = "nonexistent"  # inside a spring-forward gap: shown shifted (02:30 -> 03:30)
    AMBIGUOUS = "ambiguous"  # inside a fall-back overlap: the first (summer time) instant is used


# --- Zones and wall times ---------------------------------------------------------------------------------------


@cache
def _known_zones() -> frozenset[str]:
    # "localtime" and "Factory" are files in the zone database, not places a visit can be.
    return frozenset(available_timezones()) - {"localtime", "Factory", "posixrules"}


def resolve_zone(tz: str) -> ZoneInfo:
    """Return the ``ZoneInfo`` for an IANA name, or raise :class:`UnknownTimeZoneError`."""
    if not isinstance(tz, str) or tz not in _known_zones():
        raise UnknownTimeZoneError(UNKNOWN_TZ_MSG.format(tz=tz), field="tz")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZoneError(UNKNOWN_TZ_MSG.format(tz=tz), field="tz") from None


def local_to_utc(wall: datetime, tz: str) -> datetime:
    """Convert a naive local wall time in ``tz`` to an aware UTC instant.

    ``wall.fold`` is honoured; with the default ``fold=0`` a nonexistent time uses the offset before the gap and an
    ambiguous time is the first one (RFC 5545 §3.3.5). Never let PostgreSQL do this: it resolves ambiguity the
    other way (docs/specs/recurrence.md R10).
    """
    if wall.tzinfo is not None:
        raise InvalidStartError(AWARE_START_MSG, field="local_start")
    return wall.replace(tzinfo=resolve_zone(tz)).astimezone(UTC)


def utc_to_local(instant: datetime, tz: str) -> datetime:
    """Convert an aware instant to the naive wall time shown in ``tz`` (``fold`` set on the second 01:30)."""
    _require_aware(instant, "instant")
    return instant.astimezone(resolve_zone(tz)).replace(tzinfo=None)


def classify_wall_time(wall: datetime, tz: str) -> WallTimeKind:
    """Say whether a naive wall time exists once, never (DST gap) or twice (DST overlap) in ``tz``.

    The form can use it to warn about a series at, say, 02:30 (docs/specs/recurrence.md).
    """
    zone = resolve_zone(tz)
    if wall.tzinfo is not None:
        raise InvalidStartError(AWARE_START_MSG, field="wall")
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall.replace(fold=0):
        return WallTimeKind.NONEXISTENT
    if first.utcoffset() != second.utcoffset():
        return WallTimeKind.AMBIGUOUS
    return WallTimeKind.NORMAL


# --- Rules: form, text ------------------------------------------------------------------------------------------


def build_rule(
    *,
    pattern: RulePattern | str,
    tz: str,
    interval: int = 1,
    weekdays: Iterable[int] = (),
    month_day: int | None = None,
    nth: int | None = None,
    weekday: int | None = None,
    ends: RuleEnd | str = RuleEnd.NEVER,
    end_on: date | None = None,
    count: int | None = None,
) -> RecurrenceRule:
    """Build a rule from the schedule form's cleaned data.

    Only the fields of the chosen ``pattern`` and ``ends`` are read, so hidden form sections may hold anything.
    "Ends on a date" includes every visit on that local date: UNTIL is the last second of ``end_on`` in ``tz``.
    Raises :class:`RecurrenceError` subclasses whose ``field`` is the parameter name.
    """
    pattern = RulePattern(pattern)
    ends = RuleEnd(ends)
    until: datetime | None = None
    bound: int | None = None
    if ends is RuleEnd.ON_DATE:
        if end_on is None:
            raise InvalidRuleError(END_DATE_REQUIRED_MSG, field="end_on")
        until = _end_of_local_day(end_on, resolve_zone(tz))
    elif ends is RuleEnd.AFTER_COUNT:
        if count is None:
            raise InvalidRuleError(END_COUNT_REQUIRED_MSG, field="count")
        bound = count
    if pattern is RulePattern.WEEKLY:
        days = tuple(weekdays)
        if not days:
            raise InvalidRuleError(WEEKLY_NEEDS_DAYS_MSG, field="weekdays")
        return RecurrenceRule(
            Frequency.WEEKLY,
            interval=interval,
            weekdays=tuple(_weekday(d, "weekdays") for d in days),
            until=until,
            count=bound,
        )
    if pattern is RulePattern.MONTHLY_BY_DATE:
        if month_day is None:
            raise InvalidRuleError(MONTHLY_NEEDS_DAY_MSG, field="month_day")
        return RecurrenceRule(Frequency.MONTHLY, interval=interval, month_day=month_day, until=until, count=bound)
    if nth is None or weekday is None:
        raise InvalidRuleError(MONTHLY_NEEDS_POSITION_MSG, field="nth" if nth is None else "weekday")
    if nth not in NTH_CHOICES:
        raise InvalidRuleError(FORM_NTH_MSG.format(nth=nth), field="nth")
    return RecurrenceRule(
        Frequency.MONTHLY,
        interval=interval,
        nth_weekday=NthWeekday(nth, _weekday(weekday, "weekday")),
        until=until,
        count=bound,
    )


def format_rrule(rule: RecurrenceRule) -> str:
    """Return the canonical RRULE text (no ``RRULE:`` prefix, no DTSTART); :func:`parse_rrule` inverts it."""
    parts = [f"FREQ={rule.freq.value}"]
    if rule.interval != 1:
        parts.append(f"INTERVAL={rule.interval}")
    for name, values in (("BYMONTH", rule.months), ("BYWEEKNO", rule.week_numbers), ("BYYEARDAY", rule.year_days)):
        if values:
            parts.append(f"{name}=" + ",".join(str(value) for value in values))
    days = [day.name for day in rule.weekdays] + [f"{p.nth}{p.weekday.name}" for p in rule.nth_weekdays]
    if days:
        parts.append("BYDAY=" + ",".join(days))
    for name, values in (("BYMONTHDAY", rule.month_days), ("BYSETPOS", rule.set_positions)):
        if values:
            parts.append(f"{name}=" + ",".join(str(value) for value in values))
    if rule.wkst is not Weekday.MO:
        parts.append(f"WKST={rule.wkst.name}")
    if rule.until is not None:
        u = rule.until
        # Formatted by hand: strftime("%Y") does not zero-pad years before 1000 on glibc.
        parts.append(f"UNTIL={u.year:04d}{u.month:02d}{u.day:02d}T{u.hour:02d}{u.minute:02d}{u.second:02d}Z")
    if rule.count is not None:
        parts.append(f"COUNT={rule.count}")
    return ";".join(parts)


def parse_rrule(text: str, *, tz: str | None = None) -> RecurrenceRule:
    """Parse one RRULE (with or without the ``RRULE:`` prefix) into a :class:`RecurrenceRule`.

    A floating UNTIL (``20251021T090000``, or a date) is a local time: with ``tz`` it is converted to UTC (a date
    means the end of that local day), without it :class:`FloatingUntilError` is raised (R3). Sub-daily rules
    raise :class:`UnsupportedRuleError`; malformed text and values RFC 5545 forbids raise
    :class:`InvalidRuleError`. Both carry a message fit for users and ``field="rrule"``.
    """
    body = text.strip()
    if "\n" in body or "\r" in body or "DTSTART" in body.upper():
        raise InvalidRuleError(DTSTART_IN_RULE_MSG, field="rrule")
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    values: dict[str, str] = {}
    for part in body.split(";"):
        if not part.strip():
            continue  # tolerate a trailing ";" from hand-written rules
        name, sep, value = part.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not name or not value:
            raise InvalidRuleError(MALFORMED_PART_MSG.format(part=part), field="rrule")
        if name not in _RFC_PARTS:
            raise InvalidRuleError(UNKNOWN_PART_MSG.format(name=name), field="rrule")
        if name in values:
            raise InvalidRuleError(DUPLICATE_PART_MSG.format(name=name), field="rrule")
        values[name] = value
    if not values:
        raise InvalidRuleError(EMPTY_RULE_MSG, field="rrule")
    subdaily = sorted(values.keys() & _SUBDAILY_PARTS)
    if subdaily:
        raise UnsupportedRuleError(UNSUPPORTED_PART_MSG.format(name=subdaily[0]), field="rrule")
    if "FREQ" not in values:
        raise InvalidRuleError(MISSING_FREQ_MSG, field="rrule")
    freq_text = values["FREQ"]
    if freq_text in _SUBDAILY_FREQS:
        raise UnsupportedRuleError(UNSUPPORTED_FREQ_MSG.format(freq=freq_text.lower()), field="rrule")
    if freq_text not in Frequency.__members__:
        raise InvalidRuleError(UNKNOWN_FREQ_MSG.format(freq=freq_text), field="rrule")

    weekdays: list[Weekday] = []
    nth_weekdays: list[NthWeekday] = []
    for item in _split_list(values.get("BYDAY")):
        match = _BYDAY_RE.match(item)
        if match is None:
            raise InvalidRuleError(BAD_WEEKDAY_MSG.format(value=item), field="rrule")
        day = Weekday[match.group(2)]
        if match.group(1) is None:
            weekdays.append(day)
        else:
            nth_weekdays.append(NthWeekday(int(match.group(1)), day))
    wkst = values.get("WKST", "MO")
    if wkst not in Weekday.__members__:
        raise InvalidRuleError(BAD_WKST_MSG.format(value=wkst), field="rrule")

    def ints(name: str) -> tuple[int, ...]:
        return tuple(_to_int(name, item) for item in _split_list(values.get(name)))

    try:
        return RecurrenceRule(
            Frequency(freq_text),
            interval=_to_int("INTERVAL", values["INTERVAL"]) if "INTERVAL" in values else 1,
            weekdays=tuple(weekdays),
            nth_weekdays=tuple(nth_weekdays),
            month_days=ints("BYMONTHDAY"),
            months=ints("BYMONTH"),
            year_days=ints("BYYEARDAY"),
            week_numbers=ints("BYWEEKNO"),
            set_positions=ints("BYSETPOS"),
            wkst=Weekday[wkst],
            until=_parse_until(values["UNTIL"], tz) if "UNTIL" in values else None,
            count=_to_int("COUNT", values["COUNT"]) if "COUNT" in values else None,
        )
    except RecurrenceError as err:
        # Errors found while parsing text point at the text field, not at a dataclass attribute.
        err.field = "rrule"
        raise


# --- Expansion --------------------------------------------------------------------------------------------------


def expand_occurrences(
    rule: RecurrenceRule,
    local_start: datetime,
    tz: str,
    window_start: datetime,
    window_end: datetime,
    *,
    duration: timedelta,
    exdates: Iterable[datetime] = (),
    rdates: Iterable[datetime] = (),
) -> list[Occurrence]:
    """List the series' visits whose start lies in ``[window_start, window_end)``, sorted by start.

    ``local_start`` is the naive DTSTART wall time in ``tz``; the window bounds are aware (any zone). EXDATEs and
    RDATEs match by instant (naive = local wall time in ``tz``). Raises :class:`WindowTooLargeError` for a window
    over :data:`MAX_WINDOW`, :class:`InvalidWindowError`, :class:`InvalidStartError`,
    :class:`UnknownTimeZoneError`. Never iterates past the window, so infinite series are safe.
    """
    zone = resolve_zone(tz)
    _check_start(local_start)
    low, high = _check_window(window_start, window_end)
    if duration < timedelta(0):
        raise RecurrenceError(NEGATIVE_DURATION_MSG, field="duration")
    excluded = {_instant(value, zone) for value in exdates}
    starts = {inst for _wall, inst in _rule_instances_between(rule, local_start, zone, low, high)}
    starts.update(inst for inst in (_instant(value, zone) for value in rdates) if low <= inst < high)
    return [Occurrence(inst, inst, inst + duration) for inst in sorted(starts - excluded)]


def next_occurrence(
    rule: RecurrenceRule,
    local_start: datetime,
    tz: str,
    *,
    after: datetime,
    duration: timedelta,
    exdates: Iterable[datetime] = (),
    rdates: Iterable[datetime] = (),
) -> Occurrence | None:
    """Return the first visit starting strictly after ``after`` (aware), or None when the series has ended.

    For "All visits" (§1.2 rule 7) pass ``after=now`` and no exdates/rdates: the split point must be an RRULE
    occurrence. Terminates on infinite series: it stops at the first match (plus a two-day look-ahead for
    zones whose UTC order differs from wall-clock order), and a rule with no visit in its first five years
    yields nothing. An uncounted rule starts from the period of ``after``, not from DTSTART.
    """
    zone = resolve_zone(tz)
    _check_start(local_start)
    after_utc = _require_aware(after, "after")
    excluded = {_instant(value, zone) for value in exdates}
    best: datetime | None = None
    stop_wall: datetime | None = None
    from_wall = after_utc.astimezone(zone).replace(tzinfo=None) - _PAD
    for wall, inst in _iter_rule_instances(rule, local_start, zone, from_wall=from_wall):
        if stop_wall is not None and wall > stop_wall:
            break
        if inst > after_utc and inst not in excluded and (best is None or inst < best):
            best = inst
            stop_wall = wall + _PAD
    for inst in (_instant(value, zone) for value in rdates):
        if inst > after_utc and inst not in excluded and (best is None or inst < best):
            best = inst
    return None if best is None else Occurrence(best, best, best + duration)


def materialization_window(now: datetime, *, horizon_days: int, tz: str) -> tuple[datetime, datetime]:
    """Return ``(now, now + H)`` in UTC, H counted in local calendar days of ``tz`` (R15).

    Counting wall-clock days keeps the horizon at the same local time of day across a DST change: from
    2025-10-01 00:00 New York, 90 days is 2025-12-30 00:00 EST, not 23:00.
    """
    now_utc = _require_aware(now, "now")
    if not 0 < horizon_days <= MAX_WINDOW.days:
        raise InvalidWindowError(BAD_HORIZON_MSG.format(days=horizon_days), field="horizon_days")
    zone = resolve_zone(tz)
    local_now = now_utc.astimezone(zone).replace(tzinfo=None)
    end = (local_now + timedelta(days=horizon_days)).replace(tzinfo=zone, fold=0).astimezone(UTC)
    return now_utc, end


# --- DTSTART validation -----------------------------------------------------------------------------------------


def normalize_local_start(rule: RecurrenceRule, local_start: datetime, tz: str) -> datetime:
    """Return the first visit's wall time at or after ``local_start`` (itself when it is on the pattern).

    Keeps the time of day. Raises :class:`EndsBeforeStartError` when UNTIL is before the start,
    :class:`NoVisitSoonError` when the rule has no visit in the :data:`FIRST_VISIT_YEARS` years from the start
    (the search is bounded, so a rule that can never match does not hang), and :class:`EmptySeriesError` when
    UNTIL cuts every visit (R9).
    """
    zone = resolve_zone(tz)
    _check_start(local_start)
    if rule.until is not None and rule.until < _instant(local_start, zone):
        message = UNTIL_BEFORE_START_MSG.format(until=_human(utc_to_local(rule.until, tz)), start=_human(local_start))
        raise EndsBeforeStartError(message, field="until")
    if _first_visit_soon(rule, local_start) is None:
        horizon = _add_years(local_start, FIRST_VISIT_YEARS)
        if rule.until is not None and rule.until < _instant(horizon, zone):
            raise EmptySeriesError(EMPTY_SERIES_MSG, field="local_start")
        raise NoVisitSoonError(NO_VISIT_SOON_MSG.format(start=_human(local_start)), field="rrule")
    # dateutil stays the source of truth; the search above only guarantees it finds a visit soon.
    horizon = _add_years(local_start, FIRST_VISIT_YEARS)
    for wall, _inst in _iter_rule_instances(rule, local_start, zone, stop_wall=horizon + _PAD):
        return wall
    raise EmptySeriesError(EMPTY_SERIES_MSG, field="local_start")


def check_local_start(rule: RecurrenceRule, local_start: datetime, tz: str) -> None:
    """Reject a start that is not itself a visit of the rule (the strict choice of R9).

    Raises :class:`OffPatternStartError` with ``suggested_local_start`` (the normalised start), or
    :class:`EmptySeriesError`.
    """
    suggested = normalize_local_start(rule, local_start, tz)
    if suggested != local_start:
        raise OffPatternStartError(
            OFF_PATTERN_MSG.format(start=_human(local_start), suggested=_human(suggested)),
            suggested_local_start=suggested,
            field="local_start",
        )


# --- "This and following" ---------------------------------------------------------------------------------------


def split_until(split_at: datetime) -> datetime:
    """UNTIL for the old series when splitting at visit T: ``T - 1 s`` in UTC (inclusive, so T is excluded)."""
    return _require_aware(split_at, "split_at").replace(microsecond=0) - timedelta(seconds=1)


def count_occurrences_before(rule: RecurrenceRule, local_start: datetime, tz: str, before: datetime) -> int:
    """Count RRULE occurrences starting before ``before`` (aware), EXDATE'd ones included, RDATEs excluded.

    These are the occurrences that used up COUNT (RFC 5545: EXDATE does not give a visit back). Iterates from
    DTSTART up to ``before``, so it ends even for an infinite rule.
    """
    zone = resolve_zone(tz)
    _check_start(local_start)
    before_utc = _require_aware(before, "before")
    stop_wall = before_utc.astimezone(zone).replace(tzinfo=None) + _PAD
    total = 0
    for wall, inst in _iter_rule_instances(rule, local_start, zone, stop_wall=stop_wall):
        if wall > stop_wall:
            break
        if inst < before_utc:
            total += 1
    return total


def remaining_count(rule: RecurrenceRule, local_start: datetime, tz: str, split_at: datetime) -> int | None:
    """COUNT for the new series of a split at T: ``COUNT - occurrences before T``; None when there is no COUNT.

    So 10 visits split at the 6th give 5 + 5, never 5 + 10 (Nextcloud #5110, R14).
    """
    if rule.count is None:
        return None
    return rule.count - count_occurrences_before(rule, local_start, tz, split_at)


def split_series(
    rule: RecurrenceRule,
    local_start: datetime,
    tz: str,
    *,
    split_at: datetime,
    new_local_start: datetime | None = None,
    new_pattern: RecurrenceRule | None = None,
    exdates: Iterable[datetime] = (),
) -> SeriesSplit:
    """Split a series at visit T (its ``original_start``, an RRULE occurrence) for "this and following".

    ``new_local_start`` defaults to T's wall time. Without ``new_pattern`` the old pattern is kept, with its
    weekdays or day of month shifted when the new start moves to another date (every weekday moves by the same
    number of days). ``new_pattern`` replaces the pattern; it must be unbounded because the new series always
    inherits the old end: ``COUNT = remaining`` or the same UNTIL. Raises :class:`NotAnOccurrenceError`,
    :class:`OffPatternStartError` when the new start is not on the new pattern, :class:`EmptySeriesError` when
    the new series would have no visit (moved past UNTIL). RDATEs stay on the old series: UNTIL does not bound
    them.
    """
    zone = resolve_zone(tz)
    _check_start(local_start)
    split_utc = _require_aware(split_at, "split_at")
    split_wall = _find_rule_wall(rule, local_start, zone, split_utc)
    if split_wall is None:
        raise NotAnOccurrenceError(
            NOT_AN_OCCURRENCE_MSG.format(when=_human(utc_to_local(split_utc, tz))), field="split_at"
        )
    target = split_wall if new_local_start is None else new_local_start
    _check_start(target)

    visits_before = count_occurrences_before(rule, local_start, tz, split_utc)
    old_rule = replace(rule, count=None, until=split_until(split_utc))

    if new_pattern is not None and new_pattern.is_bounded:
        raise InvalidRuleError(BOUNDED_PATTERN_MSG, field="new_pattern")
    if new_pattern is None:
        pattern = _follow_move(replace(rule, count=None, until=None), split_wall.date(), target.date())
    else:
        pattern = new_pattern
    if rule.count is not None:
        new_rule = replace(pattern, count=rule.count - visits_before)
    else:
        new_rule = replace(pattern, until=rule.until)
    check_local_start(new_rule, target, tz)

    shift = target - split_wall
    old_ex: list[datetime] = []
    new_ex: list[datetime] = []
    unmapped: list[datetime] = []
    for value in exdates:
        wall = value if value.tzinfo is None else utc_to_local(value, tz)
        if _instant(value, zone) < split_utc:
            old_ex.append(wall)
            continue
        moved = wall + shift
        if _find_rule_wall(new_rule, target, zone, _instant(moved, zone)) is not None:
            new_ex.append(moved)
        else:
            unmapped.append(wall)
    return SeriesSplit(
        old_rule=old_rule,
        visits_before=visits_before,
        new_rule=new_rule,
        new_local_start=target,
        old_exdates=tuple(sorted(old_ex)),
        new_exdates=tuple(sorted(new_ex)),
        unmapped_exdates=tuple(sorted(unmapped)),
    )


# --- Internals --------------------------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _weekday(value: int, field: str) -> Weekday:
    try:
        return Weekday(value)
    except ValueError:
        raise InvalidRuleError(BAD_WEEKDAY_MSG.format(value=value), field=field) from None


def _to_int(name: str, text: str) -> int:
    if not _INT_RE.match(text.strip()):
        raise InvalidRuleError(BAD_INTEGER_MSG.format(name=name, value=text), field="rrule")
    return int(text)


def _split_list(text: str | None) -> list[str]:
    return [] if text is None else [item.strip() for item in text.split(",")]


def _parse_until(text: str, tz: str | None) -> datetime:
    utc = _strptime(text, _UNTIL_UTC_FORMAT)
    if utc is not None:
        return utc.replace(tzinfo=UTC)
    floating = _strptime(text, "%Y%m%dT%H%M%S")
    day = _strptime(text, "%Y%m%d")
    if floating is None and day is None:
        raise InvalidRuleError(BAD_UNTIL_MSG.format(value=text), field="rrule")
    if tz is None:
        raise FloatingUntilError(FLOATING_UNTIL_MSG, field="rrule")
    zone = resolve_zone(tz)
    if floating is not None:
        return floating.replace(tzinfo=zone).astimezone(UTC)
    assert day is not None
    # A date-only UNTIL means "through that local day", like the form's "ends on".
    return _end_of_local_day(day.date(), zone)


def _strptime(text: str, fmt: str) -> datetime | None:
    try:
        # Naive on purpose: the caller attaches UTC or the series zone, depending on the text's form.
        return datetime.strptime(text, fmt)  # noqa: DTZ007
    except ValueError:
        return None


def _end_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    # The next midnight minus one second, rather than 23:59:59: where midnight falls in a gap (Santiago) fold=0
    # gives the instant the gap starts, and the second before it is still this day.
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return next_midnight.astimezone(UTC) - timedelta(seconds=1)


def _check_start(local_start: datetime) -> None:
    if local_start.tzinfo is not None:
        raise InvalidStartError(AWARE_START_MSG, field="local_start")
    if local_start.microsecond:
        # dateutil silently drops microseconds from DTSTART; refusing keeps original_start exact.
        raise InvalidStartError(START_MICROSECONDS_MSG, field="local_start")


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise RecurrenceError(NAIVE_INSTANT_MSG.format(name=name), field=name)
    return value.astimezone(UTC)


def _check_window(window_start: datetime, window_end: datetime) -> tuple[datetime, datetime]:
    for bound in (window_start, window_end):
        if bound.tzinfo is None or bound.utcoffset() is None:
            raise InvalidWindowError(NAIVE_WINDOW_MSG, field="window")
    low, high = window_start.astimezone(UTC), window_end.astimezone(UTC)
    if high < low:
        raise InvalidWindowError(REVERSED_WINDOW_MSG, field="window")
    if high - low > MAX_WINDOW:
        days = (high - low) / timedelta(days=1)
        raise WindowTooLargeError(WINDOW_TOO_LARGE_MSG.format(days=f"{days:g}"), field="window")
    return low, high


def _instant(value: datetime, zone: ZoneInfo) -> datetime:
    """Naive -> local wall time in ``zone`` (its own fold); aware -> that instant. Always UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=zone).astimezone(UTC)
    return value.astimezone(UTC)


def _dateutil_kwargs(rule: RecurrenceRule, local_start: datetime) -> dict[str, object]:
    """dateutil's BY arguments, with the parts RFC 5545 takes from DTSTART written out.

    dateutil would take them from its own dtstart; spelling them out lets the engine hand it another dtstart (the
    week's first day, a period's first day) without changing which days match.
    """
    byweekday = [_DU_WEEKDAYS[day] for day in rule.weekdays]
    byweekday += [_DU_WEEKDAYS[p.weekday](p.nth) for p in rule.nth_weekdays]
    months: tuple[int, ...] = rule.months
    month_days: tuple[int, ...] = rule.month_days
    if not (byweekday or month_days or rule.year_days or rule.week_numbers):
        if rule.freq is Frequency.YEARLY:
            months = months or (local_start.month,)
            month_days = (local_start.day,)
        elif rule.freq is Frequency.MONTHLY:
            month_days = (local_start.day,)
        elif rule.freq is Frequency.WEEKLY:
            byweekday = [_DU_WEEKDAYS[local_start.weekday()]]
    return {
        "byweekday": byweekday or None,
        "bymonthday": month_days or None,
        "bymonth": months or None,
        "byyearday": rule.year_days or None,
        "byweekno": rule.week_numbers or None,
        "bysetpos": rule.set_positions or None,
        # Explicit: dateutil's default follows calendar.setfirstweekday(), global state we must not depend on.
        "wkst": _DU_WEEKDAYS[rule.wkst],
    }


def _week_start(day: datetime, wkst: Weekday) -> datetime:
    return day - timedelta(days=(day.weekday() - wkst) % 7)


def _iter_rule_instances(
    rule: RecurrenceRule,
    local_start: datetime,
    zone: ZoneInfo,
    *,
    stop_wall: datetime | None = None,
    from_wall: datetime | None = None,
) -> Iterator[tuple[datetime, datetime]]:
    """Yield ``(nominal wall time, UTC instant)`` for every RRULE occurrence, in wall-clock order.

    Stops after the first occurrence past ``stop_wall``; without it, unbounded for an infinite rule (callers must
    stop on their own). COUNT is counted here, from DTSTART, so the cut never changes which visits exist.
    ``from_wall`` lets an uncounted rule start at the last period (day, week, month, year) of the same INTERVAL
    phase at or before it, so listing a window of an old series does not replay its whole past; visits before
    ``from_wall`` may still be yielded.

    A rule with no visit in its first five years yields nothing: :func:`normalize_local_start` refuses it, and
    anywhere else dateutil would search to the year 9999 for it (a rule with a visit recurs with the calendar,
    so the search past a window stays short).
    """
    if _first_visit_soon(rule, local_start) is None:
        return
    anchor = local_start
    if rule.freq is Frequency.WEEKLY:
        # dateutil builds the first week from dtstart on, so BYSETPOS would pick among a partial week.
        anchor = _week_start(local_start, rule.wkst)
    if from_wall is not None and rule.count is None and from_wall > anchor:
        anchor = _phase_anchor(rule, anchor, from_wall)
    until = rule.until
    if stop_wall is not None:
        stop = stop_wall.replace(tzinfo=zone).astimezone(UTC)
        until = stop if until is None else min(until, stop)
    source = du.rrule(
        _DU_FREQS[rule.freq],
        # Aware DTSTART: dateutil builds wall times and attaches the zone (fold=0), which is the whole point.
        dtstart=anchor.replace(tzinfo=zone, fold=0),
        interval=rule.interval,
        until=until,
        **_dateutil_kwargs(rule, local_start),  # type: ignore[arg-type]
    )
    left = rule.count
    for aware in source:
        wall = aware.replace(tzinfo=None)
        if wall < local_start:
            continue
        yield wall, aware.astimezone(UTC)
        if left is not None:
            left -= 1
            if left == 0:
                return


def _phase_anchor(rule: RecurrenceRule, anchor: datetime, from_wall: datetime) -> datetime:
    """The start of the last period at or before ``from_wall`` that INTERVAL keeps, at the anchor's time of day.

    dateutil anchors the INTERVAL phase on its dtstart's period, and the days a period yields do not depend on
    where dtstart falls in it once the implicit parts are written out (:func:`_dateutil_kwargs`), so starting
    there yields the same visits from that period on.
    """
    if rule.freq is Frequency.DAILY or rule.freq is Frequency.WEEKLY:
        period = 1 if rule.freq is Frequency.DAILY else 7
        step = rule.interval * period
        skipped = (from_wall.date() - anchor.date()).days // step
        return anchor + timedelta(days=skipped * step)
    step = rule.interval * (12 if rule.freq is Frequency.YEARLY else 1)
    months = (from_wall.year - anchor.year) * 12 + from_wall.month - anchor.month
    if rule.freq is Frequency.YEARLY:
        months = (from_wall.year - anchor.year) * 12
    skipped = months // step
    if skipped == 0:
        return anchor
    year, month0 = divmod(anchor.year * 12 + (anchor.month - 1) + skipped * step, 12)
    first_month = month0 + 1 if rule.freq is Frequency.MONTHLY else 1
    return datetime.combine(date(year, first_month, 1), anchor.time())


def _rule_instances_between(
    rule: RecurrenceRule, local_start: datetime, zone: ZoneInfo, low: datetime, high: datetime
) -> Iterator[tuple[datetime, datetime]]:
    # The iteration is cut on the wall clock; pad it and filter exactly in UTC so a zone whose UTC order differs
    # near a transition cannot lose a visit.
    stop_wall = high.astimezone(zone).replace(tzinfo=None) + _PAD
    from_wall = low.astimezone(zone).replace(tzinfo=None) - _PAD
    for wall, inst in _iter_rule_instances(rule, local_start, zone, stop_wall=stop_wall, from_wall=from_wall):
        if low <= inst < high:
            yield wall, inst


def _find_rule_wall(rule: RecurrenceRule, local_start: datetime, zone: ZoneInfo, instant: datetime) -> datetime | None:
    """The nominal wall time of the RRULE occurrence at ``instant``, or None if there is none."""
    for wall, inst in _rule_instances_between(
        rule, local_start, zone, instant - timedelta(days=1), instant + timedelta(days=1)
    ):
        if inst == instant:
            return wall
    return None


def _follow_move(rule: RecurrenceRule, old_day: date, new_day: date) -> RecurrenceRule:
    """Rewrite an explicit pattern so it contains ``new_day`` the way it contained ``old_day``.

    Only the schedule form's shapes are rewritten (weekly on weekdays, monthly on one date or one weekday
    position); implicit patterns follow DTSTART already, and any other rule is returned unchanged, so a move off
    it is refused by :func:`check_local_start` and the caller must say the new pattern.
    """
    if old_day == new_day:
        return rule
    others = rule.months or rule.year_days or rule.week_numbers or rule.set_positions
    if others:
        return rule
    if rule.freq is Frequency.WEEKLY and rule.weekdays:
        delta = (new_day - old_day).days
        return replace(rule, weekdays=tuple(Weekday((day + delta) % 7) for day in rule.weekdays))
    if rule.freq is not Frequency.MONTHLY or rule.weekdays:
        return rule
    last_day = calendar.monthrange(new_day.year, new_day.month)[1]
    if rule.month_day is not None and not rule.nth_weekdays:
        keep_last = rule.month_day == -1 and new_day.day == last_day
        return replace(rule, month_day=None, month_days=(-1 if keep_last else new_day.day,))
    if rule.nth_weekday is not None and not rule.month_days:
        is_last = new_day.day + 7 > last_day
        nth = (new_day.day - 1) // 7 + 1
        if is_last and (rule.nth_weekday.nth == -1 or nth == 5):
            nth = -1
        return replace(rule, nth_weekday=None, nth_weekdays=(NthWeekday(nth, Weekday(new_day.weekday())),))
    return rule


def _add_years(wall: datetime, years: int) -> datetime:
    try:
        return wall.replace(year=wall.year + years)
    except ValueError:  # 29 February
        return wall.replace(year=wall.year + years, month=3, day=1)


def _int_list(values: Iterable[int], low: int, high: int, message: str, key: str, field: str) -> tuple[int, ...]:
    checked: set[int] = set()
    for value in values:
        if not _is_int(value) or value == 0 or not low <= value <= high:
            raise InvalidRuleError(message.format(**{key: value}), field=field)
        checked.add(value)
    return tuple(sorted(checked, key=_signed_key))


# One period of a monthly or yearly rule: the next period would be past the year 9999, where dateutil stops.
_ONE_PERIOD = {Frequency.MONTHLY: 12 * 10_000, Frequency.YEARLY: 10_000}


@lru_cache(maxsize=4096)
def _first_visit_soon(rule: RecurrenceRule, local_start: datetime) -> datetime | None:
    """The first visit's wall time in the :data:`FIRST_VISIT_YEARS` years from the start (COUNT, UNTIL ignored)."""
    return _first_visit_before(rule, local_start, _add_years(local_start, FIRST_VISIT_YEARS))


def _first_visit_before(rule: RecurrenceRule, local_start: datetime, horizon: datetime) -> datetime | None:
    """The rule's first visit in ``[local_start, horizon)`` (wall clock), ignoring COUNT and UNTIL.

    Bounded, unlike a plain dateutil iteration: monthly and yearly rules are expanded one period at a time by
    dateutil rules that stop after that period; daily and weekly rules only filter days, which is checked here.
    """
    if rule.freq is Frequency.DAILY or rule.freq is Frequency.WEEKLY:
        return _first_daily_or_weekly_visit_before(rule, local_start, horizon)
    kwargs = _dateutil_kwargs(rule, local_start)
    step = rule.interval * (12 if rule.freq is Frequency.YEARLY else 1)
    index = local_start.year * 12 + (local_start.month - 1 if rule.freq is Frequency.MONTHLY else 0)
    period_start = local_start
    while period_start < horizon:
        one_period = du.rrule(
            _DU_FREQS[rule.freq],
            dtstart=period_start,
            interval=_ONE_PERIOD[rule.freq],
            **kwargs,  # type: ignore[arg-type]
        )
        for wall in one_period:
            return wall if wall < horizon else None
        index += step
        year, month0 = divmod(index, 12)
        if year > MAXYEAR:
            return None
        period_start = datetime.combine(date(year, month0 + 1, 1), local_start.time())
    return None


def _pick_positions(days: list[date], positions: tuple[int, ...]) -> list[date]:
    """BYSETPOS: 1 is the first day of the set, -1 the last; positions past the set's size pick nothing."""
    picked = []
    for position in positions:
        index = position - 1 if position > 0 else position
        if -len(days) <= index < len(days):
            picked.append(days[index])
    return picked


def _first_daily_or_weekly_visit_before(
    rule: RecurrenceRule, local_start: datetime, horizon: datetime
) -> datetime | None:
    weekdays = set(rule.weekdays)
    if not weekdays and rule.freq is Frequency.WEEKLY:
        weekdays = {Weekday(local_start.weekday())}
    months, month_days = set(rule.months), set(rule.month_days)

    def matches(day: date) -> bool:
        if months and day.month not in months:
            return False
        if weekdays and day.weekday() not in weekdays:
            return False
        if month_days:
            from_end = day.day - calendar.monthrange(day.year, day.month)[1] - 1
            return day.day in month_days or from_end in month_days
        return True

    first, last = local_start.date(), horizon.date()
    step = timedelta(days=rule.interval * (7 if rule.freq is Frequency.WEEKLY else 1))
    period = _week_start(local_start, rule.wkst).date() if rule.freq is Frequency.WEEKLY else first
    size = 7 if rule.freq is Frequency.WEEKLY else 1
    while period <= last:
        days = [day for day in (period + timedelta(days=i) for i in range(size)) if matches(day)]
        if rule.set_positions:
            days = _pick_positions(days, rule.set_positions)
        for day in sorted(days):
            wall = datetime.combine(day, local_start.time())
            if first <= day and wall < horizon:
                return wall
        period += step
    return None


_MONTH_NAMES = (
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


def _human(wall: datetime) -> str:
    # Spelled out by hand: strftime's %A/%B follow the process locale, and messages must not change with it.
    weekday = Weekday(wall.weekday()).label
    return f"{weekday} {wall.day} {_MONTH_NAMES[wall.month - 1]} {wall.year} {wall:%H:%M}"

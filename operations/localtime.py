"""Local days in UTC: the bounds of a wall-clock day in a zone and the day that ended most recently.

Pure (no Django): visits are stored in UTC and shown in a site's, an organizer's or the business zone, so
whoever needs "that local day" asks here. Days may be 23 or 25 hours long (DST changes).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local day `day` in zone `tz`."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_yesterday(now: datetime, tz: str) -> date:
    """The local day in `tz` that ended most recently before `now`."""
    return now.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)

"""A series' repeat rule in words wherever a series appears (docs/specs/recurrence-rfc5545.md §5)."""

from __future__ import annotations

from django import template

from operations.models import RecurringSeries
from operations.recurrence_text import describe_stored

register = template.Library()


@register.filter
def series_words(series: RecurringSeries | None) -> str:
    if series is None:
        return ""
    return describe_stored(series.rrule, tz=series.tz, local_start=series.local_start)

"""ICS import (issue 15 part 4): read a client's or organizer's calendar file, plan the series and one-off visits it
will create for one site, list every clash with existing bookings, and create them in one transaction through the
booking services. Each VEVENT is remembered by UID (ImportedEvent), so the same file never creates anything twice.

How a calendar maps to visits (docs/specs/recurrence.md R20, docs/specs/recurrence-rfc5545.md): times are read in
their TZID (an unknown TZID is refused) and kept as wall times in the site's zone; a floating time is the site's
wall time. RRULE goes through the project's engine; EXDATE and cancelled instances become exclusions; RDATE and
moved instances (RECURRENCE-ID) become one-off visits in place of their occurrence; an override with
RANGE=THISANDFUTURE splits the series there like "this and following". All-day events, cancelled events and events
over before today are listed as skipped, never dropped silently.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from clients.models import Client, Site
from operations import recurrence, recurrence_text
from operations.models import AppointmentType, ImportedEvent, OrganizerBlock
from operations.services import series as series_services
from operations.services import visits as visit_services

MAX_BYTES = 2 * 1024 * 1024
TOO_BIG_MSG = "The calendar file is too large (%(size)s MB); import at most 2 MB at a time."
UNREADABLE_MSG = "This is not a calendar file that can be read (iCalendar, .ics): %(reason)s"
NO_EVENTS_MSG = "The calendar has no events (VEVENT) to import."
UNKNOWN_TZID_MSG = "“%(summary)s” uses the time zone “%(tzid)s”, which the file does not define and which is not known."
BAD_RULE_MSG = "“%(summary)s” has a repeat rule that cannot be imported: %(reason)s"
CLASHES_MSG = "%(count)s imported visit(s) clash with existing bookings, first %(first)s. Nothing was imported."
ALREADY_MSG = "This calendar was imported meanwhile. Nothing was imported twice."


@dataclass
class Segment:
    """One series to create: a master's rule, or the part after a RANGE=THISANDFUTURE override."""

    uid: str
    summary: str
    local_start: datetime  # naive, in the site's zone
    rule: recurrence.RecurrenceRule
    duration_min: int
    exdates: list[datetime] = field(default_factory=list)
    words: str = ""


@dataclass(frozen=True)
class PlannedVisit:
    uid: str
    recurrence_id: str
    summary: str
    starts: datetime  # UTC
    ends: datetime


@dataclass(frozen=True)
class Clash:
    summary: str
    starts: datetime
    ends: datetime
    existing: str
    who: str


@dataclass
class ImportPlan:
    tz: str
    series: list[Segment] = field(default_factory=list)
    visits: list[PlannedVisit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)


def ics_read(*, data: bytes) -> icalendar.Calendar:
    """Parse the file; refuse one over MAX_BYTES, unreadable, or without events (field "file")."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            {"file": ValidationError(TOO_BIG_MSG, code="too_big", params={"size": f"{len(data) / 2**20:.1f}"})}
        )
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise ValidationError(
            {"file": ValidationError(UNREADABLE_MSG, code="unreadable", params={"reason": str(exc)[:200]})}
        ) from exc
    if not calendar.walk("VEVENT"):
        raise ValidationError({"file": ValidationError(NO_EVENTS_MSG, code="no_events")})
    return calendar


def ics_plan(
    *, data: bytes, site: Site, organizers: Sequence[User], default_duration_min: int, travel_min: int, now: datetime
) -> ImportPlan:
    """What importing the file for this site would create, what it skips and what it clashes with (writes nothing)."""
    calendar = ics_read(data=data)
    plan = ImportPlan(tz=site.time_zone)
    by_uid: dict[str, list[Any]] = defaultdict(list)
    for event in calendar.walk("VEVENT"):
        by_uid[str(event.get("UID", "")) or f"no-uid-{len(by_uid)}"].append(event)
    known = set(ImportedEvent.objects.filter(uid__in=list(by_uid)).values_list("uid", flat=True))
    for uid, events in by_uid.items():
        summary = str(events[0].get("SUMMARY", "")) or "(no title)"
        if uid in known:
            plan.skipped.append(f"{summary}: already imported")
            continue
        masters = [e for e in events if e.get("RRULE") is not None and e.get("RECURRENCE-ID") is None]
        if masters:
            overrides = [e for e in events if e.get("RECURRENCE-ID") is not None]
            _plan_series(plan, uid, masters[0], overrides, default_duration_min, now)
        else:
            for event in events:
                _plan_single(plan, uid, event, default_duration_min, now)
    plan.clashes = _clashes(plan, organizers, travel_min, now)
    return plan


def _summary(event: Any) -> str:
    return str(event.get("SUMMARY", "")) or "(no title)"


def _wall(event: Any, name: str, tz: str) -> datetime | date | None:
    """The property as a naive wall time in the site's zone (a date for all-day values)."""
    prop = event.get(name)
    if prop is None:
        return None
    value = prop.dt
    if not isinstance(value, datetime):
        return value
    tzid = prop.params.get("TZID")
    if value.tzinfo is None:
        if tzid:
            raise ValidationError(
                {"file": ValidationError(UNKNOWN_TZID_MSG, code="unknown_tzid",
                                         params={"summary": _summary(event), "tzid": tzid})}
            )  # fmt: skip
        return value  # floating: the site's wall time
    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def _walls(event: Any, name: str, tz: str) -> list[datetime]:
    """Every time of a list property (EXDATE, RDATE), as naive site-zone walls."""
    props = event.get(name)
    if props is None:
        return []
    found = []
    for prop in props if isinstance(props, list) else [props]:
        tzid = prop.params.get("TZID")
        for item in prop.dts:
            value = item.dt
            if not isinstance(value, datetime):
                continue
            if value.tzinfo is None and tzid:
                raise ValidationError(
                    {"file": ValidationError(UNKNOWN_TZID_MSG, code="unknown_tzid",
                                             params={"summary": _summary(event), "tzid": tzid})}
                )  # fmt: skip
            found.append(value if value.tzinfo is None else value.astimezone(ZoneInfo(tz)).replace(tzinfo=None))
    return found


def _duration(event: Any, start: datetime, tz: str, default: int) -> int:
    end = _wall(event, "DTEND", tz)
    if isinstance(end, datetime) and end > start:
        return max(1, int((end - start).total_seconds() // 60))
    if event.get("DURATION") is not None:
        return max(1, int(event["DURATION"].dt.total_seconds() // 60))
    return default


def _cancelled(event: Any) -> bool:
    return str(event.get("STATUS", "")).upper() == "CANCELLED"


def _plan_single(plan: ImportPlan, uid: str, event: Any, default: int, now: datetime, rid: str = "") -> None:
    summary = _summary(event)
    start = _wall(event, "DTSTART", plan.tz)
    if not isinstance(start, datetime):
        plan.skipped.append(f"{summary}: an all-day event is not a visit")
        return
    if _cancelled(event):
        plan.skipped.append(f"{summary}: cancelled in the calendar")
        return
    starts = recurrence.local_to_utc(start, plan.tz)
    ends = starts + timedelta(minutes=_duration(event, start, plan.tz, default))
    if ends <= now:
        plan.skipped.append(f"{summary}: over before today")
        return
    plan.visits.append(PlannedVisit(uid, rid, summary, starts, ends))


def _rule_error(summary: str, exc: recurrence.RecurrenceError) -> ValidationError:
    return ValidationError(
        {"file": ValidationError(BAD_RULE_MSG, code="bad_rule", params={"summary": summary, "reason": str(exc)})}
    )


def _plan_series(
    plan: ImportPlan, uid: str, master: Any, overrides: list[Any], default: int, now: datetime
) -> None:  # fmt: skip
    summary, tz = _summary(master), plan.tz
    start = _wall(master, "DTSTART", tz)
    if not isinstance(start, datetime):
        plan.skipped.append(f"{summary}: an all-day series is not a visit")
        return
    if _cancelled(master):
        plan.skipped.append(f"{summary}: cancelled in the calendar")
        return
    rrule = master["RRULE"][0] if isinstance(master["RRULE"], list) else master["RRULE"]
    try:
        # A floating UNTIL is refused (no zone given): RFC 5545 wants UTC when DTSTART has a zone.
        rule = recurrence.parse_rrule(rrule.to_ical().decode(), tz=None)
        start = recurrence.normalize_local_start(rule, start, tz)
    except recurrence.RecurrenceError as exc:
        raise _rule_error(summary, exc) from exc
    segments = [Segment(uid, summary, start, rule, _duration(master, start, tz, default), _walls(master, "EXDATE", tz))]
    for rdate in _walls(master, "RDATE", tz):
        starts = recurrence.local_to_utc(rdate, tz)
        if starts >= now:
            plan.visits.append(
                PlannedVisit(
                    uid, rdate.isoformat(), summary, starts, starts + timedelta(minutes=segments[0].duration_min)
                )
            )
    for override in sorted(overrides, key=lambda e: e["RECURRENCE-ID"].dt.isoformat()):
        _apply_override(plan, uid, segments, override, default, now)
    for segment in segments:
        duration = timedelta(minutes=segment.duration_min)
        after = now - duration
        if recurrence.next_occurrence(
            segment.rule, segment.local_start, tz, after=after, duration=duration, exdates=segment.exdates
        ) is None:  # fmt: skip
            plan.skipped.append(f"{summary} ({segment.local_start:%Y-%m-%d} on): over before today")
            continue
        segment.words = recurrence_text.describe_rule(segment.rule, tz=tz, local_start=segment.local_start)
        plan.series.append(segment)


def _apply_override(
    plan: ImportPlan, uid: str, segments: list[Segment], override: Any, default: int, now: datetime
) -> None:  # fmt: skip
    """A RECURRENCE-ID: one moved or cancelled instance, or (RANGE=THISANDFUTURE) a split of the series there."""
    tz = plan.tz
    rid = _wall(override, "RECURRENCE-ID", tz)
    if not isinstance(rid, datetime):
        return
    segment = next((s for s in reversed(segments) if s.local_start <= rid), segments[0])
    if str(override["RECURRENCE-ID"].params.get("RANGE", "")).upper() != "THISANDFUTURE":
        segment.exdates.append(rid)
        _plan_single(plan, uid, override, segment.duration_min, now, rid=rid.isoformat())
        return
    new_start = _wall(override, "DTSTART", tz)
    if not isinstance(new_start, datetime):
        return
    try:
        split = recurrence.split_series(
            segment.rule, segment.local_start, tz, split_at=recurrence.local_to_utc(rid, tz),
            new_local_start=new_start, exdates=segment.exdates,
        )  # fmt: skip
    except recurrence.RecurrenceError as exc:
        raise _rule_error(_summary(override), exc) from exc
    segment.rule, segment.exdates = split.old_rule, list(split.old_exdates)
    if _cancelled(override):
        return
    duration = _duration(override, new_start, tz, segment.duration_min)
    segments.append(
        Segment(uid, segment.summary, split.new_local_start, split.new_rule, duration, list(split.new_exdates))
    )


def _instances(plan: ImportPlan, now: datetime) -> list[tuple[str, datetime, datetime]]:
    """Every visit the plan would book up to the materialization horizon (those the booking service checks)."""
    window_end = now + timedelta(days=series_services.horizon_days())
    found = [(v.summary, v.starts, v.ends) for v in plan.visits if v.starts < window_end]
    for segment in plan.series:
        occurrences = recurrence.expand_occurrences(
            segment.rule, segment.local_start, plan.tz, now, window_end,
            duration=timedelta(minutes=segment.duration_min), exdates=segment.exdates,
        )  # fmt: skip
        found += [(segment.summary, o.starts, o.ends) for o in occurrences]
    return found


def _clashes(plan: ImportPlan, organizers: Sequence[User], travel_min: int, now: datetime) -> list[Clash]:
    """Each planned visit against the organizers' busy blocks, read once (per organizer the blocks never overlap,
    so a bisect finds the candidates)."""
    instances = _instances(plan, now)
    if not instances or not organizers:
        return []
    latest = max(ends for _s, _st, ends in instances) + timedelta(minutes=travel_min)
    blocks = (
        OrganizerBlock.objects.filter(
            organizer__in=organizers, status=OrganizerBlock.Status.ACTIVE, starts__lt=latest, blocked_until__gt=now
        )
        .select_related("organizer", "appointment__client", "appointment__appointment_type")
        .order_by("starts")
    )
    per_person: dict[int, list[OrganizerBlock]] = defaultdict(list)
    for block in blocks:
        per_person[block.organizer_id].append(block)
    travel = timedelta(minutes=travel_min)
    clashes = _clashes_within(instances, travel)
    block_starts = {person: [b.starts for b in person_blocks] for person, person_blocks in per_person.items()}
    for summary, starts, ends in sorted(instances, key=lambda i: i[1]):
        for person, person_blocks in per_person.items():
            index = bisect.bisect_left(block_starts[person], ends + travel)
            while index > 0 and person_blocks[index - 1].blocked_until > starts:
                block = person_blocks[index - 1]
                visit = block.appointment
                existing = f"{visit.client.name} · {visit.appointment_type.name}" if visit else "time off"
                clashes.append(Clash(summary, starts, ends, existing, str(block.organizer)))
                index -= 1
    return clashes


def _clashes_within(instances: list[tuple[str, datetime, datetime]], travel: timedelta) -> list[Clash]:
    """Two events of the calendar itself that overlap: the same organizers cannot do both."""
    clashes = []
    ordered = sorted(instances, key=lambda i: i[1])
    for (summary, _starts, ends), (other, other_starts, other_ends) in zip(ordered, ordered[1:], strict=False):
        if other_starts < ends + travel:
            clashes.append(
                Clash(other, other_starts, other_ends, f"{summary} (also in this calendar)", "the organizers")
            )
    return clashes


@dataclass(frozen=True)
class ImportResult:
    series: int
    visits: int


@transaction.atomic
def ics_import_confirm(
    *, data: bytes, client: Client, site: Site, appointment_type: AppointmentType, organizers: Sequence[User],
    actor: User | None, now: datetime, allow_outside_hours: bool = False,
) -> ImportResult:  # fmt: skip
    """Create the plan's series and visits in one transaction through the booking services (all or nothing)."""
    if site.client_id != client.pk:
        raise ValidationError({"site": visit_services.SITE_OF_OTHER_CLIENT_MSG}, code="site")
    travel = appointment_type.default_travel_min
    plan = ics_plan(
        data=data, site=site, organizers=organizers, default_duration_min=appointment_type.default_duration_min,
        travel_min=travel, now=now,
    )  # fmt: skip
    if plan.clashes:
        first = plan.clashes[0]
        when = first.starts.astimezone(ZoneInfo(site.time_zone)).strftime("%a %b %-d %H:%M")
        raise ValidationError(
            CLASHES_MSG,
            code="double_booked",
            params={"count": len(plan.clashes), "first": f"{when} ({first.existing})"},
        )
    remembered: dict[tuple[str, str], dict[str, Any]] = {}
    for segment in plan.series:
        made, _report = series_services.series_create(
            client=client, site=site, appointment_type=appointment_type, organizers=organizers,
            local_start=segment.local_start, rule=segment.rule, duration_min=segment.duration_min, travel_min=travel,
            actor=actor, now=now, notes=segment.summary, allow_outside_hours=allow_outside_hours,
            exdates=segment.exdates,
        )  # fmt: skip
        remembered.setdefault((segment.uid, ""), {"series": made, "summary": segment.summary[:255]})
    for visit in plan.visits:
        booked = visit_services.appointment_book(
            client=client, site=site, appointment_type=appointment_type, organizers=organizers, starts=visit.starts,
            ends=visit.ends, travel_min=travel, notes=visit.summary, actor=actor,
            allow_outside_hours=allow_outside_hours,
        )  # fmt: skip
        remembered.setdefault((visit.uid, visit.recurrence_id), {"appointment": booked, "summary": visit.summary[:255]})
        remembered.setdefault((visit.uid, ""), {"summary": visit.summary[:255]})
    try:
        with transaction.atomic():
            ImportedEvent.objects.bulk_create(
                ImportedEvent(uid=uid, recurrence_id=rid, imported_by=actor, **values)
                for (uid, rid), values in remembered.items()
            )
    except IntegrityError as exc:  # a second confirm of the same file raced this one
        raise ValidationError(ALREADY_MSG, code="already_imported") from exc
    return ImportResult(series=len(plan.series), visits=len(plan.visits))

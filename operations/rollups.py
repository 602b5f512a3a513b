"""Nightly KPI components operations owns (docs/specs/kpis.md §3): one local day of the business zone at a time.

`ops_components` only reads (the dashboard also calls it for today's live figures); `ops_rollup_day` and
`stock_rollup_day` upsert with INSERT … ON CONFLICT inside the caller's transaction, which holds the advisory lock
(organizer_pm.dashboard.rollups). Redo links are billing's, so the caller passes the redo visit ids in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum

from accounts.models import User, WorkingHours
from clients.models import Client
from operations import localtime
from operations.formats import cents
from operations.models import Appointment, Location, OpsDaily, StockMove, StockValueDaily, TimeOff

ZERO = Decimal("0")
CENT = Decimal("0.01")
DONE = (Appointment.Status.COMPLETED, Appointment.Status.NEEDS_REDO)
ACTIVE_WINDOW_DAYS = 90
COUNT_FIELDS = (
    "available_min", "billable_min", "redo_min", "scheduled", "completed", "completed_visits", "cancelled",
    "late_cancelled", "no_show", "redo",
)  # fmt: skip


def is_job(visits: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """Project work sessions count for hours but are not jobs (docs/specs/kpis.md §2)."""
    return visits.exclude(category=Appointment.Category.PROJECT_SESSION)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return localtime.local_day_bounds(day, settings.BUSINESS_TIME_ZONE)


def _minutes(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def worked_minutes(visit: Appointment) -> int:
    """Recorded on-site time where both ends were recorded, else the scheduled length."""
    if visit.actual_start and visit.actual_end:
        return _minutes(visit.actual_start, visit.actual_end)
    return _minutes(visit.starts, visit.ends)


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> int:
    return _minutes(max(a0, b0), min(a1, b1))


def available_minutes(day: date) -> dict[int, int]:
    """Working-template minutes of `day` (its weekday, in each organizer's zone) less approved time off."""
    start, end = day_bounds(day)
    result: dict[int, int] = {}
    hours = WorkingHours.objects.filter(
        weekday=day.weekday(), profile__user__is_active=True, profile__user__role=User.Role.ORGANIZER
    ).select_related("profile")
    offs: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for off in TimeOff.objects.filter(status=TimeOff.Status.APPROVED, starts__lt=end + timedelta(days=1)).filter(
        ends__gt=start - timedelta(days=1)
    ):
        offs[off.organizer_id].append((off.starts, off.ends))
    for wh in hours:
        zone = ZoneInfo(wh.profile.time_zone)
        w0 = datetime.combine(day, wh.starts_at, tzinfo=zone)
        w1 = datetime.combine(day, wh.ends_at, tzinfo=zone)
        minutes = _minutes(w0, w1) - sum(_overlap(w0, w1, o0, o1) for o0, o1 in offs[wh.profile.user_id])
        result[wh.profile.user_id] = max(0, minutes)
    return result


def _blank() -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COUNT_FIELDS, 0)
    row.update(supply_cost=ZERO, active_clients=0, new_clients=0)
    return row


def supply_cost_of(job_ids: Collection[int]) -> dict[int, Decimal]:
    """Net cost of supplies consumed on each job (moves into the consumed location less moves back out)."""
    cost: dict[int, Decimal] = defaultdict(lambda: ZERO)
    moves: QuerySet[StockMove]
    moves = StockMove.objects.filter(appointment_id__in=list(job_ids)).filter(
        Q(to_location__kind=Location.Kind.CONSUMED) | Q(from_location__kind=Location.Kind.CONSUMED)
    )
    for move in moves.select_related("to_location").only("appointment_id", "qty", "unit_cost", "to_location__kind"):
        sign = 1 if move.to_location.kind == Location.Kind.CONSUMED else -1
        cost[move.appointment_id or 0] += sign * move.qty * move.unit_cost
    return cost


def active_clients(day: date) -> int:
    """Clients with a completed visit in the 90 days up to the end of `day`, or a visit still booked in a series."""
    _start, end = day_bounds(day)
    recent = Q(status__in=DONE, starts__gte=end - timedelta(days=ACTIVE_WINDOW_DAYS), starts__lt=end)
    series = Q(series__isnull=False, status__in=Appointment.UPCOMING_STATUSES, starts__gte=end)
    return Appointment.objects.filter(recent | series).values("client_id").distinct().count()


def ops_components(*, day: date, redo_visit_ids: Collection[int]) -> dict[int | None, dict[str, Any]]:
    """Components of `day` per organizer and for the business (key None). Visits belong to the local day of their
    scheduled start; a team visit counts once for the business and once for each organizer on it, and its minutes
    count for each organizer (person-hours) and summed for the business."""
    start, end = day_bounds(day)
    redo_ids = set(redo_visit_ids)
    rows: dict[int | None, dict[str, Any]] = defaultdict(_blank)
    rows[None] = _blank()  # the business row exists even on an empty day
    for organizer_id, minutes in available_minutes(day).items():
        rows[organizer_id]["available_min"] += minutes
        rows[None]["available_min"] += minutes
    visits = Appointment.objects.filter(starts__gte=start, starts__lt=end)
    job_ids = set(is_job(visits).values_list("pk", flat=True))
    people: dict[int, list[int]] = defaultdict(list)
    for visit_id, user_id in Appointment.organizers.through.objects.filter(appointment__in=visits).values_list(
        "appointment_id", "user_id"
    ):
        people[visit_id].append(user_id)
    done_jobs: list[int] = []
    for visit in visits.only("pk", "status", "starts", "ends", "actual_start", "actual_end"):
        redo = visit.pk in redo_ids
        job = visit.pk in job_ids and not redo
        done = visit.status in DONE
        worked = worked_minutes(visit) if done else 0
        counts: dict[str, int] = defaultdict(int)
        if done:
            counts["completed_visits"] = 1
            counts["redo" if redo else "completed"] = 1 if (redo or job) else 0
        per_person = {"redo_min" if redo else "billable_min": worked} if done else {}
        if job:
            counts["scheduled"] = 1
            status_field = {
                Appointment.Status.CANCELLED: "cancelled",
                Appointment.Status.LATE_CANCELLED: "late_cancelled",
                Appointment.Status.NO_SHOW: "no_show",
            }.get(visit.status)  # type: ignore[call-overload]
            if status_field:
                counts[status_field] = 1
            if done:
                done_jobs.append(visit.pk)
        for key in [None, *people[visit.pk]]:
            for name, n in counts.items():
                rows[key][name] += n
            for name, n in per_person.items():
                rows[key][name] += n * (len(people[visit.pk]) if key is None else 1)
    for visit_id, cost in supply_cost_of(done_jobs).items():
        for key in [None, *people[visit_id]]:
            rows[key]["supply_cost"] += cost
    rows[None]["active_clients"] = active_clients(day)
    rows[None]["new_clients"] = Client.all_objects.filter(created_at__gte=start, created_at__lt=end).count()
    for row in rows.values():
        row["supply_cost"] = cents(Decimal(row["supply_cost"]))
    return dict(rows)


def upsert(table: str, key: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE for a daily table (other apps' rollups use it too). Table and column
    names come from code, never from input."""
    if not rows:
        return
    columns = list(rows[0])
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}, computed_at) VALUES ({', '.join(['%s'] * len(columns))}, now()) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}, computed_at = now()"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row[c] for c in columns] for row in rows])


DAY_KEY = ("organizer_id", "local_date", "is_month")
OPS_MONTH_FIELDS = (*COUNT_FIELDS, "supply_cost", "new_clients")  # active_clients is semi-additive: not summed


def store_day(model: Any, day: date, components: dict[int | None, dict[str, Any]], fields: tuple[str, ...]) -> int:
    """Upsert one day's rows of a daily KPI table (organizer None: the business), delete the rows of organizers
    who no longer have any that day, and refresh the month row. Call inside the rollup's transaction."""
    rows = [{"organizer_id": key, "local_date": day, "is_month": False, **values} for key, values in components.items()]
    upsert(model._meta.db_table, DAY_KEY, rows)
    keep = [key for key in components if key is not None]
    model.objects.filter(local_date=day, is_month=False, organizer__isnull=False).exclude(
        organizer_id__in=keep
    ).delete()
    refresh_month(model._meta.db_table, day, fields)
    return len(rows)


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def refresh_month(table: str, day: date, fields: tuple[str, ...]) -> None:
    """Recompute the month rows of `day`'s month from its day rows (one statement each way)."""
    first, after = month_bounds(day)
    sums = ", ".join(f"SUM({f})" for f in fields)
    updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} m WHERE m.is_month AND m.local_date = %s AND NOT EXISTS (SELECT 1 FROM {table} d "
            "WHERE NOT d.is_month AND d.local_date >= %s AND d.local_date < %s "
            "AND d.organizer_id IS NOT DISTINCT FROM m.organizer_id)",
            [first, first, after],
        )
        cursor.execute(
            f"INSERT INTO {table} (organizer_id, local_date, is_month, {', '.join(fields)}, computed_at) "
            f"SELECT organizer_id, %s, true, {sums}, now() FROM {table} "
            "WHERE NOT is_month AND local_date >= %s AND local_date < %s GROUP BY organizer_id "
            f"ON CONFLICT ({', '.join(DAY_KEY)}) DO UPDATE SET {updates}, computed_at = now()",
            [first, first, after],
        )


def period_q(start: date, end: date) -> Q:
    """The rows of a daily KPI table that cover the local days start..end exactly once: month rows for the whole
    months inside, day rows for the ragged ends (a five-year window reads about 60 month rows, not 1,800 days)."""
    m0 = start if start.day == 1 else month_bounds(start)[1]
    m1 = (end + timedelta(days=1)).replace(day=1)  # months before m1 end on or before `end`
    if m0 >= m1:
        return Q(is_month=False, local_date__gte=start, local_date__lte=end)
    return (
        Q(is_month=False, local_date__gte=start, local_date__lt=m0)
        | Q(is_month=True, local_date__gte=m0, local_date__lt=m1)
        | Q(is_month=False, local_date__gte=m1, local_date__lte=end)
    )


def ops_rollup_day(*, day: date, redo_visit_ids: Collection[int]) -> int:
    """Store `day`'s components, per organizer and for the business."""
    components = ops_components(day=day, redo_visit_ids=redo_visit_ids)
    return store_day(OpsDaily, day, components, OPS_MONTH_FIELDS)


def stock_components(*, day: date) -> dict[int, tuple[Decimal, Decimal]]:
    """(value at the end of `day`, cost consumed from it on `day`) per internal location, from the ledger. The
    ledger is append-only, so a closed day's value is the previous day's stored value plus the day's moves.
    Three queries: locations, the previous day's values, and the moves summed per (from, to) pair, both over the
    period read and over `day` alone (the owner dashboard reads today live this way on every request)."""
    start, end = day_bounds(day)
    kinds = dict(Location.objects.values_list("pk", "kind"))
    internal = [pk for pk, kind in kinds.items() if kind in Location.INTERNAL]
    previous = dict(
        StockValueDaily.objects.filter(local_date=day - timedelta(days=1)).values_list("location_id", "value")
    )
    since = start if set(internal) <= set(previous) else None
    moves = StockMove.objects.filter(created_at__lt=end)
    if since is not None:
        moves = moves.filter(created_at__gte=since)
    value: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if since is not None:
        value.update(previous)
    consumed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    pairs = moves.values_list("from_location_id", "to_location_id").annotate(
        v=Sum(_move_value()), on_day=Sum(_move_value(), filter=Q(created_at__gte=start))
    )
    for source, target, moved, on_day in pairs.order_by():
        value[target] += moved or ZERO
        value[source] -= moved or ZERO
        if kinds[target] == Location.Kind.CONSUMED:  # used on a job
            consumed[source] += on_day or ZERO
        if kinds[source] == Location.Kind.CONSUMED:  # a use reversed
            consumed[target] -= on_day or ZERO
    return {pk: (cents(Decimal(value[pk])), cents(Decimal(consumed[pk]))) for pk in internal}


def _move_value() -> Any:
    return ExpressionWrapper(F("qty") * F("unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=7))


def stock_rollup_day(*, day: date) -> int:
    rows = [
        {"location_id": pk, "local_date": day, "value": value, "consumed_cost": consumed}
        for pk, (value, consumed) in stock_components(day=day).items()
    ]
    upsert(StockValueDaily._meta.db_table, ("location_id", "local_date"), rows)
    return len(rows)

"""T47 (docs/specs/defects.md): a visit is never moved, or booked by a person, to a start that has passed."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from operations import recurrence
from operations.models import Appointment, OrganizerBlock
from operations.services import series as series_services
from operations.services import visits as services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db
NOW = utc(2027, 2, 15, 17, 30)  # Mon Feb 15, 12:30 in New York
PASSED = "That time has passed: choose a time after Mon Feb 15, 12:30 EST."


@pytest.fixture
def ctx():
    client = ClientFactory(name="Hudson family")
    return {"client": client, "site": SiteFactory(client=client, time_zone="America/New_York"),
            "type": AppointmentTypeFactory(), "organizer": organizer_ny()}  # fmt: skip


def _book(ctx, starts, **kw):
    return services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=starts, ends=starts + timedelta(hours=2), **kw,
    )  # fmt: skip


def test_T47_moving_an_upcoming_visit_before_now_is_refused_and_changes_nothing(ctx):
    visit = _book(ctx, utc(2027, 2, 17, 14))
    blocks = list(OrganizerBlock.objects.values_list("starts", "blocked_until", "status"))
    for starts in (utc(2027, 2, 15, 16), utc(2026, 1, 5, 14)):  # an hour ago, and last year
        with pytest.raises(ValidationError) as err:
            services.appointment_reschedule(
                appointment=visit, starts=starts, ends=starts + timedelta(hours=2), now=NOW
            )  # fmt: skip
        assert err.value.code == "past_start" and err.value.messages == [PASSED]
    visit.refresh_from_db()
    assert (visit.starts, visit.sequence) == (utc(2027, 2, 17, 14), 0)
    assert list(OrganizerBlock.objects.values_list("starts", "blocked_until", "status")) == blocks
    # Later today is fine, and so is a visit under way keeping its start while its end changes.
    services.appointment_reschedule(appointment=visit, starts=utc(2027, 2, 15, 18), ends=utc(2027, 2, 15, 20), now=NOW)
    under_way = NOW + timedelta(hours=1)
    services.appointment_reschedule(
        appointment=visit, starts=utc(2027, 2, 15, 18), ends=utc(2027, 2, 15, 21), now=under_way
    )
    assert Appointment.objects.get(pk=visit.pk).ends == utc(2027, 2, 15, 21)


def test_T47_a_person_booking_before_now_is_refused_history_writers_are_not(ctx):
    with pytest.raises(ValidationError) as err:
        _book(ctx, utc(2027, 2, 15, 14), now=NOW, refuse_past=True)
    assert err.value.code == "past_start" and err.value.messages == [PASSED]
    assert not Appointment.objects.exists()
    _book(ctx, utc(2027, 2, 15, 18), now=NOW, refuse_past=True)  # later today
    _book(ctx, utc(2027, 2, 1, 14), now=NOW)  # the demo and imports record visits that happened
    assert Appointment.objects.count() == 2


def test_T47_a_series_starting_in_the_past_and_this_and_following_moved_back_are_refused(ctx):
    rule = recurrence.parse_rrule("FREQ=WEEKLY;BYDAY=MO")
    with pytest.raises(ValidationError) as err:
        series_services.series_create(
            client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
            local_start=datetime(2027, 2, 15, 9), rule=rule, duration_min=120, travel_min=0, actor=None, now=NOW,
            refuse_past=True,
        )  # fmt: skip
    assert err.value.code == "past_start"
    series, _ = series_services.series_create(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        local_start=datetime(2027, 2, 15, 15), rule=rule, duration_min=120, travel_min=0, actor=None, now=NOW,
        refuse_past=True,
    )  # fmt: skip
    first = Appointment.objects.filter(series=series).order_by("starts").first()
    assert first is not None and first.starts == utc(2027, 2, 15, 20)
    before = sorted(Appointment.objects.filter(series__isnull=False).values_list("pk", "starts"))
    with pytest.raises(ValidationError) as err:  # today's 15:00 visit and the following ones to 09:00
        series_services.series_change_from(
            appointment=first, local_time=datetime(2027, 1, 1, 9).time(), duration_min=120, actor=None, now=NOW
        )
    assert err.value.code == "past_start"
    assert sorted(Appointment.objects.filter(series__isnull=False).values_list("pk", "starts")) == before


def test_T47_the_message_names_now_in_the_sites_zone(ctx):
    ctx["site"].time_zone = "America/Los_Angeles"
    ctx["site"].save(update_fields=["time_zone"])
    with pytest.raises(ValidationError) as err:
        _book(ctx, utc(2027, 2, 15, 16), now=NOW, refuse_past=True)
    assert err.value.messages == ["That time has passed: choose a time after Mon Feb 15, 09:30 PST."]

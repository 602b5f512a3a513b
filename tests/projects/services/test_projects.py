"""Time, templates and close-out through projects.services."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from projects import demo, services
from projects.models import Dependency, Project, Task
from tests.clients.factories import ClientFactory
from tests.support.projects import worked_task

pytestmark = pytest.mark.django_db


def test_organizer_logs_time_only_on_assigned_tasks(smith, organizer_a):
    a = worked_task(smith, "A")
    with pytest.raises(ValidationError):
        services.time_entry_add(
            task=a, organizer=organizer_a, actor=organizer_a, worked_on=date(2026, 6, 1), minutes=30
        )
    a.assignees.add(organizer_a)
    entry = services.time_entry_add(
        task=a, organizer=organizer_a, actor=organizer_a, worked_on=date(2026, 6, 1), minutes=30
    )
    assert entry.minutes == 30


def test_template_round_trip_keeps_wbs_links_and_lags(smith):
    template = services.project_copy(source=smith, name="Move template", start_on=smith.start_on, as_template=True)
    copy = services.project_copy(
        source=template, name="Jones move", start_on=date(2026, 9, 1), client=ClientFactory(), as_template=False
    )
    assert Task.objects.filter(project=copy).count() == 14
    assert sorted(Dependency.objects.filter(project=copy).values_list("kind", "lag_wd")) == sorted(
        Dependency.objects.filter(project=smith).values_list("kind", "lag_wd")
    )
    copy.refresh_from_db()
    # 16 working days from Tue 2026-09-01 (Labor Day 09-07 is not a holiday in this calendar) ... the finish
    # is 15 working points after the start.
    assert copy.finish_on == date(2026, 9, 21)


def test_close_out_records_satisfaction(smith):
    # The worked example's tasks are all open: completing it needs the confirmation (docs/specs/defects.md T8).
    services.project_close_out(project=smith, csat=5, nps=9, comment="Lovely", confirm_open_tasks=True)
    smith.refresh_from_db()
    assert (smith.status, smith.csat, smith.nps) == ("completed", 5, 9)
    with pytest.raises(ValidationError):
        services.project_close_out(project=smith, csat=5, nps=9, comment="again")


def test_templates_are_created_once():
    demo.templates_create()
    demo.templates_create()
    assert Project.objects.filter(is_template=True).count() == 3

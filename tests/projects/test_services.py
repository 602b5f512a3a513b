from datetime import date

import pytest
from django.core.exceptions import ValidationError

from projects import demo, services
from projects.models import Dependency, Project, Task
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db

# (key, ES, EF, LS, LF, TF, FF, critical, start, finish) from docs/specs/scheduling.md Example 1.
EXPECTED = [
    ("A", 0, 2, 0, 2, 0, 0, True, date(2026, 6, 1), date(2026, 6, 2)),
    ("B", 2, 5, 8, 11, 6, 3, False, date(2026, 6, 3), date(2026, 6, 5)),
    ("E", 2, 3, 2, 3, 0, 0, True, date(2026, 6, 3), date(2026, 6, 3)),
    ("C", 1, 5, 2, 6, 1, 0, False, date(2026, 6, 2), date(2026, 6, 5)),
    ("D", 5, 10, 5, 10, 0, 0, True, date(2026, 6, 8), date(2026, 6, 12)),
    ("F", 9, 11, 9, 11, 0, 0, True, date(2026, 6, 12), date(2026, 6, 15)),
    ("H", 5, 6, 14, 15, 9, 9, False, date(2026, 6, 8), date(2026, 6, 8)),
    ("G", 11, 12, 11, 12, 0, 0, True, date(2026, 6, 16), date(2026, 6, 16)),
    ("I", 12, 15, 12, 15, 0, 0, True, date(2026, 6, 17), date(2026, 6, 22)),
    ("J", 8, 12, 11, 15, 3, 3, False, date(2026, 6, 11), date(2026, 6, 16)),
    ("K", 15, 15, 15, 15, 0, 0, True, date(2026, 6, 22), date(2026, 6, 22)),
    ("P1", 0, 5, 0, 11, 0, None, True, date(2026, 6, 1), date(2026, 6, 5)),
    ("P2", 1, 11, 2, 15, 0, None, True, date(2026, 6, 2), date(2026, 6, 15)),
    ("P3", 8, 15, 11, 15, 0, None, True, date(2026, 6, 11), date(2026, 6, 22)),
]
NAMES = {key: name for key, name, _d, _p in demo.WORKED_EXAMPLE_TASKS}


@pytest.fixture
def smith():
    return demo.worked_example_create(client=ClientFactory())


def task(project, key):
    return Task.objects.get(project=project, name=NAMES[key])


@pytest.mark.parametrize("row", EXPECTED, ids=[r[0] for r in EXPECTED])
def test_worked_example_is_stored_on_the_task_rows(smith, row):
    key, es, ef, ls, lf, tf, ff, critical, start, finish = row
    t = task(smith, key)
    assert (t.es, t.ef, t.ls, t.lf, t.total_float, t.free_float, t.is_critical) == (es, ef, ls, lf, tf, ff, critical)
    assert (t.start_on, t.finish_on) == (start, finish)


def test_worked_example_project_finish_and_wbs(smith):
    assert smith.finish_on == date(2026, 6, 22)
    assert smith.min_total_float == 0
    assert task(smith, "P2").wbs_code == "2" and task(smith, "D").wbs_code == "2.2"


def test_driving_link_explains_the_start(smith):
    d = task(smith, "D")
    assert d.driving_link.pred == task(smith, "E")  # E, not C, drives D (docs/specs/scheduling.md §3)
    assert task(smith, "A").driving_link is None


def test_example_3_cycle_is_refused_and_nothing_changes(smith):
    before = Dependency.objects.filter(project=smith).count()
    with pytest.raises(ValidationError) as exc:
        services.dependency_add(pred=task(smith, "K"), succ=task(smith, "A"))
    assert exc.value.code == "cycle"
    assert "Client sign-off" in exc.value.messages[0] and "Walkthrough" in exc.value.messages[0]
    assert Dependency.objects.filter(project=smith).count() == before


def test_example_4_summary_link_is_refused_with_a_hint(smith):
    with pytest.raises(ValidationError) as exc:
        services.dependency_add(pred=task(smith, "P2"), succ=task(smith, "K"), kind="SS")
    assert exc.value.code == "invalid_link"
    assert "Declutter & pack" in exc.value.messages[0] and "milestone" in exc.value.messages[0]
    assert not Dependency.objects.filter(pred=task(smith, "P2")).exists()


def test_deleting_the_holiday_moves_the_finish(smith):
    services.calendar_update(calendar=smith.calendar, workdays=[0, 1, 2, 3, 4], holidays=[])
    smith.refresh_from_db()
    assert smith.finish_on == date(2026, 6, 19)


def test_gantt_move_sets_snet_and_pushes_successors(smith):
    services.task_reschedule(task=task(smith, "G"), start_on=date(2026, 6, 18))
    g, i = task(smith, "G"), task(smith, "I")
    assert (g.constraint_kind, g.start_on) == ("SNET", date(2026, 6, 18))
    assert i.start_on == date(2026, 6, 22)


def test_deadline_before_finish_gives_negative_float(smith):
    services.project_update(project=smith, data={"deadline_on": date(2026, 6, 18)})
    smith.refresh_from_db()
    assert smith.min_total_float == -1  # deadline Thu 06-18 is finish point 14; the plan finishes at 15


def test_task_with_time_cannot_be_deleted(smith, organizer_a, owner):
    a = task(smith, "A")
    services.time_entry_add(task=a, organizer=organizer_a, actor=owner, worked_on=date(2026, 6, 1), minutes=90)
    with pytest.raises(ValidationError):
        services.task_delete(task=a)
    assert Task.objects.filter(pk=a.pk).exists()


def test_organizer_logs_time_only_on_assigned_tasks(smith, organizer_a):
    a = task(smith, "A")
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


def test_baseline_variance_after_a_slip(smith, owner):
    from projects import selectors

    baseline = services.baseline_save(project=smith, name="Signed plan", actor=owner)
    services.task_reschedule(task=task(smith, "G"), start_on=date(2026, 6, 18))
    rows = {r.task.name: r for r in selectors.baseline_variance(project=smith, baseline=baseline)}
    assert rows["Moving day"].start_variance_wd == 2
    assert rows["Client sign-off"].finish_variance_wd == 2


def test_close_out_records_satisfaction(smith):
    services.project_close_out(project=smith, csat=5, nps=9, comment="Lovely")
    smith.refresh_from_db()
    assert (smith.status, smith.csat, smith.nps) == ("completed", 5, 9)
    with pytest.raises(ValidationError):
        services.project_close_out(project=smith, csat=5, nps=9, comment="again")


def test_templates_are_created_once():
    demo.templates_create()
    demo.templates_create()
    assert Project.objects.filter(is_template=True).count() == 3

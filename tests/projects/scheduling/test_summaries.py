"""Summary tasks (roll-up and link expansion, §2.2 and §2.6) and milestones (§2.7)."""

from __future__ import annotations

from datetime import date

import pytest

from projects.scheduling import Link, LinkError, Task, schedule
from tests.projects.scheduling.support import SMITH_CALENDAR, expanded_links, smith_links, smith_tasks


def june(day: int) -> date:
    return date(2026, 6, day)


@pytest.fixture(scope="module")
def smith():
    return schedule(smith_tasks(), smith_links())


# -- summaries ------------------------------------------------------------------------------------------------


def test_schedule_rolls_summary_dates_up_from_their_leaves(smith):
    p2 = smith.tasks["P2"]
    leaves = [smith.tasks[x] for x in "CDFH"]

    assert p2.es == min(x.es for x in leaves)
    assert p2.ef == max(x.ef for x in leaves)
    assert p2.ls == min(x.ls for x in leaves)
    assert p2.lf == max(x.lf for x in leaves)
    assert p2.total_float == min(x.total_float for x in leaves)


def test_schedule_marks_a_summary_critical_when_one_leaf_is():
    tasks = [Task("S"), Task("A", duration=5, parent="S"), Task("B", duration=1, parent="S")]
    result = schedule(tasks, [])

    assert result.tasks["S"].critical
    assert not result.tasks["B"].critical
    assert result.tasks["S"].total_float == 0


def test_schedule_ignores_the_duration_given_to_a_summary():
    tasks = [Task("S", duration=99), Task("A", duration=2, parent="S")]
    result = schedule(tasks, [])

    assert (result.tasks["S"].es, result.tasks["S"].ef) == (0, 2)
    assert result.finish == 2


def test_schedule_rolls_nested_summaries_up_to_the_root(smith):
    assert (smith.tasks["P"].es, smith.tasks["P"].ef) == (0, 15)
    assert (smith.tasks["P"].ls, smith.tasks["P"].lf) == (0, 15)


@pytest.mark.parametrize(
    "summary_link",
    [
        Link("P1", "P3"),  # summary to summary
        Link("P1", "P3", lag=2),
        Link("C", "P3", kind="SS", lag=1),  # into a summary
        Link("C", "P3", lag=-1),
        Link("P1", "F", kind="FF", lag=1),  # out of a summary
        Link("P1", "G"),
    ],
)
def test_schedule_treats_a_summary_link_as_links_between_all_leaves(summary_link):
    base = [link for link in smith_links() if link != Link("P1", "P3")]
    tasks = smith_tasks()
    with_summary = schedule(tasks, [*base, summary_link])
    with_leaves = schedule(tasks, [*base, *expanded_links(tasks, [summary_link])])

    assert with_summary.tasks == with_leaves.tasks
    assert with_summary.critical_path == with_leaves.critical_path


def test_schedule_expands_a_link_into_a_nested_summary_to_its_grandchildren():
    tasks = [
        Task("X", duration=3),
        Task("S"),
        Task("T", parent="S"),
        Task("A", duration=1, parent="T"),
        Task("B", duration=2, parent="S"),
    ]
    result = schedule(tasks, [Link("X", "S")])

    assert result.tasks["A"].es == 3
    assert result.tasks["B"].es == 3


def test_schedule_expands_a_link_out_of_a_nested_summary_from_its_grandchildren():
    tasks = [
        Task("S"),
        Task("T", parent="S"),
        Task("A", duration=4, parent="T"),
        Task("B", duration=2, parent="S"),
        Task("Y", duration=1),
    ]
    result = schedule(tasks, [Link("S", "Y", kind="FF")])

    assert result.tasks["Y"].ef == 4
    assert result.tasks["B"].free_float == 2
    assert result.tasks["A"].free_float == 0


def test_schedule_measures_free_float_across_a_summary_link_against_the_earliest_leaf(smith):
    # B -> P3 is expanded to B -> G, I, J, K; J starts first (8), so B can slip 8 - 5 = 3 days.
    assert smith.tasks["B"].free_float == 3


@pytest.mark.parametrize(
    "link",
    [
        Link("P2", "K", kind="SS"),
        Link("P2", "K", kind="SF"),
        Link("C", "P3", kind="FF"),
        Link("C", "P3", kind="SF"),
        Link("P1", "P3", kind="FF"),  # FF may leave a summary, but not enter one
        Link("P1", "P3", kind="SS"),  # SS may enter a summary, but not leave one
    ],
)
def test_schedule_rejects_link_types_a_summary_cannot_carry(link):
    links = [x for x in smith_links() if (x.pred, x.succ) != (link.pred, link.succ)]

    with pytest.raises(LinkError) as caught:
        schedule(smith_tasks(), [*links, link])

    assert caught.value.link == link


@pytest.mark.parametrize(
    "link",
    [Link("A", "P1"), Link("P1", "A"), Link("P", "G"), Link("G", "P"), Link("P", "P3"), Link("P3", "P")],
)
def test_schedule_rejects_a_link_between_a_task_and_its_ancestor(link):
    with pytest.raises(LinkError, match="contains"):
        schedule(smith_tasks(), [*smith_links(), link])


# -- milestones -----------------------------------------------------------------------------------------------


def test_schedule_shows_a_milestone_on_the_day_its_predecessor_finishes():
    tasks = [Task("A", duration=3), Task("M", duration=0), Task("B", duration=1)]
    result = schedule(tasks, [Link("A", "M"), Link("M", "B")])
    m = result.tasks["M"]

    assert (m.es, m.ef, m.ls, m.lf) == (3, 3, 3, 3)
    assert SMITH_CALENDAR.finish_date(m.ef, 0) == june(3)  # A's last day
    assert SMITH_CALENDAR.start_date(m.es, 0) == june(3)
    assert SMITH_CALENDAR.start_date(result.tasks["B"].es) == june(4)  # the next working day


@pytest.mark.parametrize(("kind", "lag", "es_m"), [("SS", 1, 1), ("FF", 0, 3), ("SF", 2, 2), ("FS", -1, 2)])
def test_schedule_links_a_milestone_with_any_link_type(kind, lag, es_m):
    tasks = [Task("A", duration=3), Task("M", duration=0), Task("B", duration=2)]
    result = schedule(tasks, [Link("A", "M", kind=kind, lag=lag), Link("M", "B", kind=kind, lag=lag)])

    assert result.tasks["M"].es == result.tasks["M"].ef == es_m
    assert result.tasks["M"].ls == result.tasks["M"].lf


def test_schedule_of_an_empty_plan_finishes_at_zero():
    result = schedule([], [])

    assert (result.finish, result.critical_path, len(result.tasks)) == (0, [], 0)

"""The settings of docs/specs/one-schedule.md §7: defaults, README rows, and what each one changes."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from projects.sessions import selectors, services
from tests.projects.sessions.world import NOW

DEFAULTS = {
    "SESSION_DEFAULT_MINUTES": 240, "SESSION_MAX_PER_TASK_PER_DAY": 1, "SESSION_TRAVEL_MINUTES": 30,
    "SESSION_FINDER_STEP_MINUTES": 30, "SESSION_MIN_NOTICE_MINUTES": 60, "SESSION_COMPLETION_TOLERANCE_MINUTES": 60,
    "SESSION_PROGRESS_PROPOSAL": True, "CAPACITY_OVERALLOCATION_PCT": 100, "CAPACITY_TRAVEL_IN_LOAD": True,
    "CAPACITY_WEEKS": 8,
}  # fmt: skip
README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "default"), DEFAULTS.items())
def test_OS7_session_and_capacity_settings_have_their_defaults_and_a_readme_row(name, default):
    assert getattr(django_settings, name) == default
    assert f"| `{name}` |" in README


def _c_plan(w):
    return selectors.session_proposals(task=w.t["C"], organizers=[w.olivia, w.sam], now=NOW)


def test_OS8_session_length_follows_SESSION_DEFAULT_MINUTES(w, settings):
    settings.SESSION_DEFAULT_MINUTES = 480
    plan = _c_plan(w)
    assert plan.length == 480
    assert [p.local_start.strftime("%m-%d %H:%M") for p in plan.proposals] == ["06-11 09:00", "06-12 09:00"]


def test_OS8_min_notice_and_step_are_session_settings(w, settings):
    settings.SESSION_MIN_NOTICE_MINUTES = 4 * 60  # now 08:00: nothing before 12:00 on Wed
    settings.SESSION_FINDER_STEP_MINUTES = 60
    plan = _c_plan(w)
    assert plan.proposals[0].local_start.strftime("%m-%d %H:%M") == "06-10 12:00"


def test_OS8_travel_after_a_session_is_SESSION_TRAVEL_MINUTES(w, settings):
    settings.SESSION_TRAVEL_MINUTES = 45
    plan = _c_plan(w)
    session = services.task_session_book(
        task=w.t["C"], starts=plan.proposals[1].starts, ends=plan.proposals[1].ends, organizers=[w.olivia], now=NOW
    )
    assert session.appointment.blocked_until - session.appointment.ends == timedelta(minutes=45)

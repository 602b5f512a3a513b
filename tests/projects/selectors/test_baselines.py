"""Baseline variance in working days, read by projects.selectors from stored dates."""

from datetime import date

import pytest

from projects import selectors, services
from tests.support.projects import worked_task

pytestmark = pytest.mark.django_db


def test_baseline_variance_after_a_slip(smith, owner):
    baseline = services.baseline_save(project=smith, name="Signed plan", actor=owner)
    services.task_reschedule(task=worked_task(smith, "G"), start_on=date(2026, 6, 18))
    rows = {r.task.name: r for r in selectors.baseline_variance(project=smith, baseline=baseline)}
    assert rows["Moving day"].start_variance_wd == 2
    assert rows["Client sign-off"].finish_variance_wd == 2

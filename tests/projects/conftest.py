import pytest

from tests.support.projects import smith_build


@pytest.fixture
def smith(db):
    """docs/specs/scheduling.md's worked example "Smith home move", scheduled by the services. Modules where most
    tests use it build it once instead (tests/support/projects.py, smith_shared)."""
    return smith_build()


@pytest.fixture(autouse=True)
def plan_as_entered(settings):
    """These tests check the plan as entered (docs/specs/scheduling.md), so no plan here slides to today's date;
    the status run's own tests (tests/projects/status/) set the source back to "today" or give a status date."""
    settings.STATUS_DATE_SOURCE = "override"

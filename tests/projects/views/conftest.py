import pytest

from tests.support.projects import smith_build


@pytest.fixture
def smith(organizer_a):
    """The worked example without a lead; organizer_a is assigned to "Moving day" only."""
    return smith_build(organizer_a)

import pytest

from projects import demo
from projects.models import Task
from tests.clients.factories import ClientFactory


@pytest.fixture
def smith(organizer_a):
    """The worked example without a lead; organizer_a is assigned to "Moving day" only."""
    project = demo.worked_example_create(client=ClientFactory(), lead=None)
    Task.objects.get(project=project, name="Moving day").assignees.add(organizer_a)
    return project

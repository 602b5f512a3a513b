import pytest

from projects import demo
from tests.clients.factories import ClientFactory


@pytest.fixture
def smith(db):
    """docs/specs/scheduling.md's worked example "Smith home move", scheduled by the services."""
    return demo.worked_example_create(client=ClientFactory())

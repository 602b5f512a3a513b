import pytest

from tests.projects.sessions import world as w_world
from tests.support.shared_rows import fresh_copy, shared_rows


@pytest.fixture(scope="module")
def _w_rows(django_db_setup, django_db_blocker):
    yield from shared_rows(django_db_blocker, w_world.build)


@pytest.fixture
def w(_w_rows, db):
    """Fixture W at Wed 2026-06-10, built once per module; each test runs in its own savepoint."""
    return fresh_copy(_w_rows)

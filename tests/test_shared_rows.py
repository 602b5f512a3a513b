"""tests/support/shared_rows.py: rows built once per module, yet no test sees another test's writes."""

import pytest

from accounts.models import User
from tests.support import people
from tests.support.shared_rows import fresh_copy, shared_rows


@pytest.fixture(scope="module")
def _rows(django_db_setup, django_db_blocker):
    yield from shared_rows(django_db_blocker, lambda: {"owner": people.user_build("owner")})


@pytest.fixture
def rows(_rows, db):
    return fresh_copy(_rows)


# The two tests run in file order: the second would fail if the first one's writes leaked.
def test_a_test_writes_to_the_shared_rows(rows):
    rows["owner"].first_name = "Changed"
    rows["owner"].save(update_fields=["first_name"])
    people.user_build("office")
    assert User.objects.count() == 2


def test_the_next_test_sees_the_rows_as_built(rows):
    assert rows["owner"].first_name == "Olivia"
    assert User.objects.get().first_name == "Olivia"

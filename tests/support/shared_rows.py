"""Rows built once for a module (or a session) and shared by its tests, with each test still isolated.

`shared_rows` opens a transaction, builds the rows in it and keeps it open while the module's tests run. Each
test that asks for pytest-django's `db` runs inside a savepoint of that transaction, rolled back after the test,
so a write by one test never reaches the next; the rows themselves are rolled back when the module ends.
Tests get a deep copy of the built objects (`fresh_copy`), so changing an instance in memory in one test does
not change it for the next (Django's setUpTestData does the same).

Only for tests that use `db`: a `transactional_db` test would flush the tables under the open transaction.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.db import transaction

T = TypeVar("T")


def shared_rows(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """For a module- or session-scoped generator fixture: `yield from shared_rows(django_db_blocker, build)`."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = build()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    try:
        yield data
    finally:
        # Database access is unblocked only while building and rolling back: the tests in between still need
        # to ask for `db` (each gets its own savepoint).
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def fresh_copy(data: T) -> T:
    return copy.deepcopy(data)

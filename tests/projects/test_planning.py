"""projects.planning: the engine's results stored on the rows of docs/specs/scheduling.md's worked example."""

from datetime import date

import pytest

from tests.support.projects import smith_shared, worked_task
from tests.support.shared_rows import fresh_copy

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _smith_rows(django_db_setup, django_db_blocker):
    yield from smith_shared(django_db_blocker, status_date_source="override")


@pytest.fixture
def smith(_smith_rows, db):
    """The worked example, built once for this module (tests/support/projects.py)."""
    return fresh_copy(_smith_rows["smith"])


# (key, ES, EF, LS, LF, TF, FF, critical, start, finish) from docs/specs/scheduling.md Example 1.
EXPECTED = [
    ("A", 0, 2, 0, 2, 0, 0, True, date(2026, 6, 1), date(2026, 6, 2)),
    ("B", 2, 5, 8, 11, 6, 3, False, date(2026, 6, 3), date(2026, 6, 5)),
    ("E", 2, 3, 2, 3, 0, 0, True, date(2026, 6, 3), date(2026, 6, 3)),
    ("C", 1, 5, 2, 6, 1, 0, False, date(2026, 6, 2), date(2026, 6, 5)),
    ("D", 5, 10, 5, 10, 0, 0, True, date(2026, 6, 8), date(2026, 6, 12)),
    ("F", 9, 11, 9, 11, 0, 0, True, date(2026, 6, 12), date(2026, 6, 15)),
    ("H", 5, 6, 14, 15, 9, 9, False, date(2026, 6, 8), date(2026, 6, 8)),
    ("G", 11, 12, 11, 12, 0, 0, True, date(2026, 6, 16), date(2026, 6, 16)),
    ("I", 12, 15, 12, 15, 0, 0, True, date(2026, 6, 17), date(2026, 6, 22)),
    ("J", 8, 12, 11, 15, 3, 3, False, date(2026, 6, 11), date(2026, 6, 16)),
    ("K", 15, 15, 15, 15, 0, 0, True, date(2026, 6, 22), date(2026, 6, 22)),
    ("P1", 0, 5, 0, 11, 0, None, True, date(2026, 6, 1), date(2026, 6, 5)),
    ("P2", 1, 11, 2, 15, 0, None, True, date(2026, 6, 2), date(2026, 6, 15)),
    ("P3", 8, 15, 11, 15, 0, None, True, date(2026, 6, 11), date(2026, 6, 22)),
]


@pytest.mark.parametrize("row", EXPECTED, ids=[r[0] for r in EXPECTED])
def test_worked_example_is_stored_on_the_task_rows(smith, row):
    key, es, ef, ls, lf, tf, ff, critical, start, finish = row
    t = worked_task(smith, key)
    assert (t.es, t.ef, t.ls, t.lf, t.total_float, t.free_float, t.is_critical) == (es, ef, ls, lf, tf, ff, critical)
    assert (t.start_on, t.finish_on) == (start, finish)


def test_worked_example_project_finish_and_wbs(smith):
    assert smith.finish_on == date(2026, 6, 22)
    assert smith.min_total_float == 0
    assert worked_task(smith, "P2").wbs_code == "2" and worked_task(smith, "D").wbs_code == "2.2"


def test_driving_link_explains_the_start(smith):
    d = worked_task(smith, "D")
    assert d.driving_link.pred == worked_task(smith, "E")  # E, not C, drives D (docs/specs/scheduling.md §3)
    assert worked_task(smith, "A").driving_link is None

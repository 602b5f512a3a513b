"""Shared fixtures: users per role, their clients, a real Celery worker, and Chromium for browser tests."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # must be set before the DB fixtures run

import shutil

import pytest
from django.conf import settings as django_settings

from tests.support import flush, mfa, people

CHROMIUM = "/usr/bin/chromium"
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _plain_http_test_settings(settings):
    """Tests talk plain HTTP to the test client and live server; production HTTPS settings are tested
    explicitly in tests/test_security_settings.py. Static files are served without the manifest."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_NAME = "sessionid"
    settings.CSRF_COOKIE_NAME = "csrftoken"
    settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "production_hashers: hash passwords with the production PASSWORD_HASHERS (real Argon2 costs)"
    )
    config.addinivalue_line(
        "markers", "real_mfa: force_login sessions have not passed a second factor (as in production)"
    )


@pytest.fixture(autouse=True)
def _fast_password_hasher_unless_marked(request, settings):
    """A cheap Argon2 in place of production's (tests/support/hashers.py), which costs seconds per login under
    load. Only while production's first hasher is Argon2: were it changed, every test would hash with the new
    one, so the password tests (SA8, SA9) keep judging what production uses. Tests about the hasher itself carry
    @pytest.mark.production_hashers and keep the production settings."""
    production = django_settings.PASSWORD_HASHERS
    if request.node.get_closest_marker("production_hashers") or production[0] != ARGON2:
        return
    settings.PASSWORD_HASHERS = ["tests.support.hashers.FastArgon2PasswordHasher", *production[1:]]


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete():
    """Transactional tests end with a flush that deletes rows instead of truncating ~60 tables (same end state,
    a fraction of the time): tests/support/flush.py."""
    flush.install()
    yield
    flush.uninstall()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's login rate limits live in the cache: each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return people.user_build("owner")


@pytest.fixture
def office(db):
    return people.user_build("office")


@pytest.fixture
def organizer_a(db):
    return people.user_build("organizer")


@pytest.fixture
def organizer_b(db):
    return people.user_build("organizer_b")


@pytest.fixture
def users(owner, office, organizer_a, organizer_b):
    return {"owner": owner, "office": office, "organizer": organizer_a, "organizer_b": organizer_b}


@pytest.fixture
def client_a(organizer_a):
    """cA: a client assigned to organizer A only."""
    return people.client_a_build(organizer_a)


@pytest.fixture
def client_b(organizer_b):
    """cB: a client assigned to organizer B only (the canary for leaks)."""
    return people.client_b_build(organizer_b)


@pytest.fixture
def celery_worker_real(transactional_db):
    """A real in-process Celery worker (solo pool). Redis when REDIS_URL is set (CI), memory:// otherwise.

    Never eager mode: tasks are serialized, sent through the broker and run in the worker thread. The app's
    connection pools are rebuilt for the broker (an earlier test may have closed them).
    """
    from celery.contrib.testing.worker import start_worker

    from organizer_pm.celery import app
    from tests.support.reminder_support import app_on_broker

    with (
        app_on_broker(app, django_settings.REDIS_URL or "memory://"),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker,
    ):
        yield worker


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium. With REQUIRE_BROWSER=1 (CI) they fail instead of skipping."""
    if shutil.which(CHROMIUM) or os.environ.get("REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """tests/run.sh runs two pytest processes side by side: TEST_DB_SUFFIX gives each its own test database.

    Test connections plan without parallel workers. The test tables are never analyzed, so PostgreSQL guesses
    thousands of rows and plans queries over many tables (the authorization matrix counts 83 tables twice a
    case) with parallel workers: starting them cost 40 ms of a 55 ms query on a busy 2-core box, for tables
    holding a few rows. Results are the same either way; only the plan changes."""
    for database in django_settings.DATABASES.values():
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c max_parallel_workers_per_gather=0".strip()
    suffix = os.environ.get("TEST_DB_SUFFIX", "")
    if suffix:
        for database in django_settings.DATABASES.values():
            test = database.setdefault("TEST", {})
            test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_{suffix}"


@pytest.fixture(autouse=True)
def _force_login_passes_mfa(request, monkeypatch):
    """Owner and office must pass a second factor (RequireMFAMiddleware). A test that `force_login`s them stands
    for a user who did, unless it is marked `real_mfa` (the MFA scenarios): tests/support/mfa.py."""
    if not request.node.get_closest_marker("real_mfa"):
        mfa.force_login_passes_mfa(monkeypatch)

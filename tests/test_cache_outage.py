"""T12: a Redis outage must not take logins or pages down.

The cache only holds allauth's login rate limits; lockouts are axes' rows in the database. With the cache
unreachable the app fails open to those rows and logs a warning (docs/specs/security.md).
"""

import logging
import socket
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts import services as account_services
from operations.models import Appointment
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple-42"
FAIL_OPEN_BACKEND = "accounts.cache.FailOpenRedisCache"
TOO_MANY = "Too many failed login attempts"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def _redis_cache(settings, url):
    """The configured Redis cache backend and options, pointed at `url` (the Redis backend when the run has
    no Redis configured, so the test means the same thing everywhere)."""
    configured = settings.CACHES["default"]
    backend = configured["BACKEND"] if "redis" in configured["BACKEND"].lower() else FAIL_OPEN_BACKEND
    return {"default": {**configured, "BACKEND": backend, "LOCATION": url}}


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # many logins, none about hashing


@pytest.fixture
def redis_down(settings):
    settings.CACHES = _redis_cache(settings, f"redis://127.0.0.1:{_closed_port()}/0")


def login(client, email, password, ip="10.0.0.1"):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_T12_login_works_and_warns_while_redis_is_down(client, redis_down, caplog):
    """A password-only login (an organizer without two-factor); MFA logins fail closed instead (W23 outage
    test in tests/accounts/test_mfa.py)."""
    account_services.user_create(actor=None, email="anna@example.com", role="organizer", password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="accounts.cache"):
        assert login(client, "anna@example.com", "wrong-password").status_code == 200
        response = login(client, "anna@example.com", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")
    assert any("unreachable" in record.getMessage() for record in caplog.records)
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_T12_lockout_still_holds_while_redis_is_down(client, redis_down):
    """Failing open to the database: axes still locks the account+IP pair after five failures."""
    account_services.user_create(actor=None, email="anna@example.com", role="office", password=PASSWORD)
    statuses = [login(client, "anna@example.com", f"wrong-{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert login(client, "anna@example.com", PASSWORD).status_code == 429


def test_T12_pages_and_booking_work_while_redis_is_down(client, redis_down):
    with time_machine.travel(utc(2027, 2, 15, 12), tick=True):
        office = account_services.user_create(actor=None, email="frank@example.com", role="office", password=PASSWORD)
        organizer = organizer_ny(email="maya@example.com")
        household = ClientFactory(name="Hudson family")
        ContactFactory(client=household, is_primary=True)
        site = SiteFactory(client=household, time_zone="America/New_York")
        visit_type = AppointmentTypeFactory()
        # A session that passed its second factor before the outage (tests/conftest.py): it keeps working (SS7).
        client.force_login(office)
        pages = [
            reverse("dashboard:home"),
            reverse("clients:client_list"),
            reverse("clients:client_detail", kwargs={"pk": household.pk}),
            reverse("operations:calendar"),
            reverse("operations:inventory_list"),
            reverse("projects:project_list"),
            reverse("operations:appointment_create"),
        ]
        for url in pages:
            assert client.get(url).status_code == 200, url
        data = {
            "client": household.pk, "site": site.pk, "appointment_type": visit_type.pk, "organizers": [organizer.pk],
            "day": "2027-03-02", "start_time": "09:00", "duration_min": "120", "travel_min": "0", "repeat": "none",
            "interval": "1", "ends": "never", "end_on": "", "count": "", "notes": "",
        }  # fmt: skip
        response = client.post(reverse("operations:appointment_create"), data)
    assert response.status_code == 302
    visit = Appointment.objects.get(client=household)
    assert visit.starts == datetime(2027, 3, 2, 14, tzinfo=visit.starts.tzinfo)  # 09:00 New York


def test_T12_rate_limits_still_count_while_redis_is_up(client, settings):
    """The fail-open backend is still the rate limiter when Redis answers: allauth's 10 failures a minute
    per IP (different accounts, so axes' per-account lock does not answer first)."""
    if not settings.REDIS_URL:
        pytest.skip("needs a running Redis (REDIS_URL)")
    settings.CACHES = _redis_cache(settings, settings.CACHE_URL)
    from django.core.cache import cache

    cache.clear()
    pages = [login(client, f"nobody-{i}@example.com", "wrong-password").content.decode() for i in range(11)]
    cache.clear()
    assert not any(TOO_MANY in page for page in pages[:10])
    assert TOO_MANY in pages[10]


def test_T12_an_outage_is_logged_once_and_redis_is_not_asked_again_at_once(caplog):
    from accounts.cache import FailOpenRedisCache

    cache = FailOpenRedisCache(f"redis://127.0.0.1:{_closed_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    with caplog.at_level(logging.WARNING, logger="accounts.cache"):
        assert cache.get("k", "default") == "default"
        assert cache.add("lock", True) is True  # allauth's rate-limit lock is granted, not refused
        cache.set("k", 1)
        assert cache.has_key("k") is False
        with pytest.raises(ValueError):
            cache.incr("k")
    assert len([r for r in caplog.records if r.name == "accounts.cache"]) == 1

"""Benchmark: what two-factor enforcement costs per request, side by side with the same request without it.

Run: `.venv/bin/python bench/mfa.py` (its own database, `bench_mfa`, on the app's PostgreSQL server: the embedded
one or DATABASE_URL's). Measured through Django's test client in-process (real middleware, templates, ORM):
the client list as the owner (a session that passed TOTP), as an organizer who signs in with a password alone
(no factor: one EXISTS per request), and the same two with `RequireMFAMiddleware` removed (the baseline).
Medians and p95 of 200 requests after 20 warm-ups, interleaved in rounds of 20 so load drifts hit both sides;
queries of one request. Results go to docs/PERFORMANCE.md by hand.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

DB = "bench_mfa"
MFA_MIDDLEWARE = "accounts.middleware.RequireMFAMiddleware"
PASSWORD = "bench-passphrase-0123"
ROUNDS, PER_ROUND, WARM = 10, 20, 20


def use_database(name: str) -> None:
    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = "organizer_pm"
    settings.DATABASES["default"]["TEST"]["NAME"] = name
    connections["default"].creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def logged_in_clients() -> dict[str, Client]:
    from accounts.services import user_create
    from tests.support.mfa import fresh_totp_code, totp_enrol

    owner = user_create(actor=None, email="bench-owner@example.com", role="owner", password=PASSWORD)
    user_create(actor=None, email="bench-maya@example.com", role="organizer", password=PASSWORD)
    totp_enrol(owner)
    staff, organizer = Client(), Client()
    staff.post(reverse("account_login"), {"login": owner.email, "password": PASSWORD})
    assert staff.post(reverse("mfa_authenticate"), {"code": fresh_totp_code()}).status_code == 302
    organizer.post(reverse("account_login"), {"login": "bench-maya@example.com", "password": PASSWORD})
    return {"owner (passed TOTP)": staff, "organizer (password only)": organizer}


def one(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # logins are not measured
    use_database(DB)
    url = reverse("clients:client_list")
    without = [m for m in settings.MIDDLEWARE if m != MFA_MIDDLEWARE]
    clients = logged_in_clients()
    print(f"load {os.getloadavg()[0]:.1f}")
    print("| request | with enforcement p50 / p95 ms | without p50 / p95 ms | queries with / without |")
    print("|---|---:|---:|---:|")
    for label, logged_in in clients.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        queries, browsers = {}, {}
        for enforced in (True, False):
            with override_settings(MIDDLEWARE=settings.MIDDLEWARE if enforced else without):
                browsers[enforced] = Client()  # a client builds its middleware chain at its first request
                browsers[enforced].cookies = logged_in.cookies  # the same session
                for _ in range(WARM):
                    one(browsers[enforced], url)
                with CaptureQueriesContext(connection) as captured:
                    one(browsers[enforced], url)
                queries[enforced] = len(captured.captured_queries)
        for _ in range(ROUNDS):
            for enforced in (True, False):
                times[enforced] += [one(browsers[enforced], url) for _ in range(PER_ROUND)]

        def p(values: list[float]) -> str:
            return f"{statistics.median(values):.2f} / {statistics.quantiles(values, n=20)[18]:.2f}"

        print(f"| client list, {label} | {p(times[True])} | {p(times[False])} | {queries[True]} / {queries[False]} |")
    connections["default"].creation.destroy_test_db(DB, verbosity=0)


if __name__ == "__main__":
    main()

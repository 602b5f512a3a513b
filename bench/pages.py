"""Benchmark: every main page, as each role, on the 1-year and 5-year scale data sets (issue 12).

Run:
    .venv/bin/python bench/pages.py             # measures both, prints one table, writes it to docs/PERFORMANCE.md
    .venv/bin/python bench/pages.py --setup     # reloads both first (a missing or empty one is always loaded)

Both databases, org_scale_1y and org_scale_5y, live on DATABASE_URL's server (its database name is replaced); each
is created and loaded with `load_scale --years 1|5 --organizers 20 --seed 1` when missing, and migrated before it is
measured. Each is measured in its own process (`--measure NAME` prints JSON), through Django's test client
in-process (real middleware, templates, ORM), logged in with `force_login` as the scale owner, office user or
organizer 1. Per page: one request (its SQL queries counted), 2 more warm-ups, then p50 and p95 of 20 timed
requests; a page slower than 1 s gets 5 timed requests (p95 is then the slowest), one slower than 5 s only the
first request. A URL name that does not exist in this build is listed as "not in this build".

The client list is also compared with Django admin's changelist of the same rows (unarchived clients, the same
page size and order), served from a URLconf that adds an admin site for this run only; the ratio is printed.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import types
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# bench/ must not be on the path: bench/calendar.py would shadow the standard library's calendar module.
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

SETS = [("org_scale_1y", 1), ("org_scale_5y", 5)]
RUNS = 20
PERF = ROOT / "docs" / "PERFORMANCE.md"
START, END = "<!-- bench/pages.py:start -->", "<!-- bench/pages.py:end -->"


def database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def run_manage(name: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url(name)}
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} on {name} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def setup(*, force: bool) -> dict[str, str]:
    """Create and load each data set that is missing (every one with `force`); returns the load times."""
    import psycopg2

    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    loads = {}
    for name, years in SETS:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
            elif not force:
                with psycopg2.connect(database_url(name)) as db, db.cursor() as probe:
                    probe.execute("SELECT to_regclass('accounts_user') IS NOT NULL")
                    if probe.fetchone()[0]:
                        probe.execute("SELECT 1 FROM accounts_user WHERE email = 'scale-owner@example.com'")
                        if probe.fetchone() is not None:
                            continue
        run_manage(name, "migrate", "-v0")
        started = time.perf_counter()
        out = run_manage(name, "load_scale", "--years", str(years), "--organizers", "20", "--seed", "1", "--wipe")
        loads[name] = f"{time.perf_counter() - started:.0f} s"
        print(out, flush=True)
    return loads


# ---------------------------------------------------------------- measuring one data set (child process)


def pages(today: date) -> list[tuple[str, str, str, list, dict]]:
    """(label, role, URL name, args, query) of every main page; args may name ids found in the data set."""
    monday = today - timedelta(days=today.weekday())
    week = {"start": f"{monday}T00:00:00-05:00", "end": f"{monday + timedelta(days=7)}T00:00:00-05:00"}
    return [
        ("owner dashboard, this week", "owner", "dashboard:home", [], {"window": "this_week"}),
        (
            "owner dashboard, one year",
            "owner",
            "dashboard:home",
            [],
            {"window": "custom", "start": today - timedelta(days=365), "end": today - timedelta(days=1)},
        ),
        (
            "owner dashboard, five years",
            "owner",
            "dashboard:home",
            [],
            {"window": "custom", "start": today - timedelta(days=5 * 365), "end": today - timedelta(days=1)},
        ),
        ("office home", "office", "dashboard:home", [], {}),
        ("calendar week (page)", "office", "operations:calendar", [], {"date": monday}),
        ("calendar week (events JSON, 20 organizers)", "office", "operations:calendar_events", [], week),
        ("Gantt data, 300-task project", "owner", "projects:gantt_data", ["big_project"], {}),
        ("client list", "office", "clients:client_list", [], {}),
        ("client list, search", "office", "clients:client_list", [], {"q": "smith"}),
        ("client detail (busiest client)", "office", "clients:client_detail", ["busy_client"], {}),
        ("client timeline panel (busiest client)", "office", "dashboard:client_timeline", ["busy_client"], {}),
        ("client visits panel (busiest client)", "office", "operations:client_visits_panel", ["busy_client"], {}),
        ("My day (organizer)", "organizer", "operations:my_day", [], {}),
        ("organizer home", "organizer", "dashboard:home", [], {}),
        ("inventory list", "office", "operations:inventory_list", [], {}),
        ("ready to invoice", "owner", "billing:ready", [], {}),
        ("finance page", "owner", "billing:finance", [], {}),
        ("client billing tab (busiest client)", "owner", "billing:client_billing_panel", ["busy_client"], {}),
        ("capacity, 20 organizers x 8 weeks", "office", "projects:capacity", [], {}),
        ("unbooked work", "office", "projects:unbooked_work", [], {}),
    ]


def admin_urlconf(per_page: int) -> str:
    """A URLconf of the app's URLs plus an admin site listing clients like the client list does."""
    from django.contrib import admin
    from django.urls import path

    from clients.models import Client as Customer
    from organizer_pm import urls

    class ClientAdmin(admin.ModelAdmin):
        list_display = ("name", "kind", "status", "referral_source")
        list_per_page = per_page
        ordering = ("name", "pk")

    site = admin.AdminSite(name="benchadmin")
    site.register(Customer, ClientAdmin)
    module = types.ModuleType("bench_pages_urls")
    module.urlpatterns = [*urls.urlpatterns, path("bench-admin/", site.urls)]  # type: ignore[attr-defined]
    sys.modules["bench_pages_urls"] = module
    return "bench_pages_urls"


def measure_one(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        return {"error": f"HTTP {response.status_code}"}
    if first > 5000:  # one request is all a page this slow gets
        return {"p50": first, "p95": first, "queries": len(queries), "runs": 1}
    runs = RUNS if first < 1000 else 5
    for _ in range(2 if runs == RUNS else 0):
        client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    p95 = times[int(len(times) * 0.95) - 1] if runs >= 20 else times[-1]
    return {"p50": statistics.median(times), "p95": p95, "queries": len(queries), "runs": runs}


def measure(name: str) -> dict:
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import NoReverseMatch, clear_url_caches, reverse

    from accounts.models import User
    from clients.models import Client as Customer
    from clients.views import CLIENTS_PER_PAGE
    from operations.models import Appointment
    from projects.dates import business_today
    from projects.models import Project

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.ROOT_URLCONF = admin_urlconf(CLIENTS_PER_PAGE)
    clear_url_caches()
    ids = {
        "big_project": Project.objects.annotate(n=Count("tasks")).order_by("-n").values_list("pk", flat=True)[0],
        "busy_client": Appointment.objects.values("client").annotate(n=Count("pk")).order_by("-n")[0]["client"],
    }
    users = {
        "owner": User.objects.get(email="scale-owner@example.com"),
        "office": User.objects.get(email="scale-office@example.com"),
        "organizer": User.objects.get(email="scale-organizer1@example.com"),
    }
    browsers = {}
    for role, user in users.items():
        browsers[role] = Client()
        browsers[role].force_login(user)
        _pass_mfa(browsers[role], user)
    result = {"name": name, "visits": Appointment.objects.count(), "clients": Customer.all_objects.count(), "rows": []}
    for label, role, url_name, args, query in pages(business_today()):
        try:
            url = reverse(url_name, args=[ids[a] for a in args])
        except NoReverseMatch:
            result["rows"].append({"label": label, "role": role, "error": f"`{url_name}` not in this build"})
            continue
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        row = measure_one(browsers[role], url)
        result["rows"].append({"label": label, "role": role, **row})
        print(f"{name}: {label}: {row}", file=sys.stderr, flush=True)
    superuser, _ = User.objects.update_or_create(
        email="bench-admin@example.com", defaults={"role": "owner", "is_staff": True, "is_superuser": True}
    )
    admin_browser = Client()
    admin_browser.force_login(superuser)
    _pass_mfa(admin_browser, superuser)
    row = measure_one(admin_browser, "/bench-admin/clients/client/")
    result["rows"].append({"label": "Django admin changelist of the same clients", "role": "superuser", **row})
    return result


def _pass_mfa(browser, user) -> None:
    """Owner and office must pass a second factor (RequireMFAMiddleware); the bench uses the tests' stand-in so
    it measures the pages, not the login."""
    from tests.support import mfa

    session = browser.session
    mfa.mark_session_passed(session, user)
    session.save()


# ---------------------------------------------------------------- the table


def machine() -> str:
    cores = os.cpu_count()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cores} cores ({model}), Python {platform.python_version()}, load average {load}"


def cell(row: dict | None, key: str) -> str:
    if row is None or "error" in row:
        return "–"
    return f"{row[key]:.0f}" if key != "queries" else str(row[key])


def table(results: list[dict]) -> str:
    small, large = results
    lines = [
        "| page | role | 1 y p50 ms | 1 y p95 ms | 1 y queries | 5 y p50 ms | 5 y p95 ms | 5 y queries | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for a, b in zip(small["rows"], large["rows"], strict=True):
        note = a.get("error") or b.get("error") or ""
        if not note and "p95" in b and b["p95"] > 150:
            note = "over 150 ms"
        if not note and a.get("queries") != b.get("queries"):
            note = "query count grows"
        lines.append(
            f"| {a['label']} | {a['role']} | {cell(a, 'p50')} | {cell(a, 'p95')} | {cell(a, 'queries')} | "
            f"{cell(b, 'p50')} | {cell(b, 'p95')} | {cell(b, 'queries')} | {note} |"
        )
    for result in results:
        ours = next(r for r in result["rows"] if r["label"] == "client list")
        admin = result["rows"][-1]
        if "p50" in ours and "p50" in admin:
            lines.append("")
            lines.append(
                f"Client list vs Django admin changelist ({result['name']}): p50 {ours['p50']:.0f} ms against "
                f"{admin['p50']:.0f} ms, ratio {ours['p50'] / admin['p50']:.2f}"
            )
    return "\n".join(lines)


def write(text: str) -> None:
    current = PERF.read_text()
    block = f"{START}\n{text}\n{END}"
    if START in current and END in current:
        before, rest = current.split(START, 1)
        current = before + block + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n## Main pages on the scale data sets (bench/pages.py)\n\n" + block + "\n"
    PERF.write_text(current)


def main() -> None:
    if "--measure" in sys.argv:
        print(json.dumps(measure(sys.argv[sys.argv.index("--measure") + 1])))
        return
    loads = setup(force="--setup" in sys.argv)
    results = []
    for name, _ in SETS:
        run_manage(name, "migrate", "-v0")
        done = subprocess.run([sys.executable, __file__, "--measure", name], capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            raise SystemExit(done.stderr[-3000:])
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    header = [f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}."]
    header += [f"{r['name']}: {r['clients']:,} clients, {r['visits']:,} visits." for r in results]
    header += [f"Load time of {name}: {took}." for name, took in loads.items()]
    text = "\n".join(header) + "\n\n" + table(results)
    print(text)
    write(text)


if __name__ == "__main__":
    main()

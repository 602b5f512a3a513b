"""Two office users book the same organizer at the same moment over real HTTP, one a work session and one a
visit (docs/specs/one-schedule.md OS9): exactly one wins, the other gets 409 naming the clash and the next free
starts that day. 20 runs, each on its own day, through the live server (each request its own connection)."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta

import pytest
from django.test import Client

from operations.models import Appointment
from projects.models import WorkSession
from tests.operations.factories import AppointmentTypeFactory
from tests.projects.sessions import world as w_world
from tests.support.people import user_build

pytestmark = [pytest.mark.django_db(transaction=True)]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RUNS = 20


class Browserless:
    """One logged-in user speaking plain HTTP to the live server: the session cookie from a forced login, the
    CSRF cookie and token from the form page, redirects not followed (a 302 is the success)."""

    def __init__(self, base: str, user) -> None:
        self.base = base
        django_client = Client()
        django_client.force_login(user)
        self.cookies = {"sessionid": django_client.cookies["sessionid"].value}
        self.opener = urllib.request.build_opener(NoRedirect())

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def token(self, path: str) -> str:
        request = urllib.request.Request(self.base + path, headers=self._cookie_header())
        with self.opener.open(request) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return TOKEN.search(response.read().decode()).group(1)

    def post(self, path: str, data: dict, token: str) -> tuple[int, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
        headers = {**self._cookie_header(), "Referer": self.base + path}
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_OS9_session_and_visit_race_over_http_one_wins_twenty_times(live_server):
    w = w_world.build(sessions=False)
    office_a, office_b = user_build("office"), user_build("owner")
    kind = AppointmentTypeFactory(name="Race visit", default_duration_min=120, default_travel_min=30, checklist="")
    task = w.t["C"]
    session_path = f"/projects/{w.project.pk}/tasks/{task.pk}/sessions/new/"
    visit_path = "/schedule/visits/new/"
    a, b = Browserless(live_server.url, office_a), Browserless(live_server.url, office_b)
    outcomes = []
    for run in range(RUNS):
        day = date(2027, 1, 4) + timedelta(days=7 * (run // 5) + run % 5)  # weekdays only
        token_a, token_b = a.token(session_path), b.token(visit_path)
        session_form = {
            "day": day.isoformat(), "start": "10:00", "end": "12:00", "organizers": [w.olivia.pk],
            "confirm_outside_window": "on",
        }  # fmt: skip
        visit_form = {
            "client": w.jones.pk, "site": w.jones.sites.get().pk, "appointment_type": kind.pk,
            "organizers": [w.olivia.pk], "day": day.isoformat(), "start_time": "11:00", "duration_min": 120,
            "travel_min": 30, "repeat": "none", "ends": "never",
        }  # fmt: skip
        barrier = threading.Barrier(2)
        results: dict[str, tuple[int, str]] = {}

        def go(name, who, path, data, token, barrier=barrier, results=results):
            barrier.wait(timeout=10)
            results[name] = who.post(path, data, token)

        threads = [
            threading.Thread(target=go, args=("session", a, session_path, session_form, token_a)),
            threading.Thread(target=go, args=("visit", b, visit_path, visit_form, token_b)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [302, 409], (run, {k: (s, body[-400:]) for k, (s, body) in results.items()})
        loser = next(body for status, body in results.values() if status == 409)
        assert "Olivia Ortiz" in loser and "Free that day for Olivia Ortiz" in loser, loser[-2000:]
        outcomes.append(next(k for k, (s, _) in results.items() if s == 302))
    sessions = WorkSession.objects.filter(task=task).count()
    visits = Appointment.objects.filter(appointment_type=kind).count()
    assert sessions + visits == RUNS  # one booking per run, never two, never none
    assert sessions == outcomes.count("session")

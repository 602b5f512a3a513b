"""Session pages and sessions beside visits on the calendar, the ICS feed and My day (OS11), with their forms'
bad input (a clear error, nothing written)."""

import re
from datetime import date, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from operations import ics
from operations.models import Appointment, OrganizerBlock
from operations.selectors import visits as visit_selectors
from projects.models import Task, TaskChecklistItem, TimeEntry, WorkSession
from projects.sessions import selectors, services
from tests.projects.sessions.world import NOW, at

NY = ZoneInfo("America/New_York")
ITEMS = ["Sort keep/donate/discard", "Photograph donations", "Bag and label donations"]


def _book_c(w):
    plan = selectors.session_proposals(task=w.t["C"], organizers=[w.olivia, w.sam], now=NOW)
    return services.task_sessions_book_selected(
        task=w.t["C"], organizers=[w.olivia, w.sam], slots=[(p.starts, p.ends) for p in plan.proposals], now=NOW
    )


def _c_with_checklist(w):
    Task.objects.filter(pk=w.t["C"].pk).update(notes="Client keeps all books")
    for i, text in enumerate(ITEMS):
        TaskChecklistItem.objects.create(task=w.t["C"], text=text, position=i)


def test_OS11_calendar_shows_the_visit_and_the_session_labelled_in_words(w):
    wed = _book_c(w)[0]
    day = date(2026, 6, 10)
    events = visit_selectors.calendar_events(user=w.olivia, start=at(day, 0), end=at(day + timedelta(days=1), 0))
    title = f"Project · Smith home move · {w.t['C'].wbs_code} Declutter & donate"
    assert [(e["title"], e["classNames"], e["start"]) for e in events] == [
        ("Jones household · Tidy", ["ev-visit"], at(day, 9).isoformat()),
        (title, ["ev-session"], at(day, 11, 30).isoformat()),
    ]
    assert events[1]["url"] == reverse("projects:session_detail", kwargs={"appt_pk": wed.appointment_id})
    max_events = visit_selectors.calendar_events(user=w.max, start=at(day, 0), end=at(day + timedelta(days=1), 0))
    assert max_events == []


def test_OS11_ics_feed_marks_sessions_as_project_work(w):
    _book_c(w)
    visits = Appointment.objects.filter(organizers=w.olivia).select_related("site", "client", "appointment_type")
    body = ics.feed_calendar(organizer=w.olivia, visits=visits, now=NOW).decode()
    assert body.count("CATEGORIES:Project work") == 5  # C × 3, F and G; her three visits have none
    assert body.count("BEGIN:VEVENT") == 8
    assert "SUMMARY:Project · Smith home move" in body


def test_OS11_my_day_shows_both_cards_and_the_session_panel(w, client):
    wed = _book_c(w)[0]
    _c_with_checklist(w)
    client.force_login(w.olivia)
    with time_machine.travel(datetime(2026, 6, 10, 8, tzinfo=NY), tick=False):
        page = client.get(reverse("operations:my_day") + "?date=2026-06-10").content.decode()
        assert page.count('<article class="card mb-3') == 2
        assert page.index("Jones household") < page.index("Project · Smith home move")
        assert "Project work" in page and reverse("projects:session_panel", args=[wed.appointment_id]) in page
        panel = client.get(reverse("projects:session_panel", args=[wed.appointment_id])).content.decode()
    assert "With Sam Silva" in panel and "Client keeps all books" in panel
    assert [t in panel for t in ITEMS] == [True, True, True] and "bi-check-square" not in panel
    item = TaskChecklistItem.objects.get(text=ITEMS[0])
    url = reverse("projects:session_checklist", args=[wed.appointment_id])
    response = client.post(url, {"item": item.pk, "done": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "bi-check-square" in response.content.decode()
    item.refresh_from_db()
    assert item.done_by == w.olivia and item.done_at is not None
    client.force_login(w.max)
    assert "Smith home move" not in client.get(reverse("operations:my_day") + "?date=2026-06-10").content.decode()
    assert client.get(reverse("projects:session_panel", args=[wed.appointment_id])).status_code == 404


def test_OS12_complete_from_the_form(w, client):
    wed = _book_c(w)[0]
    client.force_login(w.olivia)
    url = reverse("projects:session_complete", args=[wed.appointment_id])
    with time_machine.travel(datetime(2026, 6, 10, 16, tzinfo=NY), tick=False):
        assert client.get(url).status_code == 200
        data = {f"minutes_{w.olivia.pk}": 240, f"minutes_{w.sam.pk}": 210, "progress": ""}
        response = client.post(url, data)
        assert response.status_code == 302
        again = client.post(url, data)
    assert again.status_code == 302
    assert TimeEntry.objects.filter(task=w.t["C"]).count() == 2
    assert Task.objects.get(pk=w.t["C"].pk).progress_pct == 31


def test_OS12_complete_form_bad_minutes_write_nothing(w, client):
    wed = _book_c(w)[0]
    client.force_login(w.olivia)
    url = reverse("projects:session_complete", args=[wed.appointment_id])
    with time_machine.travel(datetime(2026, 6, 10, 16, tzinfo=NY), tick=False):
        negative = client.post(url, {f"minutes_{w.olivia.pk}": -5, f"minutes_{w.sam.pk}": 210})
        far = client.post(url, {f"minutes_{w.olivia.pk}": 600, f"minutes_{w.sam.pk}": 210})
    assert negative.status_code == 400 and "greater than or equal to 0" in negative.content.decode()
    assert far.status_code == 400 and "over the booked 240 by more than 60" in far.content.decode()
    assert not TimeEntry.objects.filter(task=w.t["C"]).exists()
    assert Appointment.objects.get(pk=wed.appointment_id).status == "scheduled"


def test_OS9_book_form_refuses_a_skipped_wall_time_and_writes_nothing(w, client):
    client.force_login(w.priya)
    Task.objects.filter(pk=w.t["C"].pk).update(lf=400, ef=400)
    url = reverse("projects:session_book", args=[w.project.pk, w.t["C"].pk])
    before = (Appointment.objects.count(), OrganizerBlock.objects.count(), WorkSession.objects.count())
    response = client.post(url, {"day": "2027-03-14", "start": "02:30", "end": "04:00", "organizers": [w.olivia.pk]})
    assert response.status_code == 400
    assert "02:30 does not exist on Sun 2027-03-14" in response.content.decode()
    assert (Appointment.objects.count(), OrganizerBlock.objects.count(), WorkSession.objects.count()) == before


def test_OS14_book_form_asks_to_confirm_outside_the_window_then_books(w, client):
    client.force_login(w.priya)
    url = reverse("projects:session_book", args=[w.project.pk, w.t["I"].pk])
    data = {"day": "2026-06-18", "start": "09:00", "end": "13:00", "organizers": [w.olivia.pk]}
    with time_machine.travel(NOW, tick=False):
        first = client.post(url, data)
        assert first.status_code == 400 and "earliest start Thu 06-25" in first.content.decode()
        assert not WorkSession.objects.filter(task=w.t["I"]).exists()
        second = client.post(url, {**data, "confirm_outside_window": "on"})
    assert second.status_code == 302
    assert WorkSession.objects.get(task=w.t["I"]).window_flag == "before_window"


def test_OS8_slots_page_and_book_selected(w, client):
    client.force_login(w.priya)
    url = reverse("projects:session_slots", args=[w.project.pk, w.t["C"].pk])
    with time_machine.travel(NOW, tick=False):
        page = client.get(url).content.decode()
        assert page.count('name="slot"') == 3
        plan = selectors.session_proposals(task=w.t["C"], organizers=[w.olivia, w.sam], now=NOW)
        response = client.post(url, {"slot": [p.key for p in plan.proposals]})
    assert response.status_code == 302
    assert WorkSession.objects.filter(task=w.t["C"]).count() == 3


def test_OS7_unbooked_and_capacity_pages(w, client):
    client.force_login(w.priya)
    with time_machine.travel(NOW, tick=False):
        unbooked = client.get(reverse("projects:unbooked_work")).content.decode()
        cap = client.get(reverse("projects:capacity") + "?week=2026-W26")
        cell = client.get(reverse("projects:capacity_cell", args=[w.olivia.pk]) + "?week=2026-W26")
    assert unbooked.index("Declutter &amp; donate") < unbooked.index("Unpack &amp; set up")
    assert cap.status_code == 200 and "2026-W26" in cap.content.decode()
    assert cell.status_code == 200 and "Lee household" in cell.content.decode()


def test_OS13_project_page_names_the_flagged_session(w, client):
    client.force_login(w.priya)
    page = client.get(reverse("projects:project_detail", args=[w.project.pk])).content.decode()
    assert "1 session is outside its task window" in page
    tasks = client.get(reverse("projects:project_tasks", args=[w.project.pk])).content.decode()
    assert "40.0 | 16.0 | 0.0 | 24.0" in tasks
    gantt = client.get(reverse("projects:gantt_data", args=[w.project.pk])).json()
    assert {r["text"]: r["hours"] for r in gantt["data"]}["Pack non-essentials"] == "40.0 | 16.0 | 0.0 | 24.0"


def test_OS8_book_selected_with_a_garbled_slot_books_nothing(w, client):
    client.force_login(w.priya)
    url = reverse("projects:session_slots", args=[w.project.pk, w.t["C"].pk])
    with time_machine.travel(NOW, tick=False):
        naive = client.post(url, {"slot": ["2026-06-11T09:00:00"]})
        garbled = client.post(url, {"slot": ["next tuesday"]})
        empty = client.post(url, {})
    assert naive.status_code == garbled.status_code == empty.status_code == 400
    assert "Those slots were not understood." in garbled.content.decode()
    assert "Select at least one proposal." in empty.content.decode()
    assert not WorkSession.objects.filter(task=w.t["C"]).exists()


def test_T24_the_session_card_offers_complete_once_the_session_has_started(w, client):
    wed = _book_c(w)[0]  # Wed 06-10 11:30-15:30
    client.force_login(w.olivia)
    panel_url = reverse("projects:session_panel", args=[wed.appointment_id])
    complete_url = reverse("projects:session_complete", args=[wed.appointment_id])
    with time_machine.travel(datetime(2026, 6, 10, 8, tzinfo=NY), tick=False):
        panel = client.get(panel_url).content.decode()
        day = client.get(reverse("operations:my_day") + "?date=2026-06-10").content.decode()
    assert complete_url not in panel and "Complete opens at 11:30." in panel
    assert "Start opens at 10:30." in day  # the session's own form: start only, complete is the card's
    with time_machine.travel(datetime(2026, 6, 10, 11, 30, tzinfo=NY), tick=False):
        panel = client.get(panel_url).content.decode()
    assert complete_url in panel and "data-opens" not in panel


def test_T25_a_session_clash_offers_free_times_that_refill_the_form(w, client):
    client.force_login(w.priya)
    url = reverse("projects:session_book", args=[w.project.pk, w.t["C"].pk])
    data = {"day": "2026-06-10", "start": "10:00", "end": "12:00", "organizers": [w.olivia.pk, w.sam.pk],
            "confirm_outside_window": "on"}  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        response = client.post(url, data)  # Olivia has the Jones household 09:00-11:00 (+30 min travel)
        body = response.content.decode()
        assert response.status_code == 409 and "data-free-times" in body
        block = body[body.index("data-free-times") :]
        href = unescape(re.search(r'href="([^"]+)"', block).group(1))
        label = re.search(r'href="[^"]+">([^<]+)</a>', block).group(1)
        query = parse_qs(urlsplit(href).query)
        assert label == f"{query['start'][0]}–{query['end'][0]}" and query["day"] == ["2026-06-10"]
        assert query["organizers"] == [str(w.olivia.pk), str(w.sam.pk)] and query["confirm_outside_window"] == ["on"]
        assert query["start"][0] >= "11:30"  # after the visit and its travel
        form = client.get(href).content.decode()
        assert Appointment.objects.filter(category="project_session", starts__date=date(2026, 6, 10)).count() == 0
        assert f'name="start" value="{query["start"][0]}"' in form and f'name="end" value="{query["end"][0]}"' in form
        assert client.post(url, {k: v if len(v) > 1 else v[0] for k, v in query.items()}).status_code == 302


def test_T47_a_project_session_cannot_be_booked_this_morning(client, w):
    client.force_login(w.priya)
    url = reverse("projects:session_book", args=[w.project.pk, w.t["C"].pk])
    with time_machine.travel(NOW, tick=False):  # Wed Jun 10, 08:00 in New York
        response = client.post(url, {"day": "2026-06-09", "start": "09:00", "end": "12:00",
                                     "organizers": [w.olivia.pk]})  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["start"] == [
        "That time has passed: choose a time after Wed Jun 10, 08:00 EDT."
    ]
    assert not WorkSession.objects.filter(task=w.t["C"], appointment__starts__date="2026-06-09").exists()

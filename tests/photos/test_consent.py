"""Consent (W15 staff side, W43) and the portfolio with takedowns (W44), through the services the portal calls
and the staff consent page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import ConsentLevel, Space
from photos import selectors
from photos.models import ConsentChange, PortfolioUse, TakedownTask
from photos.services import consent, portfolio
from tests.accounts.factories import UserFactory
from tests.photos.support import store

PRIVATE, TEAM, PORTFOLIO = ConsentLevel.PRIVATE, ConsentLevel.TEAM, ConsentLevel.PORTFOLIO_ANON


@pytest.fixture
def portal_user(db):
    return UserFactory(role="organizer", email="client-contact@example.com", first_name="Paula")


def level_of(photo):
    return selectors.with_effective_level(type(photo).objects.filter(pk=photo.pk)).get().effective_level


def test_W43_effective_level_is_the_lowest_of_cap_space_and_client_default(w):
    photo = store(w.visit_a, w.organizer)
    assert level_of(photo) == PRIVATE  # opt-in: the client default is private
    consent.consent_set_by_staff(actor=w.owner, client=w.client_a, level=PORTFOLIO, basis="signed_form",
                                 basis_date=date(2026, 12, 1))  # fmt: skip
    assert level_of(photo) == PORTFOLIO
    consent.consent_set_by_staff(actor=w.office, client=w.client_a, level=TEAM, space=photo.space)
    assert level_of(photo) == TEAM  # the space overrides the default
    consent.consent_set_by_client(actor=w.owner, client=w.client_a, level=PORTFOLIO, photo=photo)
    assert level_of(photo) == TEAM  # a photo cap never raises above its space
    consent.consent_set_by_client(actor=w.owner, client=w.client_a, level=PRIVATE, photo=photo)
    assert level_of(photo) == PRIVATE  # ... but restricts


def test_W15_W43_staff_lower_any_time_and_raise_only_with_a_basis(client, w, django_capture_on_commit_callbacks):
    photo = store(w.visit_a, w.organizer)
    url = reverse("photos:client_consent", kwargs={"pk": w.client_a.pk})
    client.force_login(w.office)
    space_scope = f"space-{photo.space_id}"
    raised = client.post(url, {"scope": space_scope, "level": str(TEAM)})
    assert raised.status_code == 200 and "choose the basis and its date" in raised.content.decode()
    assert Space.objects.get(pk=photo.space_id).photo_consent is None and not ConsentChange.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(url, {"scope": space_scope, "level": str(PORTFOLIO), "basis": "email",
                               "basis_date": "2026-12-01"})  # fmt: skip
    assert ok.status_code == 302
    change = ConsentChange.objects.get()
    assert (change.level, change.basis, change.channel, change.set_by) == (PORTFOLIO, "email", "staff", w.office)
    assert len(mail.outbox) == 1 and "/portal/consent/" in mail.outbox[0].body
    lowered = client.post(url, {"scope": space_scope, "level": str(TEAM)})
    assert lowered.status_code == 302 and Space.objects.get(pk=photo.space_id).photo_consent == TEAM
    page = client.get(url).content.decode()
    assert "Team" in page and "office" in page
    events = apps.get_model("clients", "SpaceEvent").objects.filter(pgh_obj_id=photo.space_id)
    assert events.filter(pgh_context__metadata__channel="staff").exists()


def test_W15_client_consent_shows_who_set_it_and_hides_the_photo_from_the_gallery(client, w, portal_user):
    photo = store(w.visit_a, w.organizer)
    consent.consent_set_by_staff(actor=w.owner, client=w.client_a, level=TEAM, space=photo.space,
                                 basis="verbal", basis_date=date(2026, 12, 2))  # fmt: skip
    client.force_login(w.organizer_b)  # not assigned to cA
    assert str(photo.pk) in client.get(reverse("photos:gallery")).content.decode()
    assert client.get(reverse("photos:photo_thumb", kwargs={"pk": photo.pk})).status_code == 200

    consent.consent_set_by_client(actor=portal_user, client=w.client_a, level=PRIVATE, space=photo.space)

    assert str(photo.pk) not in client.get(reverse("photos:gallery")).content.decode()
    assert client.get(reverse("photos:photo_thumb", kwargs={"pk": photo.pk})).status_code == 404
    assert photo not in selectors.portfolio_photos()
    row = next(r for r in selectors.consent_overview(client_id=w.client_a.pk) if r.space_id == photo.space_id)
    assert (row.level_label, row.set_by, row.channel) == ("Private", "Paula " + portal_user.last_name, "portal")
    assert row.set_at is not None
    event = apps.get_model("clients", "SpaceEvent").objects.filter(pgh_obj_id=photo.space_id).latest("pgh_id")
    assert event.pgh_context.metadata["channel"] == "portal"


def test_W43_organizers_cannot_change_consent(client, w):
    with pytest.raises(ValidationError) as exc:
        consent.consent_set_by_staff(actor=w.organizer, client=w.client_a, level=PRIVATE)
    assert exc.value.code == "forbidden"
    client.force_login(w.organizer)
    url = reverse("photos:client_consent", kwargs={"pk": w.client_a.pk})
    assert client.post(url, {"scope": "client", "level": "0"}).status_code == 403
    assert not ConsentChange.objects.exists()


def test_W43_a_space_or_photo_of_another_client_is_refused(w):
    other = store(w.visit_b, w.organizer_b)
    with pytest.raises(ValidationError) as exc:
        consent.consent_set_by_client(actor=w.owner, client=w.client_a, level=PRIVATE, space=other.space)
    assert exc.value.code == "wrong_client"
    with pytest.raises(ValidationError):
        consent.consent_set_by_client(actor=w.owner, client=w.client_a, level=PRIVATE, photo=other)
    assert not ConsentChange.objects.exists()


def test_W43_bad_consent_form_input_is_a_400_and_changes_nothing(client, w):
    client.force_login(w.owner)
    url = reverse("photos:client_consent", kwargs={"pk": w.client_a.pk})
    for data in ({"scope": "client", "level": "7"}, {"scope": "space-999", "level": "0"},
                 {"scope": "client", "level": "default"}):  # fmt: skip
        response = client.post(url, data)
        assert response.status_code == 400
    assert not ConsentChange.objects.exists()


def _portfolio_ready(w):
    photo = store(w.visit_a, w.organizer)
    consent.consent_set_by_staff(actor=w.owner, client=w.client_a, level=PORTFOLIO, basis="signed_form",
                                 basis_date=date(2026, 12, 1))  # fmt: skip
    return photo


def test_W44_export_needs_portfolio_level_and_the_anonymization_check(w):
    private = store(w.visit_b, w.organizer_b)
    with pytest.raises(ValidationError) as exc:
        portfolio.portfolio_use_record(photo=private, actor=w.owner, channel="website")
    assert exc.value.code == "not_portfolio"
    photo = _portfolio_ready(w)
    with pytest.raises(ValidationError) as exc:
        portfolio.portfolio_use_record(photo=photo, actor=w.owner, channel="website")
    assert exc.value.code == "not_checked"
    with pytest.raises(ValidationError):
        portfolio.photo_anonymization_check(photo=photo, actor=w.owner, ticked={"numbers", "faces"})
    portfolio.photo_anonymization_check(photo=photo, actor=w.owner, ticked={"numbers", "papers", "faces", "windows"})
    use = portfolio.portfolio_use_record(photo=photo, actor=w.owner, channel="website", url="https://example.com/p")
    assert (use.used_by, use.channel) == (w.owner, "website") and PortfolioUse.objects.count() == 1


def test_W15_W44_withdrawal_creates_one_takedown_per_web_or_social_use(w, portal_user):
    photo = _portfolio_ready(w)
    portfolio.photo_anonymization_check(photo=photo, actor=w.owner, ticked={"numbers", "papers", "faces", "windows"})
    web = portfolio.portfolio_use_record(photo=photo, actor=w.owner, channel="website")
    portfolio.portfolio_use_record(photo=photo, actor=w.owner, channel="print")

    consent.consent_set_by_client(actor=portal_user, client=w.client_a, level=TEAM)
    consent.consent_set_by_client(actor=portal_user, client=w.client_a, level=PRIVATE)  # no second task

    task = TakedownTask.objects.get()
    assert task.use == web and task.done_at is None
    assert timedelta(days=6) <= task.due_on - timezone.now().date() <= timedelta(days=8)
    assert photo not in selectors.portfolio_photos()
    portfolio.takedown_done(task=task, actor=w.office)
    assert not selectors.takedowns_open().exists()
    consent.consent_set_by_staff(actor=w.owner, client=w.client_a, level=PORTFOLIO, basis="email",
                                 basis_date=date(2026, 12, 3))  # fmt: skip
    consent.consent_set_by_client(actor=portal_user, client=w.client_a, level=TEAM)
    assert list(selectors.takedowns_open().values_list("use", flat=True)) == [web.pk]  # withdrawn again: a new task


def test_W43_raising_by_staff_emails_the_primary_contact_after_commit(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        consent.consent_set_by_staff(actor=w.owner, client=w.client_a, level=TEAM, basis="verbal",
                                     basis_date=date(2026, 12, 1))  # fmt: skip
    assert mail.outbox == [] and len(callbacks) == 1  # nothing is sent before the change is committed
    callbacks[0]()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [w.client_a.contacts.get().email]
    with django_capture_on_commit_callbacks(execute=True):
        consent.consent_set_by_staff(actor=w.owner, client=w.client_a, level=PRIVATE)
    assert len(mail.outbox) == 1  # lowering tells no one

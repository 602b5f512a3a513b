import pytest
from django.urls import reverse

from accounts.formfields import PHONE_INVALID_MSG, TIME_ZONE_INVALID_MSG
from clients.forms import CHANNEL_NEEDS_EMAIL_MSG, CONTACT_NEEDS_A_WAY_MSG, TAG_TOO_LONG_MSG
from clients.models import Client, Contact, Site
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory

pytestmark = pytest.mark.django_db

SITE_DATA = {
    "label": "Home", "street": "1 Main St", "unit": "", "city": "Montclair", "region": "NJ",
    "postal_code": "07042", "country": "United States", "time_zone": "America/New_York",
    "parking": "", "pets": "", "access_instructions": "", "entry_code": "",
}  # fmt: skip


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


# --- list -------------------------------------------------------------------------------------------------


def test_client_list_filters_by_status_and_tag(office_client, owner):
    from clients import services

    services.client_create(
        actor=owner, data={"name": "Tagged", "kind": "household", "status": "lead"}, tag_names=["vip"]
    )
    ClientFactory(name="Plain", status="active")
    body = office_client.get(reverse("clients:client_list") + "?tag=vip").content.decode()
    assert "Tagged" in body and "Plain" not in body
    body = office_client.get(reverse("clients:client_list") + "?status=active").content.decode()
    assert "Plain" in body and "Tagged" not in body


def test_client_list_paginates(office_client):
    ClientFactory.create_batch(30)
    response = office_client.get(reverse("clients:client_list") + "?page=2")
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 5


def test_client_list_answers_htmx_with_the_table_fragment(office_client):
    ClientFactory(name="Fragment Client")
    response = office_client.get(reverse("clients:client_list") + "?q=Fragment", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="client-table">')
    assert "Fragment Client" in body and "<nav" not in body


def test_client_list_query_count_does_not_grow_with_clients(office_client, django_assert_max_num_queries):
    def seed(n):
        for _ in range(n):
            c = ClientFactory()
            ContactFactory(client=c, is_primary=True)
            SiteFactory(client=c)

    seed(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        office_client.get(reverse("clients:client_list"))
    seed(20)
    with CaptureQueriesContext(connection) as many:
        office_client.get(reverse("clients:client_list"))
    assert len(many) == len(few)


def test_archived_clients_are_absent_from_list_and_pickers(office_client, owner):
    from clients import services

    client = ClientFactory(name="Old Client")
    services.client_archive(client=client, actor=owner)
    assert "Old Client" not in office_client.get(reverse("clients:client_list")).content.decode()


# --- detail -----------------------------------------------------------------------------------------------


def test_SH8_client_detail_is_not_cached(office_client, client_a):
    response = office_client.get(client_a.get_absolute_url())
    assert "no-store" in response["Cache-Control"]


def test_detail_shows_history_and_entry_codes_to_office(office_client, client_a):
    body = office_client.get(client_a.get_absolute_url()).content.decode()
    assert "History" in body and "1357" in body and "internal note" in body


def test_detail_shows_entry_code_but_no_history_or_notes_to_assigned_organizer(client, organizer_a, client_a):
    client.force_login(organizer_a)
    body = client.get(client_a.get_absolute_url()).content.decode()
    assert "1357" in body
    assert "History" not in body and "internal note" not in body


def test_SH9_script_in_notes_is_rendered_escaped(office_client):
    client = ClientFactory(name='"><img src=x onerror=alert(1)>', notes="<script>alert(1)</script>")
    body = office_client.get(client.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body
    listing = office_client.get(reverse("clients:client_list")).content.decode()
    assert "<img src=x" not in listing and "&quot;&gt;&lt;img" in listing


# --- create and edit --------------------------------------------------------------------------------------


def test_client_create_saves_and_redirects(office_client, office):
    response = office_client.post(
        reverse("clients:client_create"),
        {"name": "New Family", "kind": "household", "status": "lead", "tags": "move, garage", "notes": "n"},
    )
    client = Client.objects.get(name="New Family")
    assert response.status_code == 302 and response["Location"] == client.get_absolute_url()
    assert client.created_by == office


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "kind": "household", "status": "lead"}, "name"),
        ({"name": "x" * 201, "kind": "household", "status": "lead"}, "name"),
        ({"name": "Ok", "kind": "castle", "status": "lead"}, "kind"),
        ({"name": "Ok", "kind": "household", "status": "vip"}, "status"),
        ({"name": "Ok", "kind": "household", "status": "lead", "tags": "a" * 41}, "tags"),
        ({"name": "Ok", "kind": "household", "status": "lead", "notes": "x" * 10_001}, "notes"),
        ({"name": "Bad\x00null", "kind": "household", "status": "lead"}, "name"),
    ],
)
def test_client_form_bad_input_shows_errors_and_saves_nothing(office_client, data, field):
    response = office_client.post(reverse("clients:client_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Client.all_objects.count() == 0


def test_client_form_tag_error_message(office_client):
    response = office_client.post(
        reverse("clients:client_create"), {"name": "Ok", "kind": "household", "status": "lead", "tags": "a" * 41}
    )
    assert TAG_TOO_LONG_MSG in response.content.decode()


def test_client_edit_saves_changes(office_client, client_a):
    response = office_client.post(
        reverse("clients:client_edit", kwargs={"pk": client_a.pk}),
        {"name": "Alder family", "kind": "household", "status": "maintenance", "tags": "vip"},
    )
    assert response.status_code == 302
    client_a.refresh_from_db()
    assert (client_a.name, client_a.status) == ("Alder family", "maintenance")
    assert list(client_a.tags.values_list("name", flat=True)) == ["vip"]


def test_contact_create_normalizes_the_phone(office_client, client_a):
    office_client.post(
        reverse("clients:contact_create", kwargs={"pk": client_a.pk}),
        {"name": "New Person", "phone": "(212) 555-0123", "email": "", "preferred_channel": "sms"},
    )
    assert Contact.objects.get(name="New Person").phone == "+12125550123"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "P", "phone": "12", "email": "", "preferred_channel": "phone"}, PHONE_INVALID_MSG),
        ({"name": "P", "phone": "call me", "email": "", "preferred_channel": "phone"}, PHONE_INVALID_MSG),
        ({"name": "P", "phone": "", "email": "not-an-email", "preferred_channel": "email"}, "valid email"),
        ({"name": "P", "phone": "", "email": "", "preferred_channel": "email"}, CONTACT_NEEDS_A_WAY_MSG),
        ({"name": "P", "phone": "+12125550123", "email": "", "preferred_channel": "email"}, CHANNEL_NEEDS_EMAIL_MSG),
        ({"name": "", "phone": "+12125550123", "email": "", "preferred_channel": "phone"}, "required"),
    ],
)
def test_contact_form_bad_input_shows_errors_and_saves_nothing(office_client, client_a, data, message):
    before = Contact.objects.count()
    response = office_client.post(reverse("clients:contact_create", kwargs={"pk": client_a.pk}), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Contact.objects.count() == before


def test_site_create_saves(office_client, client_a):
    response = office_client.post(reverse("clients:site_create", kwargs={"pk": client_a.pk}), SITE_DATA)
    assert response.status_code == 302
    assert client_a.sites.filter(street="1 Main St").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, TIME_ZONE_INVALID_MSG),
        ({"street": ""}, "required"),
        ({"city": "x" * 101}, "at most 100"),
        ({"access_instructions": "x" * 2001}, "at most 2000"),
    ],
)
def test_site_form_bad_input_shows_errors_and_saves_nothing(office_client, client_a, change, message):
    before = Site.objects.count()
    response = office_client.post(reverse("clients:site_create", kwargs={"pk": client_a.pk}), SITE_DATA | change)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Site.objects.count() == before


def test_site_edit_changes_the_entry_code(office_client, client_a):
    site = client_a.sites.get()
    data = SITE_DATA | {"entry_code": "2468"}
    office_client.post(reverse("clients:site_edit", kwargs={"pk": client_a.pk, "site_pk": site.pk}), data)
    site.refresh_from_db()
    assert site.entry_code == "2468"


def test_intake_edit_saves_answers(office_client, client_a):
    data = {"goals": "Clear garage", "spaces": "garage", "pain_points": "", "budget_range": "1k_3k",
            "schedule_preferences": "weekends", "decision_makers": "both"}  # fmt: skip
    office_client.post(reverse("clients:intake_edit", kwargs={"pk": client_a.pk}), data)
    client_a.intake.refresh_from_db()
    assert client_a.intake.goals == "Clear garage" and client_a.intake.budget_range == "1k_3k"


def test_intake_form_rejects_an_unknown_budget(office_client, client_a):
    response = office_client.post(reverse("clients:intake_edit", kwargs={"pk": client_a.pk}), {"budget_range": "1m"})
    assert response.status_code == 200 and "budget_range" in response.context["form"].errors


def test_assignments_edit_sets_the_team(office_client, client_a, organizer_b):
    office_client.post(
        reverse("clients:assignments_edit", kwargs={"pk": client_a.pk}), {"organizers": [organizer_b.pk]}
    )
    assert list(client_a.organizers.all()) == [organizer_b]


def test_assignments_form_rejects_a_non_organizer(office_client, client_a, office):
    response = office_client.post(
        reverse("clients:assignments_edit", kwargs={"pk": client_a.pk}), {"organizers": [office.pk]}
    )
    assert response.status_code == 200 and "organizers" in response.context["form"].errors
    assert client_a.organizers.count() == 1


# --- archive, restore, delete -----------------------------------------------------------------------------


def test_archive_then_owner_restores(client, office, owner, client_a):
    client.force_login(office)
    client.post(reverse("clients:client_archive", kwargs={"pk": client_a.pk}))
    assert not Client.objects.filter(pk=client_a.pk).exists()
    assert client.get(client_a.get_absolute_url()).status_code == 404
    client.force_login(owner)
    assert "Alder household" in client.get(reverse("clients:client_archived_list")).content.decode()
    client.post(reverse("clients:client_restore", kwargs={"pk": client_a.pk}))
    assert Client.objects.filter(pk=client_a.pk).exists()


def test_owner_deletes_an_archived_client_after_typing_its_name(client, owner, client_a):
    from clients import services

    services.client_archive(client=client_a, actor=owner)
    client.force_login(owner)
    url = reverse("clients:client_delete", kwargs={"pk": client_a.pk})
    response = client.post(url, {"confirm_name": "wrong"})
    assert response.status_code == 200 and "Type the client" in response.content.decode()
    assert Client.all_objects.filter(pk=client_a.pk).exists()
    response = client.post(url, {"confirm_name": "Alder household"})
    assert response.status_code == 302
    assert not Client.all_objects.filter(pk=client_a.pk).exists()


def test_delete_form_refuses_a_client_that_is_not_archived(client, owner, client_a):
    client.force_login(owner)
    response = client.post(
        reverse("clients:client_delete", kwargs={"pk": client_a.pk}), {"confirm_name": "Alder household"}
    )
    assert response.status_code == 200 and "Archive the client before" in response.content.decode()
    assert Client.objects.filter(pk=client_a.pk).exists()


def test_contact_and_site_delete(office_client, client_a):
    contact, site = client_a.contacts.get(), client_a.sites.get()
    office_client.post(reverse("clients:contact_delete", kwargs={"pk": client_a.pk, "contact_pk": contact.pk}))
    office_client.post(reverse("clients:site_delete", kwargs={"pk": client_a.pk, "site_pk": site.pk}))
    assert not client_a.contacts.exists() and not client_a.sites.exists()


def test_SH7_get_requests_change_nothing(office_client, client_a):
    before = (Client.all_objects.count(), Contact.objects.count(), Site.objects.count())
    for name in ("client_archive", "client_restore"):
        assert office_client.get(reverse(f"clients:{name}", kwargs={"pk": client_a.pk})).status_code == 405
    assert (Client.all_objects.count(), Contact.objects.count(), Site.objects.count()) == before
    assert Client.objects.filter(pk=client_a.pk).exists()

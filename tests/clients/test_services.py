import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clients import selectors, services
from clients.models import Client, Contact, Site
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_client_create_makes_an_empty_intake_and_tags(owner):
    client = services.client_create(
        actor=owner, data={"name": "Lee family", "kind": "household", "status": "lead"}, tag_names=["garage", " move "]
    )
    assert client.intake.goals == ""
    assert sorted(client.tags.values_list("name", flat=True)) == ["garage", "move"]
    assert client.created_by == owner


def test_client_create_rejects_an_empty_name(owner):
    with pytest.raises(ValidationError):
        services.client_create(actor=owner, data={"name": "", "kind": "household", "status": "lead"})
    assert Client.all_objects.count() == 0


def test_SD1_archived_client_vanishes_from_lists_but_still_exists(owner, office):
    client = ClientFactory(name="Archived One")
    services.client_archive(client=client, actor=owner)
    assert not selectors.client_list_for_user(user=office).filter(pk=client.pk).exists()
    assert not selectors.client_search_for_user(user=office, text="Archived").exists()
    stored = Client.all_objects.get(pk=client.pk)
    assert stored.archived_at is not None and stored.archived_by == owner
    event = Client.pgh_event_model.objects.filter(pgh_obj_id=client.pk).order_by("-pgh_id").first()
    assert event.archived_by_id == owner.pk and event.archived_at is not None


def test_client_restore_brings_it_back(owner):
    client = ClientFactory()
    services.client_archive(client=client, actor=owner)
    services.client_restore(client=client, actor=owner)
    assert Client.objects.filter(pk=client.pk).exists()


def test_delete_permanently_requires_archiving_first(owner):
    client = ClientFactory(name="Keep")
    with pytest.raises(ValidationError) as exc:
        services.client_delete_permanently(client=client, actor=owner, confirm_name="Keep")
    assert exc.value.code == "not_archived"
    assert Client.all_objects.filter(pk=client.pk).exists()


def test_delete_permanently_requires_the_typed_name(owner):
    client = ClientFactory(name="Keep")
    services.client_archive(client=client, actor=owner)
    with pytest.raises(ValidationError) as exc:
        services.client_delete_permanently(client=client, actor=owner, confirm_name="keep")
    assert exc.value.code == "confirm"


def test_SD2_delete_permanently_is_refused_to_office(office, owner):
    client = ClientFactory(name="Keep")
    services.client_archive(client=client, actor=owner)
    with pytest.raises(ValidationError):
        services.client_delete_permanently(client=client, actor=office, confirm_name="Keep")
    assert Client.all_objects.filter(pk=client.pk).exists()


def test_delete_permanently_removes_the_client_and_its_history(owner):
    client = ClientFactory(name="Gone")
    ContactFactory(client=client)
    SiteFactory(client=client)
    services.client_archive(client=client, actor=owner)
    services.client_delete_permanently(client=client, actor=owner, confirm_name="Gone")
    assert not Client.all_objects.filter(pk=client.pk).exists()
    assert not Client.pgh_event_model.objects.filter(pgh_obj_id=client.pk).exists()
    assert not Contact.pgh_event_model.objects.filter(client_id=client.pk).exists()
    assert not Site.pgh_event_model.objects.filter(client_id=client.pk).exists()


def test_SD4_queryset_update_is_recorded_in_history():
    client = ClientFactory(name="Before")
    Client.objects.filter(pk=client.pk).update(name="After")
    names = list(Client.pgh_event_model.objects.filter(pgh_obj_id=client.pk).values_list("name", flat=True))
    assert names[-1] == "After"


def test_SD5_entry_codes_never_reach_any_history_table():
    site = SiteFactory(entry_code="4321")
    Site.objects.filter(pk=site.pk).update(entry_code="43219", access_instructions="side door")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE %s AND table_schema = 'public'",
            ["%event%"],
        )
        tables = [row[0] for row in cursor.fetchall()]
        assert tables
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE CAST("{table}".* AS text) LIKE %s', ["%4321%"])
            assert cursor.fetchone()[0] == 0, table


def test_contact_save_keeps_one_primary_contact():
    client = ClientFactory()
    first = services.contact_save(client=client, data={"name": "First", "email": "a@example.com"})
    assert first.is_primary  # the first contact becomes primary
    second = services.contact_save(client=client, data={"name": "Second", "email": "b@example.com", "is_primary": True})
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_contact_delete_promotes_another_primary():
    client = ClientFactory()
    first = services.contact_save(client=client, data={"name": "First", "email": "a@example.com"})
    second = services.contact_save(client=client, data={"name": "Second", "email": "b@example.com"})
    services.contact_delete(contact=first)
    second.refresh_from_db()
    assert second.is_primary


def test_assignments_set_replaces_the_team(organizer_a, organizer_b):
    client = ClientFactory()
    services.client_assignments_set(client=client, organizers=[organizer_a])
    services.client_assignments_set(client=client, organizers=[organizer_b])
    assert list(client.organizers.all()) == [organizer_b]


def test_assignments_set_refuses_non_organizers(office):
    client = ClientFactory()
    with pytest.raises(ValidationError):
        services.client_assignments_set(client=client, organizers=[office])
    assert client.assignments.count() == 0


def test_client_history_lists_who_changed_what(owner):
    client = services.client_create(actor=owner, data={"name": "Hist", "kind": "household", "status": "lead"})
    services.client_update(client=client, data={"status": "active"})
    entries = selectors.client_history(client=client)
    changed = [e for e in entries if e.action == "changed" and e.model == "client"]
    assert changed and changed[0].changes["status"] == ["lead", "active"]


@pytest.mark.parametrize(
    ("text", "found"),
    [("alder", True), ("contact0@", False), ("555", True), ("Orchard", True), ("07042", True), ("zzz", False)],
)
def test_client_search_matches_name_email_phone_and_address(office, text, found):
    client = ClientFactory(name="Alder household")
    ContactFactory(client=client, email="jane@example.net", phone="+12125550199")
    SiteFactory(client=client, street="1 Orchard Lane", postal_code="07042")
    assert selectors.client_search_for_user(user=office, text=text).filter(pk=client.pk).exists() is found


def test_organizer_sees_only_assigned_clients(organizer_a, client_a, client_b):
    assert list(selectors.client_list_for_user(user=organizer_a)) == [client_a]


def test_entry_codes_visible_to_staff_and_assigned_organizer_only(office, organizer_a, organizer_b, client_a):
    assert selectors.can_see_entry_codes(user=office, client=client_a)
    assert selectors.can_see_entry_codes(user=organizer_a, client=client_a)
    assert not selectors.can_see_entry_codes(user=organizer_b, client=client_a)

"""Demo data for the client portal: the Nguyen family's primary contact has portal access (signed in once) and
has asked to move their next visit, so the client page's portal panel and the office's request list are filled;
their before/after photos fill the portal's Photos page and the office's consent raise its consent page.
Sign in as them at /portal/login/ with the code `make run` prints (the console e-mail backend). Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from clients import portal_services
from clients.models import Client, PortalAccess
from operations.models import Appointment, VisitChangeRequest
from operations.services import portal as visit_portal_services
from photos import demo as photos_demo


def load(*, owner: User) -> None:
    client = Client.objects.filter(name="Nguyen family").first()
    if client is None:
        return
    photos_demo.load_portal_client(client=client, owner=owner)
    if PortalAccess.objects.filter(client=client).exists():
        return
    contact = client.contacts.filter(is_primary=True).first()
    if contact is None or not contact.email:
        return
    invitation = portal_services.portal_invite(actor=owner, contact=contact)
    user = invitation.access.user
    portal_services.portal_signed_in(user=user)
    now = timezone.now()
    visit = (
        Appointment.objects.filter(client=client, starts__gt=now + timedelta(hours=25), status="scheduled")
        .order_by("starts")
        .first()
    )
    if visit is not None and not VisitChangeRequest.objects.filter(appointment=visit).exists():
        visit_portal_services.visit_reschedule_request(
            user=user, appointment_id=visit.pk, preferred_windows=["Thursday morning", "Friday after 2 pm"],
            note="We have a school event that Tuesday.", now=now,
        )  # fmt: skip

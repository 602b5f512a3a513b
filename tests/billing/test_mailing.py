"""Invoice e-mails through the outbox (billing/mailing.py): queued in the request's transaction, claimed once
(SKIP LOCKED, lease), sent while the claim is held, tries capped. The real worker is in test_mailing_worker.py."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from billing import invoices, mailing
from billing.models import InvoiceEmail
from tests.accounts.factories import UserFactory
from tests.clients.factories import ContactFactory


def issued_invoice(client, *, amount="80"):
    draft = invoices.Invoice.objects.create(client=client)
    invoices.invoice_line_add(invoice=draft, description="Closet reset", quantity=Decimal("1"),
                              unit_price=Decimal(amount), taxable=False)  # fmt: skip
    return invoices.invoice_issue(invoice=draft)


@pytest.fixture
def invoice(world):
    ContactFactory(client=world.carol, email="carol@home.example", is_primary=True)
    return issued_invoice(world.carol)


def test_queue_needs_an_issued_invoice_and_a_valid_address_and_is_idempotent(world, invoice):
    draft = invoices.Invoice.objects.create(client=world.carol)
    with pytest.raises(ValidationError) as exc:
        mailing.invoice_email_queue(invoice=draft, recipient="a@b.example", creation_key="d")
    assert exc.value.code == "not_issued"
    with pytest.raises(ValidationError) as exc:
        mailing.invoice_email_queue(invoice=invoice, recipient="not-an-address", creation_key="x")
    assert "recipient" in exc.value.message_dict
    first = mailing.invoice_email_queue(invoice=invoice, recipient="carol@home.example", creation_key="k1")
    again = mailing.invoice_email_queue(invoice=invoice, recipient="carol@home.example", creation_key="k1")
    assert first.pk == again.pk and InvoiceEmail.objects.count() == 1
    assert mailing.default_recipient(invoice) == "carol@home.example"


def test_a_row_is_claimed_once_and_reclaimed_only_after_the_lease(invoice, settings):
    settings.BILLING_EMAIL_LEASE_MINUTES = 10
    email = mailing.invoice_email_queue(invoice=invoice, recipient="carol@home.example", creation_key="k")
    now = timezone.now()
    assert mailing.invoice_emails_claim(now=now) == [email.pk]
    assert mailing.invoice_emails_claim(now=now + timedelta(minutes=9)) == []
    assert mailing.invoice_emails_claim(now=now + timedelta(minutes=11)) == [email.pk]


def test_send_holds_the_claim_a_stale_or_duplicate_message_sends_nothing(invoice, mailoutbox):
    email = mailing.invoice_email_queue(invoice=invoice, recipient="carol@home.example", creation_key="k")
    claim = timezone.now()
    mailing.invoice_emails_claim(now=claim)
    assert mailing.invoice_email_send(email_id=email.pk, claim=claim - timedelta(seconds=1)) == "skipped"
    assert mailing.invoice_email_send(email_id=email.pk, claim=claim) == "sent"
    assert mailing.invoice_email_send(email_id=email.pk, claim=claim) == "skipped"
    assert len(mailoutbox) == 1
    [message] = mailoutbox
    assert message.to == ["carol@home.example"] and invoice.number in message.subject
    assert message.extra_headers["Idempotency-Key"] == str(email.idempotency_key)
    [(name, content, mimetype)] = message.attachments
    assert name == f"invoice-{invoice.number}.pdf" and mimetype == "application/pdf" and content[:5] == b"%PDF-"
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 1 and email.sent_at is not None


def test_provider_errors_are_retried_then_failed_after_max_attempts(invoice, settings, monkeypatch):
    settings.BILLING_EMAIL_MAX_ATTEMPTS = 2

    def broken(email):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(mailing, "_deliver", broken)
    email = mailing.invoice_email_queue(invoice=invoice, recipient="carol@home.example", creation_key="k")
    now = timezone.now()
    mailing.invoice_emails_claim(now=now)
    assert mailing.invoice_email_send(email_id=email.pk, claim=now) == "retry"
    assert mailing.invoice_emails_claim(now=now + timedelta(seconds=30)) == []  # waits a tick
    later = now + timedelta(minutes=2)
    assert mailing.invoice_emails_claim(now=later) == [email.pk]
    assert mailing.invoice_email_send(email_id=email.pk, claim=later) == "failed"
    email.refresh_from_db()
    assert email.status == "failed" and email.attempts == 2 and "smtp down" in email.last_error


def test_a_message_that_kept_crashing_its_worker_ends_failed_without_sending(invoice, settings, mailoutbox):
    settings.BILLING_EMAIL_MAX_ATTEMPTS = 3
    email = mailing.invoice_email_queue(invoice=invoice, recipient="carol@home.example", creation_key="k")
    now = timezone.now()
    mailing.invoice_emails_claim(now=now)
    InvoiceEmail.objects.filter(pk=email.pk).update(attempts=3)  # three tries that never came back
    assert mailing.invoice_email_send(email_id=email.pk, claim=now) == "failed"
    assert mailing.invoice_emails_claim(now=now + timedelta(hours=1)) == [] and mailoutbox == []


def test_publish_failure_puts_the_unsent_rows_back(world, invoice):
    rows = [
        mailing.invoice_email_queue(invoice=invoice, recipient="c@h.example", creation_key=f"k{i}") for i in range(3)
    ]
    handed = []

    def publish(email_id, claim):
        if len(handed) == 1:
            raise ConnectionError("broker gone")
        handed.append(email_id)

    with pytest.raises(ConnectionError):
        mailing.invoice_emails_dispatch(publish=publish)
    statuses = dict(InvoiceEmail.objects.values_list("pk", "status"))
    assert statuses[rows[0].pk] == "sending" and statuses[rows[1].pk] == statuses[rows[2].pk] == "pending"


def test_the_view_queues_one_email_per_submit_for_billers_only(client, world, invoice):
    url = reverse("billing:invoice_email", args=[invoice.pk])
    data = {"creation_key": "form-1", "recipient": "carol@home.example"}
    client.force_login(world.alice)
    assert client.post(url, data).status_code == 403
    client.force_login(UserFactory(role="owner"))
    detail = client.get(invoice.get_absolute_url())
    assert b"carol@home.example" in detail.content and url.encode() in detail.content
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double submit
    assert InvoiceEmail.objects.filter(invoice=invoice).count() == 1
    response = client.post(url, {"creation_key": "form-2", "recipient": "nope"}, follow=True)
    assert b"Enter the e-mail address" in response.content and InvoiceEmail.objects.count() == 1

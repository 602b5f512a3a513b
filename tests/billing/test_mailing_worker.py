"""Invoice e-mail on a real Celery worker (in-process, solo pool, through the broker; never eager): one e-mail
with the PDF attached, and a redelivered or duplicated send message does not send it twice."""

import subprocess
import time

import pytest

from billing import mailing
from billing.models import InvoiceEmail
from billing.tasks import dispatch_invoice_emails, send_invoice_email
from tests.billing.test_mailing import issued_invoice
from tests.billing.world import build_world
from tests.clients.factories import ContactFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]


def wait_sent(email, timeout=30):
    deadline = time.monotonic() + timeout
    while InvoiceEmail.objects.get(pk=email.pk).status != "sent":
        assert time.monotonic() < deadline, f"the worker did not send {email}"
        time.sleep(0.1)


def test_the_worker_sends_one_email_with_the_pdf_and_a_redelivered_task_sends_nothing(
    celery_worker_real, mailoutbox, tmp_path
):
    world = build_world()
    ContactFactory(client=world.carol, email="carol@home.example", is_primary=True)
    invoice = issued_invoice(world.carol, amount="123.45")
    email = mailing.invoice_email_queue(invoice=invoice, recipient="carol@home.example", creation_key="w1")
    dispatch_invoice_emails.delay()
    dispatch_invoice_emails.delay()  # two ticks at once: SKIP LOCKED hands the row to one of them
    wait_sent(email)
    email.refresh_from_db()
    claim = email.claimed_at
    # The broker redelivers the send message (a worker lost its ack) and beat ticks again.
    send_invoice_email.delay(email_id=email.pk, claim=claim.isoformat())
    send_invoice_email.delay(email_id=email.pk, claim=claim.isoformat())
    dispatch_invoice_emails.delay()
    sentinel = mailing.invoice_email_queue(invoice=invoice, recipient="office@home.example", creation_key="w2")
    dispatch_invoice_emails.delay()
    wait_sent(sentinel)  # the solo worker ran every message published before it
    assert [m.to for m in mailoutbox] == [["carol@home.example"], ["office@home.example"]]
    [(name, content, mimetype)] = mailoutbox[0].attachments
    assert (name, mimetype) == (f"invoice-{invoice.number}.pdf", "application/pdf")
    pdf = tmp_path / name
    pdf.write_bytes(content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert invoice.number in text and "Closet reset" in text and "$123.45" in text
    email.refresh_from_db()
    assert email.attempts == 1 and email.status == "sent"

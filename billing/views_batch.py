""" "Create drafts for all": in the request for a few clients; above BILLING_BATCH_INLINE_MAX a Celery job whose
page polls a progress fragment (htmx) until the job is done."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthedHttpRequest
from billing import batches, conf, forms, invoices, selectors, tasks
from billing.models import InvoiceBatch
from billing.views import billing_required

logger = logging.getLogger("organizer_pm.billing")


@require_POST
@billing_required
def invoice_batch(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.KeyedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The batch could not be started; reload the page and try again.")
        return redirect("billing:ready")
    key = form.cleaned_data["creation_key"]
    known = selectors.batch_by_key(key)
    if known is None and len(batches.ready_client_ids()) <= int(conf.get("BILLING_BATCH_INLINE_MAX")):
        made = invoices.invoice_batch_create(batch_key=key, actor=request.user)
        messages.success(request, f"{len(made)} draft invoice{'s' if len(made) != 1 else ''} ready for review.")
        return redirect(reverse("billing:invoice_list") + "?status=draft")
    batch = batches.batch_start(batch_key=key, actor=request.user)
    if batch.status != InvoiceBatch.Status.DONE:
        _run_soon(batch)
    return redirect("billing:batch_detail", pk=batch.pk)


def _run_soon(batch: InvoiceBatch) -> None:
    """Queue the job (after the row is committed: batch_start has returned). A retried submit queues it again,
    which is harmless: a second run finds every draft by its key."""
    try:
        tasks.invoice_batch_run.delay(batch_id=batch.pk)
    except Exception:  # noqa: BLE001 - the job row stays queued; submitting again retries
        logger.warning("invoice_batch_publish_failed id=%s", batch.pk)


@require_GET
@billing_required
def batch_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "billing/batch_detail.html", {"batch": selectors.batch_get(pk=pk)})


@require_GET
@billing_required
def batch_progress(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The progress fragment; it asks htmx to poll again until the job has finished."""
    return render(request, "billing/partials/batch_progress.html", {"batch": selectors.batch_get(pk=pk)})

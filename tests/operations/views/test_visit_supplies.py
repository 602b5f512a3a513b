"""The visit side of supplies through the pages: supplies used (I5, I11), reservations (I6), pass-through
purchases with receipt uploads (SU1-SU6), supply cost on the visit and client pages (I12)."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import ExifTags, Image

from operations import uploads
from operations.forms import inventory as forms
from operations.models import Allocation, ClientPurchase, StockMove
from operations.selectors import job_cost as job_costs
from operations.services import inventory, purchasing
from tests.operations.factories import utc
from tests.support.inventory import (
    allocate_url,
    body,
    book,
    consume_data,
    consume_url,
    level,
    purchase_data,
    purchase_url,
    receive,
)

pytestmark = pytest.mark.django_db
D = Decimal


# --- supplies used on a visit (phone, organizers) -------------------------------------------------------


def test_organizer_records_supplies_used_from_their_van_and_returns_to_my_day(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    receive(w.bins, 5, "6.00", w.van_a)
    client.force_login(w.anna)
    page = client.get(consume_url(w.visit_a))
    assert page.status_code == 200 and 'name="idempotency_key"' in body(page) and "Label roll" in body(page)
    next_url = reverse("operations:my_day") + "?date=2030-01-08#visit-1"
    response = client.post(consume_url(w.visit_a), consume_data({w.rolls: 2, w.bins: 3}, next=next_url))
    assert response.status_code == 302 and response["Location"] == next_url
    assert (level(w.rolls, w.van_a), level(w.bins, w.van_a)) == (5, 2)
    assert set(StockMove.objects.filter(reason="consume").values_list("appointment", "actor")) == {
        (w.visit_a.pk, w.anna.pk)
    }


def test_each_rendered_consume_form_carries_a_fresh_idempotency_key(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    client.force_login(w.anna)
    keys = {body(client.get(consume_url(w.visit_a))).split('name="idempotency_key" value="')[1][:36] for _ in "ab"}
    assert len(keys) == 2 and all(uuid.UUID(k) for k in keys)


def test_I5_the_same_form_posted_twice_records_once_and_both_redirect_alike(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    receive(w.bins, 5, "6.00", w.van_a)
    client.force_login(w.anna)
    data = consume_data({w.rolls: 2, w.bins: 1}, next="/schedule/my-day/")
    first = client.post(consume_url(w.visit_a), data)
    second = client.post(consume_url(w.visit_a), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert StockMove.objects.filter(reason="consume").count() == 2
    assert (level(w.rolls, w.van_a), level(w.bins, w.van_a)) == (5, 4)


def test_I11_using_more_than_the_van_holds_is_refused_with_what_is_there_and_nothing_recorded(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    receive(w.bins, 5, "6.00", w.van_a)
    client.force_login(w.anna)
    response = client.post(consume_url(w.visit_a), consume_data({w.bins: 1, w.rolls: 8}))
    assert response.status_code == 409
    assert "Not enough Label roll in Anna&#x27;s van: 7 roll available." in body(response)
    assert not StockMove.objects.filter(reason="consume").exists()  # the valid line is not kept either
    assert (level(w.rolls, w.van_a), level(w.bins, w.van_a)) == (7, 5)


@pytest.mark.parametrize(
    ("qty", "message"),
    [("-1", forms.NEGATIVE_MSG), ("0", forms.NOTHING_USED_MSG), ("", forms.NOTHING_USED_MSG), ("two", "number")],
)
def test_consume_form_refuses_bad_quantities(client, w, qty, message):
    receive(w.rolls, 7, "4.50", w.van_a)
    client.force_login(w.anna)
    response = client.post(consume_url(w.visit_a), consume_data({w.rolls: qty}))
    assert response.status_code == 400 and message in body(response)
    assert not StockMove.objects.filter(reason="consume").exists()


def test_consume_without_a_key_is_refused(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    client.force_login(w.anna)
    data = consume_data({w.rolls: 1})
    del data["idempotency_key"]
    response = client.post(consume_url(w.visit_a), data)
    assert response.status_code == 400 and forms.KEY_MISSING_MSG in body(response)


def test_organizer_cannot_use_supplies_on_another_organizers_visit(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    client.force_login(w.anna)
    response = client.post(consume_url(w.visit_b), consume_data({w.rolls: 1}))
    assert response.status_code == 404 and not StockMove.objects.filter(reason="consume").exists()


def test_organizer_cannot_take_from_another_van_by_posting_its_id(client, w):
    receive(w.rolls, 7, "4.50", w.van_b)
    client.force_login(w.anna)
    response = client.post(consume_url(w.visit_a), consume_data({w.rolls: 1}, location=w.van_b))
    assert response.status_code == 400  # the pick list is Anna's own (empty) van
    assert level(w.rolls, w.van_b) == 7 and not StockMove.objects.filter(reason="consume").exists()


def test_office_records_supplies_from_a_chosen_location(client, w):
    receive(w.bins, 5, "6.00", w.warehouse)
    client.force_login(w.office)
    assert "Anna&#x27;s van" in body(client.get(consume_url(w.visit_a)))  # the visit's organizer's van first
    response = client.post(consume_url(w.visit_a), consume_data({w.bins: 2}, location=w.warehouse))
    assert response.status_code == 302 and level(w.bins, w.warehouse) == 3


def test_organizer_undoes_their_own_entry_and_the_job_cost_follows(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    move = inventory.stock_consume(appointment=w.visit_a, item=w.rolls, qty=2, location=w.van_a, actor=w.anna)
    client.force_login(w.anna)
    response = client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk}))
    assert response.status_code == 302 and response["Location"] == w.visit_a.get_absolute_url()
    assert level(w.rolls, w.van_a) == 7 and job_costs.job_cost(appointment=w.visit_a).supplies == 0
    again = client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk}), follow=True)
    assert "cannot be reversed here" in body(again) and StockMove.objects.filter(reason="reversal").count() == 1


def test_organizer_cannot_reverse_a_transfer_into_their_van(client, w):
    receive(w.rolls, 7, "4.50", w.warehouse)
    move = inventory.stock_transfer(item=w.rolls, qty=2, from_location=w.warehouse, to_location=w.van_a, actor=None)
    client.force_login(w.anna)
    assert client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk})).status_code == 404


def test_office_reverses_a_transfer_from_the_ledger(client, w):
    receive(w.rolls, 7, "4.50", w.warehouse)
    move = inventory.stock_transfer(item=w.rolls, qty=2, from_location=w.warehouse, to_location=w.van_a, actor=None)
    client.force_login(w.office)
    ledger = reverse("operations:move_list")
    assert f'action="{reverse("operations:move_reverse", kwargs={"pk": move.pk})}"' in body(client.get(ledger))
    response = client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk}), {"next": ledger})
    assert response.status_code == 302 and response["Location"] == ledger
    assert (level(w.rolls, w.warehouse), level(w.rolls, w.van_a)) == (7, 0)


def test_a_receipt_against_a_purchase_order_is_not_reversed_from_the_ledger(client, w):
    order = purchasing.po_mark_ordered(order=purchasing.po_create(supplier=w.supplier, lines=[(w.bins, 5, "2")],
                                                                 actor=None))  # fmt: skip
    [move] = purchasing.po_receive(order=order, quantities={order.lines.get().pk: 5}, actor=None)
    client.force_login(w.office)
    response = client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk}), follow=True)
    assert "Record a count" in body(response) and level(w.bins, w.warehouse) == 5


# --- reservations ---------------------------------------------------------------------------------------


def test_I6_office_reserves_supplies_and_more_than_is_free_is_refused(client, w):
    receive(w.bins, 25, "1", w.warehouse)
    client.force_login(w.office)
    data = {"item": "BIN-L", "location": w.warehouse.pk, "qty": "10"}
    assert client.post(allocate_url(w.visit_a), data).status_code == 302
    response = client.post(allocate_url(w.visit_a), data | {"qty": "16"})
    assert response.status_code == 409 and "Only 15 each of Large bin are free in Warehouse." in body(response)
    assert list(Allocation.objects.values_list("qty", flat=True)) == [10]


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"qty": "0"}, inventory.QTY_POSITIVE_MSG), ({"qty": "-4"}, inventory.QTY_POSITIVE_MSG),
     ({"item": "GONE"}, "No active item has the SKU")],
)  # fmt: skip
def test_reservation_form_refuses_bad_input(client, w, extra, message):
    receive(w.bins, 25, "1", w.warehouse)
    client.force_login(w.office)
    response = client.post(allocate_url(w.visit_a), {"item": "BIN-L", "location": w.warehouse.pk} | extra)
    assert response.status_code == 400 and message in body(response) and not Allocation.objects.exists()


def test_organizers_cannot_reserve_supplies(client, w):
    receive(w.bins, 25, "1", w.warehouse)
    client.force_login(w.anna)
    data = {"item": "BIN-L", "location": w.warehouse.pk, "qty": "1"}
    assert client.post(allocate_url(w.visit_a), data).status_code == 403 and not Allocation.objects.exists()


# --- pass-through purchases and receipts (docs/specs/security.md SU1-SU6) -------------------------------


def jpeg_with_gps_and_rotation():
    image = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown rotated 90° clockwise: 20 wide, 40 high
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 44.0, 54.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (73.0, 59.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_header_only(width, height):
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb's shape)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_SU4_SU6_receipt_is_stored_under_a_server_name_without_gps_and_upright(client, w):
    original = jpeg_with_gps_and_rotation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture has GPS
    client.force_login(w.anna)
    response = client.post(purchase_url(w.visit_a), purchase_data(original, name="../../etc/passwd.jpg.exe"))
    assert response.status_code == 302
    purchase = ClientPurchase.objects.get()
    assert purchase.receipt.name.startswith("receipts/") and purchase.receipt.name.endswith(".jpg")
    assert "passwd" not in purchase.receipt.name and len(purchase.receipt.name) == len("receipts/") + 32 + 4
    stored = Image.open(purchase.receipt.path)
    assert stored.format == "JPEG" and stored.size == (20, 40)
    exif = stored.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif
    assert purchase.markup_pct == 0  # organizers record what they paid; the office prices it


def test_receipt_is_served_only_through_the_checked_view_as_an_attachment(client, w):
    client.force_login(w.anna)
    client.post(purchase_url(w.visit_a), purchase_data(jpeg_with_gps_and_rotation()))
    purchase = ClientPurchase.objects.get()
    response = client.get(reverse("operations:purchase_receipt", kwargs={"pk": purchase.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{purchase.pk}.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    client.force_login(w.ben)
    assert client.get(reverse("operations:purchase_receipt", kwargs={"pk": purchase.pk})).status_code == 404
    assert client.get("/media/" + purchase.receipt.name).status_code == 404  # SZ13: no public MEDIA mapping


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        (b"<?php system($_GET['c']); ?>", "x.jpg", "image/jpeg", uploads.RECEIPT_NOT_IMAGE_MSG),  # SU2
        (bytes(range(256)) * 40, "x.jpg", "image/jpeg", uploads.RECEIPT_NOT_IMAGE_MSG),  # SU2 random bytes
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "r.svg", "image/svg+xml",
         uploads.RECEIPT_NOT_IMAGE_MSG),  # SU5
        (b"<html><script>alert(1)</script></html>", "r.html", "text/html", uploads.RECEIPT_NOT_IMAGE_MSG),  # SU5
        (png_header_only(30_000, 30_000), "bomb.png", "image/png", "The receipt image is too large"),  # SU3
        (png_header_only(8_000, 6_000), "big.png", "image/png", "The receipt image is too large (48 megapixels)"),
    ],
    ids=["php", "random", "svg", "html", "bomb-30000", "over-pixel-cap"],
)  # fmt: skip
def test_SU2_SU3_SU5_uploads_that_are_not_a_safe_image_are_refused_and_nothing_is_stored(
    client, w, settings, content, name, content_type, message
):
    client.force_login(w.anna)
    response = client.post(purchase_url(w.visit_a), purchase_data(content, name=name, content_type=content_type))
    assert response.status_code == 400 and message in body(response)
    assert not ClientPurchase.objects.exists()
    assert not (settings.MEDIA_ROOT / "receipts").exists()


def test_a_gif_is_refused_by_the_allowlist(client, w, settings):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    client.force_login(w.anna)
    response = client.post(purchase_url(w.visit_a), purchase_data(out.getvalue(), name="r.gif"))
    assert response.status_code == 400 and uploads.RECEIPT_NOT_IMAGE_MSG in body(response)


def test_SU1_an_oversize_receipt_is_refused(client, w, settings):
    settings.RECEIPT_MAX_BYTES = 2 * 1024 * 1024
    big = io.BytesIO()
    Image.effect_noise((1800, 1800), 100).convert("RGB").save(big, format="PNG")  # noise does not compress
    assert big.tell() > settings.RECEIPT_MAX_BYTES
    client.force_login(w.anna)
    response = client.post(purchase_url(w.visit_a), purchase_data(big.getvalue(), name="r.png"))
    assert response.status_code == 400 and "larger than 2 MB" in body(response)
    assert not ClientPurchase.objects.exists() and not (settings.MEDIA_ROOT / "receipts").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"cost": "0"}, "Enter the amount paid"), ({"cost": "-3"}, "Enter the amount paid"),
     ({"description": ""}, "This field is required"), ({"markup_pct": "900"}, "less than or equal to 500")],
)  # fmt: skip
def test_purchase_form_refuses_bad_amounts(client, w, extra, message):
    client.force_login(w.office)
    response = client.post(purchase_url(w.visit_a), purchase_data(**extra))
    assert response.status_code == 400 and message in body(response) and not ClientPurchase.objects.exists()


def test_markup_is_set_by_the_office_only(client, w):
    client.force_login(w.office)
    assert 'name="markup_pct"' in body(client.get(purchase_url(w.visit_a)))
    client.post(purchase_url(w.visit_a), purchase_data())
    assert ClientPurchase.objects.get().billed == D("27.60")
    client.force_login(w.anna)
    assert 'name="markup_pct"' not in body(client.get(purchase_url(w.visit_a)))


def test_organizer_cannot_add_a_purchase_to_another_organizers_visit(client, w):
    client.force_login(w.anna)
    assert client.post(purchase_url(w.visit_b), purchase_data()).status_code == 404
    assert not ClientPurchase.objects.exists()


# --- supply cost on the visit and the client pages ------------------------------------------------------


def seed_job_costs(w):
    receive(w.rolls, 10, "4.50", w.van_a)
    receive(w.bins, 10, "6.00", w.van_a)
    for item, qty in ((w.rolls, 2), (w.bins, 3)):
        inventory.stock_consume(appointment=w.visit_a, item=item, qty=qty, location=w.van_a, actor=w.anna)
    purchasing.client_purchase_add(appointment=w.visit_a, description="Shelf liner", cost="10.00", markup_pct="20",
                                  receipt=None, actor=w.office)  # fmt: skip
    later = book(w.client_a, w.anna, utc(2030, 1, 15, 15))
    inventory.stock_consume(appointment=later, item=w.bins, qty=1, location=w.van_a, actor=w.anna)


def test_I12_visit_panel_shows_supply_cost_and_pass_through_totals_to_staff(client, w):
    seed_job_costs(w)
    client.force_login(w.office)
    text = body(client.get(reverse("operations:visit_supplies_panel", kwargs={"pk": w.visit_a.pk})))
    assert "Supply cost <strong>$27.00</strong>" in text
    assert "pass-through <strong>$10.00</strong>, billed <strong>$12.00</strong>" in text


def test_visit_panel_shows_organizers_what_was_used_but_no_money(client, w):
    seed_job_costs(w)
    client.force_login(w.anna)
    text = body(client.get(reverse("operations:visit_supplies_panel", kwargs={"pk": w.visit_a.pk})))
    assert "Label roll" in text and "Shelf liner" in text and "$" not in text and "Undo" in text


def test_client_panel_sums_the_visits_for_staff_and_hides_money_from_organizers(client, w):
    seed_job_costs(w)
    url = reverse("operations:client_supplies_panel", kwargs={"pk": w.client_a.pk})
    client.force_login(w.owner)
    text = body(client.get(url))
    assert "Supplies <strong>$33.00</strong>" in text and "billed <strong>$12.00</strong>" in text
    client.force_login(w.anna)
    text = body(client.get(url))
    assert "Large bin" in text and "$" not in text


def test_visit_client_and_my_day_pages_link_to_the_supplies(client, w):
    client.force_login(w.anna)
    visit_page = body(client.get(w.visit_a.get_absolute_url()))
    assert f'hx-get="{reverse("operations:visit_supplies_panel", kwargs={"pk": w.visit_a.pk})}"' in visit_page
    client_page = body(client.get(w.client_a.get_absolute_url()))
    assert f'hx-get="{reverse("operations:client_supplies_panel", kwargs={"pk": w.client_a.pk})}"' in client_page
    my_day = body(client.get(reverse("operations:my_day") + "?date=2030-01-08"))
    assert consume_url(w.visit_a) + "?next=" in my_day and reverse("operations:my_van") in my_day


def test_visit_panel_has_the_reserve_form_for_staff_only(client, w):
    panel = reverse("operations:visit_supplies_panel", kwargs={"pk": w.visit_a.pk})
    reserve = f'action="{allocate_url(w.visit_a)}"'
    client.force_login(w.office)
    assert reserve in body(client.get(panel))
    client.force_login(w.anna)
    assert reserve not in body(client.get(panel))


def test_a_retried_purchase_submit_records_one_purchase(client, w):
    client.force_login(w.anna)
    data = purchase_data()
    first = client.post(purchase_url(w.visit_a), data)
    second = client.post(purchase_url(w.visit_a), data)
    assert first.status_code == second.status_code == 302
    assert ClientPurchase.objects.filter(appointment=w.visit_a).count() == 1

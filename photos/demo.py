"""Demo photos for `load_demo` (idempotent: nothing when a photo exists). Drawn here, then stored through the
real upload pipeline: a before (clutter) and an after (order) for two spaces of the Smith household's visit
today, consent at TEAM with the pantry at PORTFOLIO (checked, used on the website), and a Garcia garage photo
whose use became a takedown task after the client lowered consent."""

from __future__ import annotations

import io
import random
from datetime import date
from typing import Any

from PIL import Image, ImageDraw

from clients.models import Client, ConsentLevel
from operations.selectors import visits as visit_selectors
from photos.models import Photo
from photos.services import consent, portfolio, upload

CHECKLIST = {"numbers", "papers", "faces", "windows"}


def _picture(*, tidy: bool, seed: int, base: tuple[int, int, int]) -> bytes:
    """Shelves with boxes: scattered when not tidy, in rows when tidy. 1200 x 900, like a shrunk phone photo."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1200, 900), base)
    draw = ImageDraw.Draw(image)
    for shelf in range(4):
        draw.rectangle((60, 180 + shelf * 200, 1140, 196 + shelf * 200), fill=(120, 90, 60))
    colours = [(214, 93, 77), (77, 144, 214), (230, 190, 70), (110, 180, 120), (160, 110, 190)]
    for i in range(28):
        if tidy:
            shelf, slot = divmod(i, 7)
            x, y, w, h = 80 + slot * 150, 60 + shelf * 200, 120, 120
        else:
            x, y = rng.randint(40, 1040), rng.randint(20, 760)
            w, h = rng.randint(60, 200), rng.randint(50, 160)
        draw.rectangle((x, y, x + w, y + h), fill=colours[(i if tidy else rng.randint(0, 4)) % 5], outline="black")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _store(visit: Any, actor: Any, *, stage: str, space: str, seed: int, base: tuple[int, int, int]) -> Photo:
    data = _picture(tidy=stage == "after", seed=seed, base=base)
    return upload.photo_upload(visit=visit, actor=actor, stream=io.BytesIO(data), size=len(data), stage=stage,
                               space_label=space)  # fmt: skip


def load(*, owner: Any, organizers: list[Any]) -> None:
    if Photo.objects.exists():
        return
    smith_visit = garcia_visit = None
    for organizer in organizers:
        for visit in visit_selectors.appointment_list_for_user(user=organizer).select_related("client", "site"):
            if visit.client.name == "Smith household" and smith_visit is None:
                smith_visit = (visit, organizer)
            if visit.client.name == "Garcia garage" and garcia_visit is None:
                garcia_visit = (visit, organizer)
    if smith_visit:
        visit, organizer = smith_visit
        photos = {}
        for n, (space, base) in enumerate((("Pantry", (235, 228, 214)), ("Hall closet", (220, 226, 235)))):
            for stage in ("before", "after"):
                photos[space, stage] = _store(visit, organizer, stage=stage, space=space, seed=n, base=base)
        client = Client.objects.get(pk=visit.client_id)
        basis_date = date(2026, 11, 20)
        consent.consent_set_by_staff(actor=owner, client=client, level=ConsentLevel.TEAM, basis="signed_form",
                                     basis_date=basis_date)  # fmt: skip
        pantry_after = photos["Pantry", "after"]
        consent.consent_set_by_staff(actor=owner, client=client, level=ConsentLevel.PORTFOLIO_ANON,
                                     space=pantry_after.space, basis="signed_form", basis_date=basis_date)  # fmt: skip
        portfolio.photo_anonymization_check(photo=pantry_after, actor=owner, ticked=CHECKLIST)
        portfolio.portfolio_use_record(photo=pantry_after, actor=owner, channel="website",
                                       url="https://example.com/work/pantry")  # fmt: skip
    if garcia_visit:
        visit, organizer = garcia_visit
        photo = _store(visit, organizer, stage="before", space="Garage", seed=7, base=(200, 200, 200))
        client = Client.objects.get(pk=visit.client_id)
        consent.consent_set_by_staff(actor=owner, client=client, level=ConsentLevel.PORTFOLIO_ANON,
                                     basis="email", basis_date=date(2026, 11, 1))  # fmt: skip
        portfolio.photo_anonymization_check(photo=photo, actor=owner, ticked=CHECKLIST)
        portfolio.portfolio_use_record(photo=photo, actor=owner, channel="social")
        consent.consent_set_by_staff(actor=owner, client=client, level=ConsentLevel.PRIVATE)  # a takedown task


def load_portal_client(*, client: Client, owner: Any) -> None:
    """The portal's demo client: before/after pairs of two spaces on their first visit, plus a lockbox shot kept
    from them; consent raised to TEAM by the office (signed form), the lockbox shot capped at PRIVATE. Idempotent:
    nothing when the client has a photo."""
    if Photo.objects.filter(client=client).exists():
        return
    visit = visit_selectors.appointment_list_for_user(user=owner).filter(client=client).order_by("starts").first()
    if visit is None:
        return
    actor = visit.organizers.first() or owner
    for n, (space, base) in enumerate((("Kitchen", (240, 232, 220)), ("Entryway", (226, 232, 222)))):
        for stage in ("before", "after"):
            _store(visit, actor, stage=stage, space=space, seed=20 + n, base=base)
    data = _picture(tidy=True, seed=30, base=(90, 90, 90))
    lockbox = upload.photo_upload(visit=visit, actor=actor, stream=io.BytesIO(data), size=len(data), stage="during",
                                  space_label="Entryway", caption="Lockbox", shared_with_client=False)  # fmt: skip
    consent.consent_set_by_staff(actor=owner, client=client, level=ConsentLevel.TEAM, basis="signed_form",
                                 basis_date=date(2026, 11, 20))  # fmt: skip
    consent.consent_set_by_staff(actor=owner, client=client, level=ConsentLevel.PRIVATE, photo=lockbox)

"""Photo rows of the authorization matrix (tests/test_authz_matrix.py merges them, as it does billing's).

Who may do what: every staff-app user opens the visit upload page, the visit and client panels and a photo's
files for visits in their scope (an organizer: visits they are booked on; foreign = 404 like a missing id); the
gallery is everyone's; consent, the portfolio and takedowns are owner and office only (403 before any lookup
for organizers, except consent, which looks the client up first: 404 for a foreign client).
"""

from __future__ import annotations

import io
from typing import Any

from photos.models import PortfolioUse, TakedownTask
from photos.services import upload
from tests.photos import images


def rules(*, page: Any, obj: Any, Rule: Any) -> dict[str, Any]:
    def staff_only(kind: str, method: str, *, status: int) -> Any:
        return Rule(method, kind, {"owner": (status, status, 404), "office": (status, status, 404),
                                   "organizer": (403, 403, 403)})  # fmt: skip

    return {
        "photos:visit_upload": obj("visit", owner=200, office=200, organizer=200),
        "photos:visit_panel": obj("visit", owner=200, office=200, organizer=200),
        "photos:client_panel": obj("client", owner=200, office=200, organizer=200),
        "photos:client_consent": obj("client", owner=200, office=200, organizer=403),
        "photos:photo_display": obj("photo", owner=200, office=200, organizer=200),
        "photos:photo_thumb": obj("photo", owner=200, office=200, organizer=200),
        "photos:photo_download": obj("photo", owner=200, office=200, organizer=200),
        "photos:gallery": page(owner=200, office=200, organizer=200),
        "photos:portfolio": page(owner=200, office=200, organizer=403),
        "photos:anonymization_check": staff_only("photo", "POST", status=302),  # nothing ticked: a message
        "photos:portfolio_use": staff_only("photo", "POST", status=302),  # no channel: a message
        "photos:takedown_done": staff_only("takedown", "POST", status=302),
        "photos:photo_edit": obj("photo", owner=200, office=200, organizer=200),
        "photos:photo_cap": staff_only("photo", "POST", status=302),  # empty form: a message, nothing written
        "photos:photo_delete": Rule(
            "POST", "photo", {"owner": (302, 302, 404), "office": (403, 403, 403), "organizer": (403, 403, 403)}
        ),  # fmt: skip
    }


def objects_for(*, client_obj: Any, organizer: Any, owner: Any, visit: Any) -> dict[str, Any]:
    """A photo of the visit (real files: the file views stream them) and a takedown task for a use of it."""
    data = images.jpeg()
    photo = upload.photo_upload(visit=visit, actor=organizer, stream=io.BytesIO(data), size=len(data),
                                stage="before", space_label="Pantry")  # fmt: skip
    use = PortfolioUse.objects.create(photo=photo, channel="website", used_by=owner)
    takedown = TakedownTask.objects.create(use=use, due_on=visit.starts.date())
    return {"photo": photo, "takedown": takedown}

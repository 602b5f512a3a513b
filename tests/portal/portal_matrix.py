"""Portal rows of the authorization matrix (tests/test_authz_matrix.py merges them, as it does billing's).

The matrix's fifth role, "portal", is P: a portal user with access to the "own" client only. Every staff URL
answers 404 to P (the boundary: for portal users the staff app does not exist), which the matrix applies to any
row without a "portal" entry. Portal pages answer 403 to staff and organizers (before any lookup) and, to P,
404 for the other client's objects exactly as for missing ones. The office's portal pages are owner and office
only (403 to organizers before any lookup).
"""

from typing import Any

from operations.models import VisitChangeRequest

PORTAL_ROLE = "portal"


def rules(*, page: Any, obj: Any, Rule: Any) -> dict[str, Any]:
    def portal_page(method: str = "GET", *, status: int = 200) -> Any:
        return Rule(method, None, {"owner": 403, "office": 403, "organizer": 403, "portal": status})

    def portal_obj(kind: str, method: str = "GET", *, status: int = 200) -> Any:
        denied = (403, 403, 403)
        return Rule(method, kind, {"owner": denied, "office": denied, "organizer": denied,
                                   "portal": (status, 404, 404)})  # fmt: skip

    def office_obj(kind: str, method: str = "GET", *, status: int) -> Any:
        return Rule(method, kind, {"owner": (status, status, 404), "office": (status, status, 404),
                                   "organizer": (403, 403, 403)})  # fmt: skip

    return {
        "portal:home": portal_page(),
        "portal:switch_client": portal_page("POST", status=302),
        "portal:visit_list": portal_page(),
        "portal:visit_detail": portal_obj("visit"),
        "portal:visit_reschedule": portal_obj("visit", status=302),  # the world has a pending request: shown
        "portal:visit_cancel": portal_obj("visit"),
        "portal:intake": portal_page(),
        "portal:profile": portal_page(),
        "portal:access": portal_page(),
        "portal:project_list": portal_page(),
        "portal:project_detail": portal_obj("project"),
        "portal:bills": portal_page(),
        "portal:photo_list": portal_page(),
        "portal:photo_detail": portal_obj("photo"),  # the world's photo is shared with its client
        "portal:photo_display": portal_obj("photo"),
        "portal:photo_thumb": portal_obj("photo"),
        "portal:consent": portal_page(),
        "portal_office:client_panel": office_obj("client", status=200),
        "portal_office:invite": office_obj("contact", "POST", status=302),
        "portal_office:revoke": office_obj("portalaccess", "POST", status=302),
        "portal_office:request_list": page(owner=200, office=200, organizer=403),
        "portal_office:request_decide": office_obj("changereq", status=200),
    }


PUBLIC = {"portal:welcome", "portal:welcome_token", "portal:login"}


def objects_for(*, client_obj: Any, owner: Any, visit: Any) -> dict[str, Any]:
    """A portal user with access to `client_obj`, and a pending reschedule request on its visit."""
    from tests.support import portal

    email = f"portal-{client_obj.pk}@example.org"
    user = portal.portal_user_build(client=client_obj, actor=owner, email=email, name=f"Portal {client_obj.pk}")
    change = VisitChangeRequest.objects.create(
        appointment=visit, kind="reschedule", preferred_windows=["2030-01-09 10:00"], requested_by=user
    )
    return {"portal_user": user, "portalaccess": user.portal_accesses.get(), "changereq": change}

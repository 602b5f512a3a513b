from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", include("organizer_pm.dashboard.urls")),
    # Before allauth's own pattern for the same path: removing a security key must respect "the last factor of
    # a user who must have MFA stays", which allauth checks for TOTP only (docs/specs/portal.md §7).
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        account_views.webauthn_remove,
        name="accounts_webauthn_remove",
    ),
    path("accounts/", include("allauth.urls")),
    path("team/", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("projects/", include("projects.urls")),
    path("schedule/", include("operations.urls")),
    path("billing/", include("billing.urls")),
    path("portal/", include("organizer_pm.portal.urls")),
    path("portal-office/", include("organizer_pm.portal.office_urls")),
    path("photos/", include("photos.urls")),
]

from django.urls import include, path

urlpatterns = [
    path("", include("organizer_pm.dashboard.urls")),
    path("accounts/", include("allauth.urls")),
    path("team/", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("projects/", include("projects.urls")),
    path("schedule/", include("operations.urls")),
    path("billing/", include("billing.urls")),
    path("photos/", include("photos.urls")),
]

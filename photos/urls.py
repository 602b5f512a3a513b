"""Photo URLs under /photos/ (namespace `photos:`). Photo ids are UUIDs: they never reveal how many exist."""

from django.urls import path

from photos.views import consent, edit, files, portfolio, visits

app_name = "photos"

urlpatterns = [
    path("visits/<int:pk>/upload/", visits.visit_upload, name="visit_upload"),
    path("visits/<int:pk>/panel/", visits.visit_panel, name="visit_panel"),
    path("clients/<int:pk>/panel/", visits.client_panel, name="client_panel"),
    path("clients/<int:pk>/consent/", consent.client_consent, name="client_consent"),
    path("<uuid:pk>/display/", files.photo_display, name="photo_display"),
    path("<uuid:pk>/thumb/", files.photo_thumb, name="photo_thumb"),
    path("<uuid:pk>/download/", files.photo_download, name="photo_download"),
    path("gallery/", portfolio.gallery, name="gallery"),
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path("<uuid:pk>/anonymization-check/", portfolio.anonymization_check, name="anonymization_check"),
    path("<uuid:pk>/portfolio-use/", portfolio.portfolio_use, name="portfolio_use"),
    path("takedowns/<int:pk>/done/", portfolio.takedown_done, name="takedown_done"),
    path("<uuid:pk>/edit/", edit.photo_edit, name="photo_edit"),
    path("<uuid:pk>/delete/", edit.photo_delete, name="photo_delete"),
    path("<uuid:pk>/consent-cap/", edit.photo_cap, name="photo_cap"),
]

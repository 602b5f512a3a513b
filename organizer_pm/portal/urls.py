from django.urls import path

from organizer_pm.portal.views import account, entry, photos, records, visits

app_name = "portal"

urlpatterns = [
    path("", visits.home, name="home"),
    path("welcome/", entry.welcome, name="welcome"),
    path("welcome/<str:token>/", entry.welcome_token, name="welcome_token"),
    path("login/", entry.login, name="login"),
    path("switch/", visits.switch_client, name="switch_client"),
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/reschedule/", visits.visit_reschedule, name="visit_reschedule"),
    path("visits/<int:pk>/cancel/", visits.visit_cancel, name="visit_cancel"),
    path("intake/", account.intake, name="intake"),
    path("profile/", account.profile, name="profile"),
    path("access/", account.site_access, name="access"),
    path("projects/", records.project_list, name="project_list"),
    path("projects/<int:pk>/", records.project_detail, name="project_detail"),
    path("bills/", records.bills, name="bills"),
    path("photos/", photos.photo_list, name="photo_list"),
    path("photos/<uuid:pk>/", photos.photo_detail, name="photo_detail"),
    path("photos/<uuid:pk>/display/", photos.photo_display, name="photo_display"),
    path("photos/<uuid:pk>/thumb/", photos.photo_thumb, name="photo_thumb"),
    path("consent/", photos.consent, name="consent"),  # photos.services.consent.PORTAL_CONSENT_PATH
]

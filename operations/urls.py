from django.urls import include, path

from operations import views

app_name = "operations"

urlpatterns = [
    path("types/", views.appointment_type_list, name="appointment_type_list"),
    path("types/new/", views.appointment_type_edit, name="appointment_type_create"),
    path("types/<int:pk>/edit/", views.appointment_type_edit, name="appointment_type_edit"),
    path("visits/new/", views.appointment_create, name="appointment_create"),
    path("visits/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("visits/<int:pk>/edit/", views.appointment_edit, name="appointment_edit"),
    path("visits/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("visits/<int:pk>/restore/", views.appointment_uncancel, name="appointment_uncancel"),
    path("visits/<int:pk>/action/", views.appointment_day_action, name="appointment_day_action"),
    path("visits/<int:pk>/checklist/", views.appointment_checklist, name="appointment_checklist"),
    path("free-slots/", views.free_slots, name="free_slots"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/events/", views.calendar_events, name="calendar_events"),
    path("calendar/visits/<int:pk>/move/", views.calendar_move, name="calendar_move"),
    path("my-day/", views.my_day, name="my_day"),
    path("time-off/", views.time_off, name="time_off"),
    path("time-off/<int:pk>/decide/", views.time_off_decide, name="time_off_decide"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/regenerate/", views.feed_regenerate, name="feed_regenerate"),
    path("feed/<str:token>.ics", views.ics_feed, name="ics_feed"),
    path("inventory/", include("operations.inventory_urls")),  # supplies: operations/inventory_views.py
]

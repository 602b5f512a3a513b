from django.urls import path

from organizer_pm.portal.views import office

app_name = "portal_office"

urlpatterns = [
    path("clients/<int:pk>/", office.client_panel, name="client_panel"),
    path("clients/<int:pk>/contacts/<int:contact_pk>/invite/", office.invite, name="invite"),
    path("access/<int:pk>/revoke/", office.revoke, name="revoke"),
    path("requests/", office.request_list, name="request_list"),
    path("requests/<int:pk>/", office.request_decide, name="request_decide"),
]

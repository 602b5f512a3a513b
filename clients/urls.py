from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("new/", views.client_create, name="client_create"),
    path("archived/", views.client_archived_list, name="client_archived_list"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    path("<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("<int:pk>/archive/", views.client_archive, name="client_archive"),
    path("<int:pk>/restore/", views.client_restore, name="client_restore"),
    path("<int:pk>/delete-permanently/", views.client_delete, name="client_delete"),
    path("<int:pk>/intake/", views.intake_edit, name="intake_edit"),
    path("<int:pk>/team/", views.assignments_edit, name="assignments_edit"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/sites/new/", views.site_edit, name="site_create"),
    path("<int:pk>/sites/<int:site_pk>/edit/", views.site_edit, name="site_edit"),
    path("<int:pk>/sites/<int:site_pk>/delete/", views.site_delete, name="site_delete"),
]

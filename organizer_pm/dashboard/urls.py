from django.urls import path

from organizer_pm.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("clients/<int:pk>/timeline/", views.client_timeline, name="client_timeline"),
]

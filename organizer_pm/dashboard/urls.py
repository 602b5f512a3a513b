from django.urls import path

from organizer_pm.dashboard import views, views_kpi

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("clients/<int:pk>/timeline/", views.client_timeline, name="client_timeline"),
    path("kpi/drill/", views_kpi.kpi_drill, name="kpi_drill"),  # ?measure=…&window=…&organizer=…
    path("kpi/export/", views_kpi.kpi_export, name="kpi_export"),  # ?table=…&window=… (CSV)
]

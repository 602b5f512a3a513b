from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "organizer_pm.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"

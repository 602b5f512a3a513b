from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "organizer_pm.portal"
    label = "portal"
    verbose_name = "Client portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from organizer_pm.portal.session import portal_login_stamp

        # Django's own signal: it fires for allauth's code login and for force_login alike, so every portal
        # session gets its clock started.
        user_logged_in.connect(portal_login_stamp, dispatch_uid="portal_login_stamp")

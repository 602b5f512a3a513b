from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from accounts import mfa

        # Not business logic: it only notes in the session that this browser has just proved the new factor.
        authenticator_added.connect(mfa.mark_session_enrolled, dispatch_uid="accounts_mfa_enrolled")

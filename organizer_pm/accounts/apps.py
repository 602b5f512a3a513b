from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "organizer_pm.accounts"
    label = "accounts"
    verbose_name = "Accounts"

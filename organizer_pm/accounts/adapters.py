from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up: the owner creates every account from the team page."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

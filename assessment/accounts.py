"""Account rules that django-allauth asks us about."""

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Nobody signs themselves up: people join a partnership through an invitation.
        return False


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # allauth puts a "forgot your password?" link in the password hint, which sits between
        # the label and the box: keyboard users tab into it. Our page links to it after the form.
        self.fields["password"].help_text = ""

"""Account rules that django-allauth asks us about, and its forms in GOV.UK style."""

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from assessment.access import has_two_factor


class AccountAdapter(DefaultAccountAdapter):
    # allauth's messages in GOV.UK words: say what to do, never blame the person.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "Enter a correct email address and password",
        "enter_current_password": "Enter your current password",
        "incorrect_password": "The password is not correct",
        "too_many_login_attempts": (
            "Too many failed sign-in attempts. Wait 5 minutes, then try again"
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Nobody signs themselves up: people join a partnership through an invitation.
        return False


def two_factor_step(request: HttpRequest, why: str, *, next_url: str) -> HttpResponse:
    """Where to go when this session must use two-factor authentication and has not: set up an
    authenticator app, or enter a code from the one already set up (then back to ``next_url``)."""
    if not has_two_factor(request.user):
        messages.warning(request, f"{why} Set up an authenticator app to continue.")
        return redirect("mfa_index")
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")


@receiver(authenticator_added)
def _setting_up_counts_as_a_code(request, user, authenticator, **kwargs) -> None:
    # Setting up an app means entering a code from it, in this session: record it as allauth
    # records a code at sign-in, so that the person goes on without entering another.
    if authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


class GOVUKStyle:
    """Drops allauth's placeholders ("Password", "Code"…) from every box, and the browser's own
    "required" checks.

    GOV.UK advises against placeholder text: it vanishes as people type, and is easily taken
    for an answer already given. Each box has a label instead. Without the ``required``
    attribute, an empty box gets our error summary rather than the browser's tooltip.
    """

    use_required_attribute = False
    fields: dict[str, forms.Field]  # set by the allauth form this is mixed into

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class NewPasswordLabels(GOVUKStyle):
    """Sentence case for the new password and its confirmation, not "New Password (again)"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "New password"
        self.fields["password2"].label = "Confirm new password"


class WithCodeErrorMessage:
    """Replaces allauth's "Incorrect code." with a message that says what to do."""

    incorrect_code_message = (
        "The code is not correct. Enter the 6-digit code from your authenticator app"
    )
    fields: dict[str, forms.Field]  # set by the allauth form this is mixed into

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = (
            "Enter the code from your authenticator app"
        )

    def clean_code(self) -> str:
        try:
            # The allauth form this is mixed into defines clean_code (allauth ships no types).
            return super().clean_code()  # type: ignore[misc]
        except ValidationError as error:
            if error.code != "incorrect_code":
                raise
            raise ValidationError(self.incorrect_code_message, code="incorrect_code") from error


class LoginForm(GOVUKStyle, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].error_messages.update(
            required="Enter your email address",
            invalid="Enter an email address in the correct format, like name@example.org",
        )
        self.fields["password"].error_messages["required"] = "Enter your password"
        # allauth puts a "forgot your password?" link in the password hint, which sits between
        # the label and the box: keyboard users tab into it. Our page links to it after the form.
        self.fields["password"].help_text = ""


class ReauthenticateForm(GOVUKStyle, allauth_forms.ReauthenticateForm):
    pass


class ChangePasswordForm(NewPasswordLabels, allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].label = "Current password"


class SetPasswordForm(NewPasswordLabels, allauth_forms.SetPasswordForm):
    pass


class ResetPasswordForm(GOVUKStyle, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(NewPasswordLabels, allauth_forms.ResetPasswordKeyForm):
    pass


class ActivateTOTPForm(WithCodeErrorMessage, GOVUKStyle, totp_forms.ActivateTOTPForm):
    pass


class AuthenticateForm(WithCodeErrorMessage, GOVUKStyle, mfa_forms.AuthenticateForm):
    # Signing in and confirming it is you also take a recovery code.
    incorrect_code_message = (
        "The code is not correct. Enter the 6-digit code from your authenticator app, "
        "or one of your recovery codes"
    )


class MFAReauthenticateForm(WithCodeErrorMessage, GOVUKStyle, mfa_forms.ReauthenticateForm):
    incorrect_code_message = AuthenticateForm.incorrect_code_message
